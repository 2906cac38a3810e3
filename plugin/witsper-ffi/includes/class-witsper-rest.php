<?php
/**
 * GET /wp-json/witsper/v1/health
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The health route. Public on purpose: load balancers and `make verify` poll it without
 * credentials, and it shows nothing an attacker could use (no paths, no configuration).
 */
final class Witsper_REST {

	const NAMESPACE_V1 = 'witsper/v1';

	/**
	 * `rest_api_init`.
	 */
	public static function register_routes(): void {
		register_rest_route(
			self::NAMESPACE_V1,
			'/health',
			array(
				'methods'             => 'GET',
				'callback'            => array( __CLASS__, 'health' ),
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * Always HTTP 200 while WordPress itself works: falling back to WP_Block_Parser is a
	 * degraded but correct state, reported in the body (native_parser_active=false, reason).
	 *
	 * @return WP_REST_Response
	 */
	public static function health(): WP_REST_Response {
		$response = new WP_REST_Response( Witsper_Status::health(), 200 );
		// Each answer describes the worker that served it: caches must not reuse it.
		$response->header( 'Cache-Control', 'no-store, max-age=0' );
		return $response;
	}
}
