<?php
/**
 * Self-test: the native parser against WP_Block_Parser on the built-in corpus.
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Compares serialize() of both parsers' output on every document of selftest/*.html.
 * Plain class (no WordPress hooks) so PHPUnit and WP-CLI call it directly.
 */
final class Witsper_Selftest {

	/**
	 * The built-in corpus: file name => document. Small documents covering nesting,
	 * attributes, void blocks, freeform HTML, unclosed blocks and known parser quirks.
	 *
	 * @return array<string,string>
	 */
	public static function corpus( bool $extended = false ): array {
		$docs  = array();
		$files = glob( WITSPER_PLUGIN_DIR . '/selftest/*.html' );
		foreach ( is_array( $files ) ? $files : array() as $file ) {
			$doc = file_get_contents( $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			if ( false !== $doc ) {
				$docs[ basename( $file ) ] = $doc;
			}
		}
		if ( $extended ) {
			$docs += self::extended_corpus();
		}
		return $docs;
	}

	/**
	 * The extended set (selftest/extended.ser, written by tests/diff/make-selftest-set.php):
	 * 200 generated documents of the differential suite, malformed ones included, and its
	 * regression inputs. Run on a site whose core parser is not in the verified set.
	 *
	 * @return array<string,string>
	 */
	public static function extended_corpus(): array {
		$raw  = @file_get_contents( WITSPER_PLUGIN_DIR . '/selftest/extended.ser' ); // phpcs:ignore WordPress.WP.AlternativeFunctions, WordPress.PHP.NoSilencedErrors, Generic.PHP.NoSilencedErrors
		$docs = false === $raw ? false : unserialize( $raw, array( 'allowed_classes' => false ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions
		if ( ! is_array( $docs ) ) {
			return array();
		}
		$out = array();
		foreach ( $docs as $name => $doc ) {
			$out[ 'extended/' . $name ] = (string) $doc;
		}
		return $out;
	}

	/**
	 * Whether this site's core parser needs the extended set: it is not one the plugin
	 * was verified against (Witsper_Core_Parser::VERIFIED).
	 */
	public static function needs_extended(): bool {
		return null === Witsper_Core_Parser::verified_as( Witsper_Core_Parser::fingerprint_for( Witsper_Plugin::selftest_result() ) );
	}

	/**
	 * Runs the self-test.
	 *
	 * @param string                    $native_class Parser class under test (a subclass of
	 *                                                Witsper_Block_Parser; tests pass a broken one).
	 * @param array<string,string>|null $docs         Documents; null = the built-in corpus.
	 * @return array Result: status pass|fail|skipped, summary, versions, per-document rows.
	 */
	public static function run( string $native_class = 'Witsper_Block_Parser', ?array $docs = null ): array {
		$docs   = null === $docs ? self::corpus( self::needs_extended() ) : $docs;
		$status = Witsper_Plugin::ffi_status();
		if ( empty( $status['available'] ) ) {
			// Nothing native to test; WordPress's parser is in use anyway.
			return self::result( 'skipped', 'Native library unavailable: ' . ( $status['reason'] ?? 'unknown' ), array() );
		}
		if ( ! class_exists( $native_class ) || ! is_a( $native_class, 'Witsper_Block_Parser', true ) ) {
			return self::result( 'fail', $native_class . ' is not a Witsper_Block_Parser', array() );
		}
		if ( ! $native_class::is_native() ) {
			return self::result( 'skipped', $native_class . ' does not use the native library', array() );
		}
		if ( ! $docs ) {
			return self::result( 'fail', 'The built-in corpus is empty (selftest/*.html missing)', array() );
		}

		$rows = array();
		foreach ( $docs as $name => $doc ) {
			$rows[] = self::check_document( (string) $name, (string) $doc, $native_class );
		}
		$failed = count( array_filter( $rows, static fn( $r ) => ! $r['ok'] ) );
		$total  = count( $rows );
		if ( $failed ) {
			$bad = implode( ', ', array_column( array_filter( $rows, static fn( $r ) => ! $r['ok'] ), 'name' ) );
			return self::result( 'fail', sprintf( '%d of %d documents differ: %s', $failed, $total, $bad ), $rows );
		}
		return self::result( 'pass', sprintf( '%d of %d documents identical', $total, $total ), $rows );
	}

	/**
	 * One document: the library must accept it (proof the native path ran, not a silent
	 * fallback) and both parsers must give the same serialize() output.
	 *
	 * @param string $name         Document name.
	 * @param string $doc          Document.
	 * @param string $native_class Parser class under test.
	 * @return array{name:string,bytes:int,ok:bool,error:?string}
	 */
	private static function check_document( string $name, string $doc, string $native_class ): array {
		$row = array(
			'name'  => $name,
			'bytes' => strlen( $doc ),
			'ok'    => false,
			'error' => null,
		);
		try {
			if ( null === Witsper_FFI::parse_plan( $doc ) ) {
				$row['error'] = 'libwitsper refused the document: ' . self::last_error();
				return $row;
			}
			$native   = serialize( ( new $native_class() )->parse( $doc ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions
			$expected = serialize( ( new WP_Block_Parser() )->parse( $doc ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions
		} catch ( \Throwable $e ) {
			$row['error'] = get_class( $e ) . ': ' . $e->getMessage();
			return $row;
		}
		if ( $native === $expected ) {
			$row['ok'] = true;
			return $row;
		}
		$at           = strspn( $native ^ $expected, "\0" );
		$row['error'] = sprintf(
			'serialize() differs at byte %d: native "%s" vs WP_Block_Parser "%s"',
			$at,
			substr( $native, max( 0, $at - 20 ), 60 ),
			substr( $expected, max( 0, $at - 20 ), 60 )
		);
		return $row;
	}

	/**
	 * The loader's last error as text, if it offers one.
	 */
	private static function last_error(): string {
		if ( method_exists( 'Witsper_FFI', 'last_error' ) ) {
			$err = Witsper_FFI::last_error();
			return is_scalar( $err ) ? (string) $err : wp_json_encode( $err );
		}
		return 'unknown error';
	}

	/**
	 * Builds a result array with the versions it applies to.
	 *
	 * @param string $status  pass|fail|skipped.
	 * @param string $summary One line for people.
	 * @param array  $rows    Per-document rows.
	 * @return array
	 */
	public static function result( string $status, string $summary, array $rows ): array {
		$ffi  = Witsper_Plugin::ffi_status();
		$core = Witsper_Core_Parser::fingerprint();
		return array(
			'status'          => $status,
			'summary'         => $summary,
			'time'            => time(),
			'wp_version'      => self::wp_version(),
			'plugin_version'  => WITSPER_PLUGIN_VERSION,
			'library_version' => $ffi['version'] ?? null,
			// The core parser this result is about (Witsper_Core_Parser), and whether the
			// extended set was part of it (required on an unverified core parser).
			'core_parser'     => $core,
			'core_files'      => Witsper_Core_Parser::signature(),
			'core_verified'   => Witsper_Core_Parser::verified_as( $core ),
			'extended'        => (bool) array_filter( array_column( $rows, 'name' ), static fn( $n ) => 0 === strpos( (string) $n, 'extended/' ) ),
			'documents'       => $rows,
		);
	}

	/**
	 * Whether a stored result was made with another WordPress, plugin or library version.
	 *
	 * @param array $stored Stored result.
	 */
	public static function is_stale( array $stored ): bool {
		$ffi = Witsper_Plugin::ffi_status();
		return ( $stored['wp_version'] ?? null ) !== self::wp_version()
			|| ( $stored['plugin_version'] ?? null ) !== WITSPER_PLUGIN_VERSION
			|| ( $stored['library_version'] ?? null ) !== ( $ffi['version'] ?? null )
			|| ( $stored['core_parser'] ?? null ) !== Witsper_Core_Parser::fingerprint_for( $stored );
	}

	/**
	 * WordPress's version, read from the global wp-includes/version.php sets.
	 */
	private static function wp_version(): string {
		return isset( $GLOBALS['wp_version'] ) ? (string) $GLOBALS['wp_version'] : '';
	}
}
