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
	 * The notice text when the native parser is off, or '' when it is active.
	 */
	public static function notice_html(): string {
		$why = Witsper_Plugin::why_not_native();
		if ( null === $why ) {
			return '';
		}
		$class = 'selftest-failed' === $why['code'] ? 'notice-error' : 'notice-warning';
		return sprintf(
			'<div class="notice %1$s witsper-notice"><p><strong>%2$s</strong> %3$s <a href="%4$s">%5$s</a></p></div>',
			esc_attr( $class ),
			esc_html__( 'Witsper FFI: WordPress\'s own block parser is in use.', 'witsper-ffi' ),
			/* translators: 1: reason code, 2: explanation. */
			esc_html( sprintf( __( 'Reason: %1$s — %2$s', 'witsper-ffi' ), $why['code'], Witsper_Plugin::reason_line( $why ) ) ),
			esc_url( self::page_url() ),
			esc_html__( 'Details', 'witsper-ffi' )
		);
	}

	/**
	 * `admin_notices`: site administrators.
	 */
	public static function site_notice(): void {
		if ( current_user_can( 'manage_options' ) ) {
			echo self::notice_html(); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in notice_html().
		}
	}

	/**
	 * `network_admin_notices`: network administrators.
	 */
	public static function network_notice(): void {
		if ( current_user_can( 'manage_network_options' ) ) {
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
		Witsper_Plugin::run_and_store_selftest();
		$back = wp_get_referer();
		wp_safe_redirect( $back ? $back : admin_url( 'tools.php?page=' . self::PAGE ) );
		exit;
	}

	/**
	 * Who may re-run the self-test: its result applies to the whole network on multisite.
	 */
	public static function selftest_capability(): string {
		return is_multisite() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * The status page.
	 */
	public static function render_page(): void {
		$report = Witsper_Status::report();
		$stored = Witsper_Plugin::selftest_result();
		echo '<div class="wrap"><h1>' . esc_html__( 'Witsper FFI', 'witsper-ffi' ) . '</h1>';
		echo self::notice_html(); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in notice_html().

		echo '<h2>' . esc_html__( 'Status', 'witsper-ffi' ) . '</h2><table class="widefat striped"><tbody>';
		foreach ( $report as $key => $value ) {
			$shown = is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : ( null === $value ? '—' : (string) $value );
			printf( '<tr><th scope="row">%s</th><td><code>%s</code></td></tr>', esc_html( $key ), esc_html( $shown ) );
		}
		echo '</tbody></table>';

		echo '<h2>' . esc_html__( 'Self-test', 'witsper-ffi' ) . '</h2>';
		if ( null === $stored ) {
			echo '<p>' . esc_html__( 'Not run yet.', 'witsper-ffi' ) . '</p>';
		} else {
			printf( '<p><strong>%s</strong> — %s</p>', esc_html( $stored['status'] ), esc_html( (string) $stored['summary'] ) );
			if ( ! empty( $stored['documents'] ) ) {
				echo '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Document', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'Bytes', 'witsper-ffi' ) . '</th><th>' . esc_html__( 'Result', 'witsper-ffi' ) . '</th></tr></thead><tbody>';
				foreach ( $stored['documents'] as $row ) {
					printf(
						'<tr><td>%s</td><td>%d</td><td>%s</td></tr>',
						esc_html( $row['name'] ),
						(int) $row['bytes'],
						esc_html( $row['ok'] ? __( 'identical', 'witsper-ffi' ) : (string) $row['error'] )
					);
				}
				echo '</tbody></table>';
			}
		}
		// The result is network-wide on multisite, so only network admins may re-run it there.
		if ( current_user_can( self::selftest_capability() ) ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
			echo '<input type="hidden" name="action" value="witsper_selftest" />';
			wp_nonce_field( 'witsper_selftest' );
			submit_button( __( 'Run the self-test now', 'witsper-ffi' ), 'secondary' );
			echo '</form>';
		}
		printf(
			'<p>%s <code>%s</code></p></div>',
			esc_html__( 'Health endpoint:', 'witsper-ffi' ),
			esc_html( rest_url( Witsper_REST::NAMESPACE_V1 . '/health' ) )
		);
	}
}
