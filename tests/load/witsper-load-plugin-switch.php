<?php
/**
 * Must-use plugin installed by tests/load/run.sh for the length of a load run, and removed
 * by its exit trap; never part of the stack.
 *
 * A request from loopback with the header `X-Witsper-Load-Plugin: off` is served as if
 * witsper-ffi were deactivated: WordPress does not load the plugin at all (its file is
 * dropped from the active_plugins option before plugins load, as for a deactivated plugin).
 * This lets the load test send plugin-on and plugin-off requests at the same time to the
 * same workers, so both sides of the comparison run under the same machine conditions,
 * second by second, instead of in runs minutes apart on a machine whose speed drifts.
 *
 * @package witsper-load
 */

if ( isset( $_SERVER['HTTP_X_WITSPER_LOAD_PLUGIN'], $_SERVER['REMOTE_ADDR'] )
	&& 'off' === $_SERVER['HTTP_X_WITSPER_LOAD_PLUGIN']
	&& in_array( $_SERVER['REMOTE_ADDR'], array( '127.0.0.1', '::1' ), true ) ) {
	add_filter(
		'option_active_plugins',
		static function ( $plugins ) {
			return array_values( array_diff( (array) $plugins, array( 'witsper-ffi/witsper-ffi.php' ) ) );
		}
	);
	// Network-activated (multisite): the same plugin, keyed by its file.
	add_filter(
		'site_option_active_sitewide_plugins',
		static function ( $plugins ) {
			unset( $plugins['witsper-ffi/witsper-ffi.php'] );
			return $plugins;
		}
	);
}
