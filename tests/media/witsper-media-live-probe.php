<?php
/**
 * Must-use plugin installed by tests/media/live.sh for the length of the live media suite,
 * and removed by its exit trap; never part of the stack.
 *
 * When WordPress makes an upload's sub-sizes (wp_generate_attachment_metadata), the response
 * says which worker did it and which image editor WordPress chose for the file:
 *   X-Witsper-Live-Pid: the php-fpm worker's pid (the suite then reads /proc/PID/maps)
 *   X-Witsper-Live-Editor: the class _wp_image_editor_choose() returns for the file, the
 *                          one wp_get_image_editor() instantiates (Witsper_Image_Editor,
 *                          WP_Image_Editor_Imagick or WP_Image_Editor_GD)
 *   X-Witsper-Live-Init-Pid: the pid libvips was started in (wm_init_pid(), through
 *                          Witsper_Media::init_pid()), when the media library is loaded
 * Only for loopback requests; it changes nothing WordPress stores.
 *
 * @package witsper-media-live
 */

if ( isset( $_SERVER['REMOTE_ADDR'] ) && in_array( $_SERVER['REMOTE_ADDR'], array( '127.0.0.1', '::1' ), true ) ) {
	add_filter(
		'wp_generate_attachment_metadata',
		static function ( $metadata, $attachment_id ) {
			if ( headers_sent() ) {
				return $metadata;
			}
			$file   = get_attached_file( $attachment_id );
			$editor = _wp_image_editor_choose(
				array(
					'path'      => $file,
					'mime_type' => get_post_mime_type( $attachment_id ),
				)
			);
			header( 'X-Witsper-Live-Pid: ' . getmypid() );
			header( 'X-Witsper-Live-Editor: ' . ( $editor ? $editor : 'none' ) );
			if ( class_exists( 'Witsper_Media', false ) && method_exists( 'Witsper_Media', 'init_pid' ) ) {
				header( 'X-Witsper-Live-Init-Pid: ' . (int) Witsper_Media::init_pid() );
			}
			return $metadata;
		},
		PHP_INT_MAX,
		2
	);
}
