<?php
/**
 * Witsper_Media: the only code that talks to libwitsper-media (libvips) through PHP FFI.
 *
 * Unlike libwitsper, this library starts threads and keeps global state (libvips), so:
 *  - it is loaded only in a process that does image work: FFI::cdef( declarations, path )
 *    at the first image job, in BOTH FFI modes. Never ffi.preload, never opcache.preload:
 *    the php-fpm master must never map libvips (tests check /proc/<master>/maps).
 *  - In ffi.enable=preload mode PHP allows FFI::cdef only from preloaded code, so this
 *    class is listed in the plugin's preload.php (compiled into the master, which runs
 *    nothing of it) and every FFI call of the media code is a method of this class.
 *  - wm_init starts libvips lazily, with WITSPER_MEDIA_THREADS (default 1),
 *    WITSPER_MEDIA_MAX_PIXELS (default 100,000,000) and WITSPER_MEDIA_MAX_FILE_BYTES
 *    (default: the library's, 256 MiB), each read from the environment, else a constant.
 *
 * Nothing here may fatal or print: every FFI call sits in a try that catches \Throwable;
 * a failure is a status array (status()) or a WP_Error with the library's own message.
 * Statics are reset at the end of each request (as for Witsper_FFI): the FFI object is
 * made again by the next request that does image work; the library itself stays mapped
 * (-z nodelete) and libvips stays started in the worker (wm_init returns at once).
 *
 * @package witsper-ffi
 */

// Loaded by WordPress (witsper-ffi.php), by tests and by the opcache preload script (no
// WordPress): it only declares a class.

final class Witsper_Media {
	/** ABI number this PHP code was written for (wm_abi() must match). */
	const ABI = 1;

	/** Library soname, resolved by the dynamic loader (installed library). */
	const SONAME = 'libwitsper-media.so.1';

	/** Library status codes (wm_status in witsper_media.h). */
	const E_NOMEM       = 1;
	const E_ARGUMENT    = 2;
	const E_INIT        = 3;
	const E_TOO_LARGE   = 4;
	const E_UNSUPPORTED = 5;
	const E_DECODE      = 6;
	const E_ENCODE      = 7;
	const E_IO          = 8;

	/** @var object|null The FFI instance. Lives as long as any CData it made. */
	private static $ffi = null;

	/** @var array|null Cached result of detect(). */
	private static $status = null;

	/**
	 * The declarations for FFI::cdef(), generated from media/include/witsper_media.h.
	 *
	 * @return string|null null when the file is missing or broken.
	 */
	public static function decls(): ?string {
		$decls = @include __DIR__ . '/witsper-media-decls.php'; // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- a missing file must not print.
		return is_string( $decls ) ? $decls : null;
	}

	/**
	 * Candidate library paths: WITSPER_MEDIA_LIB (environment, then constant), the
	 * plugin's lib/, the checkout's media/build/, the soname (Witsper_FFI's one rule).
	 *
	 * @return array [path, explicit] pairs.
	 */
	public static function candidates(): array {
		return Witsper_FFI::library_candidates( 'WITSPER_MEDIA_LIB', self::SONAME, 'media/build' );
	}

	/**
	 * The library file this process would load, found without loading it: the first
	 * candidate that exists, the explicit one even when missing, else the soname.
	 * Used for the self-test cache key and for messages.
	 */
	public static function library_path(): string {
		foreach ( self::candidates() as list( $path, $explicit ) ) {
			if ( $explicit || self::SONAME === $path || @is_file( $path ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- open_basedir warnings only mean "not here".
				return $path;
			}
		}
		return self::SONAME;
	}

	/**
	 * The settings passed to wm_init: environment variable, else constant, else the
	 * default (0 = the library's default for the size limits).
	 *
	 * @return array{threads:int,max_pixels:int,max_file_bytes:int}
	 */
	public static function config(): array {
		$read = static function ( string $name, int $default ): int {
			$v = getenv( $name );
			if ( ( ! is_string( $v ) || '' === $v ) && defined( $name ) ) {
				$v = (string) constant( $name );
			}
			return ( is_string( $v ) && is_numeric( $v ) && (float) $v > 0 ) ? (int) $v : $default;
		};
		return array(
			'threads'        => $read( 'WITSPER_MEDIA_THREADS', 1 ),
			'max_pixels'     => $read( 'WITSPER_MEDIA_MAX_PIXELS', 100000000 ),
			'max_file_bytes' => $read( 'WITSPER_MEDIA_MAX_FILE_BYTES', 0 ),
		);
	}

	/**
	 * What the media bridge found in this process: loads the library and starts libvips
	 * on the first call (this is image work), then cached for the request.
	 *
	 * @return array{available:bool,mode:string,reason:?string,message:?string,library:?string,
	 *               version:?string,vips_version:?string,abi:?int,threads:int,savable:string[],pid:?int}
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

	/** Whether the media library is loaded, has the right ABI and libvips started. */
	public static function available(): bool {
		return self::status()['available'];
	}

	/**
	 * The pid wm_init started libvips in (0: never), asked from the library now.
	 */
	public static function init_pid(): ?int {
		if ( ! self::available() ) {
			return null;
		}
		try {
			return (int) self::$ffi->wm_init_pid();
		} catch ( \Throwable $e ) {
			return null;
		}
	}

	/** Builds a status array; every key is always present. */
	private static function result( string $mode, ?string $reason, ?string $message, ?string $library = null,
		?string $version = null, ?string $vips = null, ?int $abi = null, array $savable = array() ): array {
		return array(
			'available'    => null === $reason,
			'mode'         => $mode,
			'reason'       => $reason,
			'message'      => $message,
			'library'      => $library,
			'version'      => $version,
			'vips_version' => $vips,
			'abi'          => $abi,
			'threads'      => self::config()['threads'],
			'savable'      => $savable,
			'pid'          => null === $reason ? getmypid() : null,
		);
	}

	/** Decides whether FFI may be used here, loads the library, checks the ABI, starts libvips. */
	private static function detect(): array {
		if ( defined( 'WITSPER_MEDIA_DISABLE' ) && WITSPER_MEDIA_DISABLE ) {
			return self::result( 'off', 'media-disabled', 'WITSPER_MEDIA_DISABLE is set.' );
		}
		if ( ! extension_loaded( 'ffi' ) || ! class_exists( 'FFI', false ) ) {
			return self::result( 'off', 'ffi-missing', 'The PHP FFI extension is not loaded.' );
		}
		$mode = Witsper_FFI::ffi_enable();
		if ( 'off' === $mode ) {
			return self::result( 'off', 'ffi-disabled', 'ffi.enable is off in php.ini.' );
		}
		if ( 'preload' === $mode && ( 'cli' === PHP_SAPI || 'phpdbg' === PHP_SAPI ) ) {
			$mode = 'cli';
		}
		$decls = self::decls();
		if ( null === $decls ) {
			return self::result( $mode, 'load-failed', 'The plugin\'s includes/witsper-media-decls.php is missing or broken.' );
		}
		foreach ( self::candidates() as list( $path, $explicit ) ) {
			$is_soname = self::SONAME === $path;
			if ( ! $is_soname && ! @is_file( $path ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- open_basedir warnings only mean "not here".
				if ( $explicit ) {
					return self::result( $mode, 'library-missing', 'WITSPER_MEDIA_LIB points to a missing file: ' . $path, $path );
				}
				continue;
			}
			try {
				// In preload mode this call is allowed because this class is preloaded
				// (preload.php); the library is mapped here, in the worker, not the master.
				$ffi = \FFI::cdef( $decls, $path );
			} catch ( \Throwable $e ) {
				if ( false !== strpos( $e->getMessage(), 'ffi.enable' ) ) {
					return self::result( $mode, 'ffi-restricted', 'FFI is restricted to preloaded code and Witsper_Media was not preloaded (opcache.preload = the plugin\'s preload.php): ' . $e->getMessage(), $path );
				}
				if ( $is_soname ) {
					return self::result( $mode, 'library-missing', 'libwitsper-media not found (WITSPER_MEDIA_LIB, plugin lib/, media/build/, ' . self::SONAME . '): ' . $e->getMessage() );
				}
				return self::result( $mode, 'load-failed', 'Could not load ' . $path . ': ' . $e->getMessage(), $path );
			}
			return self::check( $ffi, $mode, $path );
		}
		return self::result( $mode, 'library-missing', 'libwitsper-media not found.' );
	}

	/** ABI check and wm_init; keeps $ffi only when both succeed. */
	private static function check( $ffi, string $mode, string $library ): array {
		try {
			$abi     = (int) $ffi->wm_abi();
			$version = (string) $ffi->wm_version();
			$vips    = (string) $ffi->wm_vips_version();
		} catch ( \Throwable $e ) {
			return self::result( $mode, 'load-failed', 'The library does not answer: ' . $e->getMessage(), $library );
		}
		if ( self::ABI !== $abi ) {
			return self::result( $mode, 'abi-mismatch', sprintf( 'libwitsper-media ABI %d, this plugin needs %d.', $abi, self::ABI ), $library, $version, $vips, $abi );
		}
		try {
			$cfg                 = $ffi->new( 'wm_config' );
			$conf                = self::config();
			$cfg->threads        = $conf['threads'];
			$cfg->max_pixels     = $conf['max_pixels'];
			$cfg->max_file_bytes = $conf['max_file_bytes'];
			$err                 = $ffi->new( 'wm_error' );
			$rc                  = (int) $ffi->wm_init( \FFI::addr( $cfg ), \FFI::addr( $err ) );
			if ( 0 !== $rc ) {
				return self::result( $mode, 'init-failed', 'wm_init: ' . self::message( $err, $rc ), $library, $version, $vips, $abi );
			}
			$buf     = $ffi->new( 'char[256]' );
			$len     = (int) $ffi->wm_savable( $buf, 256 );
			$savable = array_values( array_filter( explode( ' ', \FFI::string( $buf, min( $len, 255 ) ) ) ) );
		} catch ( \Throwable $e ) {
			return self::result( $mode, 'init-failed', 'wm_init failed: ' . $e->getMessage(), $library, $version, $vips, $abi );
		}
		self::$ffi = $ffi;
		return self::result( $mode, null, null, $library, $version, $vips, $abi, $savable );
	}

	/** The message of a wm_error, or a generic one. */
	private static function message( $err, int $rc ): string {
		try {
			$m = \FFI::string( $err->message );
		} catch ( \Throwable $e ) {
			$m = '';
		}
		return '' !== $m ? $m : sprintf( 'libwitsper-media error %d', $rc );
	}

	/**
	 * A failure as WP_Error: $code is WordPress's error code, the message is ours plus the
	 * library's own, the data carries the library status (media_status) and the file.
	 */
	private static function error( string $code, string $what, int $rc, string $lib_message, ?string $file = null ): \WP_Error {
		$data = array(
			'media_status' => $rc,
			'file'         => $file,
		);
		return new \WP_Error( $code, $what . ( '' !== $lib_message ? ': ' . $lib_message : '' ), $data );
	}

	/** WP_Error for "the library is not usable here". */
	private static function unavailable( string $code, ?string $file = null ): \WP_Error {
		$s = self::status();
		return self::error( $code, 'The Witsper media library is not available', -1, (string) ( $s['message'] ?? $s['reason'] ), $file );
	}

	/**
	 * Library calls made in this process, by operation (open, make_sizes, ...): tests and
	 * the bench check the fast paths with it (one make_sizes per upload).
	 *
	 * @var int[]
	 */
	private static $calls = array();

	/** The counts of self::$calls. */
	public static function calls(): array {
		return self::$calls;
	}

	/** Runs $fn with the FFI object and a wm_error; maps \Throwable to WP_Error. */
	private static function call( string $code, ?string $file, callable $fn, string $op = 'other' ) {
		self::$calls[ $op ] = ( self::$calls[ $op ] ?? 0 ) + 1;
		if ( ! self::available() ) {
			return self::unavailable( $code, $file );
		}
		try {
			return $fn( self::$ffi, self::$ffi->new( 'wm_error' ) );
		} catch ( \Throwable $e ) {
			return self::error( $code, 'FFI call failed', -2, $e->getMessage(), $file );
		}
	}

	/**
	 * The WordPress error code for a library status when opening an image.
	 *
	 * @param int $rc wm_status.
	 */
	public static function open_error_code( int $rc ): string {
		switch ( $rc ) {
			case self::E_TOO_LARGE:
				return 'image_too_large';
			case self::E_IO:
				return 'error_loading_image';
			case self::E_UNSUPPORTED:
			case self::E_DECODE:
			case self::E_ARGUMENT:
				return 'invalid_image';
			default:
				return 'image_editor_error';
		}
	}

	/**
	 * Opens an image (header only).
	 *
	 * @param string $path  File.
	 * @param int    $flags 0 or WM_OPEN_FULL_DECODE (1).
	 * @return array|\WP_Error ['handle' => CData, 'info' => [width, height, orientation, bands,
	 *                         has_alpha, pages, mime]].
	 */
	public static function open( string $path, int $flags = 0 ) {
		return self::call(
			'invalid_image',
			$path,
			static function ( $ffi, $err ) use ( $path, $flags ) {
				$out  = $ffi->new( 'wm_image *' );
				$info = $ffi->new( 'wm_info' );
				$rc   = (int) $ffi->wm_open( $path, strlen( $path ), $flags, \FFI::addr( $out ), \FFI::addr( $info ), \FFI::addr( $err ) );
				if ( 0 !== $rc ) {
					if ( ! \FFI::isNull( $out ) ) {
						$ffi->wm_close( $out );
					}
					$what = self::E_TOO_LARGE === $rc ? 'The image is too large to be processed' : 'File is not an image that can be read';
					return self::error( self::open_error_code( $rc ), $what, $rc, self::message( $err, $rc ), $path );
				}
				return array(
					'handle' => $out,
					'info'   => array(
						'width'       => (int) $info->width,
						'height'      => (int) $info->height,
						'orientation' => (int) $info->orientation,
						'bands'       => (int) $info->bands,
						'has_alpha'   => (bool) $info->has_alpha,
						'pages'       => (int) $info->pages,
						'mime'        => \FFI::string( $info->mime ),
					),
				);
			},
			'open'
		);
	}

	/**
	 * Frees a handle from open(). Never throws.
	 *
	 * @param object|null $handle wm_image * CData.
	 */
	public static function close( $handle ): void {
		if ( null === $handle || null === self::$ffi ) {
			return;
		}
		try {
			self::$ffi->wm_close( $handle );
		} catch ( \Throwable $e ) { // phpcs:ignore Generic.CodeAnalysis.EmptyStatement.DetectedCatch -- nothing to do: closing must not fail the caller.
		}
	}

	/**
	 * The current size of a handle.
	 *
	 * @param object $handle wm_image * CData.
	 * @return int[]|\WP_Error [width, height].
	 */
	public static function size_of( $handle ) {
		return self::call(
			'image_editor_error',
			null,
			static function ( $ffi ) use ( $handle ) {
				$w  = $ffi->new( 'int' );
				$h  = $ffi->new( 'int' );
				$rc = (int) $ffi->wm_size_of( $handle, \FFI::addr( $w ), \FFI::addr( $h ) );
				if ( 0 !== $rc ) {
					return self::error( 'image_editor_error', 'Could not read the image size', $rc, '' );
				}
				return array( (int) $w->cdata, (int) $h->cdata );
			},
			'size_of'
		);
	}

	/**
	 * Replaces the current image by its region resized to $dst_w x $dst_h.
	 *
	 * @return true|\WP_Error
	 */
	public static function crop_resize( $handle, int $x, int $y, int $w, int $h, int $dst_w, int $dst_h, string $code = 'image_resize_error' ) {
		return self::call(
			$code,
			null,
			static function ( $ffi, $err ) use ( $handle, $x, $y, $w, $h, $dst_w, $dst_h, $code ) {
				$rc = (int) $ffi->wm_crop_resize( $handle, $x, $y, $w, $h, $dst_w, $dst_h, \FFI::addr( $err ) );
				return 0 === $rc ? true : self::error( $code, 'Image resize failed', $rc, self::message( $err, $rc ) );
			},
			'crop_resize'
		);
	}

	/**
	 * Rotates counter-clockwise by 90, 180 or 270 degrees.
	 *
	 * @return true|\WP_Error
	 */
	public static function rotate( $handle, int $angle ) {
		return self::call(
			'image_rotate_error',
			null,
			static function ( $ffi, $err ) use ( $handle, $angle ) {
				$rc = (int) $ffi->wm_rotate( $handle, $angle, \FFI::addr( $err ) );
				return 0 === $rc ? true : self::error( 'image_rotate_error', 'Image rotate failed', $rc, self::message( $err, $rc ) );
			},
			'rotate'
		);
	}

	/**
	 * Flips, with WP_Image_Editor::flip()'s arguments.
	 *
	 * @return true|\WP_Error
	 */
	public static function flip( $handle, bool $horz, bool $vert ) {
		return self::call(
			'image_flip_error',
			null,
			static function ( $ffi, $err ) use ( $handle, $horz, $vert ) {
				$rc = (int) $ffi->wm_flip( $handle, $horz ? 1 : 0, $vert ? 1 : 0, \FFI::addr( $err ) );
				return 0 === $rc ? true : self::error( 'image_flip_error', 'Image flip failed', $rc, self::message( $err, $rc ) );
			},
			'flip'
		);
	}

	/**
	 * Saves the current image.
	 *
	 * @return array|\WP_Error ['width', 'height', 'bytes'].
	 */
	public static function save( $handle, string $path, string $mime, int $quality ) {
		return self::call(
			'image_save_error',
			$path,
			static function ( $ffi, $err ) use ( $handle, $path, $mime, $quality ) {
				$res = $ffi->new( 'wm_size' );
				$rc  = (int) $ffi->wm_save( $handle, $path, strlen( $path ), $mime, $quality, \FFI::addr( $res ), \FFI::addr( $err ) );
				if ( 0 !== $rc ) {
					return self::error( 'image_save_error', 'Image Editor Save Failed', $rc, self::message( $err, $rc ), $path );
				}
				return array(
					'width'  => (int) $res->out_w,
					'height' => (int) $res->out_h,
					'bytes'  => (int) $res->out_bytes,
				);
			},
			'save'
		);
	}

	/**
	 * Makes many sizes from the current image in one call (one decode).
	 *
	 * @param object $handle  wm_image * CData.
	 * @param array  $sizes   Each [src_x, src_y, src_w, src_h, dst_w, dst_h, path].
	 * @param string $mime    Output mime type.
	 * @param int    $quality 1..100.
	 * @return array|\WP_Error One entry per size, in order: ['status', 'width', 'height',
	 *                         'bytes'] (status 0 = made); WP_Error when the call itself failed.
	 *                         'message' is the library's message of the first failure.
	 */
	public static function make_sizes( $handle, array $sizes, string $mime, int $quality ) {
		$n = count( $sizes );
		if ( 0 === $n ) {
			return array();
		}
		return self::call(
			'image_subsize_create_error',
			null,
			static function ( $ffi, $err ) use ( $handle, $sizes, $n, $mime, $quality ) {
				$arr   = $ffi->new( "wm_size[$n]" );
				$paths = array(); // Keeps the path buffers alive during the call.
				foreach ( array_values( $sizes ) as $i => $s ) {
					$path = (string) $s[6];
					$len  = strlen( $path );
					$buf  = $ffi->new( 'char[' . ( $len + 1 ) . ']' );
					\FFI::memcpy( $buf, $path, $len );
					$paths[]             = $buf;
					$arr[ $i ]->src_x    = (int) $s[0];
					$arr[ $i ]->src_y    = (int) $s[1];
					$arr[ $i ]->src_w    = (int) $s[2];
					$arr[ $i ]->src_h    = (int) $s[3];
					$arr[ $i ]->dst_w    = (int) $s[4];
					$arr[ $i ]->dst_h    = (int) $s[5];
					$arr[ $i ]->path     = $ffi->cast( 'const char *', $buf );
					$arr[ $i ]->path_len = $len;
					$arr[ $i ]->status   = -1;
				}
				$rc      = (int) $ffi->wm_make_sizes( $handle, $arr, $n, $mime, $quality, \FFI::addr( $err ) );
				$message = 0 === $rc ? '' : self::message( $err, $rc );
				$out     = array();
				for ( $i = 0; $i < $n; ++$i ) {
					$out[] = array(
						'status'  => (int) $arr[ $i ]->status,
						'width'   => (int) $arr[ $i ]->out_w,
						'height'  => (int) $arr[ $i ]->out_h,
						'bytes'   => (int) $arr[ $i ]->out_bytes,
						'message' => $message,
						'rc'      => $rc,
					);
				}
				unset( $paths );
				return $out;
			},
			'make_sizes'
		);
	}
}
