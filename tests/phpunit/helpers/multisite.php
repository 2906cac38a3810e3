<?php
/**
 * A throwaway multisite network in the stack's database, under its own table prefix
 * (wpmstest_), built from the stack's WordPress files, to exercise the plugin's multisite
 * paths: network activation, site options, a second site, the network admin page, uninstall.
 *
 *   php multisite.php install   create the network (single site first, then the network)
 *   php multisite.php check     boot it as multisite, run the checks, print JSON
 * MultisiteTest drops the tables afterwards. DB credentials: WITSPER_DB_* (var/stack.env),
 * else the DB_* defines of the stack's wp-config.php.
 */

$phase = $argv[1] ?? '';
$root  = rtrim( (string) getenv( 'WITSPER_WP_ROOT' ), '/' );
if ( ! in_array( $phase, array( 'install', 'check' ), true ) || ! is_file( $root . '/wp-settings.php' ) ) {
	fwrite( STDERR, "usage: WITSPER_WP_ROOT=... php multisite.php install|check\n" );
	exit( 2 );
}

const WITSPER_MS_DOMAIN = 'witsper-ms.test';
const WITSPER_MS_PREFIX = 'wpmstest_';

// Database settings of the stack.
$db = array(
	'DB_NAME'     => getenv( 'WITSPER_DB_NAME' ),
	'DB_USER'     => getenv( 'WITSPER_DB_USER' ),
	'DB_PASSWORD' => getenv( 'WITSPER_DB_PASSWORD' ),
	'DB_HOST'     => getenv( 'WITSPER_DB_HOST' ) ? getenv( 'WITSPER_DB_HOST' ) . ( getenv( 'WITSPER_DB_PORT' ) ? ':' . getenv( 'WITSPER_DB_PORT' ) : '' ) : false,
);
if ( in_array( false, $db, true ) ) {
	preg_match_all( "/define\(\s*'(DB_[A-Z]+)'\s*,\s*'([^'\\\\]*)'\s*\)/", (string) file_get_contents( $root . '/wp-config.php' ), $m, PREG_SET_ORDER );
	foreach ( $m as $d ) {
		$db[ $d[1] ] = $d[2];
	}
}
foreach ( $db as $name => $value ) {
	define( $name, (string) $value );
}
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'ABSPATH', $root . '/' );
define( 'WP_USE_THEMES', false );
define( 'WP_DEBUG', false );
$table_prefix = WITSPER_MS_PREFIX; // phpcs:ignore WordPress.WP.GlobalVariablesOverride

$_SERVER['HTTP_HOST']       = WITSPER_MS_DOMAIN;
$_SERVER['SERVER_NAME']     = WITSPER_MS_DOMAIN;
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
error_reporting( E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED );

// Loopback only, as in wp-boot.php.
$GLOBALS['wp_filter']['pre_http_request'][10][] = array(
	'function'      => static function () {
		return new WP_Error( 'witsper_tests_loopback_only', 'no HTTP from the multisite helper' );
	},
	'accepted_args' => 0,
);

// wp_install() mails the admin; there is no MTA here and nothing should leave the machine.
$GLOBALS['wp_filter']['pre_wp_mail'][10][] = array(
	'function'      => static function () {
		return false;
	},
	'accepted_args' => 0,
);

if ( 'install' === $phase ) {
	define( 'WP_INSTALLING', true );
	require ABSPATH . 'wp-settings.php';
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$r = wp_install( 'Witsper MS', 'msadmin', 'msadmin@example.invalid', false, '', wp_generate_password( 24 ) );
	update_option( 'siteurl', 'http://' . WITSPER_MS_DOMAIN );
	update_option( 'home', 'http://' . WITSPER_MS_DOMAIN );
	// What network.php relies on and WP-CLI's multisite-convert does: name the network
	// tables before creating them (wpdb only names them when MULTISITE is already on).
	foreach ( $GLOBALS['wpdb']->tables( 'ms_global' ) as $table => $prefixed ) {
		$GLOBALS['wpdb']->$table = $prefixed;
	}
	install_network();
	$err = populate_network( 1, WITSPER_MS_DOMAIN, 'msadmin@example.invalid', 'Witsper MS', '/', false );
	if ( is_wp_error( $err ) && 'no_wildcard_dns' !== $err->get_error_code() ) {
		fwrite( STDERR, 'populate_network: ' . $err->get_error_message() . "\n" );
		exit( 1 );
	}
	echo "\nWITSPER-PROBE-JSON ", json_encode( array( 'user_id' => $r['user_id'] ) ), "\n";
	exit( 0 );
}

define( 'MULTISITE', true );
define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', WITSPER_MS_DOMAIN );
define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 );
define( 'BLOG_ID_CURRENT_SITE', 1 );
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

$plugin = 'witsper-ffi/witsper-ffi.php';
$out    = array( 'multisite' => is_multisite() );
wp_set_current_user( 1 );

// Network activation through WordPress, which fires the activation hook (network_wide).
$act                        = activate_plugin( $plugin, '', true );
$out['activate_error']      = is_wp_error( $act ) ? $act->get_error_message() : null;
$out['network_active']      = is_plugin_active_for_network( $plugin );
$out['site_option']         = get_site_option( 'witsper_selftest' )['status'] ?? null;
$out['blog_option']         = get_option( 'witsper_selftest' );
$out['native_active']       = Witsper_Plugin::native_active();
$out['parser_main']         = apply_filters( 'block_parser_class', 'WP_Block_Parser' );
$out['selftest_result']     = Witsper_Plugin::selftest_result()['status'] ?? null;

// A second site sees the same, network-wide state.
$blog_id = wpmu_create_blog( WITSPER_MS_DOMAIN, '/second/', 'Second', 1 );
$out['second_blog'] = is_wp_error( $blog_id ) ? $blog_id->get_error_message() : $blog_id;
switch_to_blog( (int) $blog_id );
$out['parser_second'] = apply_filters( 'block_parser_class', 'WP_Block_Parser' );
$health               = rest_do_request( new WP_REST_Request( 'GET', '/witsper/v1/health' ) );
$out['health_second'] = array( $health->get_status(), $health->get_data()['native_parser_active'] ?? null );
$doc                  = file_get_contents( dirname( __DIR__, 3 ) . '/plugin/witsper-ffi/selftest/nesting.html' );
$out['identical_second'] = serialize( parse_blocks( $doc ) ) === serialize( ( new WP_Block_Parser() )->parse( $doc ) );
restore_current_blog();

// Network admin page and notice for a super admin.
$out['super_admin'] = is_super_admin( 1 );
Witsper_Admin::add_network_page();
$out['network_page'] = in_array( 'witsper', array_column( $GLOBALS['submenu']['settings.php'] ?? array(), 2 ), true );
Witsper_Plugin::store_selftest( Witsper_Selftest::result( 'fail', 'injected', array() ) );
ob_start();
Witsper_Admin::network_notice();
$out['network_notice'] = ob_get_clean();
$out['fail_in_site_option'] = get_site_option( 'witsper_selftest' )['status'] ?? null;

// Network deactivation removes the stored result.
deactivate_plugins( $plugin, false, true );
$out['network_active_after_deactivate'] = is_plugin_active_for_network( $plugin );
$out['site_option_after_deactivate']    = get_site_option( 'witsper_selftest' );

// Uninstall removes the site option and per-site copies.
update_site_option( 'witsper_selftest', array( 'status' => 'pass' ) );
update_blog_option( (int) $blog_id, 'witsper_selftest', array( 'status' => 'pass' ) );
define( 'WP_UNINSTALL_PLUGIN', $plugin );
include WITSPER_PLUGIN_DIR . '/uninstall.php';
wp_cache_flush();
$out['after_uninstall'] = array(
	'site'   => get_site_option( 'witsper_selftest' ),
	'blog_2' => get_blog_option( (int) $blog_id, 'witsper_selftest' ),
);

echo "\nWITSPER-PROBE-JSON ", wp_json_encode( $out ), "\n";
