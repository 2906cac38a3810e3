<?php
/**
 * The block_parser_class filter: Witsper_Block_Parser only when native is usable.
 */
class ParserSwapTest extends Witsper_TestCase {

	public function test_filter_is_hooked(): void {
		$this->assertSame( 10, has_filter( 'block_parser_class', array( 'Witsper_Plugin', 'filter_parser_class' ) ) );
	}

	public function test_filter_picks_parser_for_mode(): void {
		$class = apply_filters( 'block_parser_class', 'WP_Block_Parser' );
		if ( self::native_expected() ) {
			$this->assertSame( 'Witsper_Block_Parser', $class, 'native expected in mode ' . self::mode() . ': ' . wp_json_encode( Witsper_Plugin::why_not_native() ) );
			$this->assertTrue( Witsper_Block_Parser::is_native() );
			$this->assertTrue( Witsper_Plugin::native_active() );
		} else {
			$this->assertSame( 'WP_Block_Parser', $class );
			$this->assertFalse( Witsper_Plugin::native_active() );
		}
	}

	public function test_status_mode_matches_run(): void {
		$status = Witsper_Plugin::ffi_status();
		if ( 'off' === self::mode() ) {
			$this->assertFalse( $status['available'] );
			$this->assertSame( 'ffi-disabled', $status['reason'] );
			return;
		}
		$this->assertTrue( $status['available'], (string) $status['message'] );
		$this->assertSame( self::mode(), $status['mode'] );
		$this->assertSame( Witsper_FFI::ABI, $status['abi'] );
	}

	public function test_other_plugins_parser_is_kept(): void {
		$this->assertSame( 'Some_Other_Parser', Witsper_Plugin::filter_parser_class( 'Some_Other_Parser' ) );
	}

	public function test_parse_blocks_instantiates_the_filtered_class(): void {
		$seen = null;
		$spy  = static function ( $class ) use ( &$seen ) {
			$seen = $class;
			return $class;
		};
		add_filter( 'block_parser_class', $spy, PHP_INT_MAX );
		try {
			$blocks = parse_blocks( '<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->' );
		} finally {
			remove_filter( 'block_parser_class', $spy, PHP_INT_MAX );
		}
		$this->assertSame( self::native_expected() ? 'Witsper_Block_Parser' : 'WP_Block_Parser', $seen );
		$this->assertSame( 'core/paragraph', $blocks[0]['blockName'] );
	}

	public function test_failed_selftest_switches_filter_off(): void {
		if ( ! self::native_expected() ) {
			$this->assertSame( 'WP_Block_Parser', Witsper_Plugin::filter_parser_class( 'WP_Block_Parser' ) );
			return;
		}
		Witsper_Plugin::store_selftest( Witsper_Selftest::result( 'fail', 'injected failure', array() ) );
		$this->assertSame( 'WP_Block_Parser', apply_filters( 'block_parser_class', 'WP_Block_Parser' ) );
		$this->assertSame( 'selftest-failed', Witsper_Plugin::why_not_native()['code'] );
	}
}
