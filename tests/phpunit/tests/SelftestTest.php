<?php
/**
 * A parser with a library bug: drops the last top-level block. Stands in for a libwitsper
 * that disagrees with WordPress, to prove the self-test catches it and switches off.
 */
class Witsper_Test_Broken_Parser extends Witsper_Block_Parser {
	public function parse( $document ) {
		$blocks = parent::parse( $document );
		array_pop( $blocks );
		return $blocks;
	}
}

/**
 * Self-test: pass on the real library, failure detected and acted on, re-run triggers.
 */
class SelftestTest extends Witsper_TestCase {

	public function test_passes_or_skips_for_mode(): void {
		$r = Witsper_Selftest::run();
		if ( ! self::native_expected() ) {
			$this->assertSame( 'skipped', $r['status'] );
			$this->assertStringContainsString( 'ffi-disabled', $r['summary'] );
			return;
		}
		$this->assertSame( 'pass', $r['status'], $r['summary'] . wp_json_encode( $r['documents'] ) );
		$this->assertCount( count( self::builtin_corpus_files() ), $r['documents'] );
		foreach ( $r['documents'] as $row ) {
			$this->assertTrue( $row['ok'], $row['name'] . ': ' . $row['error'] );
		}
		$this->assertSame( Witsper_FFI::version(), $r['library_version'] );
		$this->assertSame( $GLOBALS['wp_version'], $r['wp_version'] );
	}

	public function test_broken_parser_fails_and_forces_fallback(): void {
		if ( ! self::native_expected() ) {
			$this->assertSame( 'skipped', Witsper_Selftest::run( 'Witsper_Test_Broken_Parser' )['status'] );
			return;
		}
		$r = Witsper_Selftest::run( 'Witsper_Test_Broken_Parser' );
		$this->assertSame( 'fail', $r['status'] );
		$bad = array_filter( $r['documents'], static fn( $row ) => ! $row['ok'] );
		$this->assertNotEmpty( $bad );
		$this->assertStringContainsString( 'serialize() differs', reset( $bad )['error'] );

		Witsper_Plugin::store_selftest( $r );
		$this->assertFalse( Witsper_Plugin::native_active() );
		$this->assertSame( 'selftest-failed', Witsper_Plugin::why_not_native()['code'] );
		$this->assertSame( 'WP_Block_Parser', apply_filters( 'block_parser_class', 'WP_Block_Parser' ) );
		$this->assertStringContainsString( 'selftest-failed', Witsper_Admin::notice_html() );
		$this->assertFalse( Witsper_Status::health()['native_parser_active'] );
		$this->assertSame( 'fail', Witsper_Status::health()['self_test'] );

		// A good run switches the native parser back on.
		Witsper_Plugin::run_and_store_selftest();
		$this->assertTrue( Witsper_Plugin::native_active() );
	}

	public function test_not_a_witsper_parser_is_a_failure(): void {
		if ( ! self::native_expected() ) {
			$this->assertSame( 'skipped', Witsper_Selftest::run( 'WP_Block_Parser' )['status'] );
			return;
		}
		$this->assertSame( 'fail', Witsper_Selftest::run( 'WP_Block_Parser' )['status'] );
	}

	public function test_stale_result_is_rerun_on_init(): void {
		$old               = Witsper_Selftest::result( 'fail', 'made by another WordPress', array() );
		$old['wp_version'] = '5.0.0';
		Witsper_Plugin::store_selftest( $old );
		$this->assertTrue( Witsper_Selftest::is_stale( $old ) );
		Witsper_Plugin::maybe_rerun_selftest();
		$now = Witsper_Plugin::selftest_result();
		if ( self::native_expected() ) {
			$this->assertSame( 'pass', $now['status'] );
			$this->assertSame( $GLOBALS['wp_version'], $now['wp_version'] );
			$this->assertFalse( Witsper_Selftest::is_stale( $now ) );
		} else {
			// No library in this PHP: the result the workers stored is left alone.
			$this->assertSame( '5.0.0', $now['wp_version'] );
		}
	}

	public function test_core_upgrade_reruns_selftest(): void {
		// Calling the hook itself would also run core's update checks (network); the plugin's
		// callback is what is under test.
		$this->assertSame( 10, has_action( 'upgrader_process_complete', array( 'Witsper_Plugin', 'on_upgrade' ) ) );
		Witsper_Plugin::delete_selftest();
		Witsper_Plugin::on_upgrade( null, array( 'type' => 'theme' ) );
		$this->assertNull( Witsper_Plugin::selftest_result() );
		Witsper_Plugin::on_upgrade( null, array( 'action' => 'update', 'type' => 'core' ) );
		$r = Witsper_Plugin::selftest_result();
		$this->assertIsArray( $r );
		$this->assertSame( self::native_expected() ? 'pass' : 'skipped', $r['status'] );
	}

	public function test_plugin_update_reruns_selftest(): void {
		Witsper_Plugin::delete_selftest();
		Witsper_Plugin::on_upgrade( null, array( 'type' => 'plugin', 'plugins' => array( 'akismet/akismet.php' ) ) );
		$this->assertNull( Witsper_Plugin::selftest_result() );
		Witsper_Plugin::on_upgrade( null, array( 'type' => 'plugin', 'plugins' => array( plugin_basename( WITSPER_PLUGIN_FILE ) ) ) );
		$this->assertIsArray( Witsper_Plugin::selftest_result() );
	}

	public function test_empty_corpus_fails(): void {
		if ( ! self::native_expected() ) {
			$this->assertSame( 'skipped', Witsper_Selftest::run( 'Witsper_Block_Parser', array() )['status'] );
			return;
		}
		$this->assertSame( 'fail', Witsper_Selftest::run( 'Witsper_Block_Parser', array() )['status'] );
	}
}
