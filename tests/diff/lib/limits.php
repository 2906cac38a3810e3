<?php
/**
 * Documents at the edge of WordPress's PCRE limits.
 *
 * WP_Block_Parser treats a preg_match() failure (backtrack/JIT limit) as "no more tokens":
 * the rest of the document becomes freeform. The library must reject exactly those
 * documents (WITSPER_E_UNSUPPORTED, so PHP parses them) or give the same result. The
 * thresholds depend on this PHP's PCRE settings (pcre.jit, pcre.backtrack_limit), so they
 * are measured here with the oracle's own regex, and documents are built just below, at
 * and just above each one.
 *
 * @package witsper
 */

/** Smallest repeat count of $unit inside a token's attrs at which preg_match() fails. */
function witsper_diff_pcre_threshold( string $unit, int $max = 1 << 21 ): ?int {
	$fails = static function ( int $n ) use ( $unit ): bool {
		$doc = '<!-- wp:a {"a":"' . str_repeat( $unit, $n ) . '"} -->';
		return false === preg_match( Witsper_Diff_Mutant::WP_REGEX, $doc );
	};
	if ( ! $fails( $max ) ) {
		return null;
	}
	$lo = 0;
	$hi = $max;
	while ( $hi - $lo > 1 ) {
		$mid = intdiv( $lo + $hi, 2 );
		if ( $fails( $mid ) ) {
			$hi = $mid;
		} else {
			$lo = $mid;
		}
	}
	return $hi;
}

function witsper_diff_limit_docs(): iterable {
	// Each unit makes the attrs group iterate differently: "}x" two iterations per unit,
	// "} " a lookahead per "}", "}}}-" the `}+(?=})` branch.
	$units = array( '}x', '} ', '}}}-', "}\n" );
	foreach ( $units as $unit ) {
		$thr = witsper_diff_pcre_threshold( $unit );
		$u   = json_encode( $unit );
		if ( null === $thr ) {
			continue;
		}
		foreach ( array( $thr - 1, $thr ) as $n ) {
			$attrs = '{"a":"' . str_repeat( $unit, $n ) . '"}';
			yield "opener $u x$n (threshold $thr)"       => "<!-- wp:a $attrs -->x<!-- /wp:a -->";
			yield "void after block $u x$n"              => "<p>0</p><!-- wp:p -->x<!-- /wp:p -->\n<!-- wp:b/c $attrs /-->tail<!-- wp:d /-->";
			yield "nested $u x$n"                        => "<!-- wp:outer --><!-- wp:a $attrs -->x<!-- /wp:a --><!-- /wp:outer -->";
		}
	}
	// The library's own boundary, when it is loaded: the largest document it still parses
	// natively (big attrs through the native path) and the smallest it rejects.
	if ( class_exists( 'Witsper_FFI', false ) && Witsper_FFI::available() ) {
		foreach ( $units as $unit ) {
			$rejects = static function ( int $n ) use ( $unit ): bool {
				return null === Witsper_FFI::parse_plan( '<!-- wp:a {"a":"' . str_repeat( $unit, $n ) . '"} -->' );
			};
			if ( ! $rejects( 1 << 20 ) ) {
				continue;
			}
			$lo = 0;
			$hi = 1 << 20;
			while ( $hi - $lo > 1 ) {
				$mid = intdiv( $lo + $hi, 2 );
				if ( $rejects( $mid ) ) {
					$hi = $mid;
				} else {
					$lo = $mid;
				}
			}
			$u = json_encode( $unit );
			foreach ( array( $lo, $hi ) as $n ) {
				$attrs = '{"a":"' . str_repeat( $unit, $n ) . '"}';
				yield "library boundary $u x$n (rejects from $hi)" => "<!-- wp:p -->0<!-- /wp:p --><!-- wp:a $attrs -->x<!-- wp:b $attrs /-->y<!-- /wp:a -->";
			}
		}
	}
	// Many attempts that fail (no "} -->" to end the attrs), each scanning to the end.
	foreach ( array( 100, 300 ) as $k ) {
		$unit = '<!-- wp:a {"b":"' . str_repeat( '}x', 50 ) . '" ';
		yield "failing attempts x$k"         => str_repeat( $unit, $k ) . 'x-->';
		yield "failing attempts after block x$k" => '<!-- wp:p -->x<!-- /wp:p -->' . str_repeat( $unit, $k ) . '<!-- wp:z /-->';
	}
	foreach ( array( 1000, 10000 ) as $k ) {
		yield "many braces x$k"    => str_repeat( '<!-- wp:a {}}}}}}}}}}', $k ) . '-->';
		yield "token then braces x$k" => '<!-- wp:a /-->' . str_repeat( '<!-- wp:a { } }x', $k ) . '-->';
	}
}
