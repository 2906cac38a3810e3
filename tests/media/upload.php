<?php
/**
 * The HTTP client of the live media suite (tests/media/live.sh): logs in to the stack's
 * WordPress like a browser (wp-login.php, cookies), takes the nonces the admin pages hand
 * out, and uploads files the two ways WordPress's own clients do:
 *   rest   POST /wp-json/wp/v2/media, multipart "file", header X-WP-Nonce (the block
 *          editor's upload)
 *   async  POST /wp-admin/async-upload.php, multipart "async-upload" + name + action
 *          upload-attachment + _wpnonce from media-new.php (the media library's plupload)
 *
 *   WITSPER_ADMIN_PASSWORD=... php upload.php URL USER VIA CONCURRENCY LIST OUT
 *
 * LIST: one upload per line, "KIND PATH" (KIND good or bad; the suite judges it). OUT gets
 * one JSON object per upload, in LIST order:
 *   {"i","kind","file","via","code","time","id","ok","error_code","message","sizes",
 *    "width","height","editor","pid","init_pid","body"}
 * where ok is the client's view (2xx and an attachment id; async: success true), editor
 * and pid come from the suite's must-use plugin (headers X-Witsper-Live-*), body is the
 * first 300 bytes of a response without an id. Exit 0 when every request got an answer
 * (any status), 1 when login failed, 3 on usage.
 */

if ( $argc !== 7 ) {
	fwrite( STDERR, "usage: php upload.php URL USER rest|async CONCURRENCY LIST OUT\n" );
	exit( 3 );
}
list( , $base, $user, $via, $conc, $list, $out ) = $argv;
$base     = rtrim( $base, '/' );
$conc     = max( 1, (int) $conc );
$password = (string) getenv( 'WITSPER_ADMIN_PASSWORD' );
if ( ! in_array( $via, array( 'rest', 'async' ), true ) || '' === $password ) {
	fwrite( STDERR, "upload.php: VIA must be rest or async, and WITSPER_ADMIN_PASSWORD set\n" );
	exit( 3 );
}
if ( ! preg_match( '#^http://(127\.0\.0\.1|localhost)[:/]#', $base . '/' ) ) {
	fwrite( STDERR, "upload.php: $base is not loopback\n" );
	exit( 3 );
}

$cookies = array( 'wordpress_test_cookie' => 'WP%20Cookie%20check' );

/** One request: [status, headers (lower-case name => value), body]. */
function witsper_http( string $url, array $opts = array() ): array {
	global $cookies;
	$headers = array();
	$ch      = curl_init( $url );
	curl_setopt_array(
		$ch,
		$opts + array(
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_TIMEOUT        => 60,
			CURLOPT_HEADERFUNCTION => function ( $ch, $line ) use ( &$headers ) {
				witsper_header( $headers, $line );
				return strlen( $line );
			},
			CURLOPT_HTTPHEADER     => array( 'Cookie: ' . witsper_cookie_header() ),
		)
	);
	$body = curl_exec( $ch );
	$code = curl_getinfo( $ch, CURLINFO_HTTP_CODE );
	curl_close( $ch );
	return array( $code, $headers, (string) $body );
}

/** Collects a response header line; Set-Cookie lines go into the client's cookies. */
function witsper_header( array &$headers, string $line ): void {
	global $cookies;
	$p = strpos( $line, ':' );
	if ( false === $p ) {
		return;
	}
	$name             = strtolower( trim( substr( $line, 0, $p ) ) );
	$value            = trim( substr( $line, $p + 1 ) );
	$headers[ $name ] = $value;
	if ( 'set-cookie' === $name && preg_match( '/^([^=;]+)=([^;]*)/', $value, $m ) ) {
		if ( 'deleted' === $m[2] || '' === $m[2] ) {
			unset( $cookies[ $m[1] ] );
		} else {
			$cookies[ $m[1] ] = $m[2];
		}
	}
}

function witsper_cookie_header(): string {
	global $cookies;
	$parts = array();
	foreach ( $cookies as $k => $v ) {
		$parts[] = "$k=$v";
	}
	return implode( '; ', $parts );
}

// 1. Log in as a browser does (the test cookie first, then the form).
witsper_http( "$base/wp-login.php" );
list( $code ) = witsper_http(
	"$base/wp-login.php",
	array(
		CURLOPT_POST       => true,
		CURLOPT_POSTFIELDS => http_build_query(
			array(
				'log'         => $user,
				'pwd'         => $password,
				'wp-submit'   => 'Log In',
				'redirect_to' => "$base/wp-admin/",
				'testcookie'  => '1',
			)
		),
	)
);
$logged_in = false;
foreach ( array_keys( $cookies ) as $k ) {
	$logged_in = $logged_in || 0 === strpos( $k, 'wordpress_logged_in_' );
}
if ( 302 !== $code || ! $logged_in ) {
	fwrite( STDERR, "upload.php: login as $user failed (HTTP $code, no logged-in cookie)\n" );
	exit( 1 );
}

// 2. The nonce the client needs: the REST one (wp_create_nonce('wp_rest'), what the block
// editor gets) or the media form's (plupload's multipart_params on media-new.php).
if ( 'rest' === $via ) {
	list( $code, , $nonce ) = witsper_http( "$base/wp-admin/admin-ajax.php?action=rest-nonce" );
	$nonce                  = trim( $nonce );
} else {
	list( $code, , $page ) = witsper_http( "$base/wp-admin/media-new.php" );
	$nonce                 = preg_match( '/"_wpnonce":"([0-9a-f]+)"/', $page, $m ) ? $m[1] : '';
}
if ( 200 !== $code || ! preg_match( '/^[0-9a-f]{10}$/', $nonce ) ) {
	fwrite( STDERR, "upload.php: no $via nonce (HTTP $code)\n" );
	exit( 1 );
}

// 3. The uploads, CONCURRENCY at a time.
$jobs = array();
foreach ( file( $list, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
	list( $kind, $path ) = explode( ' ', $line, 2 );
	$jobs[]              = array(
		'kind' => $kind,
		'file' => $path,
	);
}
$mime_of = array(
	'jpg'  => 'image/jpeg',
	'jpeg' => 'image/jpeg',
	'png'  => 'image/png',
	'gif'  => 'image/gif',
	'webp' => 'image/webp',
	'heic' => 'image/heic',
	'heif' => 'image/heif',
	'avif' => 'image/avif',
);

/** A curl handle for job $i. */
function witsper_upload_handle( int $i, array $job, string $base, string $via, string $nonce, array $mime_of, array &$hdrs ) {
	$name = basename( $job['file'] );
	$ext  = strtolower( pathinfo( $name, PATHINFO_EXTENSION ) );
	$file = new CURLFile( $job['file'], $mime_of[ $ext ] ?? 'application/octet-stream', $name );
	if ( 'rest' === $via ) {
		$url    = "$base/wp-json/wp/v2/media";
		$fields = array( 'file' => $file );
		$extra  = array( "X-WP-Nonce: $nonce" );
	} else {
		$url    = "$base/wp-admin/async-upload.php";
		$fields = array(
			'name'         => $name,
			'action'       => 'upload-attachment',
			'_wpnonce'     => $nonce,
			'async-upload' => $file,
		);
		$extra  = array();
	}
	$hdrs[ $i ] = array();
	$ch         = curl_init( $url );
	curl_setopt_array(
		$ch,
		array(
			CURLOPT_POST           => true,
			CURLOPT_POSTFIELDS     => $fields,
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_TIMEOUT        => 320,
			CURLOPT_HTTPHEADER     => array_merge( array( 'Cookie: ' . witsper_cookie_header(), 'Expect:' ), $extra ),
			CURLOPT_HEADERFUNCTION => function ( $ch, $line ) use ( &$hdrs, $i ) {
				$p = strpos( $line, ':' );
				if ( false !== $p ) {
					$hdrs[ $i ][ strtolower( trim( substr( $line, 0, $p ) ) ) ] = trim( substr( $line, $p + 1 ) );
				}
				return strlen( $line );
			},
		)
	);
	return $ch;
}

/** The result record of a finished request. */
function witsper_result( int $i, array $job, string $via, $ch, array $h ): array {
	$code = (int) curl_getinfo( $ch, CURLINFO_HTTP_CODE );
	$body = (string) curl_multi_getcontent( $ch );
	$json = json_decode( $body, true );
	$r    = array(
		'i'          => $i,
		'kind'       => $job['kind'],
		'file'       => basename( $job['file'] ),
		'via'        => $via,
		'code'       => $code,
		'time'       => round( curl_getinfo( $ch, CURLINFO_TOTAL_TIME ), 3 ),
		'curl_error' => curl_error( $ch ),
		'id'         => null,
		'ok'         => false,
		'json'       => is_array( $json ),
		'error_code' => null,
		'message'    => null,
		'sizes'      => null,
		'width'      => null,
		'height'     => null,
		'editor'     => $h['x-witsper-live-editor'] ?? null,
		'pid'        => isset( $h['x-witsper-live-pid'] ) ? (int) $h['x-witsper-live-pid'] : null,
		'init_pid'   => isset( $h['x-witsper-live-init-pid'] ) ? (int) $h['x-witsper-live-init-pid'] : null,
		'body'       => null,
	);
	if ( 'rest' === $via && is_array( $json ) ) {
		if ( isset( $json['id'] ) ) {
			$r['id']     = (int) $json['id'];
			$r['ok']     = $code >= 200 && $code < 300;
			$d           = $json['media_details'] ?? array();
			$r['sizes']  = array_keys( (array) ( $d['sizes'] ?? array() ) );
			$r['width']  = $d['width'] ?? null;
			$r['height'] = $d['height'] ?? null;
		} else {
			$r['error_code'] = $json['code'] ?? null;
			$r['message']    = $json['message'] ?? null;
		}
	} elseif ( 'async' === $via && is_array( $json ) ) {
		if ( ! empty( $json['success'] ) && isset( $json['data']['id'] ) ) {
			$r['id']     = (int) $json['data']['id'];
			$r['ok']     = $code >= 200 && $code < 300;
			$r['sizes']  = array_keys( (array) ( $json['data']['sizes'] ?? array() ) );
			$r['width']  = $json['data']['width'] ?? null;
			$r['height'] = $json['data']['height'] ?? null;
		} else {
			$r['error_code'] = 'success-false';
			$r['message']    = $json['data']['message'] ?? null;
		}
	}
	if ( null === $r['id'] ) {
		$r['body'] = substr( $body, 0, 300 );
	}
	return $r;
}

$mh      = curl_multi_init();
$results = array();
$active  = array();
$hdrs    = array();
$next    = 0;
$n       = count( $jobs );
while ( $next < $n || $active ) {
	while ( $next < $n && count( $active ) < $conc ) {
		$ch                       = witsper_upload_handle( $next, $jobs[ $next ], $base, $via, $nonce, $mime_of, $hdrs );
		$active[ spl_object_id( $ch ) ] = array( $next, $ch );
		curl_multi_add_handle( $mh, $ch );
		++$next;
	}
	curl_multi_exec( $mh, $running );
	curl_multi_select( $mh, 0.5 );
	while ( false !== ( $info = curl_multi_info_read( $mh ) ) ) {
		$ch              = $info['handle'];
		list( $i )       = $active[ spl_object_id( $ch ) ];
		$results[ $i ]   = witsper_result( $i, $jobs[ $i ], $via, $ch, $hdrs[ $i ] );
		unset( $active[ spl_object_id( $ch ) ] );
		curl_multi_remove_handle( $mh, $ch );
		curl_close( $ch );
	}
}
curl_multi_close( $mh );
ksort( $results );
$fh = fopen( $out, 'w' );
foreach ( $results as $r ) {
	fwrite( $fh, json_encode( $r, JSON_UNESCAPED_SLASHES ) . "\n" );
}
fclose( $fh );
exit( 0 );
