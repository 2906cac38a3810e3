<?php
// fpm-probe live test: proves the request ran in a php-fpm worker and saw
// what the probe sent (method, query, body). Never served by nginx.
if ( isset( $_GET['code'] ) ) {
	http_response_code( (int) $_GET['code'] );
}
header( 'Content-Type: text/plain' );
printf(
	"probe-hello sapi=%s pid=%d method=%s token=%s post=%s\n",
	PHP_SAPI,
	getmypid(),
	$_SERVER['REQUEST_METHOD'] ?? '',
	$_GET['token'] ?? '',
	$_POST['p'] ?? ''
);
