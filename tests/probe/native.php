<?php
// fpm-probe live test: the deep check the probe exists for: the native
// library answers inside a php-fpm worker (Witsper_FFI loader, same code
// path as the plugin). Prints one JSON object.
header( 'Content-Type: application/json' );
$loader = dirname( __DIR__, 2 ) . '/plugin/witsper-ffi/includes/class-witsper-ffi.php';
if ( ! is_readable( $loader ) ) {
	echo json_encode( array( 'available' => false, 'reason' => 'no loader' ) ), "\n";
	return;
}
require_once $loader;
$status            = Witsper_FFI::status();
$status['answer']  = Witsper_FFI::version();
$status['sapi']    = PHP_SAPI;
echo json_encode( $status ), "\n";
