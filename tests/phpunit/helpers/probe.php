<?php
/**
 * Fresh-process probe: boots the stack's WordPress with the plugin in whatever PHP/env the
 * test started it with, and prints what the plugin decided, as JSON.
 *
 * Used where the loader caches its decision per process (library missing, ABI mismatch,
 * FFI absent, forced off) and for rendering (block-support classes carry per-process
 * counters, so "with" and "without" the plugin must each start from a fresh process).
 *
 * Args:
 *   --force-off          call Witsper_FFI::force_off() after WordPress loaded
 *   --render=POST_ID     render that post through the_content and return the HTML
 *   --no-plugin-parser   remove the plugin's block_parser_class filter before rendering
 */

require dirname( __DIR__ ) . '/wp-boot.php';
require __DIR__ . '/media-option.php';
// Site Health's image editor test may store an image self-test: put it back at the end.
$witsper_media_row = witsper_media_option_save();

$opts = getopt( '', array( 'force-off', 'render:', 'no-plugin-parser' ) );

if ( isset( $opts['force-off'] ) ) {
	Witsper_FFI::force_off( 'probe --force-off' );
}
if ( isset( $opts['no-plugin-parser'] ) ) {
	remove_filter( 'block_parser_class', array( 'Witsper_Plugin', 'filter_parser_class' ) );
}

$out = array(
	'pid'          => getmypid(),
	'status'       => Witsper_Plugin::ffi_status(),
	'why'          => Witsper_Plugin::why_not_native(),
	'parser_class' => apply_filters( 'block_parser_class', 'WP_Block_Parser' ),
);

$response            = rest_do_request( new WP_REST_Request( 'GET', '/witsper/v1/health' ) );
$out['rest_status']  = $response->get_status();
$out['rest']         = $response->get_data();
$out['site_health']  = array();
foreach ( Witsper_Site_Health::TESTS as $id ) {
	$out['site_health'][ $id ] = Witsper_Site_Health::run( $id )['status'];
}
$out['notice'] = Witsper_Admin::notice_html();
// The shared sentences, and how Site Health printed them (FallbackTest: same words everywhere).
$out['summary']            = Witsper_Status::summary();
$out['site_health_native'] = Witsper_Site_Health::run( 'witsper_native_parser' )['description'];

// parse_blocks() (whatever parser the filter chose) against WP_Block_Parser.
$out['identical'] = array();
foreach ( glob( dirname( __DIR__, 3 ) . '/plugin/witsper-ffi/selftest/*.html' ) as $file ) {
	$doc                                   = file_get_contents( $file );
	$out['identical'][ basename( $file ) ] = serialize( parse_blocks( $doc ) ) === serialize( ( new WP_Block_Parser() )->parse( $doc ) );
}

if ( isset( $opts['render'] ) ) {
	$post = get_post( (int) $opts['render'] );
	if ( ! $post ) {
		fwrite( STDERR, "no post {$opts['render']}\n" );
		exit( 1 );
	}
	// Record which parser do_blocks() really instantiated.
	$used = array();
	add_filter(
		'block_parser_class',
		static function ( $class ) use ( &$used ) {
			$used[] = $class;
			return $class;
		},
		PHP_INT_MAX
	);
	$GLOBALS['post'] = $post;
	setup_postdata( $post );
	$out['html']         = apply_filters( 'the_content', $post->post_content );
	$out['parsers_used'] = array_values( array_unique( $used ) );
}

witsper_media_option_restore( $witsper_media_row );

// A marked line: WordPress's debug mode may print notices on stdout around it.
echo "\nWITSPER-PROBE-JSON ", wp_json_encode( $out ), "\n";
