<?php
/**
 * An independent reading of the library's block plan (format version 1, see the fixed
 * interfaces in the team brief): builds the parse tree from the plan's words and the
 * document. The suite compares this tree with WP_Block_Parser's too, so a library bug is
 * caught even if Witsper_Block_Parser were to fall back to PHP for that document.
 *
 * Throws UnexpectedValueException on a malformed plan (that is a library bug as well).
 *
 * @package witsper
 */

function witsper_diff_plan_to_tree( array $words, string $doc ): array {
	$w   = array_values( $words );
	$n   = count( $w );
	$len = strlen( $doc );
	$at  = 0;
	$get = static function () use ( &$at, $w, $n ) {
		if ( $at >= $n ) {
			throw new UnexpectedValueException( "plan truncated at word $at" );
		}
		return $w[ $at++ ];
	};
	$sub = static function ( int $off, int $l ) use ( $doc, $len, &$at ): string {
		if ( $off > $len || $l > $len - $off ) {
			throw new UnexpectedValueException( "range ($off, $l) outside the document (length $len) near word $at" );
		}
		return substr( $doc, $off, $l );
	};
	if ( 1 !== $get() ) {
		throw new UnexpectedValueException( 'plan format version is not 1' );
	}
	$names = array( null );
	$count = $get();
	for ( $i = 0; $i < $count; $i++ ) {
		$off     = $get();
		$l       = $get();
		$has_ns  = $get();
		$names[] = ( $has_ns ? '' : 'core/' ) . $sub( $off, $l );
	}
	$stack = array();
	while ( $at < $n ) {
		$head    = $get();
		$name_id = $head >> 2;
		if ( ! array_key_exists( $name_id, $names ) ) {
			throw new UnexpectedValueException( "name id $name_id out of range at word " . ( $at - 1 ) );
		}
		$attrs = array();
		if ( $head & 2 ) {
			$off   = $get();
			$attrs = json_decode( $sub( $off, $get() ), true );
		}
		$inner_blocks = array();
		if ( $head & 1 ) {
			$n_children = $get();
			$n_pieces   = $get();
			if ( $n_children > count( $stack ) ) {
				throw new UnexpectedValueException( "$n_children children but only " . count( $stack ) . ' blocks before' );
			}
			$inner_blocks = $n_children ? array_splice( $stack, count( $stack ) - $n_children ) : array();
			$content      = array();
			$html         = '';
			for ( $i = 0; $i < $n_pieces; $i++ ) {
				$off = $get();
				$l   = $get();
				if ( 0xFFFFFFFF === $off ) {
					$content[] = null;
				} else {
					$piece     = $sub( $off, $l );
					$content[] = $piece;
					$html     .= $piece;
				}
			}
		} else {
			$off     = $get();
			$l       = $get();
			$html    = $sub( $off, $l );
			$content = 0 === $l ? array() : array( $html );
		}
		// Same keys in the same order as (array) of a WP_Block_Parser_Block.
		$stack[] = array(
			'blockName'    => $names[ $name_id ],
			'attrs'        => $attrs,
			'innerBlocks'  => $inner_blocks,
			'innerHTML'    => $html,
			'innerContent' => $content,
		);
	}
	return $stack;
}
