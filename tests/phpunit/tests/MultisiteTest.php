<?php
/**
 * Multisite: a throwaway network under its own table prefix in the stack's database
 * (helpers/multisite.php), network activation, network-wide self-test storage, a second
 * site, the network admin page and notice, network deactivation and uninstall.
 */
class MultisiteTest extends Witsper_TestCase {

	// DDL (CREATE/DROP TABLE) commits implicitly: no transaction here; the tables are
	// dropped instead.
	protected function setUp(): void {
		self::drop_tables();
	}

	protected function tearDown(): void {
		self::drop_tables();
		wp_cache_flush();
	}

	private static function drop_tables(): void {
		global $wpdb;
		$tables = $wpdb->get_col( "SHOW TABLES LIKE 'wpmstest\\_%'" );
		foreach ( $tables as $table ) {
			// Only our prefix: the LIKE above cannot match the stack's own tables.
			$wpdb->query( 'DROP TABLE `' . str_replace( '`', '', $table ) . '`' );
		}
	}

	public function test_network_activation_and_cleanup(): void {
		self::run_helper( 'multisite.php', array(), array(), array( 'install' ) );
		$r = self::run_helper( 'multisite.php', null, array(), array( 'check' ) );

		$this->assertTrue( $r['multisite'] );
		$this->assertNull( $r['activate_error'] );
		$this->assertTrue( $r['network_active'] );
		// The self-test result is network-wide (site option), not per site.
		$this->assertSame( self::native_expected() ? 'pass' : 'skipped', $r['site_option'] );
		$this->assertFalse( $r['blog_option'] );
		$expected_parser = self::native_expected() ? 'Witsper_Block_Parser' : 'WP_Block_Parser';
		$this->assertSame( self::native_expected(), $r['native_active'] );
		$this->assertSame( $expected_parser, $r['parser_main'] );
		$this->assertIsInt( $r['second_blog'] );
		$this->assertSame( $expected_parser, $r['parser_second'] );
		$this->assertSame( array( 200, self::native_expected() ), $r['health_second'] );
		$this->assertTrue( $r['identical_second'] );
		$this->assertTrue( $r['super_admin'] );
		$this->assertTrue( $r['network_page'] );
		$this->assertSame( 'fail', $r['fail_in_site_option'] );
		// The first reason wins: without FFI that is ffi-disabled, not the self-test.
		$this->assertStringContainsString( self::native_expected() ? 'selftest-failed' : 'ffi-disabled', $r['network_notice'] );
		$this->assertFalse( $r['network_active_after_deactivate'] );
		$this->assertFalse( $r['site_option_after_deactivate'] );
		$this->assertSame( array( 'site' => false, 'blog_2' => false ), $r['after_uninstall'] );
	}
}
