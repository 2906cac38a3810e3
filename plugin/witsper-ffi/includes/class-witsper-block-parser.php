<?php
/**
 * Witsper_Block_Parser: WP_Block_Parser's result, parsed by libwitsper.
 *
 * The library returns a "block plan" (offsets into the document, format in
 * docs/bridge.md); this class turns it into exactly the arrays WP_Block_Parser
 * returns (serialize()-identical) with substr()/json_decode() on the caller's
 * own string. Any failure falls back to WP_Block_Parser::parse().
 *
 * Usable without WordPress: require WordPress's class-wp-block-parser.php,
 * then this file.
 *
 * @package witsper-ffi
 */

if ( ! class_exists( 'Witsper_FFI', false ) ) {
	// Under opcache.preload the loader is already defined (and must stay the
	// preloaded copy), so it is only required when missing.
	require_once __DIR__ . '/class-witsper-ffi.php';
}

class Witsper_Block_Parser extends WP_Block_Parser {
	/** Marks an inner block's slot in a piece list (innerContent null): WITSPER_PLAN_NULL in witsper.h. */
	const PLAN_NULL = 0xFFFFFFFF;

	/** Plan format this code reads (word 0 of a plan): WITSPER_PLAN_FORMAT in witsper.h. */
	const PLAN_FORMAT = 1;

	/** pcre.backtrack_limit the library's UNSUPPORTED bound assumes (docs/native.md). */
	const PCRE_BACKTRACK_LIMIT_MIN = 1000000;

	/** @var bool Whether the "too large for memory_limit" note was logged. */
	private static $logged_memory = false;

	/**
	 * Whether parse() uses the native library in this process.
	 */
	public static function is_native(): bool {
		return Witsper_FFI::available() && self::pcre_limits_ok();
	}

	/**
	 * Parses a document and returns a list of block structures, exactly like
	 * WP_Block_Parser::parse().
	 *
	 * @param string $document Input document being parsed.
	 * @return array[]
	 */
	public function parse( $document ) {
		if ( ! is_string( $document ) || $this->has_parse_options() || ! Witsper_FFI::available() || ! self::pcre_limits_ok() ) {
			return parent::parse( $document );
		}
		$plan = Witsper_FFI::parse_plan( $document );
		if ( null === $plan ) {
			// Includes WITSPER_E_UNSUPPORTED: a document on which WordPress's
			// own result depends on PCRE limits. Only WP_Block_Parser knows it.
			return parent::parse( $document );
		}
		// A plan that does not match the document (a library bug) could only
		// show up as an "undefined array key" warning in materialize(); turn
		// any of them into the fallback instead of a message on the page.
		set_error_handler( array( __CLASS__, 'plan_error' ) );
		try {
			$output = self::materialize( $plan, $document, self::memory_budget( count( $plan ) ) );
		} catch ( \Throwable $e ) {
			$output = null;
		} finally {
			restore_error_handler();
		}
		unset( $plan );
		if ( null === $output ) {
			return parent::parse( $document );
		}
		// The properties WP_Block_Parser leaves behind, for callers that read
		// them. offset: WordPress leaves the end of its last token there; the
		// plan does not carry it, and the end of the document is what "parsing
		// finished" means to a reader.
		$this->document = $document;
		$this->offset   = strlen( $document );
		$this->output   = $output;
		$this->stack    = array();
		// Only WordPress versions that declare it (6.1-6.3): assigning an undeclared
		// property is a deprecation notice on PHP 8.2 and an error later.
		if ( property_exists( 'WP_Block_Parser', 'empty_attrs' ) ) {
			$this->empty_attrs = array();
		}
		return $output;
	}

	/**
	 * Whether this parse runs with options (WordPress 7.2+: parse_with_options(), which
	 * sets $this->options and calls parse()). The native parser implements none of them
	 * (e.g. preserve_empty_object_attributes keeps an empty JSON object as an object),
	 * so such a parse is WordPress's own: exact, never silently different.
	 */
	private function has_parse_options(): bool {
		return property_exists( 'WP_Block_Parser', 'options' ) && is_array( $this->options )
			&& array() !== array_filter( $this->options );
	}

	/**
	 * Whether PCRE's backtrack limit is at least the one libwitsper's safety
	 * bound was measured against (PHP's default, 1,000,000). Below it,
	 * WordPress's own regex gives up on tokens the library still parses, so
	 * only WP_Block_Parser knows the result. Read per call: ini_set() can
	 * lower it at any time.
	 */
	public static function pcre_limits_ok(): bool {
		return (int) ini_get( 'pcre.backtrack_limit' ) >= self::PCRE_BACKTRACK_LIMIT_MIN;
	}

	/**
	 * Error handler active during materialize(): a warning there means the
	 * plan is malformed, so stop and let parse() fall back.
	 *
	 * @internal
	 * @throws \ErrorException Always.
	 */
	public static function plan_error( int $no, string $str ): bool {
		throw new \ErrorException( 'malformed block plan: ' . $str, 0, $no );
	}

	/**
	 * Bytes of string data the result may take before we give up on native.
	 * Half of what memory_limit still allows (memory_limit counts whole 2 MB
	 * chunks and pages, so strings cost more than their length), minus the
	 * arrays of the result (about 80 bytes per plan word; 128 keeps a margin).
	 * Erring low is safe: the fallback gives the same result, only slower.
	 * PHP_INT_MAX without a limit.
	 */
	private static function memory_budget( int $words ): int {
		$limit = self::ini_bytes( (string) ini_get( 'memory_limit' ) );
		if ( $limit <= 0 ) {
			return PHP_INT_MAX;
		}
		return max( 0, intdiv( $limit - memory_get_usage( true ), 2 ) - 128 * $words );
	}

	/** php.ini size ("128M", "-1", "1G") to bytes; <= 0 means unlimited. */
	private static function ini_bytes( string $v ): int {
		$v = trim( $v );
		if ( '' === $v || '-1' === $v ) {
			return -1;
		}
		$n = (int) $v;
		switch ( strtolower( substr( $v, -1 ) ) ) {
			case 'g':
				$n *= 1024;
				// fall through.
			case 'm':
				$n *= 1024;
				// fall through.
			case 'k':
				$n *= 1024;
		}
		return $n;
	}

	/**
	 * Builds WP_Block_Parser's output from a plan.
	 *
	 * Iterative: blocks come in post-order, so a finished block is pushed on
	 * $stack and a parent takes its children as the last $nc entries. $sp is the
	 * logical stack height; entries above it are stale and overwritten (cheaper
	 * than array_splice, which rebuilds the whole array).
	 *
	 * The loop is the hot path: each statement costs measurable time on large
	 * posts (docs/bridge.md), hence the inlined, repetitive shape.
	 *
	 * @param array  $w      1-based plan words (unpack('L*')).
	 * @param string $doc    The document the offsets point into.
	 * @param int    $budget Bytes of strings allowed before giving up.
	 * @return array|null The blocks, or null when the plan is malformed or the
	 *                    strings would exceed $budget (then the caller lets
	 *                    WP_Block_Parser decide, which fails like WordPress).
	 */
	public static function materialize( array $w, string $doc, int $budget = PHP_INT_MAX ): ?array {
		$end = count( $w );
		if ( $end < 2 || self::PLAN_FORMAT !== $w[1] ) {
			return null;
		}
		$names = array( null );
		$i     = 3;
		for ( $k = $w[2]; $k > 0; --$k, $i += 3 ) {
			$names[] = $w[ $i + 2 ]
				? substr( $doc, $w[ $i ], $w[ $i + 1 ] )
				: 'core/' . substr( $doc, $w[ $i ], $w[ $i + 1 ] );
		}
		$stack = array();
		$sp    = 0;
		$bytes = 0;
		while ( $i <= $end ) {
			$h = $w[ $i ];
			if ( $h & 2 ) {
				$attrs = json_decode( substr( $doc, $w[ $i + 1 ], $w[ $i + 2 ] ), true );
				$i    += 3;
			} else {
				$attrs = array();
				++$i;
			}
			if ( ! ( $h & 1 ) ) {
				// Simple block: innerHTML and innerContent[0] are one string,
				// shared like WordPress's `'' . $html` shares it.
				if ( $len = $w[ $i + 1 ] ) { // phpcs:ignore Squiz.PHP.DisallowMultipleAssignments, WordPress.CodeAnalysis.AssignmentInCondition -- hot loop: one read of the plan word.
					if ( ( $bytes += $len ) > $budget ) {
						return self::too_large( $bytes, $budget );
					}
					$html           = substr( $doc, $w[ $i ], $len );
					$stack[ $sp++ ] = array(
						'blockName'    => $names[ $h >> 2 ],
						'attrs'        => $attrs,
						'innerBlocks'  => array(),
						'innerHTML'    => $html,
						'innerContent' => array( $html ),
					);
				} else {
					$stack[ $sp++ ] = array(
						'blockName'    => $names[ $h >> 2 ],
						'attrs'        => $attrs,
						'innerBlocks'  => array(),
						'innerHTML'    => '',
						'innerContent' => array(),
					);
				}
				$i += 2;
				continue;
			}
			$nc = $w[ $i ];
			$e  = $i + 2 + 2 * $w[ $i + 1 ];
			if ( $e > $end + 1 ) {
				return null; // More pieces than words left: malformed.
			}
			if ( $nc ) {
				if ( $nc > $sp ) {
					return null;
				}
				$sp   -= $nc;
				$inner = array_slice( $stack, $sp, $nc );
			} else {
				$inner = array();
			}
			$content = array();
			for ( $i += 2; $i < $e; $i += 2 ) {
				$content[] = self::PLAN_NULL === ( $o = $w[ $i ] ) ? null : substr( $doc, $o, $w[ $i + 1 ] ); // phpcs:ignore Squiz.PHP.DisallowMultipleAssignments -- hot loop: one read of the plan word.
			}
			$html = implode( '', $content );
			if ( ( $bytes += 2 * strlen( $html ) ) > $budget ) {
				return self::too_large( $bytes, $budget );
			}
			$stack[ $sp++ ] = array(
				'blockName'    => $names[ $h >> 2 ],
				'attrs'        => $attrs,
				'innerBlocks'  => $inner,
				'innerHTML'    => $html,
				'innerContent' => $content,
			);
		}
		if ( $i !== $end + 1 ) {
			return null; // The last record was cut short.
		}
		return count( $stack ) === $sp ? $stack : array_slice( $stack, 0, $sp );
	}

	/**
	 * The result would not fit in memory_limit (unclosed nested blocks repeat
	 * the rest of the document once per level). WordPress itself would run out
	 * of memory on this document; we say so once per process and let
	 * WP_Block_Parser behave exactly as it would without the plugin.
	 */
	private static function too_large( int $bytes, int $budget ): ?array {
		if ( ! self::$logged_memory ) {
			self::$logged_memory = true;
			error_log(
				sprintf(
					'witsper-ffi: parsed blocks need more than %d bytes of strings, %d left under memory_limit; using WP_Block_Parser.',
					$bytes,
					$budget
				)
			);
		}
		return null;
	}
}
