<?php
/**
 * The logic behind `wp witsper bench|status` (WP-CLI itself is not installed here).
 */
class BenchTest extends Witsper_TestCase {

	public function test_bench_builtin_corpus(): void {
		$r = Witsper_Bench::run( Witsper_Selftest::corpus(), 3 );
		$this->assertCount( count( self::builtin_corpus_files() ), $r['rows'] );
		$this->assertSame( self::native_expected(), $r['native'] );
		foreach ( $r['rows'] as $row ) {
			$this->assertGreaterThan( 0, $row['bytes'] );
			$this->assertGreaterThan( 0, $row['php_ms'] );
			if ( self::native_expected() ) {
				$this->assertTrue( $row['identical'], $row['name'] );
				$this->assertGreaterThan( 0, $row['ratio'] );
			} else {
				$this->assertNull( $row['native_ms'] );
				$this->assertNull( $row['ratio'] );
			}
		}
		$this->assertSame( self::native_expected() ? null : Witsper_Plugin::why_not_native()['text'], $r['reason'] );
	}

	public function test_bench_files_reports_unreadable(): void {
		$files   = self::shared_corpus_files();
		$files[] = '/nonexistent/post.html';
		$loaded  = Witsper_Bench::load_files( $files );
		$this->assertCount( count( $files ) - 1, $loaded['docs'] );
		$this->assertSame( array( 'cannot read /nonexistent/post.html' ), $loaded['errors'] );
	}

	public function test_status_report_fields(): void {
		$r = Witsper_Status::report();
		foreach ( array( 'plugin_version', 'wordpress_version', 'ffi_available', 'ffi_mode', 'library_version', 'abi', 'native_parser_active', 'parser_class', 'reason', 'self_test' ) as $key ) {
			$this->assertArrayHasKey( $key, $r );
		}
		$this->assertSame( self::native_expected() ? 'Witsper_Block_Parser' : 'WP_Block_Parser', $r['parser_class'] );
		$this->assertSame( self::native_expected(), $r['native_parser_active'] );
	}

	public function test_cli_command_file_is_loadable_shell(): void {
		// The command class must only be loaded under WP-CLI.
		$this->assertFalse( class_exists( 'Witsper_CLI_Command', false ) );
		exec( escapeshellarg( PHP_BINARY ) . ' -l ' . escapeshellarg( WITSPER_PLUGIN_DIR . '/includes/class-witsper-cli-command.php' ), $out, $rc );
		$this->assertSame( 0, $rc, implode( "\n", $out ) );
		$src = file_get_contents( WITSPER_PLUGIN_DIR . '/includes/class-witsper-cli-command.php' );
		foreach ( array( 'public function status', 'public function selftest', 'public function bench', '## OPTIONS', '## EXAMPLES' ) as $needle ) {
			$this->assertStringContainsString( $needle, $src );
		}
	}
}
