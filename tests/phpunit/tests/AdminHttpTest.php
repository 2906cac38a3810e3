<?php
/**
 * The admin screens in a real php-fpm request through nginx: log in as the stack's admin,
 * load Tools → Witsper and Site Health, check what the worker reports. The session is
 * destroyed afterwards so the stack keeps no trace of the test.
 */
class AdminHttpTest extends Witsper_TestCase {

	/** @var string Cookie jar file. */
	private $jar;

	// The login writes a session token that the test removes itself; no transaction.
	protected function setUp(): void {
		if ( ! getenv( 'WITSPER_FPM_LISTEN' ) || ! getenv( 'WITSPER_URL' ) || ! getenv( 'WITSPER_ADMIN_PASSWORD' ) ) {
			$this->markTestSkipped( 'no running stack (var/stack.env)' );
		}
		if ( 'true' !== self::mode() ) {
			// It tests php-fpm, whose mode is the stack's, not this run's: once is enough
			// (Site Health's own loopback checks make it the slowest test).
			$this->markTestSkipped( 'runs in the FFI mode true run only' );
		}
		$this->jar = tempnam( sys_get_temp_dir(), 'witsper-jar-' );
	}

	protected function tearDown(): void {
		if ( null === $this->jar ) {
			return; // Skipped before anything was opened.
		}
		// Destroy exactly the session this test opened.
		foreach ( file( $this->jar ) ?: array() as $line ) {
			$f = explode( "\t", trim( $line ) );
			if ( count( $f ) >= 7 && 0 === strpos( $f[5], 'wordpress_logged_in_' ) ) {
				$cookie = wp_parse_auth_cookie( urldecode( $f[6] ), 'logged_in' );
				$user   = $cookie ? get_user_by( 'login', $cookie['username'] ) : false;
				if ( $user ) {
					WP_Session_Tokens::get_instance( $user->ID )->destroy( $cookie['token'] );
				}
			}
		}
		unlink( $this->jar );
	}

	/** One request with the cookie jar; returns [status, body]. */
	private function request( string $path, ?array $post = null ): array {
		$ch = curl_init( rtrim( getenv( 'WITSPER_URL' ), '/' ) . $path );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_COOKIEJAR      => $this->jar,
				CURLOPT_COOKIEFILE     => $this->jar,
				CURLOPT_TIMEOUT        => 20,
				CURLOPT_FOLLOWLOCATION => false,
				CURLOPT_COOKIE         => 'wordpress_test_cookie=WP%20Cookie%20check',
			)
		);
		if ( null !== $post ) {
			curl_setopt( $ch, CURLOPT_POSTFIELDS, http_build_query( $post ) );
		}
		$body = (string) curl_exec( $ch );
		$code = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		return array( $code, $body );
	}

	public function test_status_page_and_site_health_in_php_fpm(): void {
		list( $code ) = $this->request(
			'/wp-login.php',
			array(
				'log'        => getenv( 'WITSPER_ADMIN_USER' ) ?: 'admin',
				'pwd'        => getenv( 'WITSPER_ADMIN_PASSWORD' ),
				'wp-submit'  => 'Log In',
				'testcookie' => '1',
			)
		);
		$this->assertSame( 302, $code, 'login failed' );

		list( $code, $page ) = $this->request( '/wp-admin/tools.php?page=witsper' );
		$this->assertSame( 200, $code );
		$this->assertStringContainsString( '<h1>Witsper</h1>', $page );
		// The stack runs the native parser: the first line says so, the details say where, and
		// there is no fallback notice.
		$this->assertMatchesRegularExpression( '#<div class="notice inline notice-success witsper-state" data-state="on"[^>]*><p>.*<strong>Native block parsing is on: libwitsper \d+\.\d+[^<]*</strong>#', $page );
		$this->assertMatchesRegularExpression( '#<th scope="row"[^>]*>PHP</th><td>PHP 8\.2\.\d+ in a php-fpm worker \(process \d+\); FFI extension loaded</td>#', $page );
		$this->assertMatchesRegularExpression( '#<th scope="row"[^>]*>Block parser in use</th><td>libwitsper, the native parser \(class Witsper_Block_Parser\)</td>#', $page );
		$this->assertStringNotContainsString( 'witsper-notice', $page );
		$this->assertStringContainsString( 'nesting.html', $page );
		// The folded technical report is the worker's own.
		$raw = html_entity_decode( $page, ENT_QUOTES );
		$this->assertStringContainsString( '"sapi": "fpm-fcgi"', $raw );
		$this->assertStringContainsString( '"native_parser_active": true', $raw );
		$this->assertStringContainsString( '"parser_class": "Witsper_Block_Parser"', $raw );

		list( $code, $health ) = $this->request( '/wp-admin/site-health.php' );
		$this->assertSame( 200, $code );
		foreach ( array( 'witsper_ffi_available', 'witsper_library', 'witsper_native_parser', 'witsper_selftest' ) as $id ) {
			$this->assertMatchesRegularExpression( '/"status":"good"[^{}]*"badge":\{[^}]*\}[^{}]*"test":"' . $id . '"/', $health, $id );
		}
		$this->assertStringContainsString( '"test":"witsper_ffi_mode"', $health );
	}
}
