<?php
/**
 * Base class: each test runs inside a database transaction that is rolled back, so the
 * stack's database is left as it was found; plus helpers for the mode under test and for
 * running a fresh PHP (helpers/probe.php) when a check needs a process of its own.
 */

use PHPUnit\Framework\TestCase;

abstract class Witsper_TestCase extends TestCase {

	/** FFI mode run.sh started this PHP in: true | preload | off. */
	protected static function mode(): string {
		$mode = getenv( 'WITSPER_TEST_MODE' );
		return in_array( $mode, array( 'true', 'preload', 'off' ), true ) ? $mode : 'true';
	}

	/** Whether the native parser must be active in this run. */
	protected static function native_expected(): bool {
		return 'off' !== self::mode();
	}

	protected function setUp(): void {
		global $wpdb;
		$wpdb->query( 'SET autocommit = 0' );
		$wpdb->query( 'START TRANSACTION' );
		wp_cache_flush();
	}

	protected function tearDown(): void {
		global $wpdb;
		$wpdb->query( 'ROLLBACK' );
		$wpdb->query( 'SET autocommit = 1' );
		wp_cache_flush();
		// The rollback changed the stored self-test behind the plugin's back; the plugin's
		// per-request decision (Witsper_Plugin::$decided) must not outlive it into the next
		// test, as it would not outlive a request.
		if ( class_exists( 'Witsper_Plugin', false ) ) {
			$decided = new ReflectionProperty( 'Witsper_Plugin', 'decided' );
			$decided->setAccessible( true );
			$decided->setValue( null, null );
		}
	}

	/**
	 * Runs helpers/probe.php in a new PHP and returns its JSON answer.
	 *
	 * @param string[] $php_args PHP flags (default: those of this run's mode).
	 * @param string[] $env      Extra environment (value null = unset).
	 * @param string[] $args     Arguments for probe.php.
	 */
	protected static function probe( ?array $php_args = null, array $env = array(), array $args = array() ): array {
		return self::run_helper( 'probe.php', $php_args, $env, $args );
	}

	/**
	 * Runs helpers/$script in a new PHP; it must exit 0 and print a WITSPER-PROBE-JSON line.
	 *
	 * @param string        $script   File in helpers/.
	 * @param string[]|null $php_args PHP flags (default: those of this run's mode).
	 * @param array         $env      Extra environment (value null = unset).
	 * @param string[]      $args     Script arguments.
	 */
	protected static function run_helper( string $script, ?array $php_args = null, array $env = array(), array $args = array() ): array {
		$php_args = $php_args ?? self::mode_args();
		$cmd      = array_merge( array( PHP_BINARY ), $php_args, array( __DIR__ . '/../helpers/' . $script ), $args );
		$full_env = getenv();
		foreach ( $env as $k => $v ) {
			if ( null === $v ) {
				unset( $full_env[ $k ] );
			} else {
				$full_env[ $k ] = $v;
			}
		}
		$proc = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $full_env );
		self::assertIsResource( $proc, 'cannot start ' . implode( ' ', $cmd ) );
		$out  = stream_get_contents( $pipes[1] );
		$err  = stream_get_contents( $pipes[2] );
		$code = proc_close( $proc );
		self::assertSame( 0, $code, "$script exited $code\nstdout: $out\nstderr: $err" );
		$data = preg_match( '/^WITSPER-PROBE-JSON (.*)$/m', $out, $m ) ? json_decode( $m[1], true ) : null;
		self::assertIsArray( $data, "$script printed no JSON\nstdout: $out\nstderr: $err" );
		return $data;
	}

	/** PHP flags of this run's mode (run.sh exports them from tests/lib/php-mode.sh). */
	protected static function mode_args(): array {
		$args = trim( (string) getenv( 'WITSPER_PHP_ARGS' ) );
		return '' === $args ? array() : preg_split( '/\s+/', $args );
	}

	/** The built-in self-test corpus files. */
	protected static function builtin_corpus_files(): array {
		return glob( dirname( __DIR__, 3 ) . '/plugin/witsper-ffi/selftest/*.html' );
	}

	/** The corpus files (tests/corpus/blocks, or WITSPER_CORPUS). */
	protected static function shared_corpus_files(): array {
		$dir = getenv( 'WITSPER_CORPUS' ) ?: dirname( __DIR__, 2 ) . '/corpus/blocks';
		return glob( $dir . '/*.html' );
	}

	/** glob() results as a PHPUnit data provider. */
	protected static function as_provider( array $files ): array {
		$rows = array();
		foreach ( $files as $f ) {
			$rows[ basename( dirname( $f ) ) . '/' . basename( $f ) ] = array( $f );
		}
		return $rows;
	}
}
