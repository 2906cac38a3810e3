<?php
/**
 * The image editors make bench-media compares, by name: required by bench/media.php (inside
 * WordPress) and given to WP-CLI as --require for the `wp media regenerate` runs, where the
 * environment variable WITSPER_BENCH_EDITOR names the editor WordPress must use alone
 * ("none": the default editor, but `wp media import` makes no size).
 *
 *   witsper  Witsper_Image_Editor (the plugin's)
 *   gd       WP_Image_Editor_GD (WordPress's)
 *   imagick  WP_Image_Editor_Imagick (WordPress's)
 *   naive    Witsper_Bench_Naive_Editor: the plugin's editor with every image opened with
 *            WM_OPEN_FULL_DECODE (no shrink-on-load: the whole image is decoded for every
 *            result), i.e. what a straightforward libvips editor does
 *
 * @package witsper-bench
 */

/** The class of an editor name, or null when unknown or not loadable here. */
function witsper_bench_editor_class( string $name ): ?string {
	$classes = array(
		'witsper' => 'Witsper_Image_Editor',
		'gd'      => 'WP_Image_Editor_GD',
		'imagick' => 'WP_Image_Editor_Imagick',
		'naive'   => 'Witsper_Bench_Naive_Editor',
	);
	if ( ! isset( $classes[ $name ] ) ) {
		return null;
	}
	if ( 'naive' === $name ) {
		witsper_bench_define_naive();
	}
	return class_exists( $classes[ $name ] ) ? $classes[ $name ] : null;
}

/** Loads the editor's library before a measurement (a worker does it once, not per image). */
function witsper_bench_editor_warm( string $name ): void {
	if ( in_array( $name, array( 'witsper', 'naive' ), true ) && class_exists( 'Witsper_Media' ) ) {
		Witsper_Media::available();
	}
}

/** Defines Witsper_Bench_Naive_Editor once the plugin's editor is loaded. */
function witsper_bench_define_naive(): void {
	if ( class_exists( 'Witsper_Bench_Naive_Editor', false ) || ! class_exists( 'Witsper_Image_Editor' ) ) {
		return;
	}
	require_once __DIR__ . '/media-naive-editor.php';
}

// Under WP-CLI (--require, before WordPress loads): the editor named by WITSPER_BENCH_EDITOR.
if ( defined( 'WP_CLI' ) && WP_CLI && 'none' === getenv( 'WITSPER_BENCH_EDITOR' ) ) {
	// `wp media import` for the set-up: the default editor, but no size, no -scaled and no
	// -rotated copy (WP-CLI refuses to import without an editor).
	WP_CLI::add_wp_hook( 'intermediate_image_sizes_advanced', '__return_empty_array', PHP_INT_MAX );
	WP_CLI::add_wp_hook( 'big_image_size_threshold', '__return_false', PHP_INT_MAX );
	WP_CLI::add_wp_hook( 'wp_image_maybe_exif_rotate', '__return_false', PHP_INT_MAX );
} elseif ( defined( 'WP_CLI' ) && WP_CLI && getenv( 'WITSPER_BENCH_EDITOR' ) ) {
	WP_CLI::add_wp_hook(
		'wp_image_editors',
		static function () {
			$name  = (string) getenv( 'WITSPER_BENCH_EDITOR' );
			$class = witsper_bench_editor_class( $name );
			if ( null === $class ) {
				WP_CLI::error( "bench: editor '$name' is not available" );
			}
			return array( $class );
		},
		PHP_INT_MAX
	);
}
