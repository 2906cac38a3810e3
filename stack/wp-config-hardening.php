<?php
/**
 * wp-config.php settings shared by both runners (one file, required by both):
 *   native: var/wordpress/wp-config.php (written by stack/up.sh) require()s this file;
 *   Docker: the image has it at /usr/local/share/witsper/wp-config-hardening.php and
 *           docker-compose.yml's WORDPRESS_CONFIG_EXTRA require()s it.
 * Each constant only if not defined yet, so a site's own wp-config can still decide.
 */

// No theme/plugin file editor in wp-admin: an admin session must not become code execution.
defined( 'DISALLOW_FILE_EDIT' ) || define( 'DISALLOW_FILE_EDIT', true );
// Core comes from a package (Debian's natively, the pinned image in Docker): no self-updates
// writing into it.
defined( 'AUTOMATIC_UPDATER_DISABLED' ) || define( 'AUTOMATIC_UPDATER_DISABLED', true );
// Errors go to the php-fpm log (php.ini error_log), never to the page.
defined( 'WP_DEBUG' ) || define( 'WP_DEBUG', false );
defined( 'WP_DEBUG_DISPLAY' ) || define( 'WP_DEBUG_DISPLAY', false );
defined( 'WP_DEBUG_LOG' ) || define( 'WP_DEBUG_LOG', false );
// Both runs may be on machines with no route out: WordPress's update checks would only add
// failed outbound requests (and log noise) to page loads. Requests to this site itself
// (cron, loopback health checks) stay allowed.
defined( 'WP_HTTP_BLOCK_EXTERNAL' ) || define( 'WP_HTTP_BLOCK_EXTERNAL', true );
