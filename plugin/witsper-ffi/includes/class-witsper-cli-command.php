<?php
/**
 * `wp witsper` — a thin shell over Witsper_Status, Witsper_Selftest and Witsper_Bench.
 * Loaded only under WP-CLI (see witsper-ffi.php).
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Shows and checks the native block parser.
 */
class Witsper_CLI_Command {

	/**
	 * Shows FFI availability, mode, library version and ABI, and why the native parser is
	 * off if it is; and which image editor WordPress uses and why (Images: ...).
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : Output format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     # Is the native parser active in this PHP?
	 *     $ wp witsper status
	 *
	 *     # Machine-readable
	 *     $ wp witsper status --format=json
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Options.
	 */
	public function status( $args, $assoc_args ) {
		$report = Witsper_Status::report();
		$format = $assoc_args['format'] ?? 'table';
		if ( 'table' !== $format ) {
			WP_CLI::print_value( $report, array( 'format' => $format ) );
			return;
		}
		// The admin page's one line and what to do, word for word (Witsper_Status::summary()).
		$sum = Witsper_Status::summary();
		if ( 'on' === $sum['state'] ) {
			WP_CLI::success( $sum['line'] );
		} else {
			WP_CLI::warning( $sum['line'] . ' ' . $sum['effect'] );
			WP_CLI::log( 'What to do: ' . $sum['action'] );
		}
		// Which image editor WordPress uses and why (Witsper_Status::images()).
		if ( 'on' === ( Witsper_Status::images()['state'] ) ) {
			WP_CLI::success( $report['images'] );
		} else {
			WP_CLI::warning( $report['images'] . ( $report['image_detail'] ? ' ' . $report['image_detail'] : '' ) );
			WP_CLI::log( 'What to do: ' . $report['image_action'] );
		}
		$items = array();
		foreach ( $report as $key => $value ) {
			$items[] = array(
				'field' => $key,
				'value' => is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : ( null === $value ? '' : (string) $value ),
			);
		}
		WP_CLI\Utils\format_items( 'table', $items, array( 'field', 'value' ) );
	}

	/**
	 * Runs the self-test (native parser against WP_Block_Parser on the built-in corpus) and
	 * stores the result, which switches the native parser off when it fails.
	 *
	 * Exits 1 when the self-test fails. A skipped self-test (no native library in this PHP)
	 * exits 0 with a warning.
	 *
	 * ## OPTIONS
	 *
	 * [--[no-]store]
	 * : Store the result (the default), which switches the native parser off or on.
	 * --no-store only reports.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp witsper selftest
	 *     Success: pass: 6 of 6 documents identical
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Options.
	 */
	public function selftest( $args, $assoc_args ) {
		$store  = WP_CLI\Utils\get_flag_value( $assoc_args, 'store', true );
		$result = $store ? Witsper_Plugin::run_and_store_selftest() : Witsper_Selftest::run();
		foreach ( $result['documents'] as $row ) {
			WP_CLI::log( sprintf( '%-28s %8d bytes  %s', $row['name'], $row['bytes'], $row['ok'] ? 'identical' : $row['error'] ) );
		}
		$line = $result['status'] . ': ' . $result['summary'];
		if ( 'fail' === $result['status'] ) {
			WP_CLI::error( $line );
		}
		if ( 'skipped' === $result['status'] ) {
			WP_CLI::warning( $line );
			return;
		}
		WP_CLI::success( $line );
	}

	/**
	 * Times WP_Block_Parser and the native parser on files (default: the built-in corpus):
	 * median of N runs each, and the ratio (above 1 = native is faster).
	 *
	 * ## OPTIONS
	 *
	 * [<file>...]
	 * : Block documents to parse, e.g. exported post_content.
	 *
	 * [--iterations=<n>]
	 * : Runs per parser and file.
	 * ---
	 * default: 15
	 * ---
	 *
	 * [--format=<format>]
	 * : Output format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - csv
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp witsper bench
	 *     $ wp witsper bench /path/to/posts/*.html --iterations=31
	 *
	 * @param array $args       Files.
	 * @param array $assoc_args Options.
	 */
	public function bench( $args, $assoc_args ) {
		if ( $args ) {
			$loaded = Witsper_Bench::load_files( $args );
			foreach ( $loaded['errors'] as $error ) {
				WP_CLI::warning( $error );
			}
			$docs = $loaded['docs'];
		} else {
			$docs = Witsper_Selftest::corpus();
		}
		if ( ! $docs ) {
			WP_CLI::error( 'Nothing to parse.' );
		}
		$result = Witsper_Bench::run( $docs, (int) ( $assoc_args['iterations'] ?? 15 ) );
		if ( ! $result['native'] ) {
			WP_CLI::warning( 'Native parser unavailable, timing WP_Block_Parser only: ' . $result['reason'] );
		}
		WP_CLI\Utils\format_items( $assoc_args['format'] ?? 'table', $result['rows'], array( 'name', 'bytes', 'php_ms', 'native_ms', 'ratio', 'identical' ) );
	}
}
