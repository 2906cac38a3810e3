<?php
/**
 * PHP reference encoder of the "block plan" (the format libwitsper's
 * witsper_parse_blocks returns, see docs/bridge.md). Test tooling only: it lets
 * the bridge be developed and checked without the C library, and gives the
 * library a second opinion to be diffed against.
 *
 * It is WP_Block_Parser's algorithm (same regex, same stack rules) with every
 * string replaced by an (offset, length) pair into the document. The finished
 * tree is then written in post-order, so every block's inner blocks directly
 * precede it (WordPress flushes unclosed nested blocks to the top level at the
 * end of the document, so the order cannot be emitted while scanning).
 */
class Witsper_Ref_Plan {
	const NUL = 0xFFFFFFFF;

	private $doc;
	private $offset;
	private $output;
	private $stack;
	private $names;
	private $words;

	/** @return string the plan as packed host-order uint32 words */
	public static function encode( string $doc ): string {
		$w = ( new self() )->words( $doc );
		return pack( 'L*', ...$w );
	}

	public function words( string $doc ): array {
		$this->doc    = $doc;
		$this->offset = 0;
		$this->output = array();
		$this->stack  = array();
		$this->names  = array();
		while ( $this->proceed() ) { // phpcs:ignore Generic.CodeAnalysis.EmptyStatement -- proceed() does the work, as in WP_Block_Parser::parse().
		}
		$body = array();
		foreach ( $this->output as $b ) {
			$this->emit( $b, $body );
		}
		$w = array( 1, count( $this->names ) );
		foreach ( $this->names as $n ) {
			$w[] = $n[0];
			$w[] = $n[1];
			$w[] = $n[2];
		}
		return array_merge( $w, $body );
	}

	/* A block here: [name_id, attrs|null (off,len), children[], pieces[] (off,len)|null] */
	private static function block( $name_id, $attrs ) {
		return (object) array( 'name' => $name_id, 'attrs' => $attrs, 'children' => array(), 'pieces' => array() );
	}

	private function emit( $b, array &$out ) {
		foreach ( $b->children as $c ) {
			$this->emit( $c, $out );
		}
		$has_attrs = null !== $b->attrs;
		$complex   = $b->children || count( $b->pieces ) > 1
			|| ( 1 === count( $b->pieces ) && 0 === $b->pieces[0][1] );
		$out[]     = ( $b->name << 2 ) | ( $has_attrs ? 2 : 0 ) | ( $complex ? 1 : 0 );
		if ( $has_attrs ) {
			$out[] = $b->attrs[0];
			$out[] = $b->attrs[1];
		}
		if ( ! $complex ) {
			$out[] = $b->pieces ? $b->pieces[0][0] : 0;
			$out[] = $b->pieces ? $b->pieces[0][1] : 0;
			return;
		}
		$out[] = count( $b->children );
		$out[] = count( $b->pieces );
		foreach ( $b->pieces as $p ) {
			$out[] = null === $p ? self::NUL : $p[0];
			$out[] = null === $p ? 0 : $p[1];
		}
	}

	/* WP's `! empty( $html )` on substr($doc, $off, $len). */
	private function nonempty( $off, $len ) {
		return $len > 1 || ( 1 === $len && '0' !== $this->doc[ $off ] );
	}

	private function freeform( $off, $len ) {
		$b           = self::block( 0, null );
		$b->pieces[] = array( $off, $len );
		return $b;
	}

	private function proceed() {
		list( $type, $name, $attrs, $start, $tlen ) = $this->next_token();
		$depth   = count( $this->stack );
		$leading = $start > $this->offset ? $this->offset : null;
		switch ( $type ) {
			case 'no-more-tokens':
				if ( 0 === $depth ) {
					$this->add_freeform();
					return false;
				}
				while ( $this->stack ) {
					$this->add_block_from_stack( null );
				}
				return false;
			case 'void-block':
				if ( 0 === $depth ) {
					if ( null !== $leading ) {
						$this->output[] = $this->freeform( $leading, $start - $leading );
					}
					$this->output[] = self::block( $name, $attrs );
					$this->offset   = $start + $tlen;
					return true;
				}
				$this->add_inner_block( self::block( $name, $attrs ), $start, $tlen, null );
				$this->offset = $start + $tlen;
				return true;
			case 'block-opener':
				$this->stack[] = (object) array(
					'block'   => self::block( $name, $attrs ),
					'start'   => $start,
					'tlen'    => $tlen,
					'prev'    => $start + $tlen,
					'leading' => $leading,
				);
				$this->offset  = $start + $tlen;
				return true;
			case 'block-closer':
				if ( 0 === $depth ) {
					$this->add_freeform();
					return false;
				}
				if ( 1 === $depth ) {
					$this->add_block_from_stack( $start );
					$this->offset = $start + $tlen;
					return true;
				}
				$top                   = array_pop( $this->stack );
				$top->block->pieces[]  = array( $top->prev, $start - $top->prev );
				$top->prev             = $start + $tlen;
				$this->add_inner_block( $top->block, $top->start, $top->tlen, $start + $tlen );
				$this->offset = $start + $tlen;
				return true;
		}
		return false;
	}

	private function next_token() {
		$m   = null;
		$has = preg_match(
			'/<!--\s+(?P<closer>\/)?wp:(?P<namespace>[a-z][a-z0-9_-]*\/)?(?P<name>[a-z][a-z0-9_-]*)\s+(?P<attrs>{(?:(?:[^}]+|}+(?=})|(?!}\s+\/?-->).)*+)?}\s+)?(?P<void>\/)?-->/s',
			$this->doc,
			$m,
			PREG_OFFSET_CAPTURE,
			$this->offset
		);
		if ( ! $has ) {
			return array( 'no-more-tokens', null, null, null, null );
		}
		list( $match, $at ) = $m[0];
		$is_closer = isset( $m['closer'] ) && -1 !== $m['closer'][1];
		$is_void   = isset( $m['void'] ) && -1 !== $m['void'][1];
		$has_ns    = isset( $m['namespace'] ) && -1 !== $m['namespace'][1];
		$noff      = $has_ns ? $m['namespace'][1] : $m['name'][1];
		$nlen      = $m['name'][1] + strlen( $m['name'][0] ) - $noff;
		$name      = 0;
		if ( ! $is_closer ) {
			// A closer's name is never used (WordPress ignores it): not in the table.
			$key = substr( $this->doc, $noff, $nlen ) . ( $has_ns ? '' : '!' );
			if ( ! isset( $this->names[ $key ] ) ) {
				$this->names[ $key ] = array( $noff, $nlen, $has_ns ? 1 : 0, count( $this->names ) + 1 );
			}
			$name = $this->names[ $key ][3];
		}
		$attrs = ( isset( $m['attrs'] ) && -1 !== $m['attrs'][1] )
			? array( $m['attrs'][1], strlen( $m['attrs'][0] ) ) : null;
		if ( $is_void ) {
			return array( 'void-block', $name, $attrs, $at, strlen( $match ) );
		}
		if ( $is_closer ) {
			return array( 'block-closer', $name, null, $at, strlen( $match ) );
		}
		return array( 'block-opener', $name, $attrs, $at, strlen( $match ) );
	}

	private function add_freeform() {
		$len = strlen( $this->doc ) - $this->offset;
		if ( 0 === $len ) {
			return;
		}
		$this->output[] = $this->freeform( $this->offset, $len );
	}

	private function add_inner_block( $block, $tstart, $tlen, $last ) {
		$parent                    = $this->stack[ count( $this->stack ) - 1 ];
		$parent->block->children[] = $block;
		$len                       = $tstart - $parent->prev;
		if ( $this->nonempty( $parent->prev, $len ) ) {
			$parent->block->pieces[] = array( $parent->prev, $len );
		}
		$parent->block->pieces[] = null;
		$parent->prev            = $last ? $last : $tstart + $tlen;
	}

	private function add_block_from_stack( $end ) {
		$top  = array_pop( $this->stack );
		$prev = $top->prev;
		$len  = null === $end ? strlen( $this->doc ) - $prev : $end - $prev;
		if ( $len < 0 ) {
			$len = 0; // substr past the end gives ''.
		}
		if ( $this->nonempty( $prev, $len ) ) {
			$top->block->pieces[] = array( $prev, $len );
		}
		if ( null !== $top->leading ) {
			$this->output[] = $this->freeform( $top->leading, $top->start - $top->leading );
		}
		$this->output[] = $top->block;
	}
}
