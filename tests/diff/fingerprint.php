<?php
/**
 * The core parser fingerprints of the version matrix (Witsper_Core_Parser).
 *
 *   php tests/diff/fingerprint.php DIR          the fingerprint of the WP_Block_Parser in DIR
 *                                               (a tests/diff/wp-block-parser/<version> folder)
 *   php tests/diff/fingerprint.php --check FP=VERSION...
 *                                               compare the suite's fingerprints with
 *                                               Witsper_Core_Parser::VERIFIED; prints
 *                                               "RESULT mode=verified-set passed=N failed=N ..."
 *
 * One process per folder: the reference copies all declare the same classes.
 *
 * @package witsper
 */

require dirname( __DIR__, 2 ) . '/plugin/witsper-ffi/includes/class-witsper-core-parser.php';

if ( '--check' !== ( $argv[1] ?? '' ) ) {
	$dir = rtrim( (string) ( $argv[1] ?? '' ), '/' );
	if ( ! is_readable( "$dir/class-wp-block-parser.php" ) ) {
		fwrite( STDERR, "usage: php tests/diff/fingerprint.php DIR | --check FP=VERSION...\n" );
		exit( 2 );
	}
	require "$dir/class-wp-block-parser.php";
	echo Witsper_Core_Parser::fingerprint(), "\n";
	exit( '' === Witsper_Core_Parser::fingerprint() ? 1 : 0 );
}

// --check: the versions the suite verified, grouped by fingerprint, must be exactly the
// plugin's list, or the plugin trusts a parser nobody tested (or distrusts a tested one).
$seen = array();
foreach ( array_slice( $argv, 2 ) as $pair ) {
	list( $fp, $version ) = explode( '=', $pair, 2 );
	$seen[ $fp ][] = $version;
}
$pass = 0;
$fail = 0;
foreach ( $seen + Witsper_Core_Parser::VERIFIED as $fp => $unused ) {
	$tested = $seen[ $fp ] ?? array();
	$listed = Witsper_Core_Parser::VERIFIED[ $fp ] ?? array();
	sort( $tested );
	sort( $listed );
	if ( $tested === $listed ) {
		$pass++;
		printf( "  ok   %s %s\n", $fp, implode( ', ', $tested ) );
	} else {
		$fail++;
		printf( "FAIL verified set: fingerprint %s: the suite tested [%s], Witsper_Core_Parser::VERIFIED lists [%s]\n", $fp, implode( ', ', $tested ), implode( ', ', $listed ) );
	}
}
echo "RESULT mode=verified-set passed=$pass failed=$fail unsupported=0\n";
exit( $fail ? 1 : 0 );
