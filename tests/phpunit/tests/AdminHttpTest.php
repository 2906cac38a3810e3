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
		$this->assertStringContainsString( '<h1>Witsper FFI</h1>', $page );
		$this->assertMatchesRegularExpression( '#<th scope="row">sapi</th><td><code>fpm-fcgi</code>#', $page );
		// The stack runs the native parser: the page says so and shows no fallback notice.
		$this->assertMatchesRegularExpression( '#<th scope="row">native_parser_active</th><td><code>yes</code>#', $page );
		$this->assertMatchesRegularExpression( '#<th scope="row">parser_class</th><td><code>Witsper_Block_Parser</code>#', $page );
		$this->assertStringNotContainsString( 'witsper-notice', $page );
		$this->assertStringContainsString( 'nesting.html', $page );

		list( $code, $health ) = $this->request( '/wp-admin/site-health.php' );
		$this->assertSame( 200, $code );
		foreach ( array( 'witsper_ffi_available', 'witsper_library', 'witsper_native_parser', 'witsper_selftest' ) as $id ) {
			$this->assertMatchesRegularExpression( '/"status":"good"[^{}]*"badge":\{[^}]*\}[^{}]*"test":"' . $id . '"/', $health, $id );
		}
		$this->assertStringContainsString( '"test":"witsper_ffi_mode"', $health );
	}
}
