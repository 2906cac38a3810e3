<?php
/**
 * Admin notice, status page and menu registration.
 */
class AdminTest extends Witsper_TestCase {

	public static function setUpBeforeClass(): void {
		// What wp-admin loads before any admin screen renders (submit_button() and friends).
		require_once ABSPATH . 'wp-admin/includes/admin.php';
	}

	private function become_admin(): void {
		$admins = get_users( array( 'role' => 'administrator', 'number' => 1 ) );
		$this->assertNotEmpty( $admins );
		wp_set_current_user( $admins[0]->ID );
	}

	protected function tearDown(): void {
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	public function test_notice_only_when_falling_back(): void {
		$this->become_admin();
		ob_start();
		Witsper_Admin::site_notice();
		$html = ob_get_clean();
		if ( self::native_expected() ) {
			$this->assertSame( '', $html );
		} else {
			$this->assertStringContainsString( 'ffi-disabled', $html );
			$this->assertStringContainsString( 'tools.php?page=witsper', $html );
		}
	}

	public function test_notice_hidden_from_non_admins(): void {
		Witsper_Plugin::store_selftest( Witsper_Selftest::result( 'fail', 'x', array() ) );
		$this->assertNotSame( '', Witsper_Admin::notice_html() );
		wp_set_current_user( 0 );
		ob_start();
		Witsper_Admin::site_notice();
		Witsper_Admin::network_notice();
		$this->assertSame( '', ob_get_clean() );
	}

	public function test_status_page_shows_status_and_selftest(): void {
		$this->become_admin();
		Witsper_Plugin::run_and_store_selftest();
		ob_start();
		Witsper_Admin::render_page();
		$html = ob_get_clean();
		foreach ( array( 'ffi_available', 'ffi_mode', 'library_version', 'native_parser_active', 'self_test', 'witsper_selftest', '/witsper/v1/health' ) as $needle ) {
			$this->assertStringContainsString( $needle, $html );
		}
		if ( self::native_expected() ) {
			$this->assertStringContainsString( 'nesting.html', $html );
			$this->assertStringContainsString( 'identical', $html );
		} else {
			$this->assertStringContainsString( 'skipped', $html );
		}
	}

	public function test_tools_and_network_pages_registered(): void {
		global $submenu, $_registered_pages, $_wp_submenu_nopriv;
		$this->become_admin();
		Witsper_Admin::add_tools_page();
		$this->assertContains( 'witsper', array_column( $submenu['tools.php'] ?? array(), 2 ) );
		$this->assertArrayHasKey( get_plugin_page_hookname( 'witsper', 'tools.php' ), (array) $_registered_pages );

		Witsper_Admin::add_network_page();
		if ( is_multisite() && is_super_admin() ) {
			$this->assertContains( 'witsper', array_column( $submenu['settings.php'] ?? array(), 2 ) );
		} else {
			// Registered for network admins only (manage_network_options): a single-site
			// administrator gets no page.
			$this->assertArrayHasKey( 'witsper', $_wp_submenu_nopriv['settings.php'] ?? array() );
		}
	}

	public function test_admin_hooks(): void {
		Witsper_Admin::hook();
		$this->assertSame( 10, has_action( 'admin_menu', array( 'Witsper_Admin', 'add_tools_page' ) ) );
		$this->assertSame( 10, has_action( 'network_admin_menu', array( 'Witsper_Admin', 'add_network_page' ) ) );
		$this->assertSame( 10, has_action( 'admin_notices', array( 'Witsper_Admin', 'site_notice' ) ) );
		$this->assertSame( 10, has_action( 'network_admin_notices', array( 'Witsper_Admin', 'network_notice' ) ) );
	}
}
