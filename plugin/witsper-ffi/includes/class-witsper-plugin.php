<?php
/**
 * Wiring of the plugin: which parser WordPress uses, when the self-test runs, and the one
 * place that decides whether the native parser is active and, if not, why.
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Plugin state and hooks. All static: there is one plugin per request.
 */
final class Witsper_Plugin {

	/** Option (site option on multisite) holding the last self-test result. */
	const OPTION_SELFTEST = 'witsper_selftest';

	/**
	 * Every option the plugin may write, for uninstall.php.
	 *
	 * @var string[]
	 */
	const OPTIONS = array( self::OPTION_SELFTEST, 'witsper_media_selftest' );

	/**
	 * Error text when the loader files could not be required, else null.
	 *
	 * @var string|null
	 */
	private static $load_error = null;

	/**
	 * Guards against hooking twice when the main file is included twice (tests).
	 *
	 * @var bool
	 */
	private static $booted = false;

	/**
	 * Hooks everything. Called once from witsper-ffi.php.
	 *
	 * @param string|null $load_error Why the FFI loader files failed to load, or null.
	 */
	public static function boot( ?string $load_error ): void {
		self::$load_error = $load_error;
		if ( self::$booted ) {
			return;
		}
		self::$booted = true;

		// Nothing runs on `init` or any other hook of every request: the state is decided on
		// the first parse_blocks() of a request (filter_parser_class), so a request that
		// parses no blocks (REST, cron, admin-ajax) never loads FFI or reads an option here.
		add_filter( 'block_parser_class', array( __CLASS__, 'filter_parser_class' ) );
		add_action( 'upgrader_process_complete', array( __CLASS__, 'on_upgrade' ), 10, 2 );
		add_action( 'rest_api_init', array( 'Witsper_REST', 'register_routes' ) );
		add_filter( 'site_status_tests', array( 'Witsper_Site_Health', 'register_tests' ) );
		add_filter( 'debug_information', array( 'Witsper_Site_Health', 'debug_information' ) );
		// Images (libwitsper-media): hooks only. Nothing is loaded or read until WordPress
		// asks for an image editor or handles an upload (WITSPER_MEDIA_DISABLE: no hook).
		if ( ! ( defined( 'WITSPER_MEDIA_DISABLE' ) && WITSPER_MEDIA_DISABLE ) ) {
			add_filter( 'wp_image_editors', array( __CLASS__, 'filter_image_editors' ) );
			add_filter( 'intermediate_image_sizes_advanced', array( __CLASS__, 'plan_image_sizes' ), PHP_INT_MAX, 3 );
			add_filter( 'wp_get_missing_image_subsizes', array( __CLASS__, 'plan_image_sizes' ), PHP_INT_MAX, 3 );
			add_filter( 'wp_handle_upload_prefilter', array( __CLASS__, 'convert_heic_upload' ) );
			add_filter( 'wp_handle_sideload_prefilter', array( __CLASS__, 'convert_heic_upload' ) );
		}
		if ( is_admin() ) {
			Witsper_Admin::hook();
		}
	}

	/**
	 * `block_parser_class` filter: hand WordPress our parser only when it will really run
	 * natively; otherwise leave WordPress's choice alone. Another plugin's parser is kept.
	 *
	 * @param string $class Parser class chosen so far.
	 * @return string
	 */
	public static function filter_parser_class( $class ) {
		if ( 'WP_Block_Parser' !== $class ) {
			return $class;
		}
		if ( null === self::$decided ) {
			// Once per request (statics live as long as the request): a page calls
			// parse_blocks() ~50 times. A stale or missing self-test (WordPress, the plugin
			// or the library changed; Debian updates WordPress with apt, which fires no
			// upgrader hook) is run here, on the first parse after the change.
			self::maybe_rerun_selftest();
			self::$decided = self::native_active();
		}
		// available(): a static read; it turns false when the loader is switched off later
		// in this request (Witsper_FFI::force_off()).
		return self::$decided && Witsper_FFI::available() ? 'Witsper_Block_Parser' : $class;
	}

	/**
	 * `wp_image_editors`: Witsper_Image_Editor first. Costs nothing here: WordPress calls
	 * Witsper_Image_Editor::test(), which decides (cached self-test), and skips it when it
	 * says no, so GD or Imagick is chosen as without the plugin.
	 *
	 * @param string[] $editors Editor classes.
	 * @return string[]
	 */
	public static function filter_image_editors( $editors ) {
		$editors = is_array( $editors ) ? $editors : array();
		try {
			// Autoloads the class (WordPress has loaded WP_Image_Editor by now); a broken
			// file must leave WordPress's editors alone, never fatal.
			if ( ! class_exists( 'Witsper_Image_Editor' ) ) {
				return $editors;
			}
		} catch ( \Throwable $e ) {
			return $editors;
		}
		return array_merge( array( 'Witsper_Image_Editor' ), array_diff( $editors, array( 'Witsper_Image_Editor' ) ) );
	}

	/**
	 * Sizes WordPress announced for an attachment, until the editor takes them.
	 *
	 * @var array|null ['file' => original image, 'sizes' => size data list]
	 */
	private static $planned_sizes = null;

	/**
	 * `intermediate_image_sizes_advanced` and `wp_get_missing_image_subsizes` (last): the
	 * sizes WordPress is about to make one by one with make_subsize(); Witsper_Image_Editor
	 * makes them all at its first make_subsize() of that file, in one decode.
	 *
	 * @param array $sizes         Size name => size data.
	 * @param array $image_meta    Attachment metadata (unused).
	 * @param int   $attachment_id Attachment.
	 * @return array Unchanged.
	 */
	public static function plan_image_sizes( $sizes, $image_meta = array(), $attachment_id = 0 ) {
		self::$planned_sizes = null;
		if ( is_array( $sizes ) && $sizes && $attachment_id && function_exists( 'wp_get_original_image_path' ) ) {
			$file = wp_get_original_image_path( (int) $attachment_id );
			if ( $file ) {
				self::$planned_sizes = array(
					'file'  => (string) $file,
					'sizes' => array_values( $sizes ),
				);
			}
		}
		return $sizes;
	}

	/**
	 * The announced sizes when they are for $file (then forgotten), else null.
	 *
	 * @param string $file The editor's file.
	 * @return array|null
	 */
	public static function take_planned_sizes( string $file ): ?array {
		$plan = self::$planned_sizes;
		if ( null === $plan || $plan['file'] !== $file ) {
			return null;
		}
		self::$planned_sizes = null;
		return $plan['sizes'];
	}

	/**
	 * `wp_handle_upload_prefilter` / `wp_handle_sideload_prefilter`: a HEIC, HEIF or AVIF
	 * upload becomes a JPEG when the Witsper editor is usable (WordPress 6.1 cannot make
	 * sizes of these formats); otherwise the upload is left to WordPress, unchanged.
	 *
	 * @param array $file The upload.
	 * @return array
	 */
	public static function convert_heic_upload( $file ) {
		if ( ! is_array( $file ) || ! empty( $file['error'] ) || empty( $file['tmp_name'] ) ) {
			return $file;
		}
		$ext  = strtolower( pathinfo( (string) ( $file['name'] ?? '' ), PATHINFO_EXTENSION ) );
		$type = strtolower( (string) ( $file['type'] ?? '' ) );
		if ( ! in_array( $ext, array( 'heic', 'heif', 'avif' ), true ) && ! in_array( $type, array( 'image/heic', 'image/heif', 'image/avif' ), true ) ) {
			return $file;
		}
		try {
			require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
			return Witsper_Image_Editor::convert_upload( $file );
		} catch ( \Throwable $e ) {
			return $file;
		}
	}

	/**
	 * This request's decision (filter_parser_class), or null before the first parse.
	 * Forgotten whenever the stored self-test changes.
	 *
	 * @var bool|null
	 */
	private static $decided = null;

	/**
	 * Whether parse_blocks() uses the native parser in this worker.
	 */
	public static function native_active(): bool {
		return null === self::why_not_native();
	}

	/**
	 * Why the native parser is not active, or null when it is.
	 *
	 * @return array{code:string,text:string,detail:?string}|null
	 */
	public static function why_not_native(): ?array {
		if ( null !== self::$load_error ) {
			return self::reason( 'loader-error', self::$load_error );
		}
		if ( ! class_exists( 'Witsper_FFI', false ) || ! class_exists( 'Witsper_Block_Parser', false ) ) {
			return self::reason( 'loader-error', 'Witsper_FFI or Witsper_Block_Parser is not defined.' );
		}
		$status = self::ffi_status();
		if ( empty( $status['available'] ) ) {
			return self::reason( (string) ( $status['reason'] ?? 'load-failed' ), $status['message'] ?? null );
		}
		$selftest = self::selftest_result();
		if ( is_array( $selftest ) && 'fail' === ( $selftest['status'] ?? '' ) ) {
			return self::reason( 'selftest-failed', $selftest['summary'] ?? null );
		}
		// A core parser the plugin was not verified against (Witsper_Core_Parser): only
		// after the extended self-test passed on it, here.
		$core = Witsper_Core_Parser::fingerprint_for( $selftest );
		if ( null === Witsper_Core_Parser::verified_as( $core ) && ! (
			is_array( $selftest ) && 'pass' === ( $selftest['status'] ?? '' )
			&& ! empty( $selftest['extended'] ) && ( $selftest['core_parser'] ?? '' ) === $core ) ) {
			return self::reason( 'core-unverified', 'WP_Block_Parser fingerprint ' . $core );
		}
		try {
			if ( ! Witsper_Block_Parser::pcre_limits_ok() ) {
				return self::reason( 'pcre-limit', 'pcre.backtrack_limit=' . ini_get( 'pcre.backtrack_limit' ) );
			}
			if ( ! Witsper_Block_Parser::is_native() ) {
				return self::reason( 'parser-not-native', null );
			}
		} catch ( \Throwable $e ) {
			return self::reason( 'load-failed', $e->getMessage() );
		}
		return null;
	}

	/**
	 * Witsper_FFI::status(), but never throwing: a loader bug must not fatal the site.
	 *
	 * @return array
	 */
	public static function ffi_status(): array {
		$fallback = array(
			'available' => false,
			'mode'      => 'off',
			'reason'    => 'loader-error',
			'message'   => self::$load_error,
			'library'   => null,
			'version'   => null,
			'abi'       => null,
		);
		if ( null !== self::$load_error || ! class_exists( 'Witsper_FFI', false ) ) {
			return $fallback;
		}
		try {
			return Witsper_FFI::status() + $fallback;
		} catch ( \Throwable $e ) {
			$fallback['reason']  = 'load-failed';
			$fallback['message'] = $e->getMessage();
			return $fallback;
		}
	}

	/**
	 * Builds a reason: a stable code (for scripts and tests), a sentence for people, and the
	 * loader's own detail.
	 *
	 * @param string      $code   Reason code.
	 * @param string|null $detail Extra detail, e.g. the loader's message.
	 * @return array{code:string,text:string,detail:?string}
	 */
	public static function reason( string $code, ?string $detail ): array {
		$texts = array(
			'ffi-missing'       => __( 'The PHP FFI extension is not loaded in this PHP.', 'witsper-ffi' ),
			'ffi-disabled'      => __( 'FFI is disabled in this PHP (ffi.enable=0).', 'witsper-ffi' ),
			'ffi-restricted'    => __( 'FFI is restricted to preloaded code (ffi.enable=preload) but libwitsper was not preloaded (ffi.preload / opcache.preload).', 'witsper-ffi' ),
			'library-missing'   => __( 'libwitsper.so.1 was not found (WITSPER_LIB, the plugin\'s lib/ folder, native/build/, the system library path).', 'witsper-ffi' ),
			'abi-mismatch'      => __( 'The installed libwitsper has a different ABI number than this plugin expects.', 'witsper-ffi' ),
			'load-failed'       => __( 'libwitsper could not be loaded through FFI.', 'witsper-ffi' ),
			'forced-off'        => __( 'The native parser was switched off for this process (Witsper_FFI::force_off).', 'witsper-ffi' ),
			'selftest-failed'   => __( 'The self-test found a document where the native parser\'s output differs from WP_Block_Parser\'s, so the native parser is off until the self-test passes again.', 'witsper-ffi' ),
			'core-unverified'   => __( 'This WordPress\'s block parser is not one the plugin was tested against, and the extended self-test has not passed on it yet.', 'witsper-ffi' ),
			'pcre-limit'        => __( 'pcre.backtrack_limit is below PHP\'s default (1000000); WordPress\'s own block regex then gives up on documents the native parser would accept, so WP_Block_Parser is used to keep the result identical.', 'witsper-ffi' ),
			'parser-not-native' => __( 'Witsper_Block_Parser reports that it is not using the native library.', 'witsper-ffi' ),
			'loader-error'      => __( 'The plugin\'s FFI loader files could not be loaded.', 'witsper-ffi' ),
		);
		return array(
			'code'   => $code,
			'text'   => $texts[ $code ] ?? __( 'The native parser is unavailable.', 'witsper-ffi' ),
			// Raw detail (may name paths): admin screens and WP-CLI only, never the public REST route.
			'detail' => ( null === $detail || '' === $detail ) ? null : $detail,
		);
	}

	/**
	 * The stored self-test result, or null when none was stored yet.
	 *
	 * @return array|null
	 */
	public static function selftest_result(): ?array {
		$value = is_multisite() ? get_site_option( self::OPTION_SELFTEST ) : get_option( self::OPTION_SELFTEST );
		return is_array( $value ) ? $value : null;
	}

	/**
	 * A reason as one line for administrators: sentence plus detail.
	 *
	 * @param array $why Result of reason().
	 */
	public static function reason_line( array $why ): string {
		return null === $why['detail'] ? $why['text'] : $why['text'] . ' (' . $why['detail'] . ')';
	}

	/**
	 * Stores a self-test result where every site of the install sees it: the library and
	 * WordPress's parser are shared by the whole network.
	 *
	 * @param array $result Result of Witsper_Selftest::run().
	 */
	public static function store_selftest( array $result ): void {
		self::$decided = null;
		if ( is_multisite() ) {
			update_site_option( self::OPTION_SELFTEST, $result );
		} else {
			// Autoloaded: native_active() reads it on every request.
			update_option( self::OPTION_SELFTEST, $result, true );
		}
	}

	/**
	 * Removes the stored self-test result (single site and network).
	 */
	public static function delete_selftest(): void {
		self::$decided = null;
		delete_option( self::OPTION_SELFTEST );
		if ( is_multisite() ) {
			delete_site_option( self::OPTION_SELFTEST );
		}
	}

	/**
	 * Runs the self-test and stores the result. Never throws.
	 *
	 * @return array The stored result.
	 */
	public static function run_and_store_selftest(): array {
		try {
			$result = Witsper_Selftest::run();
		} catch ( \Throwable $e ) {
			$result = Witsper_Selftest::result( 'fail', 'Self-test crashed: ' . $e->getMessage(), array() );
		}
		self::store_selftest( $result );
		return $result;
	}

	/**
	 * Re-runs the self-test when WordPress (its version or its block parser's code), the
	 * plugin or the library changed since the stored result. Called on a request's first
	 * parse (filter_parser_class).
	 */
	public static function maybe_rerun_selftest(): void {
		$status = self::ffi_status();
		if ( empty( $status['available'] ) ) {
			// Nothing native to test here (e.g. WP-CLI on a PHP without FFI); keep the result
			// the workers that do have the library stored.
			return;
		}
		$stored = self::selftest_result();
		if ( null === $stored || Witsper_Selftest::is_stale( $stored ) ) {
			self::run_and_store_selftest();
		}
	}

	/**
	 * `upgrader_process_complete`: a core update (or an update of this plugin) changes one of
	 * the two parsers the self-test compares, so run it again.
	 *
	 * @param WP_Upgrader $upgrader   Upgrader (unused).
	 * @param array       $hook_extra What was upgraded.
	 */
	public static function on_upgrade( $upgrader, $hook_extra ): void {
		$type = is_array( $hook_extra ) ? ( $hook_extra['type'] ?? '' ) : '';
		if ( 'core' === $type ) {
			self::run_and_store_selftest();
			return;
		}
		if ( 'plugin' === $type ) {
			$plugins = (array) ( $hook_extra['plugins'] ?? array( $hook_extra['plugin'] ?? '' ) );
			if ( in_array( plugin_basename( WITSPER_PLUGIN_FILE ), $plugins, true ) ) {
				self::run_and_store_selftest();
			}
		}
	}

	/**
	 * Activation (also network activation): run the self-test once, now.
	 *
	 * @param bool $network_wide Whether activated for the whole network.
	 */
	public static function activate( $network_wide = false ): void {
		self::run_and_store_selftest();
	}

	/**
	 * Deactivation: forget the self-test result; activation runs it again.
	 *
	 * @param bool $network_wide Whether deactivated for the whole network.
	 */
	public static function deactivate( $network_wide = false ): void {
		self::delete_selftest();
		try {
			require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
			Witsper_Image_Editor::delete_selftest();
		} catch ( \Throwable $e ) { // phpcs:ignore Generic.CodeAnalysis.EmptyStatement.DetectedCatch -- deactivation must not fail on it.
		}
	}
}
