<?php
/**
 * Writes the plugin's extended self-test set, plugin/witsper-ffi/selftest/extended.ser: the
 * documents the plugin parses with both parsers on a site whose core parser it was not
 * verified against (Witsper_Core_Parser) before it replaces that parser. They come from the
 * differential suite: the first COUNT generated documents of seed 20261124 (grammar-aware,
 * including malformed ones) and every regression input. serialize()d: the documents hold
 * NUL bytes and invalid UTF-8.
 *
 *   php tests/diff/make-selftest-set.php [--check]
 * --check: exit 1 when the committed file is not what this script writes (tests/diff/run.sh).
 *
 * @package witsper
 */

$repo = dirname( __DIR__, 2 );
require __DIR__ . '/lib/generator.php';

const WITSPER_SELFTEST_SEED  = 20261124;
const WITSPER_SELFTEST_COUNT = 200;

$docs = array();
for ( $k = 0; $k < WITSPER_SELFTEST_COUNT; $k++ ) {
	$docs[ "gen#$k" ] = Witsper_Diff_Generator::document( WITSPER_SELFTEST_SEED, $k );
}
$files = glob( __DIR__ . '/regressions/*.html' );
sort( $files );
foreach ( $files as $f ) {
	$docs[ 'regressions/' . basename( $f ) ] = file_get_contents( $f );
}
$out  = "$repo/plugin/witsper-ffi/selftest/extended.ser";
$data = serialize( $docs );
if ( in_array( '--check', $argv, true ) ) {
	$same = is_readable( $out ) && file_get_contents( $out ) === $data;
	echo $same ? "  ok   $out is current (" . count( $docs ) . " documents)\n" : "FAIL $out is not current: run php tests/diff/make-selftest-set.php\n";
	echo 'RESULT mode=selftest-set passed=' . ( $same ? 1 : 0 ) . ' failed=' . ( $same ? 0 : 1 ) . " unsupported=0\n";
	exit( $same ? 0 : 1 );
}
file_put_contents( $out, $data );
printf( "%s: %d documents, %d bytes\n", $out, count( $docs ), strlen( $data ) );
