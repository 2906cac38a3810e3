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
		$sum    = self::summary( $why );
		$img    = self::images( false );
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
			// The same sentences as the admin page, Site Health and WP-CLI (self::summary()).
			'summary'              => $sum['line'],
			'action'               => $sum['action'],
			// Images: the stored decision of this PHP (no library is loaded to answer).
			'image_editor'         => $img['editor'],
			'image_editor_active'  => 'on' === $img['state'],
			'image_reason'         => $img['reason'],
			'images'               => $img['line'],
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
		$img    = self::images();
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
			'core_parser'          => Witsper_Core_Parser::fingerprint_for( $stored ),
			'core_parser_verified' => Witsper_Core_Parser::verified_as( Witsper_Core_Parser::fingerprint_for( $stored ) ),
			'summary'              => $health['summary'],
			'action'               => $health['action'],
			'images'               => $img['line'],
			'image_editor'         => $img['editor'],
			'image_editor_class'   => $img['editor_class'],
			'image_reason'         => $img['reason'],
			'image_detail'         => $img['detail'],
			'image_action'         => $img['action'],
			'media_library'        => $img['library'],
			'media_version'        => $img['version'],
			'vips_version'         => $img['vips_version'],
			'media_threads'        => $img['threads'],
			'media_selftest'       => $img['selftest'],
			'media_selftest_time'  => $img['selftest_time'],
		);
	}

	/**
	 * Which image editor WordPress uses and why, in the same words everywhere (Site Health,
	 * the admin page, WP-CLI, REST):
	 *   "Images: Witsper (libvips 8.14.1, 1 thread)"
	 *   "Images: GD (the Witsper media library was not found)" + detail (path) + action.
	 *
	 * @param bool $live true: decide now (may load the media library and run its self-test:
	 *                   admin screens, WP-CLI); false: only read the stored decision (REST,
	 *                   which load balancers poll: it must not load libvips).
	 * @return array{state:string,editor:string,editor_class:?string,reason:?string,line:string,
	 *               action:?string,detail:?string,library:?string,version:?string,
	 *               vips_version:?string,threads:?int,selftest:string,selftest_time:string}
	 */
	public static function images( bool $live = true ): array {
		$st  = null;
		$why = null;
		try {
			require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
			require_once ABSPATH . WPINC . '/class-wp-image-editor-gd.php';
			require_once ABSPATH . WPINC . '/class-wp-image-editor-imagick.php';
			$registered = false !== has_filter( 'wp_image_editors', array( 'Witsper_Plugin', 'filter_image_editors' ) );
			if ( ! $registered ) {
				$why = array(
					'code'   => ( defined( 'WITSPER_MEDIA_DISABLE' ) && WITSPER_MEDIA_DISABLE ) ? 'media-disabled' : 'not-registered',
					'detail' => null,
				);
			} elseif ( $live ) {
				$usable = Witsper_Image_Editor::usable();
				$st     = $usable['selftest'];
				$why    = $usable['why'];
			} else {
				$st  = Witsper_Image_Editor::stored_selftest( Witsper_Image_Editor::context_key() );
				$why = null === $st ? array(
					'code'   => 'not-checked',
					'detail' => null,
				) : ( 'pass' === $st['status'] ? null : array(
					'code'   => (string) $st['reason'],
					'detail' => $st['message'] ?? null,
				) );
			}
			$class = self::image_editor_class( null === $why );
		} catch ( \Throwable $e ) {
			$why   = array(
				'code'   => 'load-failed',
				'detail' => $e->getMessage(),
			);
			$class = null;
		}
		$names  = array(
			'Witsper_Image_Editor'    => 'Witsper',
			'WP_Image_Editor_GD'      => 'GD',
			'WP_Image_Editor_Imagick' => 'Imagick',
		);
		$editor = null === $class ? __( 'none', 'witsper-ffi' ) : ( $names[ $class ] ?? $class );
		$common = array(
			'editor'        => $editor,
			'editor_class'  => $class,
			'library'       => $st['library'] ?? null,
			'version'       => $st['version'] ?? null,
			'vips_version'  => $st['vips_version'] ?? null,
			'threads'       => isset( $st['threads'] ) ? (int) $st['threads'] : null,
			'selftest'      => $st['status'] ?? 'not-run',
			'selftest_time' => isset( $st['time'] ) ? gmdate( 'Y-m-d H:i:s', (int) $st['time'] ) . ' UTC' : '',
		);
		if ( null === $why ) {
			$threads = (int) ( $st['threads'] ?? 1 );
			return array(
				'state'  => 'on',
				'reason' => null,
				/* translators: 1: libvips version, 2: number of threads. */
				'line'   => sprintf( _n( 'Images: Witsper (libvips %1$s, %2$d thread)', 'Images: Witsper (libvips %1$s, %2$d threads)', $threads, 'witsper-ffi' ), (string) ( $st['vips_version'] ?? '?' ), $threads ),
				'action' => null,
				'detail' => null,
			) + $common;
		}
		if ( 'not-checked' === $why['code'] ) {
			return array(
				'state'  => 'unknown',
				/* translators: %s: why. */
				'line'   => sprintf( __( 'Images: %s', 'witsper-ffi' ), self::image_reason_text( 'not-checked' ) ),
				'reason' => 'not-checked',
				'action' => self::image_action( 'not-checked' ),
				'detail' => null,
				'editor' => __( 'unknown', 'witsper-ffi' ),
			) + $common;
		}
		return array(
			'state'  => 'off',
			'reason' => $why['code'],
			/* translators: 1: image editor in use (GD, Imagick), 2: why Witsper's is not. */
			'line'   => sprintf( __( 'Images: %1$s (%2$s)', 'witsper-ffi' ), $editor, self::image_reason_text( $why['code'] ) ),
			'action' => self::image_action( $why['code'] ),
			'detail' => ( null === $why['detail'] || '' === $why['detail'] ) ? null : (string) $why['detail'],
		) + $common;
	}

	/**
	 * The editor class WordPress picks: Witsper's when usable, else the first of the others
	 * whose test() passes (no call into Witsper_Image_Editor::test(), which may load libvips).
	 *
	 * @param bool $witsper_usable Whether Witsper_Image_Editor is usable here.
	 */
	private static function image_editor_class( bool $witsper_usable ): ?string {
		$list = apply_filters( 'wp_image_editors', array( 'WP_Image_Editor_Imagick', 'WP_Image_Editor_GD' ) );
		foreach ( (array) $list as $class ) {
			if ( 'Witsper_Image_Editor' === $class ) {
				if ( $witsper_usable ) {
					return $class;
				}
				continue;
			}
			if ( is_string( $class ) && class_exists( $class ) && call_user_func( array( $class, 'test' ), array() ) ) {
				return $class;
			}
		}
		return null;
	}

	/**
	 * Why Witsper's image editor is not used, in a few words (no paths: REST shows it).
	 *
	 * @param string $code Reason code (Witsper_Media::status(), Witsper_Image_Editor::why_not()).
	 */
	public static function image_reason_text( string $code ): string {
		$texts = array(
			'media-disabled'  => __( 'Witsper\'s image editor is switched off by WITSPER_MEDIA_DISABLE', 'witsper-ffi' ),
			'not-registered'  => __( 'Witsper\'s image editor is not registered in wp_image_editors', 'witsper-ffi' ),
			'not-checked'     => __( 'not checked yet in this PHP: it is checked when WordPress first asks for an image editor', 'witsper-ffi' ),
			'ffi-missing'     => __( 'the PHP FFI extension is not loaded', 'witsper-ffi' ),
			'ffi-disabled'    => __( 'FFI is disabled in this PHP (ffi.enable=0)', 'witsper-ffi' ),
			'ffi-restricted'  => __( 'FFI is restricted to preloaded code and the plugin\'s preload.php was not preloaded', 'witsper-ffi' ),
			'library-missing' => __( 'the Witsper media library libwitsper-media was not found', 'witsper-ffi' ),
			'load-failed'     => __( 'the Witsper media library could not be loaded', 'witsper-ffi' ),
			'abi-mismatch'    => __( 'the Witsper media library has a different ABI number than this plugin expects', 'witsper-ffi' ),
			'init-failed'     => __( 'libvips could not be started in this PHP process', 'witsper-ffi' ),
			'selftest-failed' => __( 'the image self-test failed', 'witsper-ffi' ),
		);
		return $texts[ $code ] ?? __( 'Witsper\'s image editor is unavailable', 'witsper-ffi' );
	}

	/**
	 * What to do about an image reason code.
	 *
	 * @param string $code Reason code.
	 */
	public static function image_action( string $code ): string {
		$actions = array(
			'media-disabled'  => __( 'Nothing to repair: remove WITSPER_MEDIA_DISABLE from wp-config.php to use Witsper\'s faster image editor.', 'witsper-ffi' ),
			'not-registered'  => __( 'Another plugin removed Witsper_Image_Editor from the wp_image_editors filter; check the plugins that change image editing.', 'witsper-ffi' ),
			'not-checked'     => __( 'Nothing to do: open Tools → Witsper or run wp witsper status to check now.', 'witsper-ffi' ),
			'ffi-missing'     => self::action( 'ffi-missing' ),
			'ffi-disabled'    => self::action( 'ffi-disabled' ),
			'ffi-restricted'  => __( 'Set opcache.preload to the plugin\'s preload.php (it compiles Witsper_Media, which may then load the media library), or set ffi.enable=true; then restart php-fpm.', 'witsper-ffi' ),
			'library-missing' => __( 'Install libvips (Debian: apt-get install libvips42), build the library (make media) or install libwitsper-media.so.1, make it readable by the php-fpm user or point WITSPER_MEDIA_LIB at it, then restart php-fpm.', 'witsper-ffi' ),
			'load-failed'     => __( 'Read the loader message: libvips (Debian: libvips42) may be missing, or the library built for another system. Rebuild it (make media) and restart php-fpm.', 'witsper-ffi' ),
			'abi-mismatch'    => __( 'Install the libwitsper-media built from the same release as this plugin (make media in the same checkout), then restart php-fpm.', 'witsper-ffi' ),
			'init-failed'     => __( 'Read the loader message and php-fpm\'s error log; reinstall libvips (Debian: libvips42) and restart php-fpm.', 'witsper-ffi' ),
			'selftest-failed' => __( 'Run wp witsper status (or open Tools → Witsper) to run the image self-test again; if it still fails, install the library and the plugin from the same release.', 'witsper-ffi' ),
		);
		return $actions[ $code ] ?? __( 'See the Witsper page under Tools for details.', 'witsper-ffi' );
	}

	/**
	 * The one place that words the state for people: the admin page, the admin notice, Site
	 * Health, the REST route and WP-CLI all print these sentences.
	 *
	 * - line:   one sentence, whether native parsing is on and, when off, why;
	 * - effect: what that means for the site (off only);
	 * - action: what to do about it (off only), or null;
	 * - detail: the loader's own message (may name paths: admin screens and WP-CLI only).
	 *
	 * @param array|null|false $why Witsper_Plugin::why_not_native(), or false to ask it now.
	 * @return array{state:string,reason:?string,line:string,effect:?string,action:?string,detail:?string}
	 */
	public static function summary( $why = false ): array {
		if ( false === $why ) {
			$why = Witsper_Plugin::why_not_native();
		}
		if ( null === $why ) {
			$version = self::live_version();
			return array(
				'state'  => 'on',
				'reason' => null,
				/* translators: %s: library version. */
				'line'   => sprintf( __( 'Native block parsing is on: libwitsper %s parses the blocks of every page, with exactly the result of WordPress\'s own parser.', 'witsper-ffi' ), (string) $version ),
				'effect' => null,
				'action' => null,
				'detail' => null,
			);
		}
		return array(
			'state'  => 'off',
			'reason' => $why['code'],
			/* translators: %s: why, one sentence. */
			'line'   => sprintf( __( 'Native block parsing is off: %s', 'witsper-ffi' ), $why['text'] ),
			'effect' => __( 'Pages are still correct: WordPress\'s own block parser is used, which is slower.', 'witsper-ffi' ),
			'action' => self::action( $why['code'] ),
			'detail' => $why['detail'],
		);
	}

	/**
	 * What an administrator can do about a reason code, in one or two sentences.
	 *
	 * @param string $code Reason code (Witsper_Plugin::reason()).
	 */
	public static function action( string $code ): string {
		$actions = array(
			'ffi-missing'       => __( 'Install PHP\'s FFI extension for the PHP that serves the site (on Debian it ships in php8.2-common; check that ffi.ini is enabled for php-fpm), then restart php-fpm.', 'witsper-ffi' ),
			'ffi-disabled'      => __( 'Enable FFI for php-fpm: ffi.enable=preload with ffi.preload and opcache.preload (the hardened setup; on the Witsper stack: WITSPER_FFI_MODE=preload make up), or ffi.enable=true; then restart php-fpm.', 'witsper-ffi' ),
			'ffi-restricted'    => __( 'Preload the library (ffi.preload = the witsper_ffi.h header, opcache.preload = the plugin\'s preload.php; on the Witsper stack: WITSPER_FFI_MODE=preload make up), or set ffi.enable=true; then restart php-fpm.', 'witsper-ffi' ),
			'library-missing'   => __( 'Build or install libwitsper.so.1 (make, or make install), make it readable by the php-fpm user or point WITSPER_LIB at it, then restart php-fpm.', 'witsper-ffi' ),
			'abi-mismatch'      => __( 'Install the libwitsper built from the same release as this plugin (make in the same checkout), then restart php-fpm.', 'witsper-ffi' ),
			'load-failed'       => __( 'Read the loader message below and php-fpm\'s error log: the library file may be damaged or built for another system. Rebuild it (make) and restart php-fpm.', 'witsper-ffi' ),
			'forced-off'        => __( 'Nothing to repair: code in this PHP process switched it off on purpose (Witsper_FFI::force_off), for this process only.', 'witsper-ffi' ),
			'selftest-failed'   => __( 'Run the self-test again. If it still fails, the library and the plugin do not match WordPress\'s parser: install both from the same release and report the differing documents listed on the Witsper page.', 'witsper-ffi' ),
			'core-unverified'   => __( 'Run the self-test (Tools → Witsper, or wp witsper selftest): on this WordPress it parses 200+ extra documents with both parsers, and native parsing comes on when all are identical. It also runs by itself on the first page view after a WordPress update.', 'witsper-ffi' ),
			'pcre-limit'        => __( 'Set pcre.backtrack_limit to at least 1000000 (PHP\'s default) in php-fpm\'s php.ini, then restart php-fpm.', 'witsper-ffi' ),
			'parser-not-native' => __( 'Restart php-fpm; if it stays off, reinstall the plugin and the library from the same release.', 'witsper-ffi' ),
			'loader-error'      => __( 'Reinstall the plugin: one of its files is missing or damaged (see the loader message).', 'witsper-ffi' ),
		);
		return $actions[ $code ] ?? __( 'See the Witsper page under Tools for details.', 'witsper-ffi' );
	}

	/**
	 * The FFI mode in plain words.
	 *
	 * @param string $mode true|preload|cli|off.
	 */
	public static function mode_text( string $mode ): string {
		switch ( $mode ) {
			case 'preload':
				return __( 'preload (hardened): only code preloaded when php-fpm started may call C libraries', 'witsper-ffi' );
			case 'true':
				return __( 'true: any PHP code may call C libraries; preload is the hardened setting', 'witsper-ffi' );
			case 'cli':
				return __( 'command line: FFI restricted to preloaded code, the command line may load libraries', 'witsper-ffi' );
			default:
				return __( 'off: this PHP cannot call C libraries', 'witsper-ffi' );
		}
	}

	/**
	 * Labels in plain words for the keys of self::report() (Site Health's Info tab, WP-CLI).
	 *
	 * @return array<string,string>
	 */
	public static function labels(): array {
		return array(
			'plugin_version'       => __( 'Plugin version', 'witsper-ffi' ),
			'wordpress_version'    => __( 'WordPress version', 'witsper-ffi' ),
			'php_version'          => __( 'PHP version', 'witsper-ffi' ),
			'pid'                  => __( 'PHP process', 'witsper-ffi' ),
			'sapi'                 => __( 'PHP server API', 'witsper-ffi' ),
			'ffi_extension'        => __( 'FFI extension loaded', 'witsper-ffi' ),
			'ini_ffi_enable'       => __( 'ffi.enable', 'witsper-ffi' ),
			'ini_ffi_preload'      => __( 'ffi.preload', 'witsper-ffi' ),
			'ini_opcache_preload'  => __( 'opcache.preload', 'witsper-ffi' ),
			'ffi_available'        => __( 'Library usable through FFI', 'witsper-ffi' ),
			'ffi_mode'             => __( 'FFI mode', 'witsper-ffi' ),
			'library'              => __( 'Library file', 'witsper-ffi' ),
			'library_version'      => __( 'Library version', 'witsper-ffi' ),
			'abi'                  => __( 'Library ABI', 'witsper-ffi' ),
			'loader_reason'        => __( 'Loader result', 'witsper-ffi' ),
			'loader_message'       => __( 'Loader message', 'witsper-ffi' ),
			'native_parser_active' => __( 'Native parsing on', 'witsper-ffi' ),
			'parser_class'         => __( 'Block parser class', 'witsper-ffi' ),
			'reason'               => __( 'Reason code', 'witsper-ffi' ),
			'reason_text'          => __( 'Why it is off', 'witsper-ffi' ),
			'self_test'            => __( 'Self-test', 'witsper-ffi' ),
			'self_test_summary'    => __( 'Self-test result', 'witsper-ffi' ),
			'self_test_time'       => __( 'Self-test run at', 'witsper-ffi' ),
			'multisite'            => __( 'Network (multisite)', 'witsper-ffi' ),
			'core_parser'          => __( 'WordPress block parser fingerprint', 'witsper-ffi' ),
			'core_parser_verified' => __( 'Verified against WordPress', 'witsper-ffi' ),
			'summary'              => __( 'Summary', 'witsper-ffi' ),
			'action'               => __( 'What to do', 'witsper-ffi' ),
			'images'               => __( 'Images', 'witsper-ffi' ),
			'image_editor'         => __( 'Image editor in use', 'witsper-ffi' ),
			'image_editor_class'   => __( 'Image editor class', 'witsper-ffi' ),
			'image_reason'         => __( 'Image editor reason code', 'witsper-ffi' ),
			'image_detail'         => __( 'Media library message', 'witsper-ffi' ),
			'image_action'         => __( 'Images: what to do', 'witsper-ffi' ),
			'media_library'        => __( 'Media library file', 'witsper-ffi' ),
			'media_version'        => __( 'Media library version', 'witsper-ffi' ),
			'vips_version'         => __( 'libvips version', 'witsper-ffi' ),
			'media_threads'        => __( 'libvips threads', 'witsper-ffi' ),
			'media_selftest'       => __( 'Image self-test', 'witsper-ffi' ),
			'media_selftest_time'  => __( 'Image self-test run at', 'witsper-ffi' ),
		);
	}

	/**
	 * The details of the admin page, in plain words: label => text.
	 *
	 * @param array|null $report self::report(), or null to build it now.
	 * @return array<string,string>
	 */
	public static function details( ?array $report = null ): array {
		$r      = null === $report ? self::report() : $report;
		$native = (bool) $r['native_parser_active'];
		$rows   = array();

		$rows[ __( 'Block parser in use', 'witsper-ffi' ) ] = $native
			/* translators: %s: PHP class name. */
			? sprintf( __( 'libwitsper, the native parser (class %s)', 'witsper-ffi' ), $r['parser_class'] )
			/* translators: %s: PHP class name. */
			: sprintf( __( 'WordPress\'s own parser (class %s)', 'witsper-ffi' ), $r['parser_class'] );

		if ( null !== $r['library_version'] ) {
			/* translators: 1: library version, 2: ABI number, 3: ABI number the plugin expects. */
			$lib = sprintf( __( 'libwitsper %1$s, ABI %2$d (this plugin needs ABI %3$d), answered just now', 'witsper-ffi' ), $r['library_version'], (int) $r['abi'], self::expected_abi() );
		} elseif ( null !== $r['abi'] ) {
			/* translators: 1: ABI number found, 2: ABI number expected. */
			$lib = sprintf( __( 'found, but with ABI %1$d where this plugin needs ABI %2$d', 'witsper-ffi' ), (int) $r['abi'], self::expected_abi() );
		} else {
			$lib = __( 'not loaded', 'witsper-ffi' );
		}
		$rows[ __( 'Library', 'witsper-ffi' ) ]                                 = $lib;
		$rows[ __( 'Library file', 'witsper-ffi' ) ]                            = $r['library'] ? (string) $r['library'] : __( 'none found', 'witsper-ffi' );
		$rows[ __( 'How PHP may call the library (FFI mode)', 'witsper-ffi' ) ] = self::mode_text( (string) $r['ffi_mode'] );

		$server = 'fpm-fcgi' === $r['sapi'] ? __( 'a php-fpm worker', 'witsper-ffi' ) : ( 'cli' === $r['sapi'] ? __( 'the command line', 'witsper-ffi' ) : (string) $r['sapi'] );
		/* translators: 1: PHP version, 2: "a php-fpm worker" or similar, 3: process id. */
		$rows[ __( 'PHP', 'witsper-ffi' ) ] = sprintf( __( 'PHP %1$s in %2$s (process %3$d); FFI extension %4$s', 'witsper-ffi' ), $r['php_version'], $server, (int) $r['pid'], $r['ffi_extension'] ? __( 'loaded', 'witsper-ffi' ) : __( 'not loaded', 'witsper-ffi' ) );

		$st = (string) $r['self_test'];
		if ( 'pass' === $st ) {
			/* translators: 1: summary, 2: date and time. */
			$selftest = sprintf( __( 'Passed: %1$s (%2$s)', 'witsper-ffi' ), $r['self_test_summary'], $r['self_test_time'] );
		} elseif ( 'fail' === $st ) {
			/* translators: 1: summary, 2: date and time. */
			$selftest = sprintf( __( 'Failed: %1$s (%2$s)', 'witsper-ffi' ), $r['self_test_summary'], $r['self_test_time'] );
		} elseif ( 'skipped' === $st ) {
			/* translators: %s: summary. */
			$selftest = sprintf( __( 'Skipped: %s', 'witsper-ffi' ), $r['self_test_summary'] );
		} else {
			$selftest = __( 'Not run yet: it runs when the plugin is activated and after updates.', 'witsper-ffi' );
		}
		$rows[ __( 'Self-test', 'witsper-ffi' ) ] = $selftest;
		if ( ! $native && ! empty( $r['loader_message'] ) ) {
			$rows[ __( 'Loader message', 'witsper-ffi' ) ] = (string) $r['loader_message'];
		}
		$rows[ __( 'WordPress\'s block parser', 'witsper-ffi' ) ] = null !== $r['core_parser_verified']
			/* translators: 1: WordPress versions, 2: fingerprint. */
			? sprintf( __( 'verified: the same parser as WordPress %1$s, which the plugin\'s differential tests cover (fingerprint %2$s)', 'witsper-ffi' ), $r['core_parser_verified'], $r['core_parser'] )
			/* translators: %s: fingerprint. */
			: sprintf( __( 'not among the parsers the plugin was tested against (fingerprint %s): native parsing stays off until the extended self-test (200+ documents) passes on this site', 'witsper-ffi' ), $r['core_parser'] );
		$rows[ __( 'Images', 'witsper-ffi' ) ] = self::image_details( $r );
		/* translators: 1: WordPress version, 2: plugin version. */
		$rows[ __( 'Versions', 'witsper-ffi' ) ] = sprintf( __( 'WordPress %1$s, Witsper FFI plugin %2$s', 'witsper-ffi' ), $r['wordpress_version'], $r['plugin_version'] );
		if ( $r['multisite'] ) {
			$rows[ __( 'Network', 'witsper-ffi' ) ] = __( 'One self-test result for every site of the network; only network administrators can run it again.', 'witsper-ffi' );
		}
		return $rows;
	}

	/**
	 * The image editor in plain words for the admin page: the line, the library's message,
	 * what to do, and the library and self-test.
	 *
	 * @param array $r self::report().
	 */
	public static function image_details( array $r ): string {
		$text = (string) $r['images'];
		if ( ! empty( $r['image_detail'] ) ) {
			$text .= ' — ' . $r['image_detail'];
		}
		if ( ! empty( $r['image_action'] ) ) {
			/* translators: %s: what to do. */
			$text .= ' ' . sprintf( __( 'What to do: %s', 'witsper-ffi' ), $r['image_action'] );
		}
		if ( ! empty( $r['media_version'] ) ) {
			/* translators: 1: library version, 2: file, 3: self-test status, 4: time. */
			$text .= ' ' . sprintf( __( '(libwitsper-media %1$s at %2$s; self-test %3$s, %4$s)', 'witsper-ffi' ), $r['media_version'], (string) $r['media_library'], $r['media_selftest'], $r['media_selftest_time'] );
		}
		return $text;
	}

	/**
	 * The ABI number this plugin is written for.
	 */
	public static function expected_abi(): int {
		return defined( 'Witsper_FFI::ABI' ) ? (int) constant( 'Witsper_FFI::ABI' ) : 1;
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
