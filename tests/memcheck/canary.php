<?php
/**
 * Detector check for tests/memcheck/run.sh: calls the real library through
 * FFI and deliberately never calls witsper_buffer_free(). valgrind must report
 * a definitely lost block allocated inside libwitsper; if the analysis does
 * not see it, the suite's "no leak" verdicts would prove nothing.
 */
$lib  = $argv[1];
$ffi  = FFI::cdef(
	'typedef struct witsper_error { int code; const char *message; size_t offset; } witsper_error;
	 typedef struct witsper_buffer { unsigned char *data; size_t len; } witsper_buffer;
	 int witsper_parse_blocks(const char *doc, size_t len, witsper_buffer *out, witsper_error *err);',
	$lib
);
$doc  = '<!-- wp:paragraph --><p>leak me</p><!-- /wp:paragraph -->';
$out  = $ffi->new( 'witsper_buffer' );
$err  = $ffi->new( 'witsper_error' );
$rc   = $ffi->witsper_parse_blocks( $doc, strlen( $doc ), FFI::addr( $out ), FFI::addr( $err ) );
echo 0 === $rc && $out->len > 0 ? "leaked {$out->len} bytes\n" : "parse failed: $rc\n";
$out = null; // The only pointer to the plan is gone.
