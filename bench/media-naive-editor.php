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
}
