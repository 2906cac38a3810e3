<?php
/**
 * Loads the WordPress of the running stack from the command line, with the plugin loaded
 * even if it is not active there. Shared by bootstrap.php (PHPUnit) and helpers/probe.php
 * (the subprocess that checks fallbacks in a fresh PHP).
 *
 * Env: WITSPER_WP_ROOT (folder with wp-load.php), WITSPER_URL (the site's URL; the Host
 * header Debian-style wp-config.php files use to pick their config).
 */

$witsper_wp_root = getenv( 'WITSPER_WP_ROOT' );
if ( ! is_string( $witsper_wp_root ) || ! is_file( $witsper_wp_root . '/wp-load.php' ) ) {
	fwrite( STDERR, "WITSPER_WP_ROOT does not hold wp-load.php (got '" . $witsper_wp_root . "'): run make up, or set it\n" );
	exit( 2 );
}
$witsper_url = getenv( 'WITSPER_URL' ) ?: 'http://127.0.0.1:8080';
$witsper_u   = parse_url( $witsper_url );
$_SERVER['HTTP_HOST']       = $witsper_u['host'] . ( isset( $witsper_u['port'] ) ? ':' . $witsper_u['port'] : '' );
$_SERVER['SERVER_NAME']     = $witsper_u['host'];
$_SERVER['SERVER_PORT']     = (string) ( $witsper_u['port'] ?? 80 );
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';

define( 'WP_USE_THEMES', false );
// Tests talk to loopback only: WordPress's update checks and the like must not go out.
// (A filter, not WP_HTTP_BLOCK_EXTERNAL: the stack's wp-config.php may define that.)
$GLOBALS['wp_filter']['pre_http_request'][10][] = array(
	'function'      => static function ( $pre, $args, $url ) {
		$host = (string) parse_url( (string) $url, PHP_URL_HOST );
		if ( in_array( $host, array( '127.0.0.1', 'localhost', '::1', '[::1]' ), true ) ) {
			return $pre;
		}
		return new WP_Error( 'witsper_tests_loopback_only', 'tests may only talk to loopback: ' . $url );
	},
	'accepted_args' => 3,
);
// WordPress 6.1's bundled Requests library is not PHP 8.2-clean; its deprecation notices
// are WordPress's, not ours, and would bury real output.
error_reporting( E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED );

// WITSPER_TEST_PLUGIN_COPY: load a (deliberately damaged) copy of the plugin instead of the
// stack's, to check the plugin survives broken or missing files.
$witsper_copy = getenv( 'WITSPER_TEST_PLUGIN_COPY' );
define( 'WITSPER_TEST_PLUGIN_MAIN', $witsper_copy ? $witsper_copy . '/witsper-ffi.php' : dirname( __DIR__, 2 ) . '/plugin/witsper-ffi/witsper-ffi.php' );
if ( $witsper_copy ) {
	// Keep WordPress from also loading the stack's copy (same classes).
	$GLOBALS['wp_filter']['option_active_plugins'][10][] = array(
		'function'      => static function ( $plugins ) {
			return array_values( array_diff( (array) $plugins, array( 'witsper-ffi/witsper-ffi.php' ) ) );
		},
		'accepted_args' => 1,
	);
	// Network-activated on a multisite stack: WordPress loads it before muplugins_loaded.
	$GLOBALS['wp_filter']['site_option_active_sitewide_plugins'][10][] = array(
		'function'      => static function ( $plugins ) {
			unset( $plugins['witsper-ffi/witsper-ffi.php'] );
			return $plugins;
		},
		'accepted_args' => 1,
	);
}

/*
 * A hook registered before WordPress loads (WP_Hook::build_preinitialized_hooks): when the
 * stack has not activated the plugin, load it right after mu-plugins, the way WordPress
 * loads an active plugin (realpath registered first, so plugin_basename() and the
 * activation hook names are the ones WordPress would use).
 */
$GLOBALS['wp_filter']['muplugins_loaded'][10][] = array(
	'function'      => static function () {
		$active = (array) get_option( 'active_plugins', array() );
		if ( is_multisite() ) {
			$active = array_merge( $active, array_keys( (array) get_site_option( 'active_sitewide_plugins', array() ) ) );
		}
		if ( in_array( 'witsper-ffi/witsper-ffi.php', $active, true ) ) {
			return;
		}
		$link = WP_PLUGIN_DIR . '/witsper-ffi/witsper-ffi.php';
		if ( is_file( $link ) && realpath( $link ) === realpath( WITSPER_TEST_PLUGIN_MAIN ) ) {
			wp_register_plugin_realpath( $link );
		}
		require_once WITSPER_TEST_PLUGIN_MAIN;
	},
	'accepted_args' => 0,
);

require $witsper_wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
