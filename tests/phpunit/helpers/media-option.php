<?php
/**
 * Subprocess helpers (probe.php, media-probe.php) commit what they write: the image editor's
 * stored self-test (option witsper_media_selftest) is saved before and put back after, so a
 * probe leaves the stack's database as it found it.
 */

/** The option's row, or null when absent. */
function witsper_media_option_save(): ?array {
	global $wpdb;
	return $wpdb->get_row( $wpdb->prepare( "SELECT option_value, autoload FROM {$wpdb->options} WHERE option_name = %s", 'witsper_media_selftest' ), ARRAY_A );
}

/** Puts the row back (or deletes the option when there was none). */
function witsper_media_option_restore( ?array $row ): void {
	global $wpdb;
	if ( null === $row ) {
		$wpdb->delete( $wpdb->options, array( 'option_name' => 'witsper_media_selftest' ) );
	} elseif ( ! $wpdb->update( $wpdb->options, $row, array( 'option_name' => 'witsper_media_selftest' ) ) ) {
		$wpdb->replace( $wpdb->options, $row + array( 'option_name' => 'witsper_media_selftest' ) );
	}
	wp_cache_delete( 'witsper_media_selftest', 'options' );
	wp_cache_delete( 'notoptions', 'options' );
	wp_cache_delete( 'alloptions', 'options' );
}
