<?php
/**
 * The one reader of a stack's stack.env (written by stack/up.sh) for PHP scripts: the same
 * file the shell reads with stack/env.sh. Values are quoted with bash's printf %q, so bash
 * itself decodes them.
 *
 *   require 'stack/env.php';
 *   $env = witsper_stack_env( '/path/to/var' );   // KEY => value, array() when none
 *
 * @package witsper
 */

/**
 * The KEY => value pairs of $var/stack.env, or an empty array when it does not exist.
 *
 * @param string $var The stack's state folder (WITSPER_VAR).
 * @return array<string,string>
 */
function witsper_stack_env( string $var ): array {
	$file = rtrim( $var, '/' ) . '/stack.env';
	if ( ! is_readable( $file ) ) {
		return array();
	}
	$cmd  = array( 'bash', '-c', '. "$1" && for k in $(sed -n "s/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p" "$1"); do printf "%s=%s\0" "$k" "${!k}"; done', 'stack-env', $file );
	$proc = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ) ), $pipes );
	if ( ! is_resource( $proc ) ) {
		return array();
	}
	$out = stream_get_contents( $pipes[1] );
	fclose( $pipes[1] );
	proc_close( $proc );
	$env = array();
	foreach ( explode( "\0", (string) $out ) as $pair ) {
		if ( false !== strpos( $pair, '=' ) ) {
			list( $k, $v ) = explode( '=', $pair, 2 );
			$env[ $k ]     = $v;
		}
	}
	return $env;
}
