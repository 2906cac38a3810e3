<?php
/**
 * Native (Witsper_Block_Parser) vs WP_Block_Parser on each corpus file, in one
 * PHP process. Run by bench/run.sh once per FFI mode.
 *
 * Usage: php <mode flags> bench/bench.php MODE CORPUS_DIR OUT_JSON
 *
 * Timing: both parsers warm up, then run interleaved (A, B, A, B, ...) so
 * drift of the machine hits both equally; medians of each. The number of runs
 * is chosen per file so that each parser gets about BENCH_SECONDS (default
 * 1.5 s) and at least 21 runs.
 * Memory: separate passes, because hrtime loops keep garbage around: for each
 * parser, memory_reset_peak_usage(), parse, peak minus the usage before.
 * Refuses to report a file whose native result differs from WordPress's.
 */

$mode   = $argv[1] ?? '?';
$corpus = $argv[2] ?? '';
$out    = $argv[3] ?? '';
$root   = dirname( __DIR__ );
require '/usr/share/wordpress/wp-includes/class-wp-block-parser.php';
require $root . '/plugin/witsper-ffi/includes/class-witsper-block-parser.php';

$status = Witsper_FFI::status();
if ( ! $status['available'] || $mode !== $status['mode'] ) {
	fwrite( STDERR, "bench: native parser not in mode $mode: " . json_encode( $status ) . "\n" );
	exit( 1 );
}
$opcache = function_exists( 'opcache_get_status' ) ? opcache_get_status( false ) : false;
if ( ! $opcache || empty( $opcache['opcache_enabled'] ) ) {
	fwrite( STDERR, "bench: opcache is not enabled\n" );
	exit( 1 );
}

$budget = (float) ( getenv( 'BENCH_SECONDS' ) ?: 1.5 );
$files  = glob( rtrim( $corpus, '/' ) . '/*' );
if ( ! $files ) {
	fwrite( STDERR, "bench: no files in $corpus\n" );
	exit( 1 );
}

function median( array $a ): float {
	sort( $a );
	$n = count( $a );
	return $n % 2 ? $a[ intdiv( $n, 2 ) ] : ( $a[ $n / 2 - 1 ] + $a[ $n / 2 ] ) / 2;
}

/** CPU time of this process (user + system), in nanoseconds. */
function cpu_ns(): int {
	$u = getrusage();
	return ( $u['ru_utime.tv_sec'] + $u['ru_stime.tv_sec'] ) * 1000000000
		+ ( $u['ru_utime.tv_usec'] + $u['ru_stime.tv_usec'] ) * 1000;
}

/** Peak bytes one parse adds over the current usage; min of 3 passes. */
function peak_of( callable $f, string $doc ): int {
	$best = PHP_INT_MAX;
	for ( $k = 0; $k < 3; ++$k ) {
		gc_collect_cycles();
		$base = memory_get_usage();
		memory_reset_peak_usage();
		$r    = $f( $doc );
		$best = min( $best, memory_get_peak_usage() - $base );
		unset( $r );
	}
	return $best;
}

$wp     = function ( $d ) { return ( new WP_Block_Parser() )->parse( $d ); };
$native = function ( $d ) { return ( new Witsper_Block_Parser() )->parse( $d ); };
$plan   = function ( $d ) { return Witsper_FFI::parse_plan( $d ); };

$rows = array();
foreach ( $files as $file ) {
	$doc = file_get_contents( $file );
	if ( serialize( $native( $doc ) ) !== serialize( $wp( $doc ) ) ) {
		fwrite( STDERR, "bench: native result differs from WP_Block_Parser on $file\n" );
		exit( 1 );
	}
	$words = $plan( $doc );
	if ( null === $words ) {
		fwrite( STDERR, "bench: library refused $file: " . json_encode( Witsper_FFI::last_error() ) . "\n" );
		exit( 1 );
	}
	// Warm-up, and a first estimate of the run count.
	$t0 = hrtime( true );
	for ( $k = 0; $k < 5; ++$k ) {
		$wp( $doc );
		$native( $doc );
	}
	$per  = ( hrtime( true ) - $t0 ) / 1e9 / 5;
	$runs = (int) max( 21, min( 5001, 2 * $budget / max( $per, 1e-6 ) ) ) | 1;

	$ta = $tb = $tp = array();
	for ( $k = 0; $k < $runs; ++$k ) {
		$s    = hrtime( true );
		$r    = $wp( $doc );
		$ta[] = hrtime( true ) - $s;
		unset( $r );
		$s    = hrtime( true );
		$r    = $native( $doc );
		$tb[] = hrtime( true ) - $s;
		unset( $r );
	}
	// CPU time (getrusage user+sys) of batches of runs, interleaved: less
	// sensitive than wall-clock time to other processes on a shared machine.
	$batch = (int) max( 1, min( 1000, 0.02 / max( $per / 2, 1e-6 ) ) );
	$ca    = $cb = array();
	for ( $k = 0; $k < 31; ++$k ) {
		$c0 = cpu_ns();
		for ( $j = 0; $j < $batch; ++$j ) {
			$r = $wp( $doc );
			unset( $r );
		}
		$c1 = cpu_ns();
		for ( $j = 0; $j < $batch; ++$j ) {
			$r = $native( $doc );
			unset( $r );
		}
		$c2   = cpu_ns();
		$ca[] = ( $c1 - $c0 ) / $batch;
		$cb[] = ( $c2 - $c1 ) / $batch;
	}
	// The library call alone (FFI call + copy of the plan + unpack), to split
	// the native time into C and PHP materialization.
	for ( $k = 0; $k < min( $runs, 501 ); ++$k ) {
		$s    = hrtime( true );
		$r    = $plan( $doc );
		$tp[] = hrtime( true ) - $s;
		unset( $r );
	}
	$rows[] = array(
		'file'       => basename( $file ),
		'bytes'      => strlen( $doc ),
		'runs'       => $runs,
		'wp_ms'      => median( $ta ) / 1e6,
		'native_ms'  => median( $tb ) / 1e6,
		'plan_ms'    => median( $tp ) / 1e6,
		'ratio'      => median( $ta ) / median( $tb ),
		'cpu_wp_ms'  => median( $ca ) / 1e6,
		'cpu_native_ms' => median( $cb ) / 1e6,
		'cpu_ratio'  => median( $ca ) / max( 1, median( $cb ) ),
		'wp_peak'    => peak_of( $wp, $doc ),
		'native_peak'=> peak_of( $native, $doc ),
		'plan_bytes' => 4 * count( $words ),
	);
	unset( $words );
}

// Alternatives measured once, on the largest file, for docs/bridge.md: what
// json_decode() and unserialize() of the same tree cost.
usort( $files, function ( $a, $b ) { return filesize( $b ) <=> filesize( $a ); } );
$doc  = file_get_contents( $files[0] );
$tree = $wp( $doc );
$json = json_encode( $tree );
$ser  = serialize( $tree );
unset( $tree );
$alt  = array( 'file' => basename( $files[0] ) );
foreach ( array(
	'json_decode' => function () use ( $json ) { return json_decode( $json, true ); },
	'unserialize' => function () use ( $ser ) { return unserialize( $ser, array( 'allowed_classes' => false ) ); },
) as $name => $f ) {
	$t = array();
	for ( $k = 0; $k < 41; ++$k ) {
		$s   = hrtime( true );
		$r   = $f();
		$t[] = hrtime( true ) - $s;
		unset( $r );
	}
	$alt[ $name ] = array(
		'ms'   => median( $t ) / 1e6,
		'peak' => peak_of( $f, '' ),
	);
}

$call = Witsper_FFI::measure_call_ns( 500000 );
$res  = array(
	'mode'    => $mode,
	'php'     => PHP_VERSION,
	'jit'     => (string) ini_get( 'opcache.jit_buffer_size' ),
	'library' => $status['library'],
	'version' => Witsper_FFI::version(),
	'call'    => $call,
	'rows'    => $rows,
	'alt'     => $alt,
);
file_put_contents( $out, json_encode( $res, JSON_PRETTY_PRINT ) . "\n" );
printf( "mode %s: done, %d files\n", $mode, count( $rows ) );
