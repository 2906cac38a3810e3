<?php
/**
 * Site Health: registration with the witsper_ prefix and each test's status per mode.
 */
class SiteHealthTest extends Witsper_TestCase {

	private static function statuses(): array {
		$out = array();
		foreach ( Witsper_Site_Health::TESTS as $id ) {
			$r = Witsper_Site_Health::run( $id );
			self::assertSame( $id, $r['test'] );
			self::assertContains( $r['status'], array( 'good', 'recommended', 'critical' ) );
			self::assertNotEmpty( $r['label'] );
			$out[ $id ] = $r['status'];
		}
		return $out;
	}

	public function test_tests_are_registered_with_prefix(): void {
		require_once ABSPATH . 'wp-admin/includes/class-wp-site-health.php';
		$tests = WP_Site_Health::get_tests();
		foreach ( Witsper_Site_Health::TESTS as $id ) {
			$this->assertStringStartsWith( 'witsper_', $id );
			$this->assertArrayHasKey( $id, $tests['direct'] );
			$this->assertIsCallable( $tests['direct'][ $id ]['test'] );
		}
	}

	public function test_statuses_for_mode(): void {
		Witsper_Plugin::run_and_store_selftest();
		$s = self::statuses();
		if ( self::native_expected() ) {
			$this->assertSame( 'good', $s['witsper_ffi_available'] );
			$this->assertSame( 'good', $s['witsper_library'] );
			$this->assertSame( 'good', $s['witsper_native_parser'] );
			$this->assertSame( 'good', $s['witsper_selftest'] );
			// ffi.enable=true is allowed but not the hardened setup.
			$this->assertSame( 'preload' === self::mode() ? 'good' : 'recommended', $s['witsper_ffi_mode'] );
		} else {
			$this->assertSame( 'recommended', $s['witsper_ffi_available'] );
			$this->assertSame( 'recommended', $s['witsper_ffi_mode'] );
			$this->assertSame( 'recommended', $s['witsper_library'] );
			$this->assertSame( 'recommended', $s['witsper_native_parser'] );
			$this->assertSame( 'recommended', $s['witsper_selftest'] );
		}
	}

	public function test_failed_selftest_is_critical(): void {
		Witsper_Plugin::store_selftest( Witsper_Selftest::result( 'fail', '1 of 6 documents differ: x.html', array() ) );
		$s = self::statuses();
		$this->assertSame( 'critical', $s['witsper_selftest'] );
		$this->assertSame( self::native_expected() ? 'critical' : 'recommended', $s['witsper_native_parser'] );
	}

	public function test_not_run_selftest_is_recommended(): void {
		Witsper_Plugin::delete_selftest();
		$this->assertSame( 'recommended', self::statuses()['witsper_selftest'] );
	}

	public function test_debug_information_section(): void {
		$info = Witsper_Site_Health::debug_information( array() );
		$this->assertArrayHasKey( 'witsper-ffi', $info );
		$this->assertSame( self::native_expected() ? 'yes' : 'no', $info['witsper-ffi']['fields']['native_parser_active']['value'] );
	}
}
