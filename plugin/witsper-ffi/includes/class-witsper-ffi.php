<?php
/**
 * Witsper_FFI: the only code that talks to libwitsper through PHP FFI.
 *
 * Two ways PHP can reach the library (docs/bridge.md):
 *  - ffi.enable=true: FFI::cdef( declarations, path ) once, kept in a static.
 *  - ffi.enable=preload: php-fpm's master loads the header named by ffi.preload
 *    and this class is compiled by opcache.preload (plugin's preload.php), so
 *    FFI::scope( 'witsper' ) and the static FFI helpers are allowed here, and
 *    only here: every FFI call of the plugin goes through this class.
 *  - CLI with ffi.enable=preload but no ffi.preload: PHP allows FFI everywhere
 *    in the CLI, so FFI::cdef is used (mode 'cli').
 *
 * Nothing here may fatal or print: every FFI call sits in a try that catches
 * \Throwable (FFI\Exception, FFI\ParserException, Error when the extension is
 * absent). No FFI class is named where PHP would resolve it at compile time,
 * so the file loads on a PHP built without FFI.
 *
 * "Once per worker": PHP resets static properties at the end of each request,
 * also for preloaded classes, so in php-fpm the detection, the FFI object and
 * the ABI check are in fact done once per request that parses blocks (measured
 * cost in docs/bridge.md: a few microseconds). In the CLI it is once per process.
 *
 * @package witsper-ffi
 */

// Loaded both by WordPress (ABSPATH set) and by tests, benchmarks and the
// opcache preload script (no WordPress). It only declares a class: nothing to guard.

final class Witsper_FFI {
	/** ABI number this PHP code was written for (witsper_abi() must match). */
	const ABI = 1;

	/** ffi.preload scope name (FFI_SCOPE in native/Makefile, written into witsper_ffi.h). */
	const SCOPE = 'witsper';

	/** Library soname, resolved by the dynamic loader (installed library). */
	const SONAME = 'libwitsper.so.1';

	/**
	 * The declarations for FFI::cdef(), generated from native/include/witsper.h
	 * (the only hand-written copy) into witsper-ffi-decls.php, which ships with
	 * the plugin: FFI::cdef() understands no preprocessor line at all.
	 * `make -C native check` fails when that file is not current.
	 *
	 * @return string|null null when the file is missing or broken.
	 */
	public static function decls(): ?string {
		// include, not require: a missing file must not be fatal (@: nor print).
		$decls = @include __DIR__ . '/witsper-ffi-decls.php'; // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- see above.
		return is_string( $decls ) ? $decls : null;
	}

	/** @var object|null The FFI instance. Lives as long as any CData it made. */
	private static $ffi = null;

	/** @var array|null Cached result of detect(). */
	private static $status = null;

	/** @var array|null [code, message, offset] of the last failed parse_plan(). */
	private static $last_error = null;

	/**
	 * What the bridge found in this process, computed once and cached.
	 *
	 * @return array{available:bool,mode:string,reason:?string,message:?string,
	 *               library:?string,version:?string,abi:?int}
	 */
	public static function status(): array {
		if ( null === self::$status ) {
			try {
				self::$status = self::detect();
			} catch ( \Throwable $e ) {
				self::$ffi    = null;
				self::$status = self::result( 'off', 'load-failed', 'Unexpected error: ' . $e->getMessage() );
			}
		}
		return self::$status;
	}

	/** Whether the native library is loaded and answered with the right ABI. */
	public static function available(): bool {
		return self::status()['available'];
	}

	/**
	 * The library's version string, asked from the library now, so a caller
	 * (health endpoint, self-test) proves the library answers in this worker.
	 */
	public static function version(): ?string {
		if ( ! self::available() ) {
			return null;
		}
		try {
			return self::$ffi->witsper_version();
		} catch ( \Throwable $e ) {
			return null;
		}
	}

	/** The library's ABI number, asked now (benchmarks time this call). */
	public static function abi(): ?int {
		if ( ! self::available() ) {
			return null;
		}
		try {
			return self::$ffi->witsper_abi();
		} catch ( \Throwable $e ) {
			return null;
		}
	}

	/**
	 * Measures one FFI call: $n calls of witsper_abi() on the FFI object, and
	 * the same loop calling an empty PHP method for comparison. Used by bench/
	 * (the loop has to run in this class, the only code that holds the FFI
	 * object).
	 *
	 * @internal
	 * @return array|null ['ffi_ns' => per FFI call, 'php_ns' => per PHP call],
	 *                    loop overhead included; null when unavailable.
	 */
	public static function measure_call_ns( int $n = 200000 ): ?array {
		if ( ! self::available() || $n < 1 ) {
			return null;
		}
		$ffi = self::$ffi;
		try {
			$t0  = hrtime( true );
			$sum = 0;
			for ( $k = 0; $k < $n; ++$k ) {
				$sum += $ffi->witsper_abi();
			}
			$t1 = hrtime( true );
			for ( $k = 0; $k < $n; ++$k ) {
				$sum += self::noop( $k );
			}
			$t2 = hrtime( true );
		} catch ( \Throwable $e ) {
			return null;
		}
		return array(
			'ffi_ns' => ( $t1 - $t0 ) / $n,
			'php_ns' => ( $t2 - $t1 ) / $n,
		);
	}

	/**
	 * A PHP call that does almost nothing, the baseline of measure_call_ns().
	 * It uses its argument so that opcache cannot drop the call.
	 */
	private static function noop( int $k ): int {
		return $k & 1;
	}

	/**
	 * Parses $doc into a block plan: the uint32 words of the library's output,
	 * 1-based as unpack() returns them (format in docs/bridge.md).
	 *
	 * @return array|null null when unavailable or when the library refused the
	 *                    document; last_error() then says why.
	 */
	public static function parse_plan( string $doc ): ?array {
		self::$last_error = null;
		if ( ! self::available() ) {
			self::$last_error = array( -1, 'native library unavailable: ' . self::$status['reason'], 0 );
			return null;
		}
		$ffi = self::$ffi;
		try {
			$out = $ffi->new( 'witsper_buffer' );
			$err = $ffi->new( 'witsper_error' );
			// $doc is passed as const char * without a copy; the length is
			// explicit because posts may contain NUL bytes.
			$rc = $ffi->witsper_parse_blocks( $doc, strlen( $doc ), \FFI::addr( $out ), \FFI::addr( $err ) );
			try {
				if ( 0 !== $rc ) {
					self::$last_error = array(
						$rc,
						\FFI::isNull( $err->message ) ? 'unknown error' : \FFI::string( $err->message ),
						$err->offset,
					);
					return null;
				}
				$bin = $out->len ? \FFI::string( $out->data, $out->len ) : '';
			} finally {
				// The library's own free: FFI::free() must never see its memory.
				$ffi->witsper_buffer_free( \FFI::addr( $out ) );
			}
		} catch ( \Throwable $e ) {
			self::$last_error = array( -2, 'FFI call failed: ' . $e->getMessage(), 0 );
			return null;
		}
		$words = unpack( 'L*', $bin );
		if ( ! $words ) {
			self::$last_error = array( -3, 'empty or truncated block plan', 0 );
			return null;
		}
		return $words;
	}

	/** [code, message, offset] of the last failed parse_plan(), or null. */
	public static function last_error(): ?array {
		return self::$last_error;
	}

	/**
	 * Forces the PHP fallback for the rest of this process (tests, self-test,
	 * the plugin when its self-test fails). The FFI object is dropped only
	 * here, where no CData of ours is alive any more.
	 */
	public static function force_off( ?string $why = null ): void {
		self::$ffi    = null;
		self::$status = self::result( 'off', 'forced-off', $why ?? 'Native parser switched off.' );
	}

	/** Builds a status array; every key is always present. */
	private static function result( string $mode, ?string $reason, ?string $message,
		?string $library = null, ?string $version = null, ?int $abi = null ): array {
		return array(
			'available' => null === $reason,
			'mode'      => $mode,
			'reason'    => $reason,
			'message'   => $message,
			'library'   => $library,
			'version'   => $version,
			'abi'       => $abi,
		);
	}

	/** Decides the mode, loads the library, checks the ABI. */
	private static function detect(): array {
		if ( ! extension_loaded( 'ffi' ) || ! class_exists( 'FFI', false ) ) {
			return self::result( 'off', 'ffi-missing', 'The PHP FFI extension is not loaded.' );
		}
		$enable = self::ffi_enable();
		if ( 'true' === $enable ) {
			return self::load_cdef( 'true' );
		}
		if ( 'preload' !== $enable ) {
			return self::result( 'off', 'ffi-disabled', 'ffi.enable is off in php.ini.' );
		}
		$preload_error = null;
		try {
			$ffi = \FFI::scope( self::SCOPE );
			return self::check( $ffi, 'preload', self::preloaded_library() );
		} catch ( \Throwable $e ) {
			$preload_error = $e->getMessage();
		}
		// The CLI may use FFI anywhere even with ffi.enable=preload.
		if ( 'cli' === PHP_SAPI || 'phpdbg' === PHP_SAPI ) {
			return self::load_cdef( 'cli' );
		}
		return self::result(
			'preload',
			'ffi-restricted',
			'ffi.enable=preload, but the "' . self::SCOPE . '" scope is not usable here (set ffi.preload '
			. 'to the witsper_ffi.h header and opcache.preload to the plugin\'s preload.php): ' . $preload_error
		);
	}

	/**
	 * The FFI_LIB path named by the ffi.preload header(s), for status only.
	 * ffi.preload may list several headers separated by the path separator.
	 */
	private static function preloaded_library(): string {
		$headers = (string) ini_get( 'ffi.preload' );
		foreach ( explode( PATH_SEPARATOR, $headers ) as $h ) {
			$text = @file_get_contents( $h, false, null, 0, 65536 ); // phpcs:ignore WordPress.WP.AlternativeFunctions, WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- an unreadable header only means no path to show.
			if ( is_string( $text ) && preg_match( '/^#define\s+FFI_SCOPE\s+"' . self::SCOPE . '"/m', $text )
				&& preg_match( '/^#define\s+FFI_LIB\s+"([^"]*)"/m', $text, $m ) ) {
				return $m[1];
			}
		}
		return 'ffi.preload=' . $headers;
	}

	/**
	 * ffi.enable as PHP reads it: 'true', 'preload' or 'off'. Shared with Witsper_Media.
	 */
	public static function ffi_enable(): string {
		$enable = strtolower( trim( (string) ini_get( 'ffi.enable' ) ) );
		// PHP reads ffi.enable as "preload" or a boolean ("1", "true", "on", "yes").
		if ( in_array( $enable, array( 'true', 'on', 'yes' ), true ) || ( is_numeric( $enable ) && 0 != $enable ) ) {
			return 'true';
		}
		return 'preload' === $enable ? 'preload' : 'off';
	}

	/** Candidate library paths in lookup order; [path, explicit]. */
	private static function candidates(): array {
		return self::library_candidates( 'WITSPER_LIB', self::SONAME, 'native/build' );
	}

	/**
	 * Where a library of the plugin is looked for, in order; [path, explicit]. Shared with
	 * Witsper_Media (one lookup rule for both libraries):
	 *  1. the environment variable $name (php-fpm's env; stack/up.sh sets it), else
	 *  2. the constant $name (wp-config.php) — either one is the only candidate (explicit);
	 *  3. the plugin's lib/ folder, the checkout's $build/ folder, the soname (system path).
	 *
	 * @param string $name   WITSPER_LIB or WITSPER_MEDIA_LIB.
	 * @param string $soname Library soname.
	 * @param string $build  Build folder relative to the repository root.
	 */
	public static function library_candidates( string $name, string $soname, string $build ): array {
		$env = getenv( $name );
		if ( is_string( $env ) && '' !== $env ) {
			return array( array( $env, true ) );
		}
		if ( defined( $name ) && is_string( constant( $name ) ) && '' !== constant( $name ) ) {
			return array( array( constant( $name ), true ) );
		}
		$plugin = dirname( __DIR__ );
		return array(
			array( $plugin . '/lib/' . $soname, false ),
			array( dirname( $plugin, 2 ) . '/' . $build . '/' . $soname, false ),
			array( $soname, false ),
		);
	}

	/** FFI::cdef with the first library found (modes 'true' and 'cli'). */
	private static function load_cdef( string $mode ): array {
		$decls = self::decls();
		if ( null === $decls ) {
			return self::result( $mode, 'load-failed', 'The plugin\'s includes/witsper-ffi-decls.php is missing or broken.' );
		}
		foreach ( self::candidates() as list( $path, $explicit ) ) {
			$is_soname = self::SONAME === $path;
			// @: is_file warns when open_basedir excludes the path; that only
			// means "not here" and must not reach the page.
			if ( ! $is_soname && ! @is_file( $path ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- see the comment above.
				if ( $explicit ) {
					return self::result( $mode, 'library-missing', 'WITSPER_LIB points to a missing file: ' . $path, $path );
				}
				continue;
			}
			try {
				$ffi = \FFI::cdef( $decls, $path );
			} catch ( \Throwable $e ) {
				if ( $is_soname ) {
					return self::result( $mode, 'library-missing', 'libwitsper not found (WITSPER_LIB, plugin lib/, native/build/, ' . self::SONAME . '): ' . $e->getMessage() );
				}
				return self::result( $mode, 'load-failed', 'Could not load ' . $path . ': ' . $e->getMessage(), $path );
			}
			return self::check( $ffi, $mode, $path );
		}
		return self::result( $mode, 'library-missing', 'libwitsper not found.' );
	}

	/** ABI check; keeps $ffi only when the library matches. */
	private static function check( $ffi, string $mode, string $library ): array {
		try {
			$abi     = $ffi->witsper_abi();
			$version = $ffi->witsper_version();
		} catch ( \Throwable $e ) {
			return self::result( $mode, 'load-failed', 'The library does not answer: ' . $e->getMessage(), $library );
		}
		if ( self::ABI !== $abi ) {
			return self::result( $mode, 'abi-mismatch', sprintf( 'libwitsper ABI %d, this plugin needs %d.', $abi, self::ABI ), $library, $version, $abi );
		}
		self::$ffi = $ffi;
		return self::result( $mode, null, null, $library, $version, $abi );
	}
}
