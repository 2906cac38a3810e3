<?php
/**
 * Witsper_Image_Editor: WordPress's image editor interface on libwitsper-media (libvips).
 *
 * Registered first in `wp_image_editors` (Witsper_Plugin::filter_image_editors) on every
 * request, which costs nothing: this file is loaded, and the library looked at, only when
 * WordPress asks for an editor (_wp_image_editor_choose() calls test()). test() answers
 * from a cached self-test result (option witsper_media_selftest, autoload=no) keyed by the
 * library file, the plugin version and how this PHP may use FFI; without one it loads the
 * library, runs the self-test and stores the result. When it says no, WordPress picks GD or
 * Imagick as it would without the plugin.
 *
 * Every operation is one call into Witsper_Media (the only FFI code). The sizes arithmetic,
 * the file names, quality and output format are WordPress's own (image_resize_dimensions(),
 * generate_filename(), get_output_format(), set_quality()), so the metadata is the GD
 * editor's. EXIF orientation is left to WordPress (maybe_exif_rotate() calls rotate() and
 * flip(), as with GD).
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The editor. Instance = one image (a library handle); statics = per-request caches.
 */
class Witsper_Image_Editor extends WP_Image_Editor {
	/** wm_open flags for load(): 0 (shrink-on-load); make bench-media's naive editor sets 1. */
	const OPEN_FLAGS = 0;


	/** Option holding the self-test results (one per library/PHP context), autoload=no. */
	const OPTION_SELFTEST = 'witsper_media_selftest';

	/** Mime types the library's loaders read (the allowlist in witsper_media.h). */
	const LOADABLE = array( 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif' );

	/**
	 * The library handle (wm_image * CData), or null before load().
	 *
	 * @var object|null
	 */
	protected $handle = null;

	/**
	 * Orientation the library read from the header (1..8).
	 *
	 * @var int
	 */
	protected $orientation = 1;

	/**
	 * Sizes already made by a batch (make_subsize fast path), by "w x h x crop" key.
	 *
	 * @var array
	 */
	protected $made = array();

	/**
	 * Per-request cache of usable(): the decision and the self-test result it used.
	 *
	 * @var array|null
	 */
	private static $usable = null;

	/**
	 * Frees the library handle.
	 */
	public function __destruct() {
		$this->release();
	}

	/**
	 * Closes the handle, if any.
	 */
	protected function release(): void {
		if ( null !== $this->handle ) {
			Witsper_Media::close( $this->handle );
			$this->handle = null;
		}
		$this->made = array();
	}

	// ------------------------------------------------------------------ availability ---

	/**
	 * Whether this editor can be used in this PHP: not disabled, the library there and the
	 * self-test passed (cached). WordPress calls this from _wp_image_editor_choose().
	 *
	 * @param array $args Arguments WordPress passes (mime_type, methods, path).
	 * @return bool
	 */
	public static function test( $args = array() ) {
		try {
			return null === self::why_not();
		} catch ( \Throwable $e ) {
			return false;
		}
	}

	/**
	 * Whether the editor supports a mime type: the library's loaders, and what it can write
	 * (wm_savable(), from the cached self-test).
	 *
	 * @param string $mime_type Mime type.
	 * @return bool
	 */
	public static function supports_mime_type( $mime_type ) {
		try {
			$st = self::usable()['selftest'];
		} catch ( \Throwable $e ) {
			return false;
		}
		$savable = is_array( $st ) ? (array) ( $st['savable'] ?? array() ) : array();
		return in_array( $mime_type, self::LOADABLE, true ) || in_array( $mime_type, $savable, true );
	}

	/**
	 * Why the editor is not used in this PHP, or null when it is.
	 *
	 * @return array|null ['code' => reason code, 'detail' => the library's or self-test's words].
	 */
	public static function why_not(): ?array {
		return self::usable()['why'];
	}

	/**
	 * The decision, once per request: no FFI when a valid self-test result is stored.
	 *
	 * @param bool $force Run the self-test again now.
	 * @return array ['why' => ?array, 'selftest' => ?array]
	 */
	public static function usable( bool $force = false ): array {
		if ( null !== self::$usable && ! $force ) {
			return self::$usable;
		}
		if ( defined( 'WITSPER_MEDIA_DISABLE' ) && WITSPER_MEDIA_DISABLE ) {
			self::$usable = array(
				'why'      => array(
					'code'   => 'media-disabled',
					'detail' => null,
				),
				'selftest' => null,
			);
			return self::$usable;
		}
		$key    = self::context_key();
		$stored = $force ? null : self::stored_selftest( $key );
		if ( null === $stored ) {
			$stored = self::run_selftest();
			self::store_selftest( $key, $stored );
		}
		if ( 'pass' === $stored['status'] ) {
			$why = null;
		} else {
			$why = array(
				'code'   => (string) $stored['reason'],
				'detail' => $stored['message'] ?? null,
			);
		}
		self::$usable = array(
			'why'      => $why,
			'selftest' => $stored,
		);
		return self::$usable;
	}

	/**
	 * Forgets this request's decision (tests; after the stored result changed).
	 */
	public static function reset(): void {
		self::$usable = null;
	}

	/**
	 * What a stored self-test result is valid for: the library file (path, size, mtime), the
	 * plugin version, and how this PHP may use FFI (SAPI, ffi.enable, whether Witsper_Media
	 * was preloaded). A CLI result never stands for php-fpm's workers, nor the reverse.
	 */
	public static function context_key(): string {
		$lib   = Witsper_Media::library_path();
		$stat  = @stat( $lib ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- a missing file is a valid state.
		$parts = array(
			defined( 'WITSPER_PLUGIN_VERSION' ) ? WITSPER_PLUGIN_VERSION : '',
			$lib,
			$stat ? $stat['size'] . '@' . $stat['mtime'] : 'nofile',
			PHP_SAPI,
			extension_loaded( 'ffi' ) ? Witsper_FFI::ffi_enable() : 'no-ffi',
			defined( 'WITSPER_MEDIA_PRELOADED' ) && WITSPER_MEDIA_PRELOADED ? 'preloaded' : 'not-preloaded',
			wp_json_encode( Witsper_Media::config() ),
		);
		return md5( implode( '|', $parts ) );
	}

	/**
	 * The stored self-test result for $key, or null.
	 *
	 * @param string $key context_key().
	 */
	public static function stored_selftest( string $key ): ?array {
		$all = self::all_stored();
		return isset( $all[ $key ] ) && is_array( $all[ $key ] ) ? $all[ $key ] : null;
	}

	/**
	 * Every stored self-test result (one per PHP context).
	 */
	public static function all_stored(): array {
		$all = is_multisite() ? get_site_option( self::OPTION_SELFTEST ) : get_option( self::OPTION_SELFTEST );
		return is_array( $all ) ? $all : array();
	}

	/**
	 * Stores a self-test result; keeps at most 8 contexts (CLI, php-fpm, tests ...).
	 *
	 * @param string $key    context_key().
	 * @param array  $result run_selftest().
	 */
	public static function store_selftest( string $key, array $result ): void {
		$all = self::all_stored();
		unset( $all[ $key ] );
		$all[ $key ] = $result;
		$all         = array_slice( $all, -8, null, true );
		if ( is_multisite() ) {
			update_site_option( self::OPTION_SELFTEST, $all );
		} else {
			// Not autoloaded: only requests that ask for an image editor read it.
			update_option( self::OPTION_SELFTEST, $all, false );
		}
	}

	/**
	 * Removes every stored result (deactivation, tests).
	 */
	public static function delete_selftest(): void {
		delete_option( self::OPTION_SELFTEST );
		if ( is_multisite() ) {
			delete_site_option( self::OPTION_SELFTEST );
		}
		self::reset();
	}

	/**
	 * The self-test: loads the library in this process, makes two sizes (a scaled one and
	 * a cropped one) of a small generated JPEG into a temporary folder and compares their
	 * dimensions with what was asked, and checks that a truncated copy is refused with an
	 * error (not a crash, not a grey image).
	 *
	 * @return array{status:string,reason:?string,message:?string,time:int,version:?string,
	 *               vips_version:?string,threads:int,savable:string[],library:string,ms:float}
	 */
	public static function run_selftest(): array {
		$t0     = microtime( true );
		$status = Witsper_Media::status();
		$base   = array(
			'time'         => time(),
			'version'      => $status['version'],
			'vips_version' => $status['vips_version'],
			'threads'      => (int) $status['threads'],
			'savable'      => $status['savable'],
			'library'      => (string) ( $status['library'] ?? Witsper_Media::library_path() ),
			'mode'         => $status['mode'],
		);
		$fail   = static function ( string $reason, ?string $message ) use ( $base, $t0 ) {
			return array(
				'status'  => 'fail',
				'reason'  => $reason,
				'message' => $message,
				'ms'      => round( ( microtime( true ) - $t0 ) * 1000, 1 ),
			) + $base;
		};
		if ( ! $status['available'] ) {
			return $fail( (string) $status['reason'], $status['message'] );
		}
		$dir = trailingslashit( get_temp_dir() ) . 'witsper-media-selftest-' . getmypid() . '-' . wp_generate_password( 6, false );
		if ( ! wp_mkdir_p( $dir ) ) {
			return $fail( 'selftest-failed', 'Cannot create a temporary folder in ' . get_temp_dir() );
		}
		try {
			$src = $dir . '/src.jpg';
			file_put_contents( $src, base64_decode( self::SELFTEST_JPEG ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions -- a temporary file of our own.
			$problem = self::selftest_images( $src, $dir );
		} catch ( \Throwable $e ) {
			$problem = 'Self-test crashed: ' . $e->getMessage();
		}
		foreach ( (array) glob( $dir . '/*' ) as $f ) {
			@unlink( $f ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort cleanup.
		}
		@rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort cleanup.
		if ( null !== $problem ) {
			return $fail( 'selftest-failed', $problem );
		}
		return array(
			'status'  => 'pass',
			'reason'  => null,
			'message' => null,
			'ms'      => round( ( microtime( true ) - $t0 ) * 1000, 1 ),
		) + $base;
	}

	/**
	 * The checks of the self-test; null when all passed, else what went wrong.
	 *
	 * @param string $src A 96x64 JPEG.
	 * @param string $dir Temporary folder.
	 */
	private static function selftest_images( string $src, string $dir ): ?string {
		$img = Witsper_Media::open( $src );
		if ( is_wp_error( $img ) ) {
			return 'open: ' . $img->get_error_message();
		}
		try {
			$info = $img['info'];
			if ( 96 !== $info['width'] || 64 !== $info['height'] || 'image/jpeg' !== $info['mime'] ) {
				return sprintf( 'header read as %dx%d %s, expected 96x64 image/jpeg', $info['width'], $info['height'], $info['mime'] );
			}
			$want = array(
				array( 0, 0, 96, 64, 48, 32, $dir . '/a-48x32.jpg' ),
				array( 16, 0, 64, 64, 20, 20, $dir . '/b-20x20.jpg' ),
			);
			$made = Witsper_Media::make_sizes( $img['handle'], $want, 'image/jpeg', 82 );
			if ( is_wp_error( $made ) ) {
				return 'make sizes: ' . $made->get_error_message();
			}
			foreach ( $want as $i => $w ) {
				$got = function_exists( 'wp_getimagesize' ) ? wp_getimagesize( $w[6] ) : @getimagesize( $w[6] ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- a missing file is reported below.
				if ( 0 !== $made[ $i ]['status'] || ! $got || $got[0] !== $w[4] || $got[1] !== $w[5] ) {
					return sprintf( 'size %dx%d: status %d, file %s', $w[4], $w[5], $made[ $i ]['status'], $got ? $got[0] . 'x' . $got[1] : 'missing' );
				}
			}
		} finally {
			Witsper_Media::close( $img['handle'] );
		}
		// A truncated copy must be an error, never a crash or a grey image.
		$cut   = $dir . '/cut.jpg';
		$bytes = (string) file_get_contents( $src ); // phpcs:ignore WordPress.WP.AlternativeFunctions -- our own temporary file.
		file_put_contents( $cut, substr( $bytes, 0, (int) ( strlen( $bytes ) * 0.7 ) ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions -- a temporary file of our own.
		$img = Witsper_Media::open( $cut );
		if ( ! is_wp_error( $img ) ) {
			$made = Witsper_Media::make_sizes( $img['handle'], array( array( 0, 0, 96, 64, 48, 32, $dir . '/cut-48x32.jpg' ) ), 'image/jpeg', 82 );
			Witsper_Media::close( $img['handle'] );
			if ( ! is_wp_error( $made ) && 0 === $made[0]['status'] ) {
				return 'a truncated JPEG was decoded without an error';
			}
		}
		return null;
	}

	/** A 96x64 JPEG (generated, no metadata): the self-test's input. */
	const SELFTEST_JPEG = '/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBxdWFsaXR5ID0gODUK/9sAQwAFAwQEBAMFBAQEBQUFBgcMCAcHBwcPCwsJDBEPEhIRDxERExYcFxMUGhURERghGBodHR8fHxMXIiQiHiQcHh8e/9sAQwEFBQUHBgcOCAgOHhQRFB4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4e/8AAEQgAQABgAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8A+W47T2qzHaY7VrR2mO1TR2ntX6xLFcp4tDGGZHae1WY7T2rWjtPapo7T2rSWK5T2KGMMyO09qsx2ntWvHae1TR2ntWssVynr0MYZcdpjtVmO09q147T2qaO0x2rSWK5T2KGMMyO09qsx2ntWtHae1TR2ntWksVynr0MYZkdp7VZjtPataO09qnjtPatJYrlPYoYw89jtParMdp7VrR2ntU0dp7V8rLFcp/LlDGGMlp7VZjtPateO09qmjtMdq8qWK5T3KGMKMdpjtVmO09q147T2qaO0x2r3ZYrlPToYwxY7T2q1Hae1a0dp7VNHae1eVLFcp7lDGFGO09qtR2ntWtHae1TR2ntXvSxXKenQxhjR2mO1WY7T2rXjtPapo7T2ryZYrlPcoYw4OO09qsx2ntWtHae1Tx2ntXnyxXKfyxQxhlx2mO1WY7T2rWjtPap47THatJYrlPYoYwwI7T2qzHae1a0dp7VNHae1fISxXKfQUMYZkdp7VZjtPataO09qnjtMdq0liuU9ehjCvHae1WY7T2rWjtPapo7T2r7iWK5TvoYwzI7THarMdp7VrR2ntU8dp7VpLFcp7FDGHnsdpjtVmO09q1o7T2qeO0x2r5WWK5T+XKGMMWO09qsx2ntWvHae1TR2ntXkyxXKe5QxhjR2ntVmO09q1o7T2qaO0x2rypYrlPcoYwxo7T2qzHae1a0dp7VPHae1eVLFcp7dDGDY7THarMdp7VrR2ntU0dp7V+oSxXKddDGGNHae1WY7THateO0x2qaO09q8qWK5T3KGMP/Z';

	// ----------------------------------------------------------------- the interface ---

	/**
	 * Opens the image (header only: limits, loader, size, orientation).
	 *
	 * @return true|WP_Error
	 */
	public function load() {
		if ( null !== $this->handle ) {
			return true;
		}
		if ( ! is_file( $this->file ) ) {
			return new WP_Error( 'error_loading_image', __( 'File does not exist?' ), $this->file ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string, as GD's editor says it.
		}
		if ( ! Witsper_Media::available() ) {
			// A stored "pass" that does not hold in this process (the library went away, or
			// this worker may not load it): record the failure, so the next request that asks
			// for an editor gets GD or Imagick; this one gets the library's reason.
			self::store_selftest( self::context_key(), self::run_selftest() );
			self::$usable = null;
		}
		$opened = Witsper_Media::open( $this->file, static::OPEN_FLAGS );
		if ( is_wp_error( $opened ) ) {
			return $opened;
		}
		$this->handle      = $opened['handle'];
		$this->orientation = $opened['info']['orientation'];
		$this->update_size( $opened['info']['width'], $opened['info']['height'] );
		$this->mime_type = $opened['info']['mime'];
		return $this->set_quality();
	}

	/**
	 * Sets the size from the library when no size is given.
	 *
	 * @param int|null $width  Width.
	 * @param int|null $height Height.
	 * @return true
	 */
	protected function update_size( $width = null, $height = null ) {
		if ( ( ! $width || ! $height ) && null !== $this->handle ) {
			$size = Witsper_Media::size_of( $this->handle );
			if ( ! is_wp_error( $size ) ) {
				$width  = $width ? $width : $size[0];
				$height = $height ? $height : $size[1];
			}
		}
		$this->made = array();
		return parent::update_size( $width, $height );
	}

	/**
	 * Resizes the current image (WordPress's image_resize_dimensions()).
	 *
	 * @param int|null   $max_w Width.
	 * @param int|null   $max_h Height.
	 * @param bool|array $crop  Crop.
	 * @return true|WP_Error
	 */
	public function resize( $max_w, $max_h, $crop = false ) {
		if ( ( $this->size['width'] == $max_w ) && ( $this->size['height'] == $max_h ) ) { // phpcs:ignore WordPress.PHP.StrictComparisons -- as WordPress's GD editor compares.
			return true;
		}
		$dims = $this->dimensions( $max_w, $max_h, $crop );
		if ( is_wp_error( $dims ) ) {
			return $dims;
		}
		list( $src_x, $src_y, $src_w, $src_h, $dst_w, $dst_h ) = $dims;
		$done = Witsper_Media::crop_resize( $this->handle, $src_x, $src_y, $src_w, $src_h, $dst_w, $dst_h );
		if ( is_wp_error( $done ) ) {
			return $done;
		}
		$this->update_size( $dst_w, $dst_h );
		return true;
	}

	/**
	 * The rectangle and target size of a resize, from WordPress's own arithmetic.
	 *
	 * @param int|null   $max_w Width.
	 * @param int|null   $max_h Height.
	 * @param bool|array $crop  Crop.
	 * @return int[]|WP_Error [src_x, src_y, src_w, src_h, dst_w, dst_h]
	 */
	protected function dimensions( $max_w, $max_h, $crop ) {
		$dims = image_resize_dimensions( $this->size['width'], $this->size['height'], $max_w, $max_h, $crop );
		if ( ! $dims ) {
			return new WP_Error( 'error_getting_dimensions', __( 'Could not calculate resized image dimensions' ), $this->file ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
		}
		list( , , $src_x, $src_y, $dst_w, $dst_h, $src_w, $src_h ) = $dims;
		return array( (int) $src_x, (int) $src_y, (int) $src_w, (int) $src_h, (int) $dst_w, (int) $dst_h );
	}

	/**
	 * Makes many sizes from the current image in one library call; returns what GD's
	 * multi_resize() returns: the metadata of each size made, by size name (sizes that
	 * cannot be made, e.g. larger than the image, are left out).
	 *
	 * @param array $sizes Size name => ['width', 'height', 'crop'].
	 * @return array
	 */
	public function multi_resize( $sizes ) {
		$made = $this->make_many( (array) $sizes );
		return array_filter(
			$made,
			static function ( $meta ) {
				return ! is_wp_error( $meta );
			}
		);
	}

	/**
	 * Makes one size and returns its metadata (file, width, height, mime-type, filesize).
	 * When WordPress announced the sizes it is about to make (upload, regenerate), the first
	 * call makes all of them at once and the next calls return what was made.
	 *
	 * @param array $size_data ['width', 'height', 'crop'].
	 * @return array|WP_Error
	 */
	public function make_subsize( $size_data ) {
		if ( ! isset( $size_data['width'] ) && ! isset( $size_data['height'] ) ) {
			return new WP_Error( 'image_subsize_create_error', __( 'Cannot resize the image. Both width and height are not set.' ) ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
		}
		$key = self::size_key( $size_data );
		if ( isset( $this->made[ $key ] ) ) {
			$meta = $this->made[ $key ];
			unset( $this->made[ $key ] );
			return $meta;
		}
		$batch   = array( $key => $size_data );
		$planned = Witsper_Plugin::take_planned_sizes( (string) $this->file );
		if ( is_array( $planned ) ) {
			$keys = array();
			foreach ( $planned as $data ) {
				if ( is_array( $data ) ) {
					$keys[ self::size_key( $data ) ] = $data;
				}
			}
			if ( isset( $keys[ $key ] ) ) {
				// The whole announced list, this size first (its key wins a duplicate).
				$batch = array( $key => $size_data ) + $keys;
			}
		}
		$made = $this->make_many( $batch );
		$meta = $made[ $key ];
		unset( $made[ $key ] );
		foreach ( $made as $k => $m ) {
			if ( ! is_wp_error( $m ) ) {
				$this->made[ $k ] = $m;
			}
		}
		return $meta;
	}

	/**
	 * A size's identity: the same width, height and crop make the same file.
	 *
	 * @param array $size_data ['width', 'height', 'crop'].
	 */
	public static function size_key( $size_data ): string {
		return wp_json_encode(
			array(
				isset( $size_data['width'] ) ? (int) $size_data['width'] : null,
				isset( $size_data['height'] ) ? (int) $size_data['height'] : null,
				isset( $size_data['crop'] ) ? $size_data['crop'] : false,
			)
		);
	}

	/**
	 * Makes sizes (name => size data) in as few library calls as the output formats allow
	 * (normally one). Returns name => metadata or WP_Error, in the order given.
	 *
	 * @param array $sizes Size name => ['width', 'height', 'crop'].
	 * @return array
	 */
	protected function make_many( array $sizes ): array {
		if ( null === $this->handle ) {
			return array_map(
				static function () {
					return new WP_Error( 'image_editor_error', 'The image is not loaded (call load() first).' );
				},
				$sizes
			);
		}
		$orig_size = $this->size;
		$result    = array();
		$groups    = array(); // "mime|quality" => [ [name, src/dst..., path, final path] ].
		$by_path   = array(); // A path made once serves every size with the same name.
		foreach ( $sizes as $name => $size_data ) {
			if ( ! is_array( $size_data ) || ( ! isset( $size_data['width'] ) && ! isset( $size_data['height'] ) ) ) {
				$result[ $name ] = new WP_Error( 'image_subsize_create_error', __( 'Cannot resize the image. Both width and height are not set.' ) ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
				continue;
			}
			$dims = $this->dimensions( $size_data['width'] ?? null, $size_data['height'] ?? null, $size_data['crop'] ?? false );
			if ( is_wp_error( $dims ) ) {
				$result[ $name ] = $dims;
				continue;
			}
			// The file name and format exactly as GD's _save() computes them: the suffix is
			// the new size, the output format and quality are WordPress's.
			$this->size                          = array(
				'width'  => $dims[4],
				'height' => $dims[5],
			);
			list( $filename, $extension, $mime ) = $this->get_output_format( null, null );
			$filename                            = $this->generate_filename( null, null, $extension );
			$quality                             = (int) $this->get_quality();
			$this->size                          = $orig_size;
			$result[ $name ]                     = null;
			if ( isset( $by_path[ $filename ] ) ) {
				$by_path[ $filename ][] = $name;
				continue;
			}
			$by_path[ $filename ]               = array( $name );
			$groups[ $mime . '|' . $quality ][] = array_merge( $dims, array( $filename, $mime ) );
		}
		$this->size = $orig_size;

		foreach ( $groups as $group => $items ) {
			list( $mime, $quality ) = explode( '|', $group );
			$specs                  = array();
			$temps                  = array();
			foreach ( $items as $i => $it ) {
				// The library writes local files: a stream (wp_is_stream) gets a copy after.
				$target = $it[6];
				if ( wp_is_stream( $target ) ) {
					$target      = self::temp_path( $it[6] );
					$temps[ $i ] = $target;
				}
				$specs[] = array( $it[0], $it[1], $it[2], $it[3], $it[4], $it[5], $target );
			}
			$made = Witsper_Media::make_sizes( $this->handle, $specs, $mime, (int) $quality );
			foreach ( $items as $i => $it ) {
				$filename = $it[6];
				if ( is_wp_error( $made ) ) {
					$meta = $made;
				} elseif ( 0 !== $made[ $i ]['status'] ) {
					$meta = self::size_error( $made[ $i ]['status'], $made[ $i ]['message'], $filename );
				} elseif ( $made[ $i ]['width'] !== $it[4] || $made[ $i ]['height'] !== $it[5] ) {
					$meta = new WP_Error( 'image_resize_error', sprintf( 'The library made %dx%d instead of %dx%d.', $made[ $i ]['width'], $made[ $i ]['height'], $it[4], $it[5] ) );
				} else {
					$meta = $this->finish_file( isset( $temps[ $i ] ) ? $temps[ $i ] : null, $filename, $it[4], $it[5], $mime );
				}
				if ( isset( $temps[ $i ] ) && is_file( $temps[ $i ] ) ) {
					@unlink( $temps[ $i ] ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort.
				}
				if ( ! is_wp_error( $meta ) ) {
					unset( $meta['path'] );
				}
				foreach ( $by_path[ $filename ] as $name ) {
					$result[ $name ] = $meta;
				}
			}
		}
		return $result;
	}

	/**
	 * The WP_Error of a size the library could not make: a file that turns out corrupt or
	 * too large while decoding is the image's fault (invalid_image, image_too_large), not
	 * the save's.
	 *
	 * @param int    $status   wm_status of the size.
	 * @param string $message  The library's message.
	 * @param string $filename The size's file.
	 */
	protected static function size_error( int $status, string $message, string $filename ): WP_Error {
		$data = array(
			'media_status' => $status,
			'file'         => $filename,
		);
		if ( Witsper_Media::E_DECODE === $status || Witsper_Media::E_UNSUPPORTED === $status ) {
			return new WP_Error( 'invalid_image', 'The image could not be decoded' . ( '' !== $message ? ': ' . $message : '' ), $data );
		}
		if ( Witsper_Media::E_TOO_LARGE === $status ) {
			return new WP_Error( 'image_too_large', 'The image is too large to be processed' . ( '' !== $message ? ': ' . $message : '' ), $data );
		}
		return new WP_Error( 'image_save_error', __( 'Image Editor Save Failed' ) . ( '' !== $message ? ': ' . $message : '' ), $data ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
	}

	/**
	 * After the library wrote a file: copy a temporary to its stream, set the permissions
	 * like GD's editor, and build the metadata array GD's _save() returns.
	 *
	 * @param string|null $temp     Temporary file to copy to $filename, or null.
	 * @param string      $filename Final file.
	 * @param int         $width    Width.
	 * @param int         $height   Height.
	 * @param string      $mime     Mime type.
	 * @return array|WP_Error
	 */
	protected function finish_file( ?string $temp, string $filename, int $width, int $height, string $mime ) {
		if ( null !== $temp && ! @copy( $temp, $filename ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- reported as WP_Error.
			return new WP_Error( 'image_save_error', __( 'Image Editor Save Failed' ) ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
		}
		if ( null === $temp ) {
			// Same permissions as the parent folder, without the executable bits (as GD).
			$stat = @stat( dirname( $filename ) ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- as WordPress.
			if ( $stat ) {
				@chmod( $filename, $stat['mode'] & 0000666 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- as WordPress.
			}
		}
		return array(
			'path'      => $filename,
			/** This filter is documented in wp-includes/class-wp-image-editor-gd.php */
			'file'      => wp_basename( apply_filters( 'image_make_intermediate_size', $filename ) ),
			'width'     => $width,
			'height'    => $height,
			'mime-type' => $mime,
			'filesize'  => wp_filesize( $filename ),
		);
	}

	/**
	 * Crops (and scales) the current image.
	 *
	 * @param int  $src_x   Left.
	 * @param int  $src_y   Top.
	 * @param int  $src_w   Width (or right when $src_abs).
	 * @param int  $src_h   Height (or bottom when $src_abs).
	 * @param int  $dst_w   Target width.
	 * @param int  $dst_h   Target height.
	 * @param bool $src_abs Whether $src_w/$src_h are absolute coordinates.
	 * @return true|WP_Error
	 */
	public function crop( $src_x, $src_y, $src_w, $src_h, $dst_w = null, $dst_h = null, $src_abs = false ) {
		if ( ! $dst_w ) {
			$dst_w = $src_w;
		}
		if ( ! $dst_h ) {
			$dst_h = $src_h;
		}
		foreach ( array( $src_w, $src_h, $dst_w, $dst_h ) as $value ) {
			if ( ! is_numeric( $value ) || (int) $value <= 0 ) {
				return new WP_Error( 'image_crop_error', __( 'Image crop failed.' ), $this->file ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
			}
		}
		if ( $src_abs ) {
			$src_w -= $src_x;
			$src_h -= $src_y;
		}
		$x = max( 0, (int) $src_x );
		$y = max( 0, (int) $src_y );
		// A rectangle that overruns the image by rounding (the media modal's cropper) is
		// clipped to it; one that lies outside is an error.
		$w = min( (int) $src_w, (int) $this->size['width'] - $x );
		$h = min( (int) $src_h, (int) $this->size['height'] - $y );
		if ( $w <= 0 || $h <= 0 ) {
			return new WP_Error( 'image_crop_error', __( 'Image crop failed.' ), $this->file ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
		}
		$done = Witsper_Media::crop_resize( $this->handle, $x, $y, $w, $h, (int) $dst_w, (int) $dst_h, 'image_crop_error' );
		if ( is_wp_error( $done ) ) {
			return $done;
		}
		$this->update_size( (int) $dst_w, (int) $dst_h );
		return true;
	}

	/**
	 * Rotates counter-clockwise by a multiple of 90 degrees.
	 *
	 * @param float $angle Degrees.
	 * @return true|WP_Error
	 */
	public function rotate( $angle ) {
		$a = (int) round( (float) $angle );
		if ( 0 !== $a % 90 ) {
			return new WP_Error( 'image_rotate_error', __( 'Image rotate failed.' ) . ' ' . sprintf( 'Only multiples of 90 degrees, not %s.', $angle ), $this->file ); // phpcs:ignore WordPress.WP.I18n.MissingArgDomain -- WordPress's own string.
		}
		$a = ( ( $a % 360 ) + 360 ) % 360;
		if ( 0 === $a ) {
			return true;
		}
		$done = Witsper_Media::rotate( $this->handle, $a );
		if ( is_wp_error( $done ) ) {
			return $done;
		}
		if ( 180 !== $a ) {
			$this->update_size( $this->size['height'], $this->size['width'] );
		} else {
			$this->made = array();
		}
		return true;
	}

	/**
	 * Flips the current image (WordPress's arguments: $horz flips top to bottom).
	 *
	 * @param bool $horz Flip along the horizontal axis.
	 * @param bool $vert Flip along the vertical axis.
	 * @return true|WP_Error
	 */
	public function flip( $horz, $vert ) {
		$done = Witsper_Media::flip( $this->handle, (bool) $horz, (bool) $vert );
		if ( is_wp_error( $done ) ) {
			return $done;
		}
		$this->made = array();
		return true;
	}

	/**
	 * Saves the current image.
	 *
	 * @param string|null $destfilename File, or null for a generated name.
	 * @param string|null $mime_type    Mime type, or null for the output format.
	 * @return array|WP_Error path, file, width, height, mime-type, filesize.
	 */
	public function save( $destfilename = null, $mime_type = null ) {
		list( $filename, $extension, $mime_type ) = $this->get_output_format( $destfilename, $mime_type );
		if ( ! $filename ) {
			$filename = $this->generate_filename( null, null, $extension );
		}
		$temp   = wp_is_stream( $filename ) ? self::temp_path( $filename ) : null;
		$target = null === $temp ? $filename : $temp;
		$done   = Witsper_Media::save( $this->handle, $target, $mime_type, (int) $this->get_quality() );
		if ( is_wp_error( $done ) ) {
			if ( null !== $temp ) {
				@unlink( $temp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort.
			}
			return $done;
		}
		$saved = $this->finish_file( $temp, $filename, (int) $this->size['width'], (int) $this->size['height'], $mime_type );
		if ( null !== $temp ) {
			@unlink( $temp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort.
		}
		if ( ! is_wp_error( $saved ) ) {
			$this->file      = $saved['path'];
			$this->mime_type = $saved['mime-type'];
		}
		return $saved;
	}

	/**
	 * A new local temporary file name with the extension of $name (the library may look at
	 * it), for results that go to a stream or to the browser.
	 *
	 * @param string $name A file name.
	 */
	protected static function temp_path( string $name ): string {
		$tmp = wp_tempnam( wp_basename( $name ) );
		@unlink( $tmp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- only its unique name is used.
		$ext = strtolower( (string) pathinfo( $name, PATHINFO_EXTENSION ) );
		return $tmp . ( '' === $ext ? '' : '.' . $ext );
	}

	/**
	 * Sends the current image to the browser.
	 *
	 * @param string|null $mime_type Mime type.
	 * @return bool
	 */
	public function stream( $mime_type = null ) {
		list( , $ext, $mime_type ) = $this->get_output_format( null, $mime_type );
		$temp                      = self::temp_path( 'witsper-stream.' . $ext );
		$done                      = Witsper_Media::save( $this->handle, $temp, $mime_type, (int) $this->get_quality() );
		if ( is_wp_error( $done ) ) {
			@unlink( $temp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort.
			return false;
		}
		if ( ! headers_sent() ) {
			header( 'Content-Type: ' . $mime_type );
		}
		$ok = false !== readfile( $temp ); // phpcs:ignore WordPress.WP.AlternativeFunctions -- streaming our own temporary file.
		@unlink( $temp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort.
		return $ok;
	}

	/**
	 * WordPress's output format, except that a format the library can read but not write
	 * (HEIC without an encoder, ...) is saved as the source's format or JPEG.
	 *
	 * @param string|null $filename  File.
	 * @param string|null $mime_type Mime type.
	 * @return array [filename, extension, mime type]
	 */
	protected function get_output_format( $filename = null, $mime_type = null ) {
		$out     = parent::get_output_format( $filename, $mime_type );
		$savable = (array) ( self::usable()['selftest']['savable'] ?? array() );
		if ( $savable && ! in_array( $out[2], $savable, true ) ) {
			$fallback = in_array( $this->mime_type, $savable, true ) ? $this->mime_type : $this->default_mime_type;
			$out      = parent::get_output_format( $filename, $fallback );
			if ( ! $filename && $out[2] !== $this->mime_type ) {
				$out[1] = $this->get_extension( $out[2] );
			}
		}
		return $out;
	}

	/**
	 * The EXIF/HEIF orientation the library read (1..8), for callers that orient images
	 * WordPress does not (HEIC conversion).
	 */
	public function get_orientation(): int {
		return $this->orientation;
	}

	/**
	 * Applies an orientation with WordPress's own mapping (maybe_exif_rotate()).
	 *
	 * @param int $orientation 1..8.
	 * @return bool|WP_Error
	 */
	public function apply_orientation( int $orientation ) {
		$filter = static function () use ( $orientation ) {
			return $orientation;
		};
		add_filter( 'wp_image_maybe_exif_rotate', $filter, PHP_INT_MAX );
		try {
			return $this->maybe_exif_rotate();
		} finally {
			remove_filter( 'wp_image_maybe_exif_rotate', $filter, PHP_INT_MAX );
		}
	}

	// ------------------------------------------------------------------ upload checks ---

	/**
	 * Refuses a broken image before WordPress stores it: the header is read (a bomb over the
	 * pixel limit, a file lying about its type, a broken header) and the pixels are decoded
	 * at the smallest scale the format allows (a 64 px copy, thrown away: a truncated JPEG,
	 * PNG, WebP or GIF fails here). WordPress ignores an editor's errors once the attachment
	 * exists (an attachment without sizes and no word to the user); an error in the upload
	 * array is shown to the user (media library, block editor: REST and async-upload.php)
	 * and nothing is stored. Costs a reduced decode (JPEG: 1/8 scale).
	 *
	 * @param array $file The upload ($_FILES entry or sideload array).
	 * @return array The upload, with 'error' set when the image cannot be used.
	 */
	public static function check_upload( array $file ): array {
		$tmp = (string) ( $file['tmp_name'] ?? '' );
		if ( '' === $tmp || ! is_file( $tmp ) || ! self::test() ) {
			return $file;
		}
		$name   = wp_basename( (string) ( $file['name'] ?? $tmp ) );
		$editor = new self( $tmp );
		$result = $editor->load();
		if ( ! is_wp_error( $result ) ) {
			// Every pixel decoded, at most 64 px a side (a reduced decode where the format
			// has one). crop(), not resize(): WordPress's resize arithmetic refuses to
			// enlarge, and a 1x1 or 48x48 image is a usable upload.
			$size   = $editor->get_size();
			$scale  = min( 1, 64 / max( 1, $size['width'], $size['height'] ) );
			$result = $editor->crop(
				0,
				0,
				$size['width'],
				$size['height'],
				max( 1, (int) round( $size['width'] * $scale ) ),
				max( 1, (int) round( $size['height'] * $scale ) )
			);
		}
		if ( ! is_wp_error( $result ) ) {
			if ( ! function_exists( 'wp_tempnam' ) ) {
				require_once ABSPATH . 'wp-admin/includes/file.php';
			}
			$result = $editor->save( self::temp_path( 'check.png' ), 'image/png' );
		}
		$editor->release();
		if ( is_array( $result ) && isset( $result['path'] ) ) {
			@unlink( $result['path'] ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- a temporary copy.
		}
		if ( is_wp_error( $result ) ) {
			/* translators: 1: the uploaded file's name, 2: why it cannot be used. */
			$file['error'] = sprintf( __( '%1$s is not a usable image: %2$s', 'witsper-ffi' ), $name, $result->get_error_message() );
		}
		return $file;
	}

	// ------------------------------------------------------------ HEIC/HEIF/AVIF uploads ---

	/**
	 * Turns an uploaded HEIC/HEIF/AVIF file into a JPEG in place (same temporary path, so
	 * PHP's is_uploaded_file() and move_uploaded_file() still accept it): sRGB, the
	 * orientation applied, metadata stripped, WordPress's JPEG quality (wp_editor_set_quality,
	 * jpeg_quality). WordPress 6.1 does not treat these formats as images; after this the
	 * upload is an ordinary JPEG attachment and gets every size.
	 *
	 * @param array $file The upload ($_FILES entry or sideload array).
	 * @return array The upload, converted, or unchanged when it cannot be converted (then
	 *               WordPress handles it as it would without the plugin).
	 */
	public static function convert_upload( array $file ): array {
		$tmp = (string) ( $file['tmp_name'] ?? '' );
		if ( '' === $tmp || ! is_file( $tmp ) || ! self::test() ) {
			return $file;
		}
		$editor = new self( $tmp );
		$loaded = $editor->load();
		if ( is_wp_error( $loaded ) || ! in_array( $editor->mime_type, array( 'image/heic', 'image/heif', 'image/avif' ), true ) ) {
			return $file;
		}
		$oriented = $editor->apply_orientation( $editor->get_orientation() );
		if ( is_wp_error( $oriented ) ) {
			return $file;
		}
		$jpeg  = $tmp . '-witsper.jpg';
		$saved = $editor->save( $jpeg, 'image/jpeg' );
		$editor->release();
		if ( is_wp_error( $saved ) || ! @rename( $saved['path'], $tmp ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- failure keeps the original upload.
			if ( ! is_wp_error( $saved ) ) {
				@unlink( $saved['path'] ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors -- best effort.
			}
			return $file;
		}
		$name         = (string) ( $file['name'] ?? 'image' );
		$ext          = pathinfo( $name, PATHINFO_EXTENSION );
		$file['name'] = ( '' === $ext ? $name : substr( $name, 0, -strlen( $ext ) - 1 ) ) . '.jpg';
		$file['type'] = 'image/jpeg';
		$file['size'] = (int) filesize( $tmp );
		return $file;
	}
}
