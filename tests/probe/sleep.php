<?php
// fpm-probe live test: holds a worker for ?s= seconds (at most 30), so the
// test can saturate the pool with a bounded number of requests.
$s = min( 30, max( 0, (int) ( $_GET['s'] ?? 1 ) ) );
sleep( $s );
echo "slept $s\n";
