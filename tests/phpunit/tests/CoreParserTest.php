<?php
/**
 * Version policy (Witsper_Core_Parser): the native parser replaces only core parsers it was
 * verified against, or one on which the extended self-test passed on this site.
 */
class CoreParserTest extends Witsper_TestCase {

	public function test_this_wordpress_parser_is_in_the_verified_set(): void {
		$fp = Witsper_Core_Parser::fingerprint();
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{16}$/', $fp );
		$this->assertNotNull( Witsper_Core_Parser::verified_as( $fp ), "the stack's WordPress parser ($fp) is one the diff suite covers" );
		$this->assertContains( $GLOBALS['wp_version'], Witsper_Core_Parser::VERIFIED[ $fp ] );
	}

	public function test_fingerprint_ignores_comments_and_layout_but_not_code(): void {
		$dir  = sys_get_temp_dir() . '/witsper-fp-' . getmypid();
		$file = ( new ReflectionClass( 'WP_Block_Parser' ) )->getFileName();
		$code = file_get_contents( $file );
		@mkdir( $dir );
		$sources = array_fill_keys( Witsper_Core_Parser::CLASSES, $file );
		try {
			// The same code with other comments and white space: the same fingerprint.
			file_put_contents( "$dir/a.php", str_replace( "\t", '    ', preg_replace( '#/\*\*.*?\*/#s', '/* x */', $code ) ) );
			$this->assertSame( Witsper_Core_Parser::fingerprint_of( $sources ), Witsper_Core_Parser::fingerprint_of( array_fill_keys( Witsper_Core_Parser::CLASSES, "$dir/a.php" ) ) );
			// One token changed: another fingerprint, not in the verified set.
			file_put_contents( "$dir/b.php", preg_replace( "/'no-more-tokens'/", "'no-more-tokenz'", $code, 1 ) );
			$other = Witsper_Core_Parser::fingerprint_of( array_fill_keys( Witsper_Core_Parser::CLASSES, "$dir/b.php" ) );
			$this->assertNotSame( Witsper_Core_Parser::fingerprint(), $other );
			$this->assertNull( Witsper_Core_Parser::verified_as( $other ) );
		} finally {
			@unlink( "$dir/a.php" );
			@unlink( "$dir/b.php" );
			@rmdir( $dir );
		}
	}

	/** A stored result made on this site's files with another fingerprint stands for an unverified core parser. */
	private static function unverified_result( string $status, bool $extended ): array {
		$r                = Witsper_Selftest::result( $status, 'made on an unverified core parser', array() );
		$r['core_parser'] = 'ffffffffffffffff';
		$r['extended']    = $extended;
		return $r;
	}

	public function test_unverified_core_parser_waits_for_the_extended_selftest(): void {
		if ( ! self::native_expected() ) {
			$this->assertFalse( Witsper_Plugin::native_active() );
			return;
		}
		Witsper_Plugin::store_selftest( self::unverified_result( 'pass', false ) );
		$this->assertFalse( Witsper_Plugin::native_active() );
		$this->assertSame( 'core-unverified', Witsper_Plugin::why_not_native()['code'] );
		$this->assertSame( 'WP_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
		$this->assertStringContainsString( 'tested against', Witsper_Status::summary()['line'] );
		$this->assertSame( 'core-unverified', Witsper_Status::health()['reason'] );

		Witsper_Plugin::store_selftest( self::unverified_result( 'pass', true ) );
		$this->assertTrue( Witsper_Plugin::native_active(), wp_json_encode( Witsper_Plugin::why_not_native() ) );
	}

	public function test_extended_set_runs_on_an_unverified_parser_and_catches_a_broken_parser(): void {
		if ( ! self::native_expected() ) {
			$this->assertSame( 'skipped', Witsper_Selftest::run()['status'] );
			return;
		}
		$extended = Witsper_Selftest::extended_corpus();
		$this->assertGreaterThanOrEqual( 200, count( $extended ) );
		// The self-test picks the extended set itself when the core parser is unverified.
		Witsper_Plugin::store_selftest( self::unverified_result( 'pass', false ) );
		$this->assertTrue( Witsper_Selftest::needs_extended() );
		$r = Witsper_Selftest::run();
		$this->assertSame( 'pass', $r['status'], $r['summary'] );
		$this->assertTrue( $r['extended'] );
		$this->assertSame( count( Witsper_Selftest::corpus() ) + count( $extended ), count( $r['documents'] ) );
		$broken = Witsper_Selftest::run( 'Witsper_Test_Broken_Parser', Witsper_Selftest::corpus( true ) );
		$this->assertSame( 'fail', $broken['status'] );
		// A result stored from this site's real (verified) parser: the built-in set is enough.
		Witsper_Plugin::run_and_store_selftest();
		$this->assertFalse( Witsper_Selftest::needs_extended() );
		Witsper_Plugin::run_and_store_selftest();
		$this->assertFalse( Witsper_Plugin::selftest_result()['extended'] );
		$this->assertTrue( Witsper_Plugin::native_active() );
	}
}
