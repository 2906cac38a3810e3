<?php
/**
 * Fresh-process probe for the image editor: boots the stack's WordPress with the plugin in
 * the PHP/env the test started it with (e.g. WITSPER_MEDIA_LIB pointing to a missing file)
 * and prints, as JSON, which editor WordPress chooses and what the status says.
 * The stored self-test results are put back as they were: the probe leaves no trace.
 */

require dirname( __DIR__ ) . '/wp-boot.php';

global $wpdb;
$witsper_row = $wpdb->get_row( $wpdb->prepare( "SELECT option_value, autoload FROM {$wpdb->options} WHERE option_name = %s", 'witsper_media_selftest' ), ARRAY_A );

require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-gd.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-imagick.php';

$out           = array( 'pid' => getmypid() );
$out['chosen'] = _wp_image_editor_choose( array( 'mime_type' => 'image/jpeg' ) );
$editor        = wp_get_image_editor( dirname( __DIR__, 3 ) . '/../shared/corpus/media/dimensions/tiny_50x50.jpg' );
$out['editor'] = is_wp_error( $editor ) ? 'error: ' . $editor->get_error_message() : get_class( $editor );
$out['media']  = Witsper_Media::status();
$out['why']    = Witsper_Image_Editor::why_not();
$out['images'] = Witsper_Status::images();
$sh            = Witsper_Site_Health::run( 'witsper_image_editor' );
$out['site_health'] = array(
	'status'      => $sh['status'],
	'label'       => $sh['label'],
	'description' => $sh['description'],
);
$response          = rest_do_request( new WP_REST_Request( 'GET', '/witsper/v1/health' ) );
$out['rest']       = $response->get_data();
$out['report']     = array_intersect_key( Witsper_Status::report(), array_flip( array( 'images', 'image_editor', 'image_reason', 'image_detail', 'image_action' ) ) );

// Put the stored results back.
if ( null === $witsper_row ) {
	$wpdb->delete( $wpdb->options, array( 'option_name' => 'witsper_media_selftest' ) );
} else {
	$wpdb->update( $wpdb->options, $witsper_row, array( 'option_name' => 'witsper_media_selftest' ) );
}
wp_cache_delete( 'witsper_media_selftest', 'options' );
wp_cache_delete( 'notoptions', 'options' );

echo "\nWITSPER-PROBE-JSON ", wp_json_encode( $out ), "\n";
