<?php
/**
 * make verify: what the PHP that serves requests sees. Run inside a php-fpm worker through
 * FastCGI by fpm-probe (SCRIPT_FILENAME = this file); never reachable through nginx (it
 * lives outside the web root). Prints one JSON object.
 */
header( 'Content-Type: application/json' );
$opcache = function_exists( 'opcache_get_status' ) ? opcache_get_status( false ) : false;
$user    = function_exists( 'posix_getpwuid' ) ? posix_getpwuid( posix_geteuid() ) : null;
echo json_encode(
	array(
		'check'              => 'witsper-worker',
		'sapi'               => PHP_SAPI,
		'php_version'        => PHP_VERSION,
		'pid'                => getmypid(),
		'uid'                => function_exists( 'posix_geteuid' ) ? posix_geteuid() : null,
		'user'               => $user ? $user['name'] : null,
		'ffi_loaded'         => extension_loaded( 'ffi' ) && class_exists( 'FFI', false ),
		'ffi_enable'         => ini_get( 'ffi.enable' ),
		'ffi_preload'        => ini_get( 'ffi.preload' ),
		'memory_limit'       => ini_get( 'memory_limit' ),
		'max_execution_time' => ini_get( 'max_execution_time' ),
		'opcache_enabled'    => is_array( $opcache ) && ! empty( $opcache['opcache_enabled'] ),
		'opcache_preload'    => ini_get( 'opcache.preload' ),
		'display_errors'     => ini_get( 'display_errors' ),
		'upload_max_filesize' => ini_get( 'upload_max_filesize' ),
		'post_max_size'      => ini_get( 'post_max_size' ),
	)
) . "\n";
