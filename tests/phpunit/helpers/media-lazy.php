<?php
/**
 * Fresh PHP that does what a page view does (WordPress loads, blocks are parsed, a post's
 * content rendered) and reports whether anything of the media side ran: the media library
 * mapped (/proc/self/maps), Witsper_Media's loader run, its option read or autoloaded.
 */
$witsper_queries = array();
$GLOBALS['wp_filter']['query'][10][] = array(
	'function'      => static function ( $q ) use ( &$witsper_queries ) {
		if ( false !== strpos( (string) $q, 'witsper_media' ) ) {
			$witsper_queries[] = $q;
		}
		return $q;
	},
	'accepted_args' => 1,
);
require dirname( __DIR__ ) . '/wp-boot.php';

$html = apply_filters( 'the_content', "<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->\n<!-- wp:image --><figure class=\"wp-block-image\"><img src=\"/x.jpg\" alt=\"\"/></figure><!-- /wp:image -->" );
$status = 'undefined';
if ( class_exists( 'Witsper_Media', false ) ) {
	$r = new ReflectionProperty( 'Witsper_Media', 'status' );
	$r->setAccessible( true );
	$status = $r->getValue();
}
$maps = (string) file_get_contents( '/proc/self/maps' );
echo "\nWITSPER-PROBE-JSON " . json_encode(
	array(
		'rendered'        => strlen( $html ) > 0,
		'media_status'    => $status,
		'editor_loaded'   => class_exists( 'Witsper_Image_Editor', false ),
		'libvips_mapped'  => false !== strpos( $maps, 'libvips' ),
		'media_mapped'    => false !== strpos( $maps, 'libwitsper-media' ),
		'queries'         => $witsper_queries,
		'autoloaded'      => array_key_exists( 'witsper_media_selftest', wp_load_alloptions() ),
		'editors_hooked'  => (bool) has_filter( 'wp_image_editors', array( 'Witsper_Plugin', 'filter_image_editors' ) ),
	)
) . "\n";
