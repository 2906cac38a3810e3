<?php
/**
 * Site Health tests (Tools → Site Health) and the Info tab section.
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Six direct tests, each starting from `good` and degrading. Test IDs start with
 * `witsper_`. Statuses: falling back to WP_Block_Parser keeps the site correct, so it is
 * `recommended`; a library that is there but wrong (ABI, load failure, self-test
 * mismatch) is `critical` because someone deployed something broken.
 */
final class Witsper_Site_Health {

	/** Every test ID, for tests and docs. */
	const TESTS = array(
		'witsper_ffi_available',
		'witsper_ffi_mode',
		'witsper_library',
		'witsper_native_parser',
		'witsper_selftest',
		'witsper_image_editor',
	);

	/**
	 * `site_status_tests` filter.
	 *
	 * @param array $tests Tests so far.
	 * @return array
	 */
	public static function register_tests( $tests ) {
		$labels = array(
			'witsper_ffi_available' => __( 'PHP FFI is available to Witsper', 'witsper-ffi' ),
			'witsper_ffi_mode'      => __( 'Witsper FFI mode', 'witsper-ffi' ),
			'witsper_library'       => __( 'libwitsper version and ABI', 'witsper-ffi' ),
			'witsper_native_parser' => __( 'Native block parsing', 'witsper-ffi' ),
			'witsper_selftest'      => __( 'Witsper self-test', 'witsper-ffi' ),
			'witsper_image_editor'  => __( 'Image editor (Witsper media library)', 'witsper-ffi' ),
		);
		foreach ( $labels as $id => $label ) {
			$tests['direct'][ $id ] = array(
				'label' => $label,
				'test'  => array( __CLASS__, 'test_' . substr( $id, strlen( 'witsper_' ) ) ),
			);
		}
		return $tests;
	}

	/**
	 * Runs one test by ID (used by tests and WP-CLI).
	 *
	 * @param string $id Test ID from self::TESTS.
	 * @return array Site Health result.
	 */
	public static function run( string $id ): array {
		$method = 'test_' . substr( $id, strlen( 'witsper_' ) );
		return self::$method();
	}

	/**
	 * FFI extension present and usable, library loaded.
	 */
	public static function test_ffi_available(): array {
		$ffi = Witsper_Plugin::ffi_status();
		if ( $ffi['available'] ) {
			return self::result( 'witsper_ffi_available', 'good', __( 'PHP FFI is available and libwitsper is loaded', 'witsper-ffi' ), __( 'Witsper can call its C library from this PHP.', 'witsper-ffi' ) );
		}
		$why    = Witsper_Plugin::reason( (string) $ffi['reason'], $ffi['message'] );
		$status = in_array( $ffi['reason'], array( 'abi-mismatch', 'load-failed', 'loader-error' ), true ) ? 'critical' : 'recommended';
		return self::result(
			'witsper_ffi_available',
			$status,
			__( 'Witsper cannot use PHP FFI; WordPress\'s own block parser is used', 'witsper-ffi' ),
			Witsper_Plugin::reason_line( $why ) . ' ' . __( 'Pages render the same, only slower.', 'witsper-ffi' ),
			self::status_page_link(),
			Witsper_Status::action( $why['code'] )
		);
	}

	/**
	 * Which FFI mode this PHP runs in. `preload` is the hardened one: only preloaded code may
	 * call FFI. `true` lets any PHP code load any library.
	 */
	public static function test_ffi_mode(): array {
		$ffi  = Witsper_Plugin::ffi_status();
		$mode = (string) $ffi['mode'];
		/* translators: %s: FFI mode (true, preload, cli, off). */
		$label = sprintf( __( 'Witsper runs in FFI mode "%s"', 'witsper-ffi' ), $mode );
		if ( 'preload' === $mode || 'cli' === $mode ) {
			return self::result( 'witsper_ffi_mode', 'good', $label, ucfirst( Witsper_Status::mode_text( $mode ) ) . '.' );
		}
		if ( 'true' === $mode ) {
			return self::result( 'witsper_ffi_mode', 'recommended', $label, ucfirst( Witsper_Status::mode_text( $mode ) ) . '. ' . __( 'A bug in any plugin that lets an attacker run PHP then also lets them run native code.', 'witsper-ffi' ), '', __( 'Use ffi.enable=preload with ffi.preload and opcache.preload (on the Witsper stack: WITSPER_FFI_MODE=preload make up), then restart php-fpm.', 'witsper-ffi' ) );
		}
		return self::result( 'witsper_ffi_mode', 'recommended', $label, ucfirst( Witsper_Status::mode_text( $mode ) ) . '. ' . __( 'Native block parsing is off.', 'witsper-ffi' ), self::status_page_link(), Witsper_Status::action( Witsper_Plugin::why_not_native()['code'] ?? 'ffi-disabled' ) );
	}

	/**
	 * Library version (asked live) and ABI number.
	 */
	public static function test_library(): array {
		$ffi     = Witsper_Plugin::ffi_status();
		$version = Witsper_Status::live_version();
		if ( $ffi['available'] && null !== $version ) {
			/* translators: 1: library version, 2: ABI number. */
			$desc = sprintf( __( 'libwitsper %1$s, ABI %2$d, answered from this PHP process.', 'witsper-ffi' ), $version, (int) $ffi['abi'] );
			return self::result( 'witsper_library', 'good', __( 'libwitsper answers with the expected ABI', 'witsper-ffi' ), $desc );
		}
		if ( 'abi-mismatch' === $ffi['reason'] ) {
			$why = Witsper_Plugin::reason( 'abi-mismatch', $ffi['message'] );
			return self::result( 'witsper_library', 'critical', __( 'libwitsper has the wrong ABI number', 'witsper-ffi' ), Witsper_Plugin::reason_line( $why ), self::status_page_link(), Witsper_Status::action( 'abi-mismatch' ) );
		}
		$why = Witsper_Plugin::reason( (string) $ffi['reason'], $ffi['message'] );
		return self::result( 'witsper_library', 'recommended', __( 'libwitsper is not in use', 'witsper-ffi' ), Witsper_Plugin::reason_line( $why ), self::status_page_link(), Witsper_Status::action( $why['code'] ) );
	}

	/**
	 * Whether parse_blocks() uses the native parser.
	 */
	public static function test_native_parser(): array {
		// The admin page's one line, word for word (Witsper_Status::summary()).
		$sum = Witsper_Status::summary();
		if ( 'on' === $sum['state'] ) {
			return self::result( 'witsper_native_parser', 'good', __( 'Native block parsing is on', 'witsper-ffi' ), $sum['line'] );
		}
		$status = 'selftest-failed' === $sum['reason'] ? 'critical' : 'recommended';
		return self::result(
			'witsper_native_parser',
			$status,
			__( 'Native block parsing is off', 'witsper-ffi' ),
			$sum['line'] . ' ' . $sum['effect'],
			self::status_page_link(),
			$sum['action']
		);
	}

	/**
	 * The stored self-test result.
	 */
	public static function test_selftest(): array {
		$stored = Witsper_Plugin::selftest_result();
		$status = $stored['status'] ?? 'not-run';
		if ( 'pass' === $status ) {
			return self::result( 'witsper_selftest', 'good', __( 'The Witsper self-test passed', 'witsper-ffi' ), (string) $stored['summary'] );
		}
		if ( 'fail' === $status ) {
			return self::result( 'witsper_selftest', 'critical', __( 'The Witsper self-test failed; the native parser is off', 'witsper-ffi' ), (string) $stored['summary'], self::status_page_link(), Witsper_Status::action( 'selftest-failed' ) );
		}
		$desc = 'skipped' === $status ? (string) $stored['summary'] : __( 'The self-test has not run yet; it runs at activation and after WordPress updates.', 'witsper-ffi' );
		return self::result( 'witsper_selftest', 'recommended', __( 'The Witsper self-test did not run against the native library', 'witsper-ffi' ), $desc, self::status_page_link() );
	}

	/**
	 * Which image editor WordPress uses, and why Witsper's is not used when it is not
	 * (Witsper_Status::images(), the admin page's and WP-CLI's words).
	 */
	public static function test_image_editor(): array {
		$img = Witsper_Status::images();
		if ( 'on' === $img['state'] ) {
			return self::result( 'witsper_image_editor', 'good', __( 'Images are processed by Witsper\'s image editor (libvips)', 'witsper-ffi' ), $img['line'] );
		}
		// A library that is there but broken is critical; not installed or switched off is
		// the site as without the plugin (GD or Imagick), only slower.
		$status = in_array( $img['reason'], array( 'abi-mismatch', 'load-failed', 'init-failed', 'selftest-failed' ), true ) ? 'critical' : ( 'media-disabled' === $img['reason'] ? 'good' : 'recommended' );
		/* translators: %s: image editor in use (GD, Imagick). */
		$label = sprintf( __( 'Images are processed by %s, not by Witsper\'s image editor', 'witsper-ffi' ), $img['editor'] );
		return self::result(
			'witsper_image_editor',
			$status,
			$label,
			$img['line'] . ( null !== $img['detail'] ? ' ' . $img['detail'] : '' ),
			self::status_page_link(),
			$img['action']
		);
	}

	/**
	 * `debug_information` filter: a Witsper section in Site Health → Info.
	 *
	 * @param array $info Sections so far.
	 * @return array
	 */
	public static function debug_information( $info ) {
		$fields = array();
		$labels = Witsper_Status::labels();
		foreach ( Witsper_Status::report() as $key => $value ) {
			$fields[ $key ] = array(
				'label' => $labels[ $key ] ?? $key,
				'value' => is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : (string) $value,
				// "Copy site info" keeps the raw key, so a pasted report stays searchable.
				'debug' => is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : (string) $value,
			);
		}
		$info['witsper-ffi'] = array(
			'label'  => __( 'Witsper FFI', 'witsper-ffi' ),
			'fields' => $fields,
		);
		return $info;
	}

	/**
	 * Builds a Site Health result.
	 *
	 * @param string $test        Test ID.
	 * @param string $status      good|recommended|critical.
	 * @param string $label       Headline.
	 * @param string $description One paragraph.
	 * @param string $actions     HTML of the actions line.
	 * @return array
	 */
	private static function result( string $test, string $status, string $label, string $description, string $actions = '', ?string $todo = null ): array {
		$html = '<p>' . esc_html( $description ) . '</p>';
		if ( null !== $todo && '' !== $todo ) {
			/* translators: %s: what to do. */
			$html .= '<p><strong>' . esc_html__( 'What to do:', 'witsper-ffi' ) . '</strong> ' . esc_html( $todo ) . '</p>';
		}
		return array(
			'label'       => $label,
			'status'      => $status,
			'badge'       => array(
				// The FFI mode is about who may run native code; the rest is about speed.
				'label' => 'witsper_ffi_mode' === $test ? __( 'Security', 'witsper-ffi' ) : __( 'Performance', 'witsper-ffi' ),
				'color' => 'good' === $status ? 'blue' : ( 'critical' === $status ? 'red' : 'orange' ),
			),
			'description' => $html,
			'actions'     => $actions,
			'test'        => $test,
		);
	}

	/**
	 * Link to Tools → Witsper (network admin on multisite).
	 */
	private static function status_page_link(): string {
		return sprintf( '<a href="%s">%s</a>', esc_url( Witsper_Admin::page_url() ), esc_html__( 'See the Witsper status page', 'witsper-ffi' ) );
	}
}
