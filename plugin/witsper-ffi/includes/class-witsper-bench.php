<?php
/**
 * Quick in-process benchmark of both parsers (`wp witsper bench`). The project's full
 * benchmark is `make bench`; this one answers "is it faster on this server, on my posts".
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Plain class: returns rows, prints nothing.
 */
final class Witsper_Bench {

	/**
	 * Times WP_Block_Parser and Witsper_Block_Parser on each document.
	 *
	 * @param array<string,string> $docs       name => document.
	 * @param int                  $iterations Runs per parser and document (median is kept).
	 * @return array{native:bool,reason:?string,rows:array}
	 */
	public static function run( array $docs, int $iterations = 15 ): array {
		$iterations = max( 1, $iterations );
		$native     = class_exists( 'Witsper_Block_Parser', false ) && Witsper_Plugin::ffi_status()['available']
			&& Witsper_Block_Parser::is_native();
		$rows       = array();
		foreach ( $docs as $name => $doc ) {
			$php_ms    = self::median_ms( 'WP_Block_Parser', $doc, $iterations );
			$native_ms = $native ? self::median_ms( 'Witsper_Block_Parser', $doc, $iterations ) : null;
			$same      = $native ? serialize( ( new Witsper_Block_Parser() )->parse( $doc ) ) === serialize( ( new WP_Block_Parser() )->parse( $doc ) ) : null; // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions
			$rows[]    = array(
				'name'      => (string) $name,
				'bytes'     => strlen( $doc ),
				'php_ms'    => round( $php_ms, 3 ),
				'native_ms' => null === $native_ms ? null : round( $native_ms, 3 ),
				// > 1 means the native parser is faster.
				'ratio'     => ( null === $native_ms || $native_ms <= 0.0 ) ? null : round( $php_ms / $native_ms, 2 ),
				'identical' => $same,
			);
		}
		$why = Witsper_Plugin::why_not_native();
		return array(
			'native' => $native,
			'reason' => $native ? null : ( $why['text'] ?? 'native parser unavailable' ),
			'rows'   => $rows,
		);
	}

	/**
	 * Reads files into a name => document map; unreadable files are reported, not skipped.
	 *
	 * @param string[] $paths File paths.
	 * @return array{docs:array<string,string>,errors:string[]}
	 */
	public static function load_files( array $paths ): array {
		$docs   = array();
		$errors = array();
		foreach ( $paths as $path ) {
			$doc = is_file( $path ) && is_readable( $path ) ? file_get_contents( $path ) : false; // phpcs:ignore WordPress.WP.AlternativeFunctions
			if ( false === $doc ) {
				$errors[] = sprintf( 'cannot read %s', $path );
				continue;
			}
			$docs[ basename( $path ) ] = $doc;
		}
		return array(
			'docs'   => $docs,
			'errors' => $errors,
		);
	}

	/**
	 * Median wall time of $iterations parses, in milliseconds.
	 *
	 * @param string $class      Parser class.
	 * @param string $doc        Document.
	 * @param int    $iterations Runs.
	 */
	private static function median_ms( string $class, string $doc, int $iterations ): float {
		$times = array();
		for ( $i = 0; $i < $iterations; $i++ ) {
			$parser  = new $class();
			$start   = hrtime( true );
			$tree    = $parser->parse( $doc );
			$times[] = ( hrtime( true ) - $start ) / 1e6;
			unset( $tree );
		}
		sort( $times );
		return $times[ intdiv( count( $times ), 2 ) ];
	}
}
