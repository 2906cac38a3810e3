<?php
/**
 * Deliberately wrong block parsers: each gets one WP_Block_Parser quirk wrong. The suite's
 * self-check runs them through the same comparison as the native parser and requires every
 * one of them to be caught, which proves the inputs exercise these quirks and that the
 * comparison can fail (a suite that cannot fail proves nothing).
 *
 * Load after class-wp-block-parser.php.
 *
 * @package witsper
 */

/** Shared plumbing: next_token() with a replaceable regex and attribute decoder. */
abstract class Witsper_Diff_Mutant extends WP_Block_Parser {
	/** The token regex of WordPress 6.1, verbatim. */
	const WP_REGEX = '/<!--\s+(?P<closer>\/)?wp:(?P<namespace>[a-z][a-z0-9_-]*\/)?(?P<name>[a-z][a-z0-9_-]*)\s+(?P<attrs>{(?:(?:[^}]+|}+(?=})|(?!}\s+\/?-->).)*+)?}\s+)?(?P<void>\/)?-->/s';

	protected function regex(): string {
		return self::WP_REGEX;
	}

	protected function decode( string $json ) {
		return json_decode( $json, true );
	}

	public function next_token() {
		$matches   = null;
		$has_match = preg_match( $this->regex(), $this->document, $matches, PREG_OFFSET_CAPTURE, $this->offset );
		if ( ! $has_match ) {
			return array( 'no-more-tokens', null, null, null, null );
		}
		list( $match, $started_at ) = $matches[0];
		$length    = strlen( $match );
		$is_closer = isset( $matches['closer'] ) && -1 !== $matches['closer'][1];
		$is_void   = isset( $matches['void'] ) && -1 !== $matches['void'][1];
		$namespace = $matches['namespace'];
		$namespace = ( isset( $namespace ) && -1 !== $namespace[1] ) ? $namespace[0] : 'core/';
		$name      = $namespace . $matches['name'][0];
		$has_attrs = isset( $matches['attrs'] ) && -1 !== $matches['attrs'][1];
		$attrs     = $has_attrs ? $this->decode( $matches['attrs'][0] ) : $this->empty_attrs;
		if ( $is_void ) {
			return array( 'void-block', $name, $attrs, $started_at, $length );
		}
		if ( $is_closer ) {
			return array( 'block-closer', $name, null, $started_at, $length );
		}
		return array( 'block-opener', $name, $attrs, $started_at, $length );
	}
}

/** Keeps "0" HTML chunks (`'' !== $html` instead of `! empty( $html )`). */
class Witsper_Diff_Mutant_Zero extends Witsper_Diff_Mutant {
	public function add_inner_block( WP_Block_Parser_Block $block, $token_start, $token_length, $last_offset = null ) {
		$parent                       = $this->stack[ count( $this->stack ) - 1 ];
		$parent->block->innerBlocks[] = (array) $block;
		$html                         = substr( $this->document, $parent->prev_offset, $token_start - $parent->prev_offset );
		if ( '' !== $html ) {
			$parent->block->innerHTML     .= $html;
			$parent->block->innerContent[] = $html;
		}
		$parent->block->innerContent[] = null;
		$parent->prev_offset           = $last_offset ? $last_offset : $token_start + $token_length;
	}
}

/** Whitespace as [ \t\n\r] only: misses VT and FF, which PCRE's \s includes. */
class Witsper_Diff_Mutant_Ascii_Ws extends Witsper_Diff_Mutant {
	protected function regex(): string {
		return str_replace( '\s', '[ \t\n\r]', self::WP_REGEX );
	}
}

/** Whitespace includes NBSP (U+00A0), which PCRE's \s (no /u) does not. */
class Witsper_Diff_Mutant_Nbsp extends Witsper_Diff_Mutant {
	protected function regex(): string {
		return str_replace( '\s', '(?:\s|\xC2\xA0)', self::WP_REGEX );
	}
}

/** Case-insensitive names. */
class Witsper_Diff_Mutant_Case extends Witsper_Diff_Mutant {
	protected function regex(): string {
		return self::WP_REGEX . 'i';
	}
}

/** Big integers as strings instead of floats. */
class Witsper_Diff_Mutant_Bigint extends Witsper_Diff_Mutant {
	protected function decode( string $json ) {
		return json_decode( $json, true, 512, JSON_BIGINT_AS_STRING );
	}
}

/** JSON nesting limit 1024 instead of 512. */
class Witsper_Diff_Mutant_Depth extends Witsper_Diff_Mutant {
	protected function decode( string $json ) {
		return json_decode( $json, true, 1024 );
	}
}

/** Invalid attributes as array() instead of null. */
class Witsper_Diff_Mutant_Invalid_Json extends Witsper_Diff_Mutant {
	protected function decode( string $json ) {
		$v = json_decode( $json, true );
		return null === $v ? array() : $v;
	}
}

/** Floats with an integral value (1.0, 1e2) as ints. */
class Witsper_Diff_Mutant_Float extends Witsper_Diff_Mutant {
	protected function decode( string $json ) {
		$v = json_decode( $json, true );
		if ( is_array( $v ) ) {
			array_walk_recursive(
				$v,
				function ( &$x ) {
					if ( is_float( $x ) && floor( $x ) === $x && abs( $x ) < 1e15 ) {
						$x = (int) $x;
					}
				}
			);
		}
		return $v;
	}
}

/** Ends the innerContent of a nested block without the "" piece WP adds on an empty close. */
class Witsper_Diff_Mutant_Empty_Close extends Witsper_Diff_Mutant {
	public function proceed() {
		$next_token = $this->next_token();
		list( $token_type, , , $start_offset, $token_length ) = $next_token;
		if ( 'block-closer' === $token_type && count( $this->stack ) > 1 ) {
			$stack_top = array_pop( $this->stack );
			$html      = substr( $this->document, $stack_top->prev_offset, $start_offset - $stack_top->prev_offset );
			if ( '' !== $html ) {
				$stack_top->block->innerHTML     .= $html;
				$stack_top->block->innerContent[] = $html;
			}
			$stack_top->prev_offset = $start_offset + $token_length;
			$this->add_inner_block( $stack_top->block, $stack_top->token_start, $stack_top->token_length, $start_offset + $token_length );
			$this->offset = $start_offset + $token_length;
			return true;
		}
		// Otherwise WordPress's own logic; it re-reads the same token (offset is unchanged).
		return parent::proceed();
	}
}

/** A stray closer at the top level is skipped instead of ending the parse. */
class Witsper_Diff_Mutant_Stray extends Witsper_Diff_Mutant {
	public function next_token() {
		$t = parent::next_token();
		while ( 'block-closer' === $t[0] && 0 === count( $this->stack ) ) {
			$this->output[] = (array) $this->freeform( substr( $this->document, $this->offset, $t[3] + $t[4] - $this->offset ) );
			$this->offset   = $t[3] + $t[4];
			$t              = parent::next_token();
		}
		return $t;
	}
}

/** Unclosed blocks at the end are nested into their parents instead of flushed top-level. */
class Witsper_Diff_Mutant_Unclosed extends Witsper_Diff_Mutant {
	public function proceed() {
		$t = $this->next_token();
		if ( 'no-more-tokens' === $t[0] && count( $this->stack ) > 1 ) {
			$end = strlen( $this->document );
			while ( count( $this->stack ) > 1 ) {
				$top  = array_pop( $this->stack );
				$html = substr( $this->document, $top->prev_offset, $end - $top->prev_offset );
				if ( ! empty( $html ) ) {
					$top->block->innerHTML     .= $html;
					$top->block->innerContent[] = $html;
				}
				$this->add_inner_block( $top->block, $top->token_start, $top->token_length, $end );
			}
			$this->add_block_from_stack();
			return false;
		}
		return parent::proceed();
	}
}

/** The mutants by name, for --candidate=mutant:NAME and the self-check. */
function witsper_diff_mutants(): array {
	return array(
		'zero'         => 'Witsper_Diff_Mutant_Zero',
		'ascii-ws'     => 'Witsper_Diff_Mutant_Ascii_Ws',
		'nbsp'         => 'Witsper_Diff_Mutant_Nbsp',
		'case'         => 'Witsper_Diff_Mutant_Case',
		'bigint'       => 'Witsper_Diff_Mutant_Bigint',
		'depth'        => 'Witsper_Diff_Mutant_Depth',
		'invalid-json' => 'Witsper_Diff_Mutant_Invalid_Json',
		'float'        => 'Witsper_Diff_Mutant_Float',
		'empty-close'  => 'Witsper_Diff_Mutant_Empty_Close',
		'stray'        => 'Witsper_Diff_Mutant_Stray',
		'unclosed'     => 'Witsper_Diff_Mutant_Unclosed',
	);
}

/**
 * Not a mutant: WordPress's parser, recording whether PCRE failed (preg_match() === false,
 * e.g. JIT stack limit) on some token. Used to check that the documents the library rejects
 * with WITSPER_E_UNSUPPORTED are ones where WordPress's result depends on PCRE limits.
 */
class Witsper_Diff_Pcre_Watch extends Witsper_Diff_Mutant {
	/** @var string|null preg_last_error_msg() of the first failure. */
	public $pcre_error = null;

	public function next_token() {
		$r = preg_match( self::WP_REGEX, $this->document, $m, PREG_OFFSET_CAPTURE, $this->offset );
		if ( false === $r && null === $this->pcre_error ) {
			$this->pcre_error = preg_last_error_msg() . ' at offset ' . $this->offset;
		}
		return parent::next_token();
	}
}
