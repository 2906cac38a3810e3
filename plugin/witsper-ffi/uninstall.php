<?php
/**
 * Uninstall: remove every option the plugin wrote, on every site of a network.
 *
 * @package Witsper_FFI
 */

// Only WordPress's uninstaller may run this file.
if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

// Kept in sync with Witsper_Plugin::OPTIONS; the class is not loaded during uninstall.
$witsper_options = array( 'witsper_selftest', 'witsper_media_selftest' );

foreach ( $witsper_options as $witsper_option ) {
	delete_option( $witsper_option );
}

if ( is_multisite() ) {
	foreach ( $witsper_options as $witsper_option ) {
		delete_site_option( $witsper_option );
	}
	// A per-site activation before network activation may have left per-site copies.
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $witsper_site_id ) {
		foreach ( $witsper_options as $witsper_option ) {
			delete_blog_option( $witsper_site_id, $witsper_option );
		}
	}
}
