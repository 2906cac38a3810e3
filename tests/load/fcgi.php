<?php
/**
 * Minimal FastCGI client for the reliability tests: sends one request straight to php-fpm
 * (no nginx) and prints the raw CGI response (headers, blank line, body) on stdout.
 *
 * Why not fpm-probe or cgi-fcgi: the tests need the pool's full status (?full&json, one
 * entry per worker with its request count) and to run a script that lives outside the web
 * root (tests/security's FFI::cdef check) with a chosen query string; PHP's own sockets do
 * that with no extra package.
 *
 * Usage: php fcgi.php HOST:PORT SCRIPT_FILENAME [QUERY_STRING] [SCRIPT_NAME] [TIMEOUT_S]
 * Exit: 0 a response was read (php-fpm's stderr records go to our stderr),
 *       1 connect/read failure or timeout, 3 usage.
 */

if ( $argc < 3 ) {
	fwrite( STDERR, "Usage: php fcgi.php HOST:PORT SCRIPT_FILENAME [QUERY_STRING] [SCRIPT_NAME] [TIMEOUT_S]\n" );
	exit( 3 );
}
$addr        = $argv[1];
$script      = $argv[2];
$query       = $argv[3] ?? '';
$script_name = ( isset( $argv[4] ) && '' !== $argv[4] ) ? $argv[4] : $script;
$timeout     = isset( $argv[5] ) ? (float) $argv[5] : 10.0;

$sock = @stream_socket_client( 'tcp://' . $addr, $errno, $errstr, $timeout );
if ( ! $sock ) {
	fwrite( STDERR, "fcgi: cannot connect to $addr: $errstr\n" );
	exit( 1 );
}
stream_set_timeout( $sock, (int) ceil( $timeout ) );

function fcgi_record( int $type, string $content ): string {
	$len = strlen( $content );
	$pad = ( 8 - ( $len % 8 ) ) % 8;
	return pack( 'CCnnCC', 1, $type, 1, $len, $pad, 0 ) . $content . str_repeat( "\0", $pad );
}

function fcgi_pair( string $name, string $value ): string {
	$enc = function ( int $n ): string {
		return $n < 128 ? chr( $n ) : pack( 'N', $n | 0x80000000 );
	};
	return $enc( strlen( $name ) ) . $enc( strlen( $value ) ) . $name . $value;
}

$params = array(
	'GATEWAY_INTERFACE' => 'FastCGI/1.0',
	'REQUEST_METHOD'    => 'GET',
	'SCRIPT_FILENAME'   => $script,
	'SCRIPT_NAME'       => $script_name,
	'REQUEST_URI'       => $script_name . ( '' === $query ? '' : '?' . $query ),
	'QUERY_STRING'      => $query,
	'SERVER_SOFTWARE'   => 'witsper-tests',
	'SERVER_NAME'       => '127.0.0.1',
	'SERVER_ADDR'       => '127.0.0.1',
	'SERVER_PORT'       => '80',
	'REMOTE_ADDR'       => '127.0.0.1',
	'SERVER_PROTOCOL'   => 'HTTP/1.1',
	'CONTENT_LENGTH'    => '0',
);
$body = '';
foreach ( $params as $k => $v ) {
	$body .= fcgi_pair( $k, $v );
}
// Role 1 = responder; flags 0 = php-fpm closes the connection after the request.
$out  = fcgi_record( 1, pack( 'nC', 1, 0 ) . str_repeat( "\0", 5 ) );
$out .= fcgi_record( 4, $body ) . fcgi_record( 4, '' ) . fcgi_record( 5, '' );
fwrite( $sock, $out );

function read_exact( $sock, int $n ): ?string {
	$buf = '';
	while ( strlen( $buf ) < $n ) {
		$chunk = fread( $sock, $n - strlen( $buf ) );
		if ( false === $chunk || '' === $chunk ) {
			$meta = stream_get_meta_data( $sock );
			if ( $meta['timed_out'] || feof( $sock ) ) {
				return null;
			}
			continue;
		}
		$buf .= $chunk;
	}
	return $buf;
}

$stdout = '';
while ( true ) {
	$hdr = read_exact( $sock, 8 );
	if ( null === $hdr ) {
		fwrite( STDERR, "fcgi: connection closed or timed out before END_REQUEST\n" );
		echo $stdout;
		exit( 1 );
	}
	$h       = unpack( 'Cversion/Ctype/nid/nlen/Cpad/Creserved', $hdr );
	$content = $h['len'] > 0 ? read_exact( $sock, $h['len'] ) : '';
	if ( $h['pad'] > 0 ) {
		read_exact( $sock, $h['pad'] );
	}
	if ( null === $content ) {
		fwrite( STDERR, "fcgi: truncated record\n" );
		exit( 1 );
	}
	if ( 6 === $h['type'] ) {
		$stdout .= $content;
	} elseif ( 7 === $h['type'] ) {
		fwrite( STDERR, $content );
	} elseif ( 3 === $h['type'] ) {
		break;
	}
}
echo $stdout;
exit( 0 );
