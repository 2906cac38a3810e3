<?php
/**
 * Plugin Name: Witsper stack: network on a port
 * Description: Keeps the ":port" of the network's domain on sites created in a
 *   subdirectory network served on a non-standard port (the native stack's
 *   http://127.0.0.1:8080). Installed as a must-use plugin by stack/up.sh.
 *
 * Why: wp_normalize_site_data() runs the domain through sanitize_user( $domain, true ),
 * which drops ':', so a site created at /site2/ gets the domain "127.0.0.18080" and
 * answers 404. WordPress itself runs fine with a port in DOMAIN_CURRENT_SITE; only this
 * normalization loses it. Subdirectory sites always share the network's domain, so the
 * one safe repair is: when the sanitized domain is the network's domain without its
 * colon, put the network's domain back.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

add_filter(
	'wp_normalize_site_data',
	static function ( $data ) {
		if ( ! is_multisite() || is_subdomain_install() || empty( $data['domain'] ) ) {
			return $data;
		}
		$network = get_network();
		if ( $network && false !== strpos( $network->domain, ':' )
			&& str_replace( ':', '', $network->domain ) === $data['domain'] ) {
			$data['domain'] = $network->domain;
		}
		return $data;
	},
	20 // After core's own wp_normalize_site_data (priority 10).
);
