<?php
/**
 * Plugin Name: Witsper stack: activate witsper-ffi
 * Description: Docker image only. Activates the witsper-ffi plugin (network-wide on a
 *   network) once WordPress is installed, so the image runs the plugin without a manual
 *   step, in the FFI mode the container is configured for (WITSPER_FFI_MODE).
 *
 * Why a must-use plugin: the image cannot activate anything at build time (WordPress is
 * installed later, into the volume, by the first visitor or `wp core install`). This
 * runs on the first request after the install, once: an administrator who deactivates
 * the plugin afterwards is not overridden (the site option below remembers it ran).
 * The native stack does not need it: stack/wp-install.php activates the plugin.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

add_action(
	'wp_loaded',
	static function () {
		if ( wp_installing() || ! is_blog_installed() || get_site_option( 'witsper_autoactivated' ) ) {
			return;
		}
		$plugin = 'witsper-ffi/witsper-ffi.php';
		if ( ! is_file( WP_PLUGIN_DIR . '/' . $plugin ) ) {
			return;
		}
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$network = is_multisite();
		$active  = $network ? is_plugin_active_for_network( $plugin ) : is_plugin_active( $plugin );
		$result  = $active ? null : activate_plugin( $plugin, '', $network );
		if ( is_wp_error( $result ) ) {
			// Logged once (the option below stops retries); the plugin stays inactive.
			error_log( 'witsper: activating witsper-ffi failed: ' . $result->get_error_message() );
		}
		update_site_option( 'witsper_autoactivated', gmdate( 'c' ) );
	}
);
