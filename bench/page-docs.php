<?php
/**
 * Which documents one front-end page hands to parse_blocks(), and what each parser takes on
 * them. bench/page-cost.sh counts the whole page; this shows where the parser's share is.
 *
 * It loads the stack's WordPress for one URL (as index.php would, output discarded), with a
 * parser class that records every document before handing it to the class WordPress chose,
 * then times WP_Block_Parser and Witsper_Block_Parser on each recorded document in this
 * process (opcache on, median of 5 batches).
 *
 * Usage: php [mode flags] -d opcache.enable_cli=1 bench/page-docs.php WP_ROOT HOST:PORT URI
 */

if ( $argc < 4 ) {
	fwrite( STDERR, "Usage: php page-docs.php WP_ROOT HOST:PORT URI\n" );
	exit( 3 );
}
list( , $wp_root, $host, $uri ) = $argv;
$_SERVER['HTTP_HOST']      = $host;
$_SERVER['SERVER_NAME']    = preg_replace( '/:\d+$/', '', $host );
$_SERVER['SERVER_PORT']    = preg_match( '/:(\d+)$/', $host, $m ) ? $m[1] : '80';
$_SERVER['REQUEST_URI']    = $uri;
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SCRIPT_NAME']    = '/index.php';
$_SERVER['PHP_SELF']       = '/index.php';

/** Records each document, then parses it with the class WordPress (and plugins) chose. */
final class Witsper_Bench_Recording_Parser {
	/** @var string[] */
	public static $docs = array();
	/** @var string[] */
	public static $classes = array();
	/** @var string */
	public static $chosen = 'WP_Block_Parser';

	public function parse( $document ) {
		self::$docs[]    = $document;
		self::$classes[] = self::$chosen;
		$parser          = new self::$chosen();
		return $parser->parse( $document );
	}
}

// Last on block_parser_class, before WordPress loads (WP_Hook reads pre-seeded $wp_filter).
$GLOBALS['wp_filter']['block_parser_class'][ PHP_INT_MAX ][] = array(
	'function'      => static function ( $class ) {
		Witsper_Bench_Recording_Parser::$chosen = $class;
		return 'Witsper_Bench_Recording_Parser';
	},
	'accepted_args' => 1,
);

/** Median microseconds per parse of $doc with $class. */
function witsper_bench_time( string $class, string $doc ): float {
	$n       = max( 20, intdiv( 200000, strlen( $doc ) + 200 ) );
	$batches = array();
	for ( $b = 0; $b < 5; $b++ ) {
		$t = hrtime( true );
		for ( $i = 0; $i < $n; $i++ ) {
			$p = new $class();
			$p->parse( $doc );
		}
		$batches[] = ( hrtime( true ) - $t ) / 1e3 / $n;
	}
	sort( $batches );
	return $batches[2];
}

register_shutdown_function(
	static function () {
		$page = ob_get_clean();
		$docs = Witsper_Bench_Recording_Parser::$docs;
		printf(
			"page: %d bytes of HTML, %d parse_blocks() calls (%s), %d bytes parsed\n",
			strlen( (string) $page ),
			count( $docs ),
			json_encode( array_count_values( Witsper_Bench_Recording_Parser::$classes ) ),
			array_sum( array_map( 'strlen', $docs ) )
		);
		if ( ! $docs ) {
			echo "no document was parsed: is the stack up and is URI a post? The page began: "
				. substr( trim( wp_strip_all_tags( (string) $page ) ), 0, 120 ) . "\n";
			exit( 1 );
		}
		if ( ! class_exists( 'Witsper_Block_Parser' ) || ! Witsper_Block_Parser::is_native() ) {
			echo "native parser not active in this PHP: nothing to compare\n";
			return;
		}
		$wp = 0.0;
		$nt = 0.0;
		$by = array();
		foreach ( $docs as $doc ) {
			$key = strlen( $doc ) . ':' . md5( $doc );
			if ( ! isset( $by[ $key ] ) ) {
				if ( serialize( ( new WP_Block_Parser() )->parse( $doc ) ) !== serialize( ( new Witsper_Block_Parser() )->parse( $doc ) ) ) {
					echo "DIFFERENT result on a document of " . strlen( $doc ) . " bytes\n";
					exit( 1 );
				}
				$by[ $key ] = array( witsper_bench_time( 'WP_Block_Parser', $doc ), witsper_bench_time( 'Witsper_Block_Parser', $doc ) );
			}
			$wp += $by[ $key ][0];
			$nt += $by[ $key ][1];
		}
		$small = count( array_filter( $docs, static function ( $d ) { return strlen( $d ) < 100; } ) );
		printf( "parse time per page: WP_Block_Parser %.0f us, Witsper_Block_Parser %.0f us (saves %.0f us); %d of the documents are under 100 bytes\n", $wp, $nt, $wp - $nt, $small );
	}
);

define( 'WP_USE_THEMES', true );
ob_start();
require $wp_root . '/wp-blog-header.php';
