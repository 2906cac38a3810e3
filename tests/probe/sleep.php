<?php
// fpm-probe live test: holds a worker for at most ?s= seconds (capped at
// 60), or until the file ?release= exists (checked every 100 ms), so the
// test can saturate the pool with a bounded number of requests and free it
// as soon as its checks are done. Lives outside any web root.
$s       = min( 60, max( 0, (int) ( $_GET['s'] ?? 1 ) ) );
$release = (string) ( $_GET['release'] ?? '' );
$end     = microtime( true ) + $s;
while ( microtime( true ) < $end ) {
	clearstatcache();
	if ( '' !== $release && file_exists( $release ) ) {
		break;
	}
	usleep( 100000 );
}
echo 'held ', round( $s - max( 0, $end - microtime( true ) ), 1 ), " s\n";
