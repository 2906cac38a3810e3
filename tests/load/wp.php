<?php
/**
 * WordPress-side helpers for the reliability tests, run with the PHP CLI against the stack's
 * WordPress (wp-load.php), because the native stack has no WP-CLI binary to rely on.
 *
 * Usage: php wp.php WP_ROOT HOST[:PORT] COMMAND [ARGS]
 *   post-ensure FILE SLUG  create or update a published post with FILE's bytes as content
 *                          (idempotent: same slug, same content); prints "ID PATH"
 *   plugin-state           prints "active" or "inactive" for witsper-ffi
 *   plugin-on | plugin-off activate / deactivate witsper-ffi; prints the new state
 *   option NAME            prints an option's value (scalar) or its JSON
 *   const NAME             prints a constant's value as JSON ("undefined" when not defined)
 *   can USER_ID CAP        prints "yes" or "no": user_can() after map_meta_cap
 *   secrets                prints the secret values WordPress runs with, one per line
 *                          (DB_PASSWORD, the 8 keys and salts), for the leak checks
 * Exit: 0 ok, 1 failure (message on stderr), 3 usage.
 */

if ( $argc < 4 ) {
	fwrite( STDERR, "Usage: php wp.php WP_ROOT HOST[:PORT] COMMAND [ARGS]\n" );
	exit( 3 );
}
list( , $wp_root, $host, $cmd ) = $argv;
$args = array_slice( $argv, 4 );

// wp-config and WordPress's URL handling read these; a CLI run has none of them.
$_SERVER['HTTP_HOST']   = $host;
$_SERVER['SERVER_NAME'] = preg_replace( '/:\d+$/', '', $host );
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PORT'] = preg_match( '/:(\d+)$/', $host, $m ) ? $m[1] : '80';

require $wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$plugin = 'witsper-ffi/witsper-ffi.php';

function fail( string $msg ) {
	fwrite( STDERR, "wp.php: $msg\n" );
	exit( 1 );
}

switch ( $cmd ) {
	case 'post-ensure':
		if ( count( $args ) !== 2 ) {
			fail( 'post-ensure FILE SLUG' );
		}
		$content = file_get_contents( $args[0] );
		if ( false === $content ) {
			fail( "cannot read {$args[0]}" );
		}
		$slug = sanitize_title( $args[1] );
		// kses would rewrite the block markup (no user is logged in here): store the bytes as is.
		kses_remove_filters();
		$existing = get_posts(
			array(
				'name'        => $slug,
				'post_type'   => 'post',
				'post_status' => 'any',
				'numberposts' => 1,
			)
		);
		$postarr  = array(
			'post_title'   => 'Witsper load test: ' . $args[1],
			'post_name'    => $slug,
			'post_status'  => 'publish',
			'post_type'    => 'post',
			'post_content' => wp_slash( $content ),
		);
		if ( $existing ) {
			$post = $existing[0];
			if ( $post->post_content !== $content || 'publish' !== $post->post_status ) {
				$postarr['ID'] = $post->ID;
				$id            = wp_update_post( $postarr, true );
			} else {
				$id = $post->ID;
			}
		} else {
			$id = wp_insert_post( $postarr, true );
		}
		if ( is_wp_error( $id ) ) {
			fail( $id->get_error_message() );
		}
		if ( get_post_field( 'post_content', $id, 'raw' ) !== $content ) {
			fail( 'stored content differs from the file' );
		}
		$path = wp_parse_url( get_permalink( $id ), PHP_URL_PATH );
		$q    = wp_parse_url( get_permalink( $id ), PHP_URL_QUERY );
		echo $id . ' ' . $path . ( $q ? '?' . $q : '' ) . "\n";
		break;

	case 'plugin-state':
		echo ( is_plugin_active( $plugin ) ? 'active' : 'inactive' ) . "\n";
		break;

	case 'plugin-on':
		$r = activate_plugin( $plugin );
		if ( is_wp_error( $r ) ) {
			fail( $r->get_error_message() );
		}
		echo ( is_plugin_active( $plugin ) ? 'active' : 'inactive' ) . "\n";
		break;

	case 'plugin-off':
		deactivate_plugins( $plugin );
		echo ( is_plugin_active( $plugin ) ? 'active' : 'inactive' ) . "\n";
		break;

	case 'option':
		$v = get_option( $args[0] ?? '' );
		echo ( is_scalar( $v ) ? $v : wp_json_encode( $v ) ) . "\n";
		break;

	case 'const':
		echo defined( $args[0] ?? '' ) ? wp_json_encode( constant( $args[0] ) ) . "\n" : "undefined\n";
		break;

	case 'can':
		echo user_can( (int) ( $args[0] ?? 0 ), $args[1] ?? '' ) ? "yes\n" : "no\n";
		break;

	case 'secrets':
		foreach ( array( 'DB_PASSWORD', 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $name ) {
			if ( defined( $name ) ) {
				echo constant( $name ) . "\n";
			}
		}
		break;

	default:
		fwrite( STDERR, "wp.php: unknown command $cmd\n" );
		exit( 3 );
}
exit( 0 );
