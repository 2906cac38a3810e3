<?php
/**
 * Witsper_Bench_Naive_Editor: make bench-media's "naive libvips editor". The plugin's editor
 * with one difference: every image is opened with WM_OPEN_FULL_DECODE, so the library decodes
 * the whole image for every result (no shrink-on-load, no size made from the previous one),
 * which is what a straightforward libvips editor does. Loaded by bench/media-editors.php once
 * Witsper_Image_Editor exists; never part of the plugin.
 *
 * @package witsper-bench
 */

/** The plugin's editor, opening images with WM_OPEN_FULL_DECODE. */
class Witsper_Bench_Naive_Editor extends Witsper_Image_Editor {
	/** wm_open flag WM_OPEN_FULL_DECODE (media/include/witsper_media.h). */
	const OPEN_FLAGS = 1;

	/**
	 * Opens the image as the plugin's editor does, with WM_OPEN_FULL_DECODE.
	 *
	 * @return true|WP_Error
	 */
	public function load() {
		if ( null !== $this->handle ) {
			return true;
		}
		if ( ! is_file( $this->file ) ) {
			return new WP_Error( 'error_loading_image', 'File does not exist?', $this->file );
		}
		$opened = Witsper_Media::open( $this->file, self::OPEN_FLAGS );
		if ( is_wp_error( $opened ) ) {
			return $opened;
		}
		$this->handle      = $opened['handle'];
		$this->orientation = $opened['info']['orientation'];
		$this->update_size( $opened['info']['width'], $opened['info']['height'] );
		$this->mime_type = $opened['info']['mime'];
		return $this->set_quality();
	}
}
