<?php
/**
 * GET /witsper/v1/health: shape, status, and that it answers from the serving process.
 */
class RestTest extends Witsper_TestCase {

	const KEYS = array( 'ffi_available', 'ffi_mode', 'library_version', 'abi', 'native_parser_active', 'self_test', 'pid', 'reason', 'reason_text', 'summary', 'action', 'image_editor', 'image_editor_active', 'image_reason', 'images' );

	private function get_health(): WP_REST_Response {
		return rest_do_request( new WP_REST_Request( 'GET', '/witsper/v1/health' ) );
	}

	public function test_route_is_public_get(): void {
		$routes = rest_get_server()->get_routes();
		$this->assertArrayHasKey( '/witsper/v1/health', $routes );
		$route = $routes['/witsper/v1/health'][0];
		$this->assertSame( array( 'GET' => true ), $route['methods'] );
		$this->assertSame( '__return_true', $route['permission_callback'] );
		// Anonymous request succeeds.
		wp_set_current_user( 0 );
		$this->assertSame( 200, $this->get_health()->get_status() );
	}

	public function test_response_shape_and_values(): void {
		$response = $this->get_health();
		$this->assertSame( 200, $response->get_status() );
		$data = $response->get_data();
		$this->assertSame( self::KEYS, array_keys( $data ) );
		$this->assertIsBool( $data['ffi_available'] );
		$this->assertIsBool( $data['native_parser_active'] );
		$this->assertContains( $data['ffi_mode'], array( 'true', 'preload', 'cli', 'off' ) );
		$this->assertContains( $data['self_test'], array( 'pass', 'fail', 'skipped', 'not-run' ) );
		$this->assertSame( 'no-store, max-age=0', $response->get_headers()['Cache-Control'] );
		if ( self::native_expected() ) {
			$this->assertTrue( $data['native_parser_active'], (string) $data['reason_text'] );
			$this->assertSame( Witsper_FFI::version(), $data['library_version'] );
			$this->assertMatchesRegularExpression( '/^\d+\.\d+/', $data['library_version'] );
			$this->assertSame( 1, $data['abi'] );
			$this->assertSame( self::mode(), $data['ffi_mode'] );
			$this->assertNull( $data['reason'] );
			$this->assertSame( 'Native block parsing is on: libwitsper ' . $data['library_version'] . ' parses the blocks of every page, with exactly the result of WordPress\'s own parser.', $data['summary'] );
			$this->assertNull( $data['action'] );
		} else {
			$this->assertFalse( $data['native_parser_active'] );
			$this->assertSame( 'ffi-disabled', $data['reason'] );
			$this->assertNull( $data['library_version'] );
			$this->assertSame( 'Native block parsing is off: ' . $data['reason_text'], $data['summary'] );
			$this->assertSame( Witsper_Status::action( 'ffi-disabled' ), $data['action'] );
		}
		$this->assertSame( Witsper_Status::summary()['line'], $data['summary'] );
	}

	public function test_reports_this_process_pid(): void {
		$this->assertSame( getmypid(), $this->get_health()->get_data()['pid'] );
		// And a fresh process reports its own, different pid.
		$p = self::probe();
		$this->assertSame( $p['pid'], $p['rest']['pid'] );
		$this->assertNotSame( getmypid(), $p['rest']['pid'] );
	}

	public function test_version_is_live_not_cached(): void {
		if ( ! self::native_expected() ) {
			$this->assertNull( Witsper_Status::live_version() );
			return;
		}
		$this->assertNotNull( $this->get_health()->get_data()['library_version'] );
		// Once the library is switched off in this process, the next answer must show it:
		// a cached version would survive.
		Witsper_FFI::force_off( 'RestTest' );
		try {
			$data = $this->get_health()->get_data();
			$this->assertNull( $data['library_version'] );
			$this->assertFalse( $data['native_parser_active'] );
			$this->assertSame( 'forced-off', $data['reason'] );
		} finally {
			self::reset_loader();
		}
		$this->assertNotNull( $this->get_health()->get_data()['library_version'] );
	}

	/**
	 * The stack's php-fpm answers over HTTP with a worker pid (not ours) that is a live
	 * php-fpm process, and with the library's version. Needs the stack (WITSPER_URL).
	 */
	public function test_http_answer_comes_from_a_php_fpm_worker(): void {
		$url = getenv( 'WITSPER_URL' );
		if ( ! getenv( 'WITSPER_FPM_LISTEN' ) || ! $url ) {
			$this->markTestSkipped( 'no running stack (var/stack.env)' );
		}
		$body = null;
		$code = 0;
		for ( $try = 0; $try < 3 && 200 !== $code; $try++ ) {
			$ctx  = stream_context_create( array( 'http' => array( 'timeout' => 10, 'ignore_errors' => true ) ) );
			$body = @file_get_contents( rtrim( $url, '/' ) . '/wp-json/witsper/v1/health', false, $ctx );
			$code = isset( $http_response_header[0] ) && preg_match( '/ (\d{3}) /', $http_response_header[0], $m ) ? (int) $m[1] : 0;
		}
		$this->assertSame( 200, $code, (string) $body );
		$data = json_decode( (string) $body, true );
		$this->assertSame( self::KEYS, array_keys( $data ) );
		$this->assertNotSame( getmypid(), $data['pid'] );
		$comm = @file_get_contents( '/proc/' . (int) $data['pid'] . '/comm' );
		$this->assertIsString( $comm, 'pid ' . $data['pid'] . ' is not a live process' );
		$this->assertStringStartsWith( 'php-fpm', trim( $comm ) );
		// The stack runs its own FFI mode; whichever it is, native must be active there.
		$this->assertTrue( $data['native_parser_active'], (string) $data['reason_text'] );
		$this->assertNotNull( $data['library_version'] );
	}

	/** Forget the loader's per-process decision so the next call detects again. */
	public static function reset_loader(): void {
		foreach ( array( 'status', 'ffi', 'last_error' ) as $prop ) {
			$r = new ReflectionProperty( 'Witsper_FFI', $prop );
			$r->setAccessible( true );
			$r->setValue( null, null );
		}
	}
}
