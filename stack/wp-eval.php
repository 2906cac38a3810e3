<?php
/**
 * Runs PHP code inside the native stack's WordPress (CLI), for tests and one-off admin
 * tasks where WP-CLI is not installed (Debian has no package for it). Used by stack/wp.sh:
 *   stack/wp.sh 'echo get_option( "home" );'
 *   stack/wp.sh 'echo wpmu_create_blog( DOMAIN_CURRENT_SITE, "/site2/", "Site 2", 1 );'
 * Environment: WITSPER_WP_ROOT, WITSPER_URL (from var/stack.env).
 */
$root = getenv( 'WITSPER_WP_ROOT' );
$url  = getenv( 'WITSPER_URL' );
if ( ! $root || ! $url || $argc < 2 ) {
	fwrite( STDERR, "usage: WITSPER_WP_ROOT=... WITSPER_URL=... php wp-eval.php 'PHP CODE'\n" );
	exit( 2 );
}
$host                      = (string) parse_url( $url, PHP_URL_HOST );
$port                      = parse_url( $url, PHP_URL_PORT );
$_SERVER['HTTP_HOST']      = $port ? "$host:$port" : $host;
$_SERVER['SERVER_NAME']    = $host;
$_SERVER['SERVER_PORT']    = $port ? (string) $port : '80';
$_SERVER['REQUEST_URI']    = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR']    = '127.0.0.1';
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
// Run as the first administrator, as an admin page would.
$admins = get_users( array( 'role__in' => array( 'administrator' ), 'number' => 1 ) );
if ( $admins ) {
	wp_set_current_user( $admins[0]->ID );
} elseif ( is_multisite() ) {
	$supers = get_super_admins();
	$user   = $supers ? get_user_by( 'login', $supers[0] ) : false;
	if ( $user ) {
		wp_set_current_user( $user->ID );
	}
}
eval( $argv[1] );
