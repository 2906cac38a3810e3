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
		// The raw report is still there for support (folded), and the buttons work by name.
		foreach ( array( 'ffi_available', 'ffi_mode', 'library_version', 'native_parser_active', 'self_test', 'witsper_selftest', '/witsper/v1/health', 'id="witsper-run-selftest"' ) as $needle ) {
			$this->assertStringContainsString( $needle, $html );
		}
		// The first thing on the page: one line, from Witsper_Status::summary().
		$sum = Witsper_Status::summary();
		$this->assertMatchesRegularExpression( '#<h1>Witsper</h1><div class="notice inline [a-z-]+ witsper-state" data-state="' . $sum['state'] . '"#', $html );
		$this->assertStringContainsString( esc_html( $sum['line'] ), $html );
		// The details in plain words.
		foreach ( Witsper_Status::details() as $label => $text ) {
			$this->assertStringContainsString( '<th scope="row" style="width:18em">' . esc_html( $label ) . '</th>', $html );
		}
		$this->assertStringContainsString( 'How PHP may call the library (FFI mode)', $html );
		if ( self::native_expected() ) {
			$this->assertSame( 'on', $sum['state'] );
			$this->assertStringNotContainsString( 'What to do:', $html );
			$this->assertStringContainsString( 'nesting.html', $html );
			$this->assertStringContainsString( 'identical', $html );
			// Timings per document: both parsers, in microseconds.
			$this->assertMatchesRegularExpression( '#<td>nesting\.html</td><td>805 bytes</td><td>identical</td><td>[0-9,]+ µs</td><td>[0-9,]+ µs</td><td>[0-9.]+×</td>#u', $html );
		} else {
			$this->assertSame( 'off', $sum['state'] );
			$this->assertStringContainsString( 'skipped', $html );
			$this->assertStringContainsString( 'What to do:</strong> ' . esc_html( Witsper_Status::action( 'ffi-disabled' ) ), $html );
			$this->assertStringContainsString( 'data-reason="ffi-disabled"', $html );
		}
	}

	public function test_every_reason_has_its_own_action(): void {
		$codes   = array( 'ffi-missing', 'ffi-disabled', 'ffi-restricted', 'library-missing', 'abi-mismatch', 'load-failed', 'forced-off', 'selftest-failed', 'pcre-limit', 'parser-not-native', 'loader-error' );
		$actions = array_map( array( 'Witsper_Status', 'action' ), $codes );
		$this->assertCount( count( $codes ), array_unique( $actions ) );
		$this->assertNotContains( Witsper_Status::action( 'no-such-code' ), $actions );
		foreach ( $codes as $code ) {
			$sum = Witsper_Status::summary( Witsper_Plugin::reason( $code, null ) );
			$this->assertSame( 'off', $sum['state'] );
			$this->assertStringStartsWith( 'Native block parsing is off: ', $sum['line'] );
			$this->assertSame( Witsper_Status::action( $code ), $sum['action'] );
		}
	}

	public function test_selftest_button_comes_back_with_the_result(): void {
		$this->become_admin();
		Witsper_Plugin::run_and_store_selftest();
		$_GET['witsper-selftest'] = 'pass';
		try {
			ob_start();
			Witsper_Admin::render_page();
			$html = ob_get_clean();
		} finally {
			unset( $_GET['witsper-selftest'] );
		}
		$stored = Witsper_Plugin::selftest_result();
		$this->assertStringContainsString( 'witsper-selftest-ran', $html );
		$this->assertStringContainsString( esc_html( $stored['summary'] ), $html );
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
