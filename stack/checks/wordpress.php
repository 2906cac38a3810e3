<?php
/**
 * make verify: WordPress as a php-fpm worker sees it (plugin active, network or not,
 * which block parser class is in use). Boots WordPress from env WITSPER_WP_ROOT; the probe
 * passes HTTP_HOST so a multisite network resolves its main site. Prints one JSON object.
 */
$root = getenv( 'WITSPER_WP_ROOT' ) ?: '/var/www/html';
// Loads WordPress without running the template loader (no page render, no redirect).
define( 'WP_USE_THEMES', false );
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$plugin = 'witsper-ffi/witsper-ffi.php';
header( 'Content-Type: application/json' );
echo json_encode(
	array(
		'check'          => 'witsper-wordpress',
		'wp_version'     => get_bloginfo( 'version' ),
		'multisite'      => is_multisite(),
		'plugin_present' => is_file( WP_PLUGIN_DIR . '/' . $plugin ),
		'plugin_active'  => is_plugin_active( $plugin ),
		'network_active' => is_multisite() && is_plugin_active_for_network( $plugin ),
		'parser_class'   => apply_filters( 'block_parser_class', 'WP_Block_Parser' ),
		'native_parser'  => class_exists( 'Witsper_Block_Parser', false ) && Witsper_Block_Parser::is_native(),
		'file_edit_off'  => defined( 'DISALLOW_FILE_EDIT' ) && DISALLOW_FILE_EDIT,
		// The rest of stack/wp-config-hardening.php, the same in both runners.
		'hardening'      => defined( 'DISALLOW_FILE_EDIT' ) && DISALLOW_FILE_EDIT
			&& defined( 'AUTOMATIC_UPDATER_DISABLED' ) && AUTOMATIC_UPDATER_DISABLED
			&& defined( 'WP_HTTP_BLOCK_EXTERNAL' ) && WP_HTTP_BLOCK_EXTERNAL
			&& defined( 'WP_DEBUG_DISPLAY' ) && ! WP_DEBUG_DISPLAY,
	)
) . "\n";
