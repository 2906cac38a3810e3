<?php
/**
 * Plugin Name:       Witsper FFI
 * Plugin URI:        https://example.invalid/witsper
 * Description:       Parses post content with libwitsper, a C block parser called through PHP FFI, with output identical to WordPress's own parser. Falls back to WP_Block_Parser whenever the library cannot be used, and says why.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            Witsper
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       witsper-ffi
 * Network:           true
 *
 * @package Witsper_FFI
 */

// Loaded outside WordPress (direct URL hit): do nothing.
if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Kill switch: define( 'WITSPER_DISABLE', true ) in wp-config.php and the plugin does
// nothing at all (no hook, no class, no FFI): WordPress runs exactly as without it, while it
// stays "active" in the plugin list (e.g. to rule it out when chasing a problem).
if ( defined( 'WITSPER_DISABLE' ) && WITSPER_DISABLE ) {
	return;
}

define( 'WITSPER_PLUGIN_VERSION', '1.0.0' );
define( 'WITSPER_PLUGIN_FILE', __FILE__ );
define( 'WITSPER_PLUGIN_DIR', __DIR__ );

/*
 * Requirement check. PHP 8.0 is the oldest PHP whose FFI we exercise; older PHPs must not
 * even parse the rest of the plugin, so bail before any require and explain in the admin.
 */
if ( version_compare( PHP_VERSION, '8.0', '<' ) ) {
	add_action(
		'admin_notices',
		static function () {
			if ( current_user_can( 'activate_plugins' ) ) {
				echo '<div class="notice notice-error"><p>'
					. esc_html__( 'Witsper FFI needs PHP 8.0 or newer; it is inactive and WordPress uses its own block parser.', 'witsper-ffi' )
					. '</p></div>';
			}
		}
	);
	return;
}

/*
 * The FFI loader and the parser may already exist: in `preload` mode opcache.preload loads
 * them into the master process, and requiring the same file again would redeclare them.
 * Every require is inside a try: a broken or half-deployed file (ParseError, missing
 * file) must leave the site on WordPress's parser, never fatal it.
 */
$witsper_load_error = null;
// In preload mode opcache.preload already compiled Witsper_Media (preload.php): it may then
// call FFI::cdef. Recorded before anything could autoload it (Witsper_Image_Editor's cache key).
if ( ! defined( 'WITSPER_MEDIA_PRELOADED' ) ) {
	define( 'WITSPER_MEDIA_PRELOADED', class_exists( 'Witsper_Media', false ) );
}
try {
	foreach ( array(
		'Witsper_FFI'          => '/includes/class-witsper-ffi.php',
		'Witsper_Block_Parser' => '/includes/class-witsper-block-parser.php',
	) as $witsper_class => $witsper_file ) {
		if ( class_exists( $witsper_class, false ) ) {
			continue;
		}
		// A missing file would be a fatal error, not an exception: check first.
		if ( ! is_readable( __DIR__ . $witsper_file ) ) {
			$witsper_load_error = 'missing ' . $witsper_file;
			break;
		}
		require_once __DIR__ . $witsper_file;
	}
} catch ( \Throwable $witsper_e ) {
	$witsper_load_error = get_class( $witsper_e ) . ': ' . $witsper_e->getMessage();
}

// The rest is loaded when first used: a page view needs Witsper_Plugin (its hooks) and, on
// its first parse_blocks(), the self-test freshness check; the admin, REST, Site Health and
// benchmark classes only load on the requests that use them.
spl_autoload_register(
	static function ( $class ) {
		$files = array(
			'Witsper_Selftest'     => 'class-witsper-selftest.php',
			'Witsper_Core_Parser'  => 'class-witsper-core-parser.php',
			'Witsper_Status'       => 'class-witsper-status.php',
			'Witsper_Bench'        => 'class-witsper-bench.php',
			'Witsper_REST'         => 'class-witsper-rest.php',
			'Witsper_Site_Health'  => 'class-witsper-site-health.php',
			'Witsper_Admin'        => 'class-witsper-admin.php',
			// Images: loaded only when WordPress asks for an editor or an upload arrives.
			'Witsper_Media'        => 'class-witsper-media.php',
			'Witsper_Image_Editor' => 'class-witsper-image-editor.php',
		);
		if ( 'Witsper_Image_Editor' === $class && ! class_exists( 'WP_Image_Editor', false ) ) {
			// Its parent, which WordPress loads only in wp_get_image_editor(): code that names
			// the editor first (a WP-CLI eval, another plugin) must not end in a fatal error.
			require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
		}
		if ( isset( $files[ $class ] ) ) {
			require_once __DIR__ . '/includes/' . $files[ $class ];
		}
	}
);
require_once __DIR__ . '/includes/class-witsper-plugin.php';

Witsper_Plugin::boot( $witsper_load_error );
unset( $witsper_load_error, $witsper_e, $witsper_class, $witsper_file );

register_activation_hook( __FILE__, array( 'Witsper_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Witsper_Plugin', 'deactivate' ) );

// WP-CLI is the only place the command class is needed; keep it out of web requests.
if ( defined( 'WP_CLI' ) && WP_CLI ) {
	require_once __DIR__ . '/includes/class-witsper-cli-command.php';
	WP_CLI::add_command( 'witsper', 'Witsper_CLI_Command' );
}
