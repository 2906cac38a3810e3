<?php
/**
 * Removes what an interrupted run may have left in the stack's database: the render test's
 * posts and the throwaway multisite tables. run.sh calls it on exit; normally it finds nothing.
 */

require dirname( __DIR__ ) . '/wp-boot.php';

global $wpdb;
$removed = 0;
$ids     = $wpdb->get_col( $wpdb->prepare( "SELECT ID FROM {$wpdb->posts} WHERE post_title = %s", 'witsper render test' ) );
foreach ( $ids as $id ) {
	$removed += wp_delete_post( (int) $id, true ) ? 1 : 0;
}
foreach ( $wpdb->get_col( "SHOW TABLES LIKE 'wpmstest\\_%'" ) as $table ) {
	$wpdb->query( 'DROP TABLE `' . str_replace( '`', '', $table ) . '`' );
	$removed++;
}
echo "\nWITSPER-PROBE-JSON ", wp_json_encode( array( 'removed' => $removed ) ), "\n";
