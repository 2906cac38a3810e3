<?php
/**
 * Classifies the worker exits in a php-fpm log segment: which are crashes, and which are
 * php-fpm's own process management. `make verify` and the load, soak and Compose suites
 * judge crashes with it, so they all count the same way.
 *
 *   php stack/fpm-exits.php [--kill-trace=FILE] [--nginx-error-log=FILE] < php-fpm-log-segment
 *
 * Lines may carry a prefix (`docker compose logs` puts the service name first).
 * Prints one line per exit that is not a plain "exited with code 0", then a summary line:
 *   fpm-exits: crashes N, php-fpm scale-down kills N (status pool N, www N), timeouts N, graceful N
 * Exit status: 0 when there is no crash, 1 otherwise.
 *
 * Why a SIGKILL is not always a crash (docs/reliability.md, "php-fpm's own SIGKILLs"):
 * php-fpm's idle-server maintenance (fpm_pctl_kill_idle_child(), once a second) sends an
 * idle child it wants gone SIGQUIT, and if that child is still there on the next pass
 * (about 1 s later, e.g. on two saturated cores) it sends SIGKILL. The status listener's
 * hidden pool (pm.status_listen: "<pool>_status", ondemand, 2 children, 10 s idle timeout)
 * goes through the same path every time a probe's child times out. The kill hits an idle
 * child, so no request is lost.
 *
 * How a SIGKILL is attributed, strongest evidence first:
 *  1. --kill-trace (strace -tt -e trace=kill of the master, as the load suite records it):
 *     the master sent kill(pid, SIGKILL) -> php-fpm's own; otherwise a crash.
 *  2. No trace, "<pool>_status" pool: that pool runs no PHP script (only php-fpm's built-in
 *     status page) and nothing else in the stack signals it -> php-fpm's own.
 *  3. No trace, a serving pool, --nginx-error-log given: no "upstream prematurely closed" /
 *     "recv() failed" error within 2 s of the exit -> the child was idle (php-fpm's own, no
 *     request lost); with such an error -> a crash (a request was cut off).
 *  4. Otherwise -> a crash: nothing proves it was php-fpm.
 * SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE and any other signal are always crashes, except
 * SIGQUIT (php-fpm's graceful stop of an idle child) and SIGTERM right after php-fpm's own
 * "execution timed out ... terminating" line for that child (request_terminate_timeout).
 */

$opts = getopt( '', array( 'kill-trace:', 'nginx-error-log:' ) );

/** A php-fpm ("28-Nov-2026 09:49:22") or nginx ("2026/11/28 09:49:22") log time -> Unix time. */
function witsper_log_time( string $stamp ): ?int {
	foreach ( array( 'd-M-Y H:i:s', 'Y/m/d H:i:s' ) as $format ) {
		$t = DateTime::createFromFormat( $format, $stamp );
		if ( false !== $t ) {
			return $t->getTimestamp();
		}
	}
	return null;
}

// 1. The master's kill() calls, when traced: pid => list of signal names.
$master_kills = null;
if ( isset( $opts['kill-trace'] ) ) {
	$master_kills = array();
	$trace        = @file( $opts['kill-trace'], FILE_IGNORE_NEW_LINES );
	if ( false === $trace ) {
		fwrite( STDERR, "fpm-exits: cannot read {$opts['kill-trace']}\n" );
		exit( 2 );
	}
	foreach ( $trace as $line ) {
		if ( preg_match( '/kill\((\d+), (SIG[A-Z]+)\)/', $line, $m ) ) {
			$master_kills[ $m[1] ][] = $m[2];
		}
	}
}

// 3. nginx upstream errors (a request cut off by a dying worker), as seconds of day.
$upstream_errors = null;
if ( isset( $opts['nginx-error-log'] ) ) {
	$upstream_errors = array();
	foreach ( (array) @file( $opts['nginx-error-log'], FILE_IGNORE_NEW_LINES ) as $line ) {
		if ( preg_match( '#(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[\w+\] .*(upstream prematurely closed|recv\(\) failed)#', $line, $m ) ) {
			$upstream_errors[] = witsper_log_time( $m[1] );
		}
	}
}

$counts    = array( 'crash' => 0, 'status' => 0, 'www' => 0, 'timeout' => 0, 'graceful' => 0 );
$timed_out = array();   // pid => true after php-fpm's own "execution timed out" line.

while ( false !== ( $line = fgets( STDIN ) ) ) {
	$line = rtrim( $line, "\r\n" );
	$time = preg_match( '/\[(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d)\]/', $line, $t ) ? witsper_log_time( $t[1] ) : null;

	if ( preg_match( '/\[pool [^\]]+\] child (\d+), script .* execution timed out .* terminating/', $line, $m ) ) {
		$timed_out[ $m[1] ] = true;
		continue;
	}
	if ( ! preg_match( '/\[pool ([^\]]+)\] child (\d+) exited on signal (\d+) \((SIG[A-Z]+)[^)]*\)/', $line, $m ) ) {
		// A SIGSEGV mentioned outside an exit line (e.g. PHP's own report) is a crash too.
		if ( false !== strpos( $line, 'SIGSEGV' ) ) {
			$counts['crash']++;
			echo "CRASH     $line\n";
		}
		continue;
	}
	list( , $pool, $pid, , $sig ) = $m;

	if ( 'SIGQUIT' === $sig ) {
		$counts['graceful']++;
		continue;
	}
	if ( 'SIGTERM' === $sig && isset( $timed_out[ $pid ] ) ) {
		$counts['timeout']++;
		echo "TIMEOUT   $line (request_terminate_timeout)\n";
		continue;
	}
	if ( 'SIGKILL' === $sig ) {
		$why = null;
		if ( null !== $master_kills ) {
			if ( in_array( 'SIGKILL', $master_kills[ $pid ] ?? array(), true ) ) {
				$why = in_array( 'SIGQUIT', $master_kills[ $pid ], true )
					? 'the master sent SIGQUIT, then SIGKILL (kill trace)'
					: 'the master sent SIGKILL (kill trace)';
			}
		} elseif ( '_status' === substr( $pool, -7 ) ) {
			$why = 'status listener pool: runs no PHP script; php-fpm idle kill';
		} elseif ( null !== $upstream_errors && null !== $time ) {
			$near = array_filter( $upstream_errors, fn( $e ) => abs( $e - $time ) <= 2 );
			if ( ! $near ) {
				$why = 'idle when killed: no nginx upstream error within 2 s';
			}
		}
		if ( null !== $why ) {
			$key = '_status' === substr( $pool, -7 ) ? 'status' : 'www';
			$counts[ $key ]++;
			echo "SCALEDOWN $line ($why)\n";
			continue;
		}
	}
	$counts['crash']++;
	echo "CRASH     $line\n";
}

printf(
	"fpm-exits: crashes %d, php-fpm scale-down kills %d (status pool %d, www %d), timeouts %d, graceful %d\n",
	$counts['crash'],
	$counts['status'] + $counts['www'],
	$counts['status'],
	$counts['www'],
	$counts['timeout'],
	$counts['graceful']
);
exit( $counts['crash'] > 0 ? 1 : 0 );
