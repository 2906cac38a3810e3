<?php
/**
 * Reads one valgrind --xml file and prints the errors that count against
 * libwitsper or the bridge, one per line; exit 0 when none, 1 otherwise,
 * 2 when the file is not a finished valgrind run.
 *
 * Counted: any invalid read/write/free/jump or overlap, wherever it is (PHP
 * itself is clean under USE_ZEND_ALLOC=0 and pcre.jit=0, so any is a real
 * memory error possibly caused by our pointers); uninitialised values and
 * definitely/indirectly lost blocks whose stack has a libwitsper frame.
 * Ignored: PHP's own "possibly lost"/"still reachable" blocks.
 */
$xml = @simplexml_load_file( $argv[1] );
if ( ! $xml || 'FINISHED' !== (string) ( $xml->status[ count( $xml->status ) - 1 ]->state ?? '' ) ) {
	echo "not a finished valgrind XML report: {$argv[1]}\n";
	exit( 2 );
}
$anywhere = array( 'InvalidRead', 'InvalidWrite', 'InvalidFree', 'MismatchedFree', 'InvalidJump', 'Overlap', 'InvalidMemPool', 'FishyValue' );
$ours     = array( 'UninitCondition', 'UninitValue', 'SyscallParam', 'Leak_DefinitelyLost', 'Leak_IndirectlyLost' );
$bad      = 0;
foreach ( $xml->error as $e ) {
	$kind   = (string) $e->kind;
	$frames = array();
	$mine   = false;
	foreach ( $e->stack->frame as $f ) {
		$where    = (string) $f->fn . '@' . basename( (string) $f->obj );
		$frames[] = $where;
		if ( false !== stripos( $where, 'witsper' ) ) {
			$mine = true;
		}
	}
	if ( in_array( $kind, $anywhere, true ) || ( $mine && in_array( $kind, $ours, true ) ) ) {
		++$bad;
		$what = isset( $e->xwhat ) ? (string) $e->xwhat->text : (string) $e->what;
		printf( "%s: %s\n    %s\n", $kind, $what, implode( "\n    ", array_slice( $frames, 0, 8 ) ) );
	}
}
exit( $bad ? 1 : 0 );
