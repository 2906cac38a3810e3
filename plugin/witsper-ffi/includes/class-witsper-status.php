<?php
/**
 * Status report shared by the REST route, the admin page, Site Health and WP-CLI.
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Plain class: builds arrays, prints nothing.
 */
final class Witsper_Status {

	/**
	 * The public health document (REST). No paths, no configuration secrets: the library path
	 * stays out, the reason is a code plus a sentence written by this plugin.
	 *
	 * library_version comes from a live call into the library (Witsper_FFI::version()) in the
	 * process that answers, so a 200 with a version proves the library works in that worker.
	 *
	 * @return array
	 */
	public static function health(): array {
		$ffi    = Witsper_Plugin::ffi_status();
		$why    = Witsper_Plugin::why_not_native();
		$stored = Witsper_Plugin::selftest_result();
		return array(
			'ffi_available'        => (bool) $ffi['available'],
			'ffi_mode'             => (string) $ffi['mode'],
			'library_version'      => self::live_version(),
			'abi'                  => null === $ffi['abi'] ? null : (int) $ffi['abi'],
			'native_parser_active' => null === $why,
			'self_test'            => $stored['status'] ?? 'not-run',
			'pid'                  => getmypid(),
			'reason'               => $why['code'] ?? null,
			'reason_text'          => $why['text'] ?? null,
		);
	}

	/**
	 * Everything an administrator needs to see why the plugin does what it does.
	 *
	 * @return array<string,mixed>
	 */
	public static function report(): array {
		$ffi    = Witsper_Plugin::ffi_status();
		$health = self::health();
		$why    = Witsper_Plugin::why_not_native();
		$stored = Witsper_Plugin::selftest_result();
		return array(
			'plugin_version'       => WITSPER_PLUGIN_VERSION,
			'wordpress_version'    => $GLOBALS['wp_version'] ?? '',
			'php_version'          => PHP_VERSION,
			'pid'                  => getmypid(),
			'sapi'                 => PHP_SAPI,
			'ffi_extension'        => extension_loaded( 'ffi' ),
			'ini_ffi_enable'       => (string) ini_get( 'ffi.enable' ),
			'ini_ffi_preload'      => (string) ini_get( 'ffi.preload' ),
			'ini_opcache_preload'  => (string) ini_get( 'opcache.preload' ),
			'ffi_available'        => $health['ffi_available'],
			'ffi_mode'             => $health['ffi_mode'],
			'library'              => $ffi['library'],
			'library_version'      => $health['library_version'],
			'abi'                  => $health['abi'],
			'loader_reason'        => $ffi['reason'],
			'loader_message'       => $ffi['message'],
			'native_parser_active' => $health['native_parser_active'],
			'parser_class'         => apply_filters( 'block_parser_class', 'WP_Block_Parser' ),
			'reason'               => $health['reason'],
			'reason_text'          => null === $why ? null : Witsper_Plugin::reason_line( $why ),
			'self_test'            => $stored['status'] ?? 'not-run',
			'self_test_summary'    => $stored['summary'] ?? '',
			'self_test_time'       => isset( $stored['time'] ) ? gmdate( 'Y-m-d H:i:s', (int) $stored['time'] ) . ' UTC' : '',
			'multisite'            => is_multisite(),
		);
	}

	/**
	 * Witsper_FFI::version(), called now; null when the library is unavailable or throws.
	 */
	public static function live_version(): ?string {
		if ( ! class_exists( 'Witsper_FFI', false ) ) {
			return null;
		}
		try {
			$v = Witsper_FFI::version();
			return null === $v ? null : (string) $v;
		} catch ( \Throwable $e ) {
			return null;
		}
	}
}
