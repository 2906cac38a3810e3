<?php
/**
 * Which WordPress block parser this site has, and whether the native parser was verified
 * against it.
 *
 * The native parser must give exactly WP_Block_Parser's result, and WP_Block_Parser changes
 * between WordPress versions (7.2 added parse_with_options()). The differential suite
 * (tests/diff/run.sh) compares the native parser with every core parser in
 * tests/diff/wp-block-parser/; VERIFIED lists their fingerprints. On a site whose core parser
 * is not one of them, the plugin replaces it only after the extended self-test passed there
 * (Witsper_Selftest, checked by Witsper_Plugin::why_not_native()).
 *
 * The fingerprint is a hash of the PHP tokens of the files that define WP_Block_Parser,
 * WP_Block_Parser_Block and WP_Block_Parser_Frame, without comments and white space: the
 * same code gives the same fingerprint whether it comes with WordPress's comments or as a
 * stripped copy. No WordPress function is used: the diff suite computes it too.
 *
 * @package Witsper_FFI
 */

/**
 * Core parser fingerprint and the verified set.
 */
final class Witsper_Core_Parser {

	/**
	 * Fingerprints of the core parsers the differential suite compares against (both FFI
	 * modes, tests/diff/run.sh), and the WordPress versions that ship each. A test
	 * (tests/diff/run.sh, "verified set") fails when this list and the reference copies
	 * disagree.
	 */
	const VERIFIED = array(
		'0dea650bcddce1af' => array( '6.1.9' ),
		'00e296e220fa4c34' => array( '6.2.6' ),
		'3fbe1600d83bb413' => array( '6.3.5' ),
		'7c5c0e616f1ca5b8' => array( '6.4.5', '6.5.5', '6.6-RC3', '6.7-alpha-58716' ),
		'28cb528d1b2fe733' => array( '7.2-alpha-trunk' ),
	);

	/**
	 * Fingerprint of this process's core parser, computed once per process.
	 *
	 * @var string|null
	 */
	private static $fingerprint = null;

	/**
	 * The fingerprint of the loaded WP_Block_Parser (and its block and frame classes), or
	 * '' when WP_Block_Parser is not loaded.
	 */
	public static function fingerprint(): string {
		if ( null === self::$fingerprint ) {
			$sources = array();
			foreach ( self::CLASSES as $class ) {
				if ( class_exists( $class, false ) ) {
					$sources[ $class ] = (string) ( new ReflectionClass( $class ) )->getFileName();
				}
			}
			self::$fingerprint = isset( $sources['WP_Block_Parser'] ) ? self::fingerprint_of( $sources ) : '';
		}
		return self::$fingerprint;
	}

	/** The classes that make up the core parser. */
	const CLASSES = array( 'WP_Block_Parser', 'WP_Block_Parser_Block', 'WP_Block_Parser_Frame' );

	/**
	 * Fingerprint of classes in PHP source files: sha256 of each class's tokens, from
	 * `class` to its closing brace (comments and white space dropped, one space between
	 * tokens), first 16 hex digits. Only the classes count, not what else the file holds
	 * (6.1 has all three classes in one file, 6.3+ one per file; reference copies may
	 * require the others at the end).
	 *
	 * @param array<string,string> $sources Class name => file that defines it, in order.
	 */
	public static function fingerprint_of( array $sources ): string {
		$ctx = hash_init( 'sha256' );
		foreach ( $sources as $class => $file ) {
			$code = @file_get_contents( $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions, WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors
			if ( false === $code ) {
				return '';
			}
			$tokens = self::class_tokens( token_get_all( $code ), $class );
			if ( ! $tokens ) {
				return '';
			}
			hash_update( $ctx, implode( ' ', $tokens ) . "\n" );
		}
		return substr( hash_final( $ctx ), 0, 16 );
	}

	/**
	 * The tokens of one class declaration: `class NAME ... { ... }`, comments and white
	 * space left out.
	 *
	 * @param array  $all   token_get_all() of a file.
	 * @param string $class Class name.
	 * @return string[]
	 */
	private static function class_tokens( array $all, string $class ): array {
		$skip = array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT );
		$n    = count( $all );
		for ( $i = 0; $i < $n; $i++ ) {
			if ( ! is_array( $all[ $i ] ) || T_CLASS !== $all[ $i ][0] ) {
				continue;
			}
			$j = $i + 1;
			while ( $j < $n && is_array( $all[ $j ] ) && in_array( $all[ $j ][0], $skip, true ) ) {
				$j++;
			}
			if ( $j >= $n || ! is_array( $all[ $j ] ) || T_STRING !== $all[ $j ][0] || 0 !== strcasecmp( $all[ $j ][1], $class ) ) {
				continue;
			}
			$out   = array();
			$depth = 0;
			for ( $k = $i; $k < $n; $k++ ) {
				$t = $all[ $k ];
				if ( is_array( $t ) ) {
					if ( in_array( $t[0], $skip, true ) ) {
						continue;
					}
					if ( T_CURLY_OPEN === $t[0] || T_DOLLAR_OPEN_CURLY_BRACES === $t[0] ) {
						$depth++;
					}
					$out[] = $t[1];
					continue;
				}
				$out[] = $t;
				if ( '{' === $t ) {
					$depth++;
				} elseif ( '}' === $t && 0 === --$depth ) {
					return $out;
				}
			}
			return array();
		}
		return array();
	}

	/**
	 * Where the core parser's classes come from and which version of those files: path,
	 * size and modification time of each (stat only, about 1 µs). A stored fingerprint is
	 * reused while this is unchanged, so a page view never tokenizes WordPress's files
	 * (fingerprint() takes about 1 ms).
	 */
	public static function signature(): string {
		$parts = array();
		foreach ( self::CLASSES as $class ) {
			if ( class_exists( $class, false ) ) {
				$file    = (string) ( new ReflectionClass( $class ) )->getFileName();
				$parts[] = $file . ':' . (int) @filesize( $file ) . ':' . (int) @filemtime( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors
			}
		}
		return implode( '|', $parts );
	}

	/**
	 * This site's fingerprint, taken from a stored self-test result when that was made
	 * from the same files (see signature()), else computed.
	 *
	 * @param array|null $stored A stored self-test result (Witsper_Selftest::result()).
	 */
	public static function fingerprint_for( ?array $stored ): string {
		if ( is_array( $stored ) && isset( $stored['core_parser'], $stored['core_files'] )
			&& self::signature() === $stored['core_files'] ) {
			return (string) $stored['core_parser'];
		}
		return self::fingerprint();
	}

	/**
	 * The WordPress versions whose parser has this fingerprint, or null when it is not in
	 * the verified set.
	 *
	 * @param string|null $fingerprint A fingerprint; null = this site's.
	 */
	public static function verified_as( ?string $fingerprint = null ): ?string {
		$fingerprint = $fingerprint ?? self::fingerprint();
		return isset( self::VERIFIED[ $fingerprint ] ) ? implode( ', ', self::VERIFIED[ $fingerprint ] ) : null;
	}
}
