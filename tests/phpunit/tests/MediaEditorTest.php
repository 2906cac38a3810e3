<?php
/**
 * Witsper_Image_Editor (libwitsper-media through Witsper_Media) against WordPress's own GD
 * editor, on the shared media corpus (../shared/corpus/media): the whole editor interface,
 * sizes metadata identical to GD's, WP_Error (never a fatal) for corrupt files and bombs,
 * the fallback to GD/Imagick when the library is missing, HEIC upload to JPEG.
 *
 * Modes: true and preload (the CLI may cdef anywhere; the php-fpm side is checked live)
 * must use the Witsper editor; off must fall back and say ffi-disabled.
 */
class MediaEditorTest extends Witsper_TestCase {

	/** @var string Temporary folder of this test. */
	private $tmp;

	public static function setUpBeforeClass(): void {
		require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
		require_once ABSPATH . WPINC . '/class-wp-image-editor-gd.php';
		require_once ABSPATH . WPINC . '/class-wp-image-editor-imagick.php';
		require_once ABSPATH . 'wp-admin/includes/image.php';
		require_once ABSPATH . 'wp-admin/includes/file.php';
		require_once ABSPATH . 'wp-admin/includes/media.php';
	}

	protected function setUp(): void {
		parent::setUp();
		Witsper_Image_Editor::reset();
		$this->tmp = sys_get_temp_dir() . '/witsper-media-test-' . getmypid() . '-' . wp_generate_password( 6, false );
		mkdir( $this->tmp, 0777, true );
	}

	protected function tearDown(): void {
		exec( 'rm -rf ' . escapeshellarg( $this->tmp ) );
		parent::tearDown();
		Witsper_Image_Editor::reset();
	}

	/** The shared media corpus. */
	private static function corpus( string $rel = '' ): string {
		return dirname( __DIR__, 4 ) . '/shared/corpus/media' . ( '' === $rel ? '' : '/' . $rel );
	}

	/** A copy of a corpus file in a folder of its own (sizes are written beside it). */
	private function copy_in( string $rel, string $sub ): string {
		$src = self::corpus( $rel );
		$this->assertFileExists( $src, 'the shared media corpus is at ../shared/corpus/media' );
		$dir = $this->tmp . '/' . $sub;
		if ( ! is_dir( $dir ) ) {
			mkdir( $dir, 0777, true );
		}
		$dst = $dir . '/' . basename( $rel );
		copy( $src, $dst );
		return $dst;
	}

	/** Skips nothing: in modes true/preload the editor must be usable, in off it must not. */
	private function require_editor(): void {
		if ( 'off' === self::mode() ) {
			$this->assertSame( 'ffi-disabled', Witsper_Image_Editor::why_not()['code'] ?? null );
			$this->markTestSkipped( 'FFI mode off: the Witsper editor is (correctly) unavailable; checked in test_availability_by_mode' );
		}
		$why = Witsper_Image_Editor::why_not();
		$this->assertNull( $why, 'Witsper_Image_Editor must be usable in mode ' . self::mode() . ': ' . wp_json_encode( $why ) . ' (build it: make media)' );
	}

	/** An editor of $class on $file, loaded. */
	private function editor( string $class, string $file ) {
		$e = new $class( $file );
		$r = $e->load();
		$this->assertTrue( $r, $class . ' load ' . basename( $file ) . ': ' . ( is_wp_error( $r ) ? $r->get_error_message() : '' ) );
		return $e;
	}

	/** The sizes metadata without filesize (bytes differ by encoder). */
	private static function shape( array $sizes ): array {
		$out = array();
		foreach ( $sizes as $name => $meta ) {
			$out[ $name ] = array(
				'file'      => $meta['file'],
				'width'     => $meta['width'],
				'height'    => $meta['height'],
				'mime-type' => $meta['mime-type'],
			);
		}
		return $out;
	}

	public function test_registered_first_without_loading_anything(): void {
		$editors = apply_filters( 'wp_image_editors', array( 'WP_Image_Editor_Imagick', 'WP_Image_Editor_GD' ) );
		$this->assertSame( 'Witsper_Image_Editor', $editors[0] );
		$this->assertContains( 'WP_Image_Editor_GD', $editors );
		$this->assertSame( 10, has_filter( 'wp_image_editors', array( 'Witsper_Plugin', 'filter_image_editors' ) ) );
	}

	public function test_page_view_loads_no_media_library(): void {
		// A fresh process renders content like a page view: no libvips, no media option read.
		$p = self::run_helper( 'media-lazy.php' );
		$this->assertTrue( $p['rendered'] );
		$this->assertTrue( $p['editors_hooked'], 'the editor is registered (a hook only)' );
		$this->assertContains( $p['media_status'], array( null, 'undefined' ), 'Witsper_Media did not run' );
		$this->assertFalse( $p['editor_loaded'], 'Witsper_Image_Editor not even loaded' );
		$this->assertFalse( $p['libvips_mapped'], 'libvips is not mapped' );
		$this->assertFalse( $p['media_mapped'], 'libwitsper-media is not mapped' );
		$this->assertSame( array(), $p['queries'], 'no query for the media option' );
		$this->assertFalse( $p['autoloaded'], 'the media option is not autoloaded' );
	}

	public function test_availability_by_mode(): void {
		$why = Witsper_Image_Editor::why_not();
		if ( 'off' === self::mode() ) {
			$this->assertSame( 'ffi-disabled', $why['code'] );
			$this->assertNotSame( 'Witsper_Image_Editor', _wp_image_editor_choose( array( 'mime_type' => 'image/jpeg' ) ) );
			$img = Witsper_Status::images();
			$this->assertSame( 'off', $img['state'] );
			$this->assertStringStartsWith( 'Images: ', $img['line'] );
			$this->assertStringContainsString( Witsper_Status::image_reason_text( 'ffi-disabled' ), $img['line'] );
			return;
		}
		$this->assertNull( $why, wp_json_encode( $why ) );
		$this->assertSame( 'Witsper_Image_Editor', _wp_image_editor_choose( array( 'mime_type' => 'image/jpeg' ) ) );
		$st = Witsper_Media::status();
		$this->assertTrue( $st['available'] );
		$this->assertSame( Witsper_Media::ABI, $st['abi'] );
		$this->assertSame( getmypid(), Witsper_Media::init_pid(), 'libvips started in this process' );
		$img = Witsper_Status::images();
		$this->assertSame( 'on', $img['state'] );
		$this->assertSame( sprintf( 'Images: Witsper (libvips %s, %d thread%s)', $st['vips_version'], $st['threads'], 1 === $st['threads'] ? '' : 's' ), $img['line'] );
		$this->assertSame( 'good', Witsper_Site_Health::run( 'witsper_image_editor' )['status'] );
		foreach ( array( 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic' ) as $mime ) {
			$this->assertTrue( Witsper_Image_Editor::supports_mime_type( $mime ), $mime );
		}
		$this->assertFalse( Witsper_Image_Editor::supports_mime_type( 'application/pdf' ) );
		$this->assertFalse( Witsper_Image_Editor::supports_mime_type( 'image/svg+xml' ) );
	}

	public function test_selftest_is_cached_not_autoloaded(): void {
		$this->require_editor();
		$key    = Witsper_Image_Editor::context_key();
		$stored = Witsper_Image_Editor::stored_selftest( $key );
		$this->assertIsArray( $stored );
		$this->assertSame( 'pass', $stored['status'] );
		global $wpdb;
		$autoload = $wpdb->get_var( $wpdb->prepare( "SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", Witsper_Image_Editor::OPTION_SELFTEST ) );
		$this->assertSame( 'no', $autoload );
		// A fresh run passes too, and records what the library can write.
		$run = Witsper_Image_Editor::run_selftest();
		$this->assertSame( 'pass', $run['status'], (string) $run['message'] );
		$this->assertContains( 'image/jpeg', $run['savable'] );
	}

	/**
	 * @dataProvider equivalence_files
	 */
	public function test_multi_resize_metadata_identical_to_gd( string $rel ): void {
		$this->require_editor();
		$sizes = wp_get_registered_image_subsizes();
		$ours  = $this->editor( 'Witsper_Image_Editor', $this->copy_in( $rel, 'w' ) );
		$gd    = $this->editor( 'WP_Image_Editor_GD', $this->copy_in( $rel, 'g' ) );
		$this->assertSame( $gd->get_size(), $ours->get_size(), 'size after load' );
		$m_ours = $ours->multi_resize( $sizes );
		$m_gd   = $gd->multi_resize( $sizes );
		$this->assertSame( self::shape( $m_gd ), self::shape( $m_ours ) );
		$this->assertSame( array_keys( $m_gd ), array_keys( $m_ours ) );
		foreach ( $m_ours as $name => $meta ) {
			$this->assertSame( array( 'file', 'width', 'height', 'mime-type', 'filesize' ), array_keys( $meta ), $name );
			$path = $this->tmp . '/w/' . $meta['file'];
			$this->assertSame( filesize( $path ), $meta['filesize'], $name );
			$info = wp_getimagesize( $path );
			$this->assertSame( array( $meta['width'], $meta['height'], $meta['mime-type'] ), array( $info[0], $info[1], $info['mime'] ), $name );
		}
		// make_subsize() one by one gives the same as multi_resize().
		$one = $this->editor( 'Witsper_Image_Editor', $this->copy_in( $rel, 'o' ) );
		foreach ( $sizes as $name => $data ) {
			$meta = $one->make_subsize( $data );
			if ( isset( $m_ours[ $name ] ) ) {
				$this->assertIsArray( $meta, $name );
				$this->assertSame( self::shape( array( $m_ours[ $name ] ) ), self::shape( array( $meta ) ), $name );
			} else {
				$this->assertInstanceOf( WP_Error::class, $meta, $name );
				$this->assertSame( 'error_getting_dimensions', $meta->get_error_code() );
			}
		}
	}

	public static function equivalence_files(): array {
		$rows = array();
		foreach ( array(
			'orientation/Landscape_1.jpg',
			'formats/jpeg/grayscale_gray-gamma-icc_concert.jpg',
			'formats/jpeg/cmyk_swop-icc_product.jpg',
			'formats/png/palette-256_from-cc0-photo.png',
			'formats/png/palette_swiss.png',
			'formats/webp/lossy-alpha_product-cutout.webp',
			'formats/gif/animated_rotating-squares_cc0.gif',
			'dimensions/tiny_50x50.png',
		) as $rel ) {
			$rows[ $rel ] = array( $rel );
		}
		return $rows;
	}

	public function test_duplicate_and_impossible_sizes_like_gd(): void {
		$this->require_editor();
		$sizes = array(
			'a'     => array(
				'width'  => 300,
				'height' => 300,
				'crop'   => false,
			),
			'b'     => array(
				'width'  => 300,
				'height' => 300,
				'crop'   => false,
			),
			'huge'  => array(
				'width'  => 9000,
				'height' => 9000,
				'crop'   => true,
			),
			'none'  => array( 'crop' => true ),
			'crop'  => array(
				'width'  => 100,
				'height' => 100,
				'crop'   => array( 'left', 'top' ),
			),
			'wonly' => array( 'width' => 250 ),
		);
		$ours  = $this->editor( 'Witsper_Image_Editor', $this->copy_in( 'orientation/Portrait_1.jpg', 'w' ) );
		$gd    = $this->editor( 'WP_Image_Editor_GD', $this->copy_in( 'orientation/Portrait_1.jpg', 'g' ) );
		$this->assertSame( self::shape( $gd->multi_resize( $sizes ) ), self::shape( $ours->multi_resize( $sizes ) ) );
		$this->assertSame( $gd->get_size(), $ours->get_size(), 'multi_resize leaves the size alone' );
	}

	public function test_upload_sizes_identical_to_gd(): void {
		$this->require_editor();
		$get = function ( string $class, string $sub ) {
			$only = static function () use ( $class ) {
				return array( $class );
			};
			add_filter( 'wp_image_editors', $only, PHP_INT_MAX );
			// The -scaled original without GD's cost of a 6 MP decode: threshold 1000 px.
			add_filter( 'big_image_size_threshold', array( __CLASS__, 'threshold_1000' ) );
			$file = $this->copy_in( 'orientation/Landscape_1.jpg', $sub );
			$id   = media_handle_sideload(
				array(
					'name'     => 'witsper-media-test.jpg',
					'tmp_name' => $file,
				)
			);
			remove_filter( 'wp_image_editors', $only, PHP_INT_MAX );
			remove_filter( 'big_image_size_threshold', array( __CLASS__, 'threshold_1000' ) );
			$this->assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
			$meta = wp_get_attachment_metadata( $id );
			wp_delete_attachment( $id, true );
			return $meta;
		};
		$before = Witsper_Media::calls();
		$ours   = $get( 'Witsper_Image_Editor', 'w' );
		$calls  = Witsper_Media::calls();
		$gd     = $get( 'WP_Image_Editor_GD', 'g' );
		// -scaled original (1800 px > 1000) and the default sizes that fit, with the same names.
		$this->assertSame( self::shape( $gd['sizes'] ), self::shape( $ours['sizes'] ) );
		$this->assertSame( array( $gd['width'], $gd['height'] ), array( $ours['width'], $ours['height'] ) );
		$this->assertStringEndsWith( '-scaled.jpg', $ours['file'] );
		$this->assertSame( preg_replace( '/-\d+(?=-scaled\.jpg$)/', '', $gd['file'] ), preg_replace( '/-\d+(?=-scaled\.jpg$)/', '', $ours['file'] ) );
		$this->assertGreaterThanOrEqual( 4, count( $ours['sizes'] ) );
		// The fast path: WordPress asks make_subsize() once per size; one wm_make_sizes call
		// made all of them.
		$this->assertSame( 1, ( $calls['make_sizes'] ?? 0 ) - ( $before['make_sizes'] ?? 0 ), wp_json_encode( array( $before, $calls ) ) );
	}

	/** `big_image_size_threshold`: 1000 px. */
	public static function threshold_1000(): int {
		return 1000;
	}

	public function test_editor_interface(): void {
		$this->require_editor();
		$file = $this->copy_in( 'orientation/Landscape_1.jpg', 'i' );
		$e    = $this->editor( 'Witsper_Image_Editor', $file );
		$this->assertSame(
			array(
				'width'  => 1800,
				'height' => 1200,
			),
			$e->get_size()
		);
		$this->assertSame( 82, $e->get_quality() );
		$this->assertTrue( $e->set_quality( 60 ) );
		$this->assertSame( 60, $e->get_quality() );
		$this->assertTrue( $e->resize( 900, 900 ) );
		$this->assertSame(
			array(
				'width'  => 900,
				'height' => 600,
			),
			$e->get_size()
		);
		$this->assertTrue( $e->crop( 100, 50, 600, 400, 300, 200 ) );
		$this->assertSame(
			array(
				'width'  => 300,
				'height' => 200,
			),
			$e->get_size()
		);
		$this->assertTrue( $e->rotate( 90 ) );
		$this->assertSame(
			array(
				'width'  => 200,
				'height' => 300,
			),
			$e->get_size()
		);
		$this->assertTrue( $e->rotate( -90 ) );
		$this->assertTrue( $e->flip( true, false ) );
		$this->assertTrue( $e->flip( false, true ) );
		$this->assertInstanceOf( WP_Error::class, $e->rotate( 45 ) );
		$saved = $e->save();
		$this->assertIsArray( $saved );
		$this->assertSame( array( 'path', 'file', 'width', 'height', 'mime-type', 'filesize' ), array_keys( $saved ) );
		$this->assertSame( 'Landscape_1-300x200.jpg', $saved['file'] );
		$this->assertSame( filesize( $saved['path'] ), $saved['filesize'] );
		$png = $e->save( $this->tmp . '/i/out.jpg', 'image/png' );
		$this->assertSame( 'out.png', $png['file'] );
		$this->assertSame( 'image/png', wp_getimagesize( $png['path'] )['mime'] );
		$webp = $e->save( null, 'image/webp' );
		$this->assertSame( 'image/webp', $webp['mime-type'] );
		$this->assertSame( 'image/webp', wp_get_image_mime( $webp['path'] ) );
		// stream(): the image bytes on the output.
		ob_start();
		$ok    = $e->stream( 'image/jpeg' );
		$bytes = ob_get_clean();
		$this->assertTrue( $ok );
		$this->assertSame( "\xFF\xD8\xFF", substr( $bytes, 0, 3 ) );
		// crop with absolute coordinates: GD takes the missing target size from the
		// arguments before it makes them relative (410x320 from a 400x300 region); so do we.
		$e2 = $this->editor( 'Witsper_Image_Editor', $file );
		$g2 = $this->editor( 'WP_Image_Editor_GD', $file );
		$this->assertTrue( $e2->crop( 10, 20, 410, 320, null, null, true ) );
		$this->assertTrue( $g2->crop( 10, 20, 410, 320, null, null, true ) );
		$this->assertSame( $g2->get_size(), $e2->get_size() );
		$this->assertInstanceOf( WP_Error::class, $e2->crop( 0, 0, 0, 10 ) );
		// make_subsize returns GD's keys without 'path'.
		$meta = $e2->make_subsize(
			array(
				'width'  => 100,
				'height' => 100,
				'crop'   => true,
			)
		);
		$this->assertSame( array( 'file', 'width', 'height', 'mime-type', 'filesize' ), array_keys( $meta ) );
		$this->assertSame( 'Landscape_1-100x100.jpg', $meta['file'] );
		$this->assertInstanceOf( WP_Error::class, $e2->make_subsize( array() ) );
	}

	/**
	 * EXIF orientation through WordPress's maybe_exif_rotate() (rotate/flip): the pixels end
	 * up as GD puts them (compared on 8x8 thumbnails), with the same size.
	 *
	 * @dataProvider orientations
	 */
	public function test_exif_rotate_like_gd( int $o ): void {
		$this->require_editor();
		$rel  = 'orientation/Landscape_' . $o . '.jpg';
		$ours = $this->editor( 'Witsper_Image_Editor', $this->copy_in( $rel, 'w' ) );
		$gd   = $this->editor( 'WP_Image_Editor_GD', $this->copy_in( $rel, 'g' ) );
		$this->assertSame( $gd->maybe_exif_rotate(), $ours->maybe_exif_rotate() );
		$this->assertSame( $gd->get_size(), $ours->get_size() );
		// Small copies to compare (PNG of the full 1800x1200 would cost GD a second).
		$this->assertTrue( $ours->resize( 120, 120 ) );
		$this->assertTrue( $gd->resize( 120, 120 ) );
		$a = $ours->save( $this->tmp . '/w/o.png', 'image/png' );
		$b = $gd->save( $this->tmp . '/g/o.png', 'image/png' );
		$this->assertLessThan( 12.0, self::mean_diff( $a['path'], $b['path'] ), 'orientation ' . $o . ': pixels differ from GD\'s' );
	}

	public static function orientations(): array {
		$rows = array();
		foreach ( range( 1, 8 ) as $o ) {
			$rows[ 'orientation ' . $o ] = array( $o );
		}
		return $rows;
	}

	/** Mean absolute difference (0..255) of two images scaled to 8x8 by GD. */
	private static function mean_diff( string $a, string $b ): float {
		$px = array();
		foreach ( array( $a, $b ) as $i => $f ) {
			$src = imagecreatefromstring( file_get_contents( $f ) );
			$dst = imagecreatetruecolor( 8, 8 );
			imagecopyresampled( $dst, $src, 0, 0, 0, 0, 8, 8, imagesx( $src ), imagesy( $src ) );
			for ( $y = 0; $y < 8; $y++ ) {
				for ( $x = 0; $x < 8; $x++ ) {
					$c             = imagecolorat( $dst, $x, $y );
					$px[ $i ][]    = ( ( $c >> 16 ) & 255 ) + ( ( $c >> 8 ) & 255 ) + ( $c & 255 );
				}
			}
		}
		$sum = 0;
		foreach ( $px[0] as $k => $v ) {
			$sum += abs( $v - $px[1][ $k ] );
		}
		return $sum / ( 64 * 3 );
	}

	/**
	 * Corrupt, truncated and lying files and the pixel bombs: a WP_Error with a message,
	 * at load() or at the first size, never a fatal, quickly.
	 *
	 * @dataProvider bad_files
	 */
	public function test_bad_files_give_wp_error( string $rel, string $expect ): void {
		$this->require_editor();
		$file = $this->copy_in( $rel, 'b' );
		$t0   = microtime( true );
		$e    = new Witsper_Image_Editor( $file );
		$r    = $e->load();
		if ( ! is_wp_error( $r ) ) {
			$size = $e->get_size();
			$r    = $e->make_subsize(
				array(
					'width'  => max( 1, intdiv( $size['width'], 2 ) ),
					'height' => max( 1, intdiv( $size['height'], 2 ) ),
					'crop'   => true,
				)
			);
		}
		$ms = ( microtime( true ) - $t0 ) * 1000;
		if ( 'ok' === $expect ) {
			$this->assertIsArray( $r, $rel . ' is a real image' );
			return;
		}
		$this->assertInstanceOf( WP_Error::class, $r, $rel );
		$this->assertNotEmpty( $r->get_error_message() );
		if ( 'too-large' === $expect ) {
			$this->assertSame( 'image_too_large', $r->get_error_code(), $r->get_error_message() );
		}
		$this->assertLessThan( 1000, $ms, $rel . ' took ' . round( $ms ) . ' ms (spec: < 100 ms on an idle machine)' );
	}

	public static function bad_files(): array {
		$rows = array();
		foreach ( glob( self::corpus( 'corrupt' ) . '/*' ) as $f ) {
			$name          = basename( $f );
			$expect        = 'png-named-as.jpg' === $name ? 'ok' : ( 'jpeg-missing-eoi.jpg' === $name ? 'any' : 'error' );
			$rows[ $name ] = array( 'corrupt/' . $name, $expect );
		}
		$rows['65536^2 PNG bomb']   = array( 'dimensions/stress_65536x65536_png-bomb.png', 'too-large' );
		$rows['20000x14000 JPEG']   = array( 'dimensions/stress_20000x14000_grey_synthetic.jpg', 'too-large' );
		$rows['17000^2 AVIF']       = array( 'dimensions/stress_17000x17000_synthetic.avif', 'too-large' );
		return $rows;
	}

	/**
	 * The fallback: WITSPER_MEDIA_LIB names a missing file, so WordPress chooses GD/Imagick
	 * and every status says why (fresh process: the loader decides once per process).
	 */
	public function test_missing_library_falls_back(): void {
		$p = self::run_helper( 'media-probe.php', null, array( 'WITSPER_MEDIA_LIB' => '/nonexistent/witsper/libwitsper-media.so' ) );
		$reason = 'off' === self::mode() ? 'ffi-disabled' : 'library-missing';
		$this->assertContains( $p['chosen'], array( 'WP_Image_Editor_GD', 'WP_Image_Editor_Imagick' ) );
		$this->assertContains( $p['editor'], array( 'WP_Image_Editor_GD', 'WP_Image_Editor_Imagick' ) );
		$this->assertSame( $reason, $p['why']['code'] );
		$this->assertSame( 'off', $p['images']['state'] );
		$name = 'WP_Image_Editor_GD' === $p['chosen'] ? 'GD' : 'Imagick';
		$this->assertSame( 'Images: ' . $name . ' (' . Witsper_Status::image_reason_text( $reason ) . ')', $p['images']['line'] );
		$this->assertSame( $p['images']['line'], $p['report']['images'] );
		$this->assertSame( $p['images']['line'], $p['rest']['images'] );
		$this->assertFalse( $p['rest']['image_editor_active'] );
		$this->assertSame( $reason, $p['rest']['image_reason'] );
		$this->assertStringNotContainsString( '/nonexistent', wp_json_encode( $p['rest'] ), 'the public JSON names no paths' );
		$this->assertSame( 'recommended', $p['site_health']['status'] );
		$this->assertStringContainsString( esc_html( $p['images']['line'] ), $p['site_health']['description'] );
		$this->assertStringContainsString( esc_html( Witsper_Status::image_action( $reason ) ), $p['site_health']['description'] );
		if ( 'library-missing' === $reason ) {
			$this->assertStringContainsString( '/nonexistent/witsper/libwitsper-media.so', (string) $p['images']['detail'] );
		}
	}

	public function test_heic_upload_becomes_jpeg_with_all_sizes(): void {
		$file = $this->copy_in( 'formats/heic/iphonexs_orient6.heic', 'h' );
		$id   = media_handle_sideload(
			array(
				'name'     => 'IMG_0001.HEIC',
				'tmp_name' => $file,
			)
		);
		$this->assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
		$path = get_attached_file( $id );
		$meta = wp_get_attachment_metadata( $id );
		$mime = get_post_mime_type( $id );
		$orig = wp_get_original_image_path( $id );
		$info = $orig ? wp_getimagesize( $orig ) : false;
		wp_delete_attachment( $id, true );
		if ( 'off' === self::mode() ) {
			// Without the editor: WordPress's own behaviour, a HEIC file attachment.
			$this->assertSame( 'image/heic', $mime );
			$this->assertStringEndsWith( '.HEIC', $path );
			return;
		}
		$this->require_editor();
		$this->assertSame( 'image/jpeg', $mime );
		$this->assertStringEndsWith( 'IMG_0001-scaled.jpg', $path );
		$this->assertSame( 'image/jpeg', $info['mime'] );
		// iPhone portrait: stored 4032x3024 with irot, shown 3024x4032.
		$this->assertSame( array( 3024, 4032 ), array( $info[0], $info[1] ) );
		$this->assertSame( array( 1920, 2560 ), array( $meta['width'], $meta['height'] ) );
		$this->assertSame( array( 'medium', 'large', 'thumbnail', 'medium_large', '1536x1536', '2048x2048' ), array_keys( $meta['sizes'] ) );
		$this->assertSame( 'IMG_0001-225x300.jpg', $meta['sizes']['medium']['file'] );
	}
}
