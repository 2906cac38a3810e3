<?php
/**
 * Installs (or checks) WordPress for the native stack; run by stack/up.sh with the PHP CLI.
 * Idempotent: each step looks at the database first, so a second run changes nothing.
 *   - wp_install() with the admin user from the environment;
 *   - pretty permalinks, so /wp-json/ and /%postname%/ work through nginx;
 *   - MULTISITE=subdirectory: install_network() + populate_network() once; stack/up.sh
 *     then adds the MULTISITE constants to wp-config.php;
 *   (the plugin is then activated with WP-CLI by stack/up.sh, as in Docker).
 * Environment: WITSPER_WP_ROOT, WITSPER_URL, WITSPER_ADMIN_USER, WITSPER_ADMIN_PASSWORD,
 * WITSPER_MULTISITE, WITSPER_STATE (dir for the network-installed marker).
 * Prints one line per action taken; errors go to stderr with exit status 1.
 */

function witsper_env( string $name ): string {
	$value = getenv( $name );
	return false === $value ? '' : $value;
}

function witsper_fail( string $message ): void {
	fwrite( STDERR, "wp-install: $message\n" );
	exit( 1 );
}

$root      = rtrim( witsper_env( 'WITSPER_WP_ROOT' ), '/' );
$url       = rtrim( witsper_env( 'WITSPER_URL' ), '/' );
$user      = witsper_env( 'WITSPER_ADMIN_USER' );
$password  = witsper_env( 'WITSPER_ADMIN_PASSWORD' );
$multisite = witsper_env( 'WITSPER_MULTISITE' );
$state     = witsper_env( 'WITSPER_STATE' );
if ( '' === $root || '' === $url || '' === $user || '' === $password || '' === $state ) {
	witsper_fail( 'WITSPER_WP_ROOT, WITSPER_URL, WITSPER_ADMIN_USER, WITSPER_ADMIN_PASSWORD and WITSPER_STATE are required' );
}
$host  = (string) parse_url( $url, PHP_URL_HOST );
$port  = parse_url( $url, PHP_URL_PORT );
$domain = $port ? "$host:$port" : $host;
$email = $user . '@example.com';

// WordPress decides its site (and on a network, which site) from these, as in a request.
$_SERVER['HTTP_HOST']       = $domain;
$_SERVER['SERVER_NAME']     = $host;
$_SERVER['SERVER_PORT']     = $port ? (string) $port : '80';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';

// There is no mail server here: the "new site" e-mail would only produce warnings.
// upgrade.php defines these only when they do not exist yet (pluggable).
function wp_new_blog_notification( $blog_title, $blog_url, $user_id, $password ) {}

define( 'WP_INSTALLING', true );
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if ( ! is_blog_installed() ) {
	$result = wp_install( 'Witsper', $user, $email, true, '', wp_slash( $password ) );
	if ( empty( $result['user_id'] ) ) {
		witsper_fail( 'wp_install() did not create the admin user' );
	}
	echo "installed WordPress {$GLOBALS['wp_version']} at $url (admin user $user)\n";
} else {
	// The environment may name a new admin password: keep the user in line with it.
	$account = get_user_by( 'login', $user );
	if ( ! $account ) {
		$id = wp_insert_user(
			array(
				'user_login' => $user,
				'user_pass'  => $password,
				'user_email' => $email,
				'role'       => 'administrator',
			)
		);
		if ( is_wp_error( $id ) ) {
			witsper_fail( 'could not create admin user: ' . $id->get_error_message() );
		}
		if ( is_multisite() ) {
			grant_super_admin( $id );
		}
		echo "created admin user $user\n";
	} elseif ( ! wp_check_password( $password, $account->user_pass, $account->ID ) ) {
		wp_set_password( $password, $account->ID );
		echo "updated the password of $user from the environment\n";
	}
}

// Pretty permalinks: nginx routes every non-file to index.php, so /wp-json/ works.
// (On a network WordPress itself chose /blog/... for the main site; leave that.)
if ( ! is_multisite() && '' === get_option( 'permalink_structure' ) ) {
	global $wp_rewrite;
	$wp_rewrite->set_permalink_structure( '/%postname%/' );
	flush_rewrite_rules( false ); // false: no .htaccess to write, nginx does the routing.
	echo "permalinks set to /%postname%/\n";
}

$marker = $state . '/network-installed';
if ( 'subdirectory' === $multisite && ! is_multisite() ) {
	global $wpdb;
	// As wp-admin/network.php does: on a single site $wpdb has no names for the network
	// tables yet, and install_network() would "create" tables with empty names.
	foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed_table ) {
		$wpdb->$table = $prefixed_table;
	}
	// Tables first (install_network is idempotent: dbDelta), then the network row once.
	install_network();
	foreach ( array( $wpdb->site, $wpdb->blogs, $wpdb->sitemeta ) as $table ) {
		if ( $table !== $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) ) {
			witsper_fail( "install_network() did not create $table: " . $wpdb->last_error );
		}
	}
	$exists = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->site}" );
	if ( 0 === $exists ) {
		$admin = get_user_by( 'login', $user );
		wp_set_current_user( $admin->ID );
		$result = populate_network( 1, $domain, $admin->user_email, 'Witsper Network', '/', false );
		if ( is_wp_error( $result ) ) {
			witsper_fail( 'populate_network(): ' . $result->get_error_message() );
		}
		echo "created a subdirectory network at $url/\n";
	}
	if ( false === file_put_contents( $marker, gmdate( 'c' ) . "\n" ) ) {
		witsper_fail( "cannot write $marker" );
	}
	// wp-config.php gets MULTISITE now; the plugin is network-activated on the next run
	// (this process still runs as a single site).
	exit( 0 );
}

// The plugin is activated afterwards with WP-CLI (stack/up.sh, activate_plugin_wpcli), as
// in Docker: one way in both runners.
