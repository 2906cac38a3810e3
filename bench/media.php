<?php
/**
 * One measurement of make bench-media (bench/media.sh runs it, each time in a fresh PHP
 * process): the "upload work" WordPress does for one image with one image editor, i.e.
 * wp_create_image_subsizes() (the -scaled/-rotated original and every default size), inside
 * the stack's WordPress (Debian's 6.1.9).
 *
 *   php -d ffi.enable=true bench/media.php WP_ROOT HOST[:PORT] EDITOR FILE
 *
 * EDITOR: witsper (Witsper_Image_Editor), gd (WP_Image_Editor_GD), imagick
 * (WP_Image_Editor_Imagick) or naive (bench/media-naive-editor.php: Witsper's library, but
 * every result decoded from the whole image, WM_OPEN_FULL_DECODE). WordPress is made to use
 * that editor alone (wp_image_editors).
 * HEIC/HEIF: WordPress 6.1 cannot size a HEIC (wp_getimagesize() does not read it), so the
 * upload work there is: the editor opens the HEIC and saves the JPEG original, then
 * wp_create_image_subsizes() on that JPEG. An editor that cannot open the file is "n/a".
 *
 * Prints one JSON object: {"editor","file","status":"ok"|"n/a"|"fail","cpu_s","wall_s",
 * "rss_base_mb","rss_delta_mb","sizes","missing","message"}
 *   cpu_s        getrusage() user + system of the whole process (all threads) for the work
 *   rss_delta_mb peak RSS during the work over the RSS before it: the peak (VmHWM) is reset
 *                (/proc/self/clear_refs 5) just before, after WordPress has loaded and the
 *                editor's code and library are loaded (the editor's test(), and for the
 *                libvips editors the library's start: a worker pays that once, not per image)
 * The attachment and its files live in a private uploads directory and are deleted after.
 *
 * @package witsper-bench
 */

if ( 5 !== $argc ) {
	fwrite( STDERR, "usage: php bench/media.php WP_ROOT HOST[:PORT] EDITOR FILE\n" );
	exit( 3 );
}
list( , $wp_root, $host, $editor, $src ) = $argv;

$_SERVER['HTTP_HOST']   = $host;
$_SERVER['SERVER_NAME'] = preg_replace( '/:\d+$/', '', $host );
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PORT'] = preg_match( '/:(\d+)$/', $host, $m ) ? $m[1] : '80';

require $wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-gd.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-imagick.php';
require_once __DIR__ . '/media-editors.php';

$result = array(
	'editor'       => $editor,
	'file'         => basename( $src ),
	'status'       => 'fail',
	'cpu_s'        => null,
	'wall_s'       => null,
	'rss_base_mb'  => null,
	'rss_delta_mb' => null,
	'sizes'        => 0,
	'missing'      => array(),
	'message'      => '',
);

/** Prints the result and exits. */
function witsper_bench_out( array $result, int $code = 0 ): void {
	echo wp_json_encode( $result ), "\n";
	exit( $code );
}

$class = witsper_bench_editor_class( $editor );
if ( null === $class ) {
	$result['message'] = "unknown or unavailable editor '$editor'";
	witsper_bench_out( $result, 2 );
}
add_filter(
	'wp_image_editors',
	static function () use ( $class ) {
		return array( $class );
	},
	PHP_INT_MAX
);

// A private uploads directory (the stack's own uploads are left alone).
$dir = sys_get_temp_dir() . '/witsper-bench-media-' . getmypid();
wp_mkdir_p( $dir );
add_filter(
	'upload_dir',
	static function ( $u ) use ( $dir ) {
		$u['path']    = $dir;
		$u['basedir'] = $dir;
		$u['subdir']  = '';
		$u['url']     = $u['baseurl'] . '/witsper-bench';
		return $u;
	}
);
$dest = $dir . '/' . basename( $src );
copy( $src, $dest );
$mime = wp_get_image_mime( $dest );
if ( ! $mime ) {
	$mime = in_array( strtolower( pathinfo( $dest, PATHINFO_EXTENSION ) ), array( 'heic', 'heif' ), true ) ? 'image/heic' : 'application/octet-stream';
}
$heic = in_array( $mime, array( 'image/heic', 'image/heif' ), true );

$cleanup = static function ( $id ) use ( $dir ) {
	if ( $id ) {
		wp_delete_attachment( $id, true );
	}
	array_map( 'unlink', glob( "$dir/*" ) );
	rmdir( $dir );
};

// The editor's code and library, loaded before the measurement (test(), supports_mime_type(),
// for the libvips editors the library's start).
$chosen = _wp_image_editor_choose(
	array(
		'mime_type' => $mime,
		'path'      => $dest,
	)
);
if ( $chosen !== $class ) {
	$cleanup( 0 );
	// WordPress's editors may lack a decoder (GD: HEIC): n/a. The libvips editors read every
	// format of the bench: not usable here is a failure, with the plugin's reason.
	$result['status']  = in_array( $editor, array( 'gd', 'imagick' ), true ) ? 'n/a' : 'fail';
	$result['message'] = "$class cannot read $mime here";
	if ( 'fail' === $result['status'] && class_exists( 'Witsper_Media' ) ) {
		$st                 = Witsper_Media::status();
		$result['message'] .= ' (' . ( $st['reason'] ?? 'self-test' ) . ': ' . ( $st['message'] ?? 'see wp witsper status' ) . ')';
	}
	witsper_bench_out( $result );
}
witsper_bench_editor_warm( $editor );

$id = wp_insert_attachment(
	array(
		'post_mime_type' => $heic ? 'image/jpeg' : $mime,
		'post_title'     => 'witsper bench ' . basename( $src ),
		'post_status'    => 'inherit',
	),
	$dest
);

/** A field of /proc/self/status, in kB. */
function witsper_bench_status_kb( string $field ): int {
	return preg_match( '/^' . $field . ':\s+(\d+) kB/m', (string) file_get_contents( '/proc/self/status' ), $m ) ? (int) $m[1] : 0;
}

gc_collect_cycles();
file_put_contents( '/proc/self/clear_refs', '5' );   // VmHWM := VmRSS
$rss0 = witsper_bench_status_kb( 'VmRSS' );
$ru0  = getrusage();
$t0   = hrtime( true );

$error = null;
$file  = $dest;
if ( $heic ) {
	// The JPEG original of a HEIC upload, then the sizes of that.
	$ed = wp_get_image_editor( $dest );
	if ( is_wp_error( $ed ) ) {
		$error = $ed;
	} else {
		$saved = $ed->save( preg_replace( '/\.hei[cf]$/i', '.jpg', $dest ), 'image/jpeg' );
		if ( is_wp_error( $saved ) ) {
			$error = $saved;
		} else {
			$file = $saved['path'];
			update_attached_file( $id, $file );
		}
	}
	unset( $ed );
}
$meta = $error ? array() : wp_create_image_subsizes( $file, $id );

$t1  = hrtime( true );
$ru1 = getrusage();
$hwm = witsper_bench_status_kb( 'VmHWM' );

$cpu = static function ( array $ru ): float {
	return $ru['ru_utime.tv_sec'] + $ru['ru_utime.tv_usec'] / 1e6 + $ru['ru_stime.tv_sec'] + $ru['ru_stime.tv_usec'] / 1e6;
};
$result['cpu_s']        = round( $cpu( $ru1 ) - $cpu( $ru0 ), 3 );
$result['wall_s']       = round( ( $t1 - $t0 ) / 1e9, 3 );
$result['rss_base_mb']  = round( $rss0 / 1024, 1 );
$result['rss_delta_mb'] = round( ( $hwm - $rss0 ) / 1024, 1 );
$result['sizes']        = count( (array) ( $meta['sizes'] ?? array() ) );
$result['missing']      = $error ? array() : array_keys( wp_get_missing_image_subsizes( $id ) );
if ( $error ) {
	$result['message'] = $error->get_error_message();
} elseif ( empty( $meta['sizes'] ) || $result['missing'] ) {
	$result['message'] = 'sizes missing: ' . implode( ' ', $result['missing'] );
} else {
	$result['status']  = 'ok';
	$result['message'] = sprintf( '%dx%d %s', $meta['width'], $meta['height'], basename( $meta['file'] ) );
}
$cleanup( $id );
witsper_bench_out( $result );
