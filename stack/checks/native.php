<?php
/**
 * make verify: the native library answers inside a php-fpm worker. Loads the plugin's FFI
 * loader from the WordPress root the pool serves (env WITSPER_WP_ROOT, set by the pool)
 * and calls into libwitsper. In preload mode the class is already there (opcache.preload)
 * and only its preloaded methods may use FFI, which is what Witsper_FFI::version() is.
 * Prints one JSON object.
 */
header( 'Content-Type: application/json' );
$root   = getenv( 'WITSPER_WP_ROOT' ) ?: '/var/www/html';
$loader = $root . '/wp-content/plugins/witsper-ffi/includes/class-witsper-ffi.php';
$out    = array( 'check' => 'witsper-native', 'pid' => getmypid(), 'loader' => $loader );
try {
	if ( ! class_exists( 'Witsper_FFI', false ) ) {
		if ( ! is_file( $loader ) ) {
			throw new RuntimeException( "no FFI loader at $loader" );
		}
		require_once $loader;
	}
	$out['status']  = Witsper_FFI::status();
	$out['version'] = Witsper_FFI::version();
	// A real call with a result to compare: one block, parsed by the library.
	$plan                = Witsper_FFI::parse_plan( '<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->' );
	$out['plan_words']   = is_array( $plan ) ? count( $plan ) : null;
	$out['answers']      = is_string( $out['version'] ) && '' !== $out['version'] && is_array( $plan );
} catch ( Throwable $e ) {
	$out['answers'] = false;
	$out['error']   = get_class( $e ) . ': ' . $e->getMessage();
}
echo json_encode( $out ) . "\n";
