<?php
/**
 * Run under valgrind by tests/memcheck/run.sh: parses one document (a corpus
 * file, or the built-in edge set when the argument is "edge") with
 * Witsper_Block_Parser through the real library, twice (so a second call on
 * a used FFI object is covered), and checks the result against
 * WP_Block_Parser. Prints "OK <n>" and exits 0, or explains and exits 1.
 */
$root = dirname( __DIR__, 2 );
require '/usr/share/wordpress/wp-includes/class-wp-block-parser.php';
require $root . '/plugin/witsper-ffi/includes/class-witsper-block-parser.php';

if ( ! Witsper_Block_Parser::is_native() ) {
	echo 'native parser unavailable: ' . json_encode( Witsper_FFI::status() ) . "\n";
	exit( 1 );
}
if ( 'edge' === $argv[1] ) {
	$docs = array(
		'',
		'0',
		"plain text\0with NUL\xff\xfe invalid UTF-8",
		'<!-- wp:a {"x":1} --><!-- wp:b /-->0<!-- /wp:a -->',
		'pre<!-- wp:a -->x<!-- wp:b -->y<!-- wp:c -->z', // unclosed, nested
		'<!-- /wp:stray -->rest',
		'<!-- wp:a {"big":12345678901234567890,"f":1.0,"":{}} /-->',
		str_repeat( '<!-- wp:group -->', 2000 ) . str_repeat( '<!-- /wp:group -->', 2000 ),
		'<!-- wp:a {' . str_repeat( 'x}', 5000 ) . '} -->',
		"<!--\v\fwp:a\r\n-->\xc2\xa0<!-- wp:A /-->",
		// WITSPER_E_UNSUPPORTED (PCRE would hit its limits): the error path
		// of parse_plan() and the fallback run under valgrind too.
		'<!-- wp:a {' . str_repeat( 'x}', 100000 ) . '<!-- wp:b -->',
	);
	if ( null !== Witsper_FFI::parse_plan( end( $docs ) ) || 4 !== ( Witsper_FFI::last_error()[0] ?? null ) ) {
		echo 'expected WITSPER_E_UNSUPPORTED, got ' . json_encode( Witsper_FFI::last_error() ) . "\n";
		exit( 1 );
	}
} else {
	$docs = array( file_get_contents( $argv[1] ) );
}
$n = 0;
foreach ( $docs as $k => $doc ) {
	$want = serialize( ( new WP_Block_Parser() )->parse( $doc ) );
	for ( $rep = 0; $rep < 2; ++$rep ) {
		if ( serialize( ( new Witsper_Block_Parser() )->parse( $doc ) ) !== $want ) {
			echo "document $k: result differs from WP_Block_Parser\n";
			exit( 1 );
		}
		++$n;
	}
}
echo "OK $n\n";
