<?php
/**
 * Admin: the fallback notice and the status page (Tools → Witsper, Network Admin →
 * Settings → Witsper on multisite).
 *
 * @package Witsper_FFI
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Loaded for admin screens only.
 */
final class Witsper_Admin {

	const PAGE = 'witsper';

	/**
	 * Hooks the admin screens.
	 */
	public static function hook(): void {
		add_action( 'admin_menu', array( __CLASS__, 'add_tools_page' ) );
		add_action( 'network_admin_menu', array( __CLASS__, 'add_network_page' ) );
		add_action( 'admin_notices', array( __CLASS__, 'site_notice' ) );
		add_action( 'network_admin_notices', array( __CLASS__, 'network_notice' ) );
		add_action( 'admin_post_witsper_selftest', array( __CLASS__, 'handle_selftest' ) );
	}

	/**
	 * The status page URL for the current context.
	 */
	public static function page_url(): string {
		if ( is_multisite() && is_network_admin() ) {
			return network_admin_url( 'settings.php?page=' . self::PAGE );
		}
		return admin_url( 'tools.php?page=' . self::PAGE );
	}

	/**
	 * Tools → Witsper.
	 */
	public static function add_tools_page(): void {
		add_management_page( __( 'Witsper', 'witsper-ffi' ), __( 'Witsper', 'witsper-ffi' ), 'manage_options', self::PAGE, array( __CLASS__, 'render_page' ) );
	}

	/**
	 * Network Admin → Settings → Witsper.
	 */
	public static function add_network_page(): void {
		add_submenu_page( 'settings.php', __( 'Witsper', 'witsper-ffi' ), __( 'Witsper', 'witsper-ffi' ), 'manage_network_options', self::PAGE, array( __CLASS__, 'render_page' ) );
	}

	/**
	 * The notice text when the native parser is off, or '' when it is active. The same
	 * sentences as the page, Site Health, REST and WP-CLI (Witsper_Status::summary()).
	 */
	public static function notice_html(): string {
		$sum = Witsper_Status::summary();
		if ( 'on' === $sum['state'] ) {
			return '';
		}
		$class = 'selftest-failed' === $sum['reason'] ? 'notice-error' : 'notice-warning';
		return sprintf(
			'<div class="notice %1$s witsper-notice" data-reason="%2$s"><p><strong>%3$s</strong> %4$s</p><p>%5$s <a href="%6$s">%7$s</a> <span class="description">(%8$s)</span></p></div>',
			esc_attr( $class ),
			esc_attr( $sum['reason'] ),
			esc_html( 'Witsper: ' . $sum['line'] ),
			esc_html( $sum['effect'] ),
			/* translators: %s: what to do. */
			esc_html( sprintf( __( 'What to do: %s', 'witsper-ffi' ), $sum['action'] ) ),
			esc_url( self::page_url() ),
			esc_html__( 'Details', 'witsper-ffi' ),
			/* translators: %s: reason code. */
			esc_html( sprintf( __( 'reason code %s', 'witsper-ffi' ), $sum['reason'] ) )
		);
	}

	/**
	 * Whether the current admin screen is the Witsper page (which says the same itself).
	 */
	private static function on_own_page(): bool {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		return $screen && false !== strpos( (string) $screen->id, '_page_' . self::PAGE );
	}

	/**
	 * `admin_notices`: site administrators.
	 */
	public static function site_notice(): void {
		if ( current_user_can( 'manage_options' ) && ! self::on_own_page() ) {
			echo self::notice_html(); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in notice_html().
		}
	}

	/**
	 * `network_admin_notices`: network administrators.
	 */
	public static function network_notice(): void {
		if ( current_user_can( 'manage_network_options' ) && ! self::on_own_page() ) {
			echo self::notice_html(); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in notice_html().
		}
	}

	/**
	 * admin-post.php?action=witsper_selftest: re-run the self-test on demand.
	 */
	public static function handle_selftest(): void {
		if ( ! current_user_can( self::selftest_capability() ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to run the Witsper self-test.', 'witsper-ffi' ), 403 );
		}
		check_admin_referer( 'witsper_selftest' );
		$result = Witsper_Plugin::run_and_store_selftest();
		$back   = wp_get_referer();
		$back   = $back ? $back : admin_url( 'tools.php?page=' . self::PAGE );
		// The page then says what the run just found.
		wp_safe_redirect( add_query_arg( 'witsper-selftest', rawurlencode( (string) $result['status'] ), remove_query_arg( 'witsper-selftest', $back ) ) );
		exit;
	}

	/**
	 * Who may re-run the self-test: its result applies to the whole network on multisite.
	 */
	public static function selftest_capability(): string {
		return is_multisite() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * The status page: one line that says whether native parsing is on (and, when it is
	 * off, why and what to do), the buttons, then the details in plain words, the self-test
	 * per document with timings, and the raw report folded away for support requests.
	 */
	public static function render_page(): void {
		$report = Witsper_Status::report();
		$sum    = Witsper_Status::summary();
		$stored = Witsper_Plugin::selftest_result();
		echo '<div class="wrap witsper-page"><h1>' . esc_html__( 'Witsper', 'witsper-ffi' ) . '</h1>';

		// Back from the self-test button.
		$ran = isset( $_GET['witsper-selftest'] ) ? sanitize_key( wp_unslash( $_GET['witsper-selftest'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- display only.
		if ( '' !== $ran && null !== $stored ) {
			$words = array(
				'pass'    => __( 'passed', 'witsper-ffi' ),
				'fail'    => __( 'failed', 'witsper-ffi' ),
				'skipped' => __( 'was skipped', 'witsper-ffi' ),
			);
			printf(
				'<div class="notice %1$s is-dismissible witsper-selftest-ran"><p>%2$s</p></div>',
				'fail' === $stored['status'] ? 'notice-error' : ( 'pass' === $stored['status'] ? 'notice-success' : 'notice-warning' ),
				/* translators: 1: passed/failed/was skipped, 2: summary. */
				esc_html( sprintf( __( 'The self-test ran just now and %1$s: %2$s.', 'witsper-ffi' ), $words[ $stored['status'] ] ?? $stored['status'], $stored['summary'] ) )
			);
		}

		// The one line.
		$on = 'on' === $sum['state'];
		printf(
			'<div class="notice inline %1$s witsper-state" data-state="%2$s" data-reason="%3$s"><p><span class="dashicons %4$s" aria-hidden="true"></span> <strong>%5$s</strong></p>',
			$on ? 'notice-success' : ( 'selftest-failed' === $sum['reason'] ? 'notice-error' : 'notice-warning' ),
			esc_attr( $sum['state'] ),
			esc_attr( (string) $sum['reason'] ),
			$on ? 'dashicons-yes-alt' : 'dashicons-warning',
			esc_html( $sum['line'] )
		);
		if ( ! $on ) {
			printf( '<p>%s</p>', esc_html( $sum['effect'] ) );
			/* translators: %s: what to do. */
			printf( '<p class="witsper-action"><strong>%s</strong> %s</p>', esc_html__( 'What to do:', 'witsper-ffi' ), esc_html( $sum['action'] ) );
		}
		echo '</div>';

		// Images: the same one line as Site Health and WP-CLI (Witsper_Status::images()).
		$images_on = 'Witsper_Image_Editor' === $report['image_editor_class'];
		printf(
			'<div class="notice inline %1$s witsper-images" data-state="%2$s" data-reason="%3$s"><p><strong>%4$s</strong></p></div>',
			$images_on ? 'notice-success' : 'notice-info',
			esc_attr( $images_on ? 'on' : 'off' ),
			esc_attr( (string) $report['image_reason'] ),
			esc_html( (string) $report['images'] )
		);

		// The buttons.
		echo '<p class="witsper-buttons">';
		if ( current_user_can( self::selftest_capability() ) ) {
			// The result is network-wide on multisite, so only network admins may re-run it there.
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline">';
			echo '<input type="hidden" name="action" value="witsper_selftest" />';
			wp_nonce_field( 'witsper_selftest' );
			echo '<button type="submit" class="button button-primary" id="witsper-run-selftest">' . esc_html__( 'Run the self-test again', 'witsper-ffi' ) . '</button> ';
			echo '</form>';
		}
		if ( current_user_can( 'view_site_health_checks' ) ) {
			printf( '<a class="button" href="%s">%s</a> ', esc_url( admin_url( 'site-health.php' ) ), esc_html__( 'Open Site Health', 'witsper-ffi' ) );
		}
		printf(
			'<a class="button" href="%s" target="_blank" rel="noopener">%s</a>',
			esc_url( rest_url( Witsper_REST::NAMESPACE_V1 . '/health' ) ),
			esc_html__( 'Health check for monitoring (JSON)', 'witsper-ffi' )
		);
		echo '</p>';

		// The details.
		echo '<h2>' . esc_html__( 'Details', 'witsper-ffi' ) . '</h2><table class="widefat striped witsper-details"><tbody>';
		foreach ( Witsper_Status::details( $report ) as $label => $text ) {
			printf( '<tr><th scope="row" style="width:18em">%s</th><td>%s</td></tr>', esc_html( $label ), esc_html( $text ) );
		}
		echo '</tbody></table>';

		// Self-test per document, with timings.
		echo '<h2>' . esc_html__( 'Self-test and timings', 'witsper-ffi' ) . '</h2>';
		echo '<p>' . esc_html__( 'Each document of the plugin\'s built-in set is parsed by both parsers; the results must be identical for native parsing to stay on. Times: median of 25 parses of each document, measured while this page was built.', 'witsper-ffi' ) . '</p>';
		if ( null === $stored ) {
			echo '<p>' . esc_html__( 'The self-test has not run yet.', 'witsper-ffi' ) . '</p>';
		} elseif ( empty( $stored['documents'] ) ) {
			/* translators: 1: status, 2: summary. */
			printf( '<p>%s</p>', esc_html( sprintf( __( 'Self-test %1$s: %2$s', 'witsper-ffi' ), $stored['status'], $stored['summary'] ) ) );
		} else {
			$timings = array();
			if ( $on ) {
				foreach ( Witsper_Bench::run( Witsper_Selftest::corpus(), 25 )['rows'] as $row ) {
					$timings[ $row['name'] ] = $row;
				}
			}
			echo '<table class="widefat striped witsper-selftest"><thead><tr><th>' . esc_html__( 'Document', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'Size', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'Result', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'WordPress\'s parser', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'Native parser', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'Speed-up (WordPress ÷ native)', 'witsper-ffi' ) . '</th></tr></thead><tbody>';
			foreach ( $stored['documents'] as $row ) {
				$t = $timings[ $row['name'] ] ?? null;
				printf(
					'<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
					esc_html( $row['name'] ),
					/* translators: %d: bytes. */
					esc_html( sprintf( __( '%d bytes', 'witsper-ffi' ), (int) $row['bytes'] ) ),
					esc_html( $row['ok'] ? __( 'identical', 'witsper-ffi' ) : (string) $row['error'] ),
					esc_html( $t ? self::microseconds( (float) $t['php_ms'] ) : '—' ),
					esc_html( $t && null !== $t['native_ms'] ? self::microseconds( (float) $t['native_ms'] ) : '—' ),
					esc_html( $t && null !== $t['ratio'] ? sprintf( '%.1f×', (float) $t['ratio'] ) : '—' )
				);
			}
			echo '</tbody></table>';
			/* translators: 1: summary, 2: date and time. */
			printf( '<p class="description">%s</p>', esc_html( sprintf( __( 'Stored result: %1$s (%2$s).', 'witsper-ffi' ), $stored['summary'], isset( $stored['time'] ) ? gmdate( 'Y-m-d H:i', (int) $stored['time'] ) . ' UTC' : '' ) ) );
		}

		// The raw report, folded: for a support request or a bug report.
		echo '<details class="witsper-raw" style="margin-top:2em"><summary>' . esc_html__( 'Technical report (for a support request)', 'witsper-ffi' ) . '</summary>';
		printf( '<textarea readonly rows="14" class="large-text code">%s</textarea></details>', esc_textarea( (string) wp_json_encode( $report, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) ) );
		echo '</div>';
	}

	/**
	 * Milliseconds as microseconds for people ("12.3 µs").
	 *
	 * @param float $ms Milliseconds.
	 */
	private static function microseconds( float $ms ): string {
		/* translators: %s: microseconds. */
		return sprintf( __( '%s µs', 'witsper-ffi' ), number_format_i18n( $ms * 1000 ) );
	}
}
