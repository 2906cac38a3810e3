<?php
/**
 * Fallback reasons, each in a fresh PHP (the loader decides once per process): the site
 * keeps working on WP_Block_Parser, and the filter, REST, Site Health and the notice say why.
 */
class FallbackTest extends Witsper_TestCase {

	public static function tearDownAfterClass(): void {
		$dir = sys_get_temp_dir() . '/witsper-abi2-' . getmypid();
		foreach ( (array) glob( $dir . '/*' ) as $f ) {
			unlink( $f );
		}
		if ( is_dir( $dir ) ) {
			rmdir( $dir );
		}
	}

	/** Checks shared by every fallback: WordPress parser, same output, reason everywhere. */
	private function assert_fallback( array $p, string $reason ): void {
		$this->assertSame( $reason, $p['why']['code'], wp_json_encode( $p['why'] ) );
		$this->assertSame( 'WP_Block_Parser', $p['parser_class'] );
		$this->assertSame( 200, $p['rest_status'] );
		$this->assertFalse( $p['rest']['native_parser_active'] );
		$this->assertSame( $reason, $p['rest']['reason'] );
		$this->assertNotEmpty( $p['rest']['reason_text'] );
		$this->assertNull( $p['rest']['library_version'] );
		$this->assertNotSame( 'good', $p['site_health']['witsper_native_parser'] );
		$this->assertStringContainsString( $reason, $p['notice'] );
		// One wording (Witsper_Status::summary()) in REST, the notice and Site Health: the line
		// says it is off and why, and a reason-specific "what to do" comes with it.
		$sum = $p['summary'];
		$this->assertSame( 'off', $sum['state'] );
		$this->assertSame( $reason, $sum['reason'] );
		$this->assertStringStartsWith( 'Native block parsing is off: ', $sum['line'] );
		$this->assertStringContainsString( $p['rest']['reason_text'], $sum['line'] );
		$this->assertSame( Witsper_Status::action( $reason ), $sum['action'] );
		$this->assertNotSame( Witsper_Status::action( 'no-such-code' ), $sum['action'], 'every reason has its own action' );
		$this->assertSame( $sum['line'], $p['rest']['summary'] );
		$this->assertSame( $sum['action'], $p['rest']['action'] );
		foreach ( array( 'notice' => $p['notice'], 'Site Health' => $p['site_health_native'] ) as $where => $html ) {
			$this->assertStringContainsString( esc_html( $sum['line'] ), $html, $where );
			$this->assertStringContainsString( esc_html( $sum['action'] ), $html, $where );
		}
		$this->assertNotEmpty( $p['identical'] );
		$this->assertNotContains( false, $p['identical'], wp_json_encode( $p['identical'] ) );
	}

	public function test_library_missing(): void {
		$env = array( 'WITSPER_LIB' => '/nonexistent/witsper/libwitsper.so.1' );
		switch ( self::mode() ) {
			case 'off':
				// FFI itself is off: the library is never looked for.
				$p = self::probe( null, $env );
				$this->assert_fallback( $p, 'ffi-disabled' );
				return;
			case 'preload':
				// With ffi.preload naming a missing library PHP refuses to start at all
				// (a stack-level fault, tests/faults). What the plugin can meet is
				// ffi.enable=preload without ffi.preload; the CLI then loads by path.
				$p = self::probe( array( '-d', 'ffi.enable=preload' ), $env );
				$this->assertSame( 'cli', $p['status']['mode'] );
				break;
			default:
				$p = self::probe( null, $env );
				$this->assertSame( 'true', $p['status']['mode'] );
		}
		$this->assert_fallback( $p, 'library-missing' );
		// Present but not critical: the site is correct, only slower.
		$this->assertSame( 'recommended', $p['site_health']['witsper_ffi_available'] );
		// The public JSON names no paths.
		$this->assertStringNotContainsString( '/nonexistent', wp_json_encode( $p['rest'] ) );
	}

	public function test_forced_off(): void {
		$p = self::probe( null, array(), array( '--force-off' ) );
		$this->assert_fallback( $p, 'forced-off' );
	}

	public function test_ffi_off_mode(): void {
		$p = self::probe( array( '-d', 'ffi.enable=0' ) );
		$this->assert_fallback( $p, 'ffi-disabled' );
		$this->assertSame( 'off', $p['rest']['ffi_mode'] );
		$this->assertFalse( $p['rest']['ffi_available'] );
	}

	public function test_php_without_ffi_extension(): void {
		// A real PHP without FFI: the CLI's ini scan dir minus the ffi ini.
		$dir = sys_get_temp_dir() . '/witsper-noffi-' . getmypid();
		@mkdir( $dir );
		foreach ( glob( PHP_CONFIG_FILE_SCAN_DIR . '/*.ini' ) as $ini ) {
			if ( false === strpos( basename( $ini ), 'ffi' ) ) {
				copy( $ini, $dir . '/' . basename( $ini ) );
			}
		}
		try {
			$p = self::probe( array(), array( 'PHP_INI_SCAN_DIR' => $dir ) );
		} finally {
			array_map( 'unlink', glob( $dir . '/*.ini' ) );
			rmdir( $dir );
		}
		$this->assert_fallback( $p, 'ffi-missing' );
	}

	public function test_abi_mismatch(): void {
		if ( 'off' === self::mode() ) {
			$p = self::probe( null, array( 'WITSPER_LIB' => self::abi2_library() ) );
			$this->assert_fallback( $p, 'ffi-disabled' );
			return;
		}
		// cdef mode loads by path; in the preload run that is the CLI's 'cli' mode.
		$args = 'preload' === self::mode() ? array( '-d', 'ffi.enable=preload' ) : null;
		$p    = self::probe( $args, array( 'WITSPER_LIB' => self::abi2_library() ) );
		$this->assert_fallback( $p, 'abi-mismatch' );
		$this->assertSame( 2, $p['status']['abi'] );
		$this->assertSame( 'critical', $p['site_health']['witsper_ffi_available'] );
		$this->assertSame( 'critical', $p['site_health']['witsper_library'] );
	}

	/**
	 * @dataProvider broken_loaders
	 */
	public function test_broken_or_missing_loader_file( string $damage ): void {
		$copy = sys_get_temp_dir() . '/witsper-copy-' . getmypid() . '/witsper-ffi';
		exec( 'rm -rf ' . escapeshellarg( dirname( $copy ) ) . ' && mkdir -p ' . escapeshellarg( $copy ) . ' && cp -r ' . escapeshellarg( WITSPER_PLUGIN_DIR ) . '/. ' . escapeshellarg( $copy ) . ' 2>&1', $out, $rc );
		$this->assertSame( 0, $rc, implode( "\n", $out ) );
		try {
			if ( 'parse-error' === $damage ) {
				file_put_contents( $copy . '/includes/class-witsper-ffi.php', "<?php\nfinal class Witsper_FFI { this is not PHP }\n" );
			} else {
				unlink( $copy . '/includes/class-witsper-block-parser.php' );
			}
			// ffi.enable=1 in every run: in the preload run the preloaded (intact) loader
			// would be used instead of the damaged copy.
			$p = self::probe( array( '-d', 'ffi.enable=1' ), array( 'WITSPER_TEST_PLUGIN_COPY' => $copy ) );
		} finally {
			exec( 'rm -rf ' . escapeshellarg( dirname( $copy ) ) );
		}
		$this->assert_fallback( $p, 'loader-error' );
		$this->assertSame( 'critical', $p['site_health']['witsper_ffi_available'] );
	}

	public static function broken_loaders(): array {
		return array(
			'loader with a syntax error' => array( 'parse-error' ),
			'parser file missing'        => array( 'missing' ),
		);
	}

	/**
	 * Builds a library that exports the real API but answers ABI 2: what an old or newer
	 * libwitsper installed beside this plugin looks like.
	 */
	private static function abi2_library(): string {
		$dir = sys_get_temp_dir() . '/witsper-abi2-' . getmypid();
		@mkdir( $dir );
		$so = $dir . '/libwitsper.so.1';
		if ( ! is_file( $so ) ) {
			file_put_contents(
				$dir . '/abi2.c',
				"#include <stddef.h>\n"
				. "typedef struct { int code; const char *message; size_t offset; } witsper_error;\n"
				. "typedef struct { unsigned char *data; size_t len; } witsper_buffer;\n"
				. "const char *witsper_version(void) { return \"9.9.9-abi2\"; }\n"
				. "int witsper_abi(void) { return 2; }\n"
				. "int witsper_parse_blocks(const char *d, size_t l, witsper_buffer *o, witsper_error *e)\n"
				. "{ (void)d; (void)l; (void)o; (void)e; return 2; }\n"
				. "void witsper_buffer_free(witsper_buffer *b) { (void)b; }\n"
			);
			exec( 'cc -shared -fPIC -o ' . escapeshellarg( $so ) . ' ' . escapeshellarg( $dir . '/abi2.c' ) . ' 2>&1', $out, $rc );
			self::assertSame( 0, $rc, implode( "\n", $out ) );
		}
		return $so;
	}
}
