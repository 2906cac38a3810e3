<?php
/**
 * Fresh PHP: loads WordPress like a request that parses no blocks, reports what the plugin
 * did so far, then parses once and reports again (PerPageTest). With --disable, defines
 * WITSPER_DISABLE first (the kill switch).
 */
if ( in_array( '--disable', $argv, true ) ) {
	define( 'WITSPER_DISABLE', true );
}
// The plugin's state at the first parse_blocks() of the request, seen from a filter that
// runs before the plugin's own (priority 1 < 10). WordPress itself parses blocks while it
// loads (kses, template parts), so this is the moment the plugin may start working.
$witsper_first = null;
$GLOBALS['wp_filter']['block_parser_class'][1][] = array(
	'function'      => static function ( $class ) use ( &$witsper_first ) {
		if ( null === $witsper_first ) {
			$witsper_first = witsper_lazy_state();
		}
		return $class;
	},
	'accepted_args' => 1,
);
require dirname( __DIR__ ) . '/wp-boot.php';

/** Static property of a class, or 'undefined' when the class is not loaded. */
function witsper_lazy_static( string $class, string $prop ) {
	if ( ! class_exists( $class, false ) ) {
		return 'undefined';
	}
	$r = new ReflectionProperty( $class, $prop );
	$r->setAccessible( true );
	return $r->getValue();
}

/** What the plugin has done so far. */
function witsper_lazy_state(): array {
	return array(
		'decided'       => witsper_lazy_static( 'Witsper_Plugin', 'decided' ),
		'ffi_status'    => witsper_lazy_static( 'Witsper_FFI', 'status' ),
		'classes'       => array_values( array_filter( get_declared_classes(), static fn( $c ) => 0 === strpos( $c, 'Witsper_' ) ) ),
		'filter_hooked' => (bool) has_filter( 'block_parser_class', array( 'Witsper_Plugin', 'filter_parser_class' ) ),
		'init_hooks'    => isset( $GLOBALS['wp_filter']['init'] ) && is_object( $GLOBALS['wp_filter']['init'] )
			? count( array_filter( array_merge( ...array_values( $GLOBALS['wp_filter']['init']->callbacks ) ), static fn( $cb ) => is_array( $cb['function'] ) && is_string( $cb['function'][0] ) && 0 === strpos( $cb['function'][0], 'Witsper_' ) ) )
			: 0,
	);
}
$before = $witsper_first ?? witsper_lazy_state();
$blocks = parse_blocks( '<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->' );
$after  = array(
	'decided'      => witsper_lazy_static( 'Witsper_Plugin', 'decided' ),
	'parser_class' => apply_filters( 'block_parser_class', 'WP_Block_Parser' ),
	'block'        => $blocks[0]['blockName'] ?? null,
);
echo 'WITSPER-PROBE-JSON ' . json_encode( array( 'before' => $before, 'after' => $after ) ) . "\n";
