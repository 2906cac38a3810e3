<?php
/**
 * Activation, deactivation and uninstall through WordPress's own functions; every change
 * is rolled back by the test transaction.
 */
class LifecycleTest extends Witsper_TestCase {

	const PLUGIN = 'witsper-ffi/witsper-ffi.php';

	public function test_activation_hook_runs_selftest_and_stores_it(): void {
		Witsper_Plugin::delete_selftest();
		$this->assertFalse( get_option( Witsper_Plugin::OPTION_SELFTEST ) );
		do_action( 'activate_' . plugin_basename( WITSPER_PLUGIN_FILE ), false );
		$stored = Witsper_Plugin::selftest_result();
		$this->assertIsArray( $stored );
		$this->assertSame( self::native_expected() ? 'pass' : 'skipped', $stored['status'] );
		$this->assertSame( WITSPER_PLUGIN_VERSION, $stored['plugin_version'] );
	}

	public function test_deactivate_and_activate_plugin(): void {
		$was_active = is_plugin_active( self::PLUGIN );
		if ( ! $was_active ) {
			$this->assertNull( activate_plugin( self::PLUGIN ) );
		}
		$this->assertIsArray( Witsper_Plugin::selftest_result() );
		deactivate_plugins( self::PLUGIN, true );
		$this->assertFalse( is_plugin_active( self::PLUGIN ) );
		// Deactivation hook ran (silent=true skips hooks, so call the real one too).
		do_action( 'deactivate_' . self::PLUGIN, false );
		$this->assertNull( Witsper_Plugin::selftest_result() );

		$this->assertNull( activate_plugin( self::PLUGIN ) );
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertIsArray( Witsper_Plugin::selftest_result(), 'activation did not store the self-test' );
	}

	public function test_uninstall_removes_options(): void {
		Witsper_Plugin::run_and_store_selftest();
		$this->assertIsArray( Witsper_Plugin::selftest_result() );
		if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
			define( 'WP_UNINSTALL_PLUGIN', self::PLUGIN );
		}
		include WITSPER_PLUGIN_DIR . '/uninstall.php';
		wp_cache_flush();
		foreach ( Witsper_Plugin::OPTIONS as $option ) {
			$this->assertFalse( get_option( $option ), $option );
			$this->assertFalse( get_site_option( $option ), $option );
		}
	}

	public function test_uninstall_without_constant_does_nothing(): void {
		// Run in a fresh PHP: our process may already have WP_UNINSTALL_PLUGIN defined.
		$cmd = escapeshellarg( PHP_BINARY ) . ' -r ' . escapeshellarg( 'define("ABSPATH", "/"); include ' . var_export( WITSPER_PLUGIN_DIR . '/uninstall.php', true ) . '; echo "reached";' );
		exec( $cmd . ' 2>&1', $out, $rc );
		$this->assertSame( 0, $rc );
		$this->assertNotContains( 'reached', $out );
	}

	public function test_uninstall_option_list_matches_plugin(): void {
		$src = file_get_contents( WITSPER_PLUGIN_DIR . '/uninstall.php' );
		foreach ( Witsper_Plugin::OPTIONS as $option ) {
			$this->assertStringContainsString( "'" . $option . "'", $src );
		}
	}

	public function test_plugin_header(): void {
		$data = get_plugin_data( WITSPER_PLUGIN_FILE, false, false );
		$this->assertSame( 'Witsper FFI', $data['Name'] );
		$this->assertSame( WITSPER_PLUGIN_VERSION, $data['Version'] );
		$this->assertTrue( $data['Network'] );
		$this->assertSame( 'witsper-ffi', $data['TextDomain'] );
	}

	public function test_multisite_storage_follows_is_multisite(): void {
		Witsper_Plugin::store_selftest( Witsper_Selftest::result( 'pass', 'x', array() ) );
		if ( is_multisite() ) {
			$this->assertIsArray( get_site_option( Witsper_Plugin::OPTION_SELFTEST ) );
		} else {
			$this->assertIsArray( get_option( Witsper_Plugin::OPTION_SELFTEST ) );
			$this->assertSame( 'yes', $GLOBALS['wpdb']->get_var( $GLOBALS['wpdb']->prepare( "SELECT autoload FROM {$GLOBALS['wpdb']->options} WHERE option_name = %s", Witsper_Plugin::OPTION_SELFTEST ) ) );
		}
		$this->assertSame( 'x', Witsper_Plugin::selftest_result()['summary'] );
	}
}
