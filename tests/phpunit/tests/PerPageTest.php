<?php
/**
 * What the plugin costs a request: nothing before the first parse_blocks() (no FFI load, no
 * option read, no class beyond its hooks), one decision per request after it, and nothing
 * at all with the WITSPER_DISABLE kill switch. Each case in a fresh PHP.
 */
class PerPageTest extends Witsper_TestCase {

	public function test_nothing_is_decided_or_loaded_before_the_first_parse(): void {
		$r = self::run_helper( 'lazy.php' );
		$this->assertNull( $r['before']['decided'], 'the state is decided on the first parse, not on load' );
		$this->assertNull( $r['before']['ffi_status'], 'FFI is not touched on a request that parsed no blocks' );
		$this->assertSame( 0, $r['before']['init_hooks'], 'nothing of the plugin runs on init' );
		$this->assertTrue( $r['before']['filter_hooked'] );
		// Only the loader, the parser and the hooks' class are loaded up front (at WordPress's
		// first parse_blocks(), which it does while loading).
		// In preload mode opcache.preload also declared Witsper_Media (compiled, not run: it
		// may then load the media library at a worker's first image job).
		sort( $r['before']['classes'] );
		$expected = 'preload' === self::mode()
			? array( 'Witsper_Block_Parser', 'Witsper_FFI', 'Witsper_Media', 'Witsper_Plugin' )
			: array( 'Witsper_Block_Parser', 'Witsper_FFI', 'Witsper_Plugin' );
		$this->assertSame( $expected, $r['before']['classes'] );
		$this->assertSame( 'core/paragraph', $r['after']['block'] );
		$this->assertSame( self::native_expected(), $r['after']['decided'] );
		$this->assertSame( self::native_expected() ? 'Witsper_Block_Parser' : 'WP_Block_Parser', $r['after']['parser_class'] );
	}

	public function test_kill_switch_unloads_the_plugin(): void {
		$r = self::run_helper( 'lazy.php', null, array(), array( '--disable' ) );
		// In preload mode php-fpm's opcache.preload declares the loader before any plugin runs.
		$expected = 'preload' === self::mode() ? array( 'Witsper_FFI', 'Witsper_Media' ) : array();
		$this->assertSame( $expected, $r['before']['classes'], 'WITSPER_DISABLE: no class of the plugin is loaded' );
		$this->assertSame( 'undefined', $r['after']['decided'] );
		$this->assertSame( 'WP_Block_Parser', $r['after']['parser_class'] );
		$this->assertSame( 'core/paragraph', $r['after']['block'] );
	}

	public function test_decision_is_taken_once_per_request_and_renewed_with_the_selftest(): void {
		if ( ! self::native_expected() ) {
			$this->assertSame( 'WP_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
			return;
		}
		$this->assertSame( 'Witsper_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
		// The stored result is read once: a change that bypasses the plugin is not seen...
		$bad = Witsper_Selftest::result( 'fail', 'written behind the plugin\'s back', array() );
		update_option( Witsper_Plugin::OPTION_SELFTEST, $bad );
		update_site_option( Witsper_Plugin::OPTION_SELFTEST, $bad );
		$this->assertSame( 'Witsper_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
		// ...while storing a result through the plugin renews the decision at once.
		Witsper_Plugin::store_selftest( $bad );
		$this->assertSame( 'WP_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
		Witsper_Plugin::run_and_store_selftest();
		$this->assertSame( 'Witsper_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
	}
}
