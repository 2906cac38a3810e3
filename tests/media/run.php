<?php
/**
 * The runner of make test-media (tests/media/README.md): WordPress's own upload work,
 * wp_create_image_subsizes(), on every image of a list, once per editor, each editor
 * forced through the wp_image_editors filter and writing into its own upload folder;
 * then the SSIM of every output against the libvips reference (tests/media/build/ssim).
 * Judging is report.php's job: this file only measures, one JSON line per image.
 *
 * Usage (WordPress of the running stack, tests/phpunit/wp-boot.php):
 *   php tests/media/run.php LIST OUT.jsonl WORKDIR SSIM_BIN [SIDES]
 * LIST: lines "path <TAB> category <TAB> description" (absolute paths);
 * SIDES: comma-separated, default "gd,witsper".
 * Each image is written to OUT.jsonl as soon as it is done, so a runner that dies (a fatal
 * error in an editor) leaves the images before it; report.php names the ones missing.
 */

if ( $argc < 5 ) {
	fwrite( STDERR, "usage: run.php LIST OUT.jsonl WORKDIR SSIM_BIN [SIDES]\n" );
	exit( 2 );
}
list( , $list_file, $out_file, $work, $ssim_bin ) = $argv;
$sides_wanted = explode( ',', $argv[5] ?? 'gd,witsper' );

require dirname( __DIR__ ) . '/phpunit/wp-boot.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
// What _wp_image_editor_choose() loads before it asks the filter; the plugin may load its
// editor class from its own wp_image_editors callback, so the filter runs once here.
require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-gd.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-imagick.php';
apply_filters( 'wp_image_editors', array( 'WP_Image_Editor_Imagick', 'WP_Image_Editor_GD' ) );

const MEDIA_EDITORS = array(
	'gd'      => 'WP_Image_Editor_GD',
	'witsper' => 'Witsper_Image_Editor',
);

$media_dir    = '';
$media_editor = '';
// Each side writes into its own folder: WordPress's upload_dir, filtered last.
add_filter(
	'upload_dir',
	static function ( $u ) use ( &$media_dir ) {
		$u['path']    = $media_dir;
		$u['basedir'] = $media_dir;
		$u['subdir']  = '';
		$u['url']     = 'http://127.0.0.1/media-test';
		$u['baseurl'] = 'http://127.0.0.1/media-test';
		$u['error']   = false;
		return $u;
	},
	PHP_INT_MAX
);
add_filter(
	'wp_image_editors',
	static function () use ( &$media_editor ) {
		return array( $media_editor );
	},
	PHP_INT_MAX
);

/**
 * The orientation WordPress applies to this file: maybe_exif_rotate() reads EXIF
 * Orientation with exif_read_data() from JPEGs only (WordPress 6.1).
 */
function media_wp_orientation( $path, $mime ) {
	if ( 'image/jpeg' !== $mime || ! is_callable( 'exif_read_data' ) ) {
		return 1;
	}
	$exif = @exif_read_data( $path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- as WordPress does
	$o    = (int) ( $exif['Orientation'] ?? 1 );
	return ( $o >= 2 && $o <= 8 ) ? $o : 1;
}

/** The sizes WordPress's arithmetic gives for an oriented W x H original: name => [w, h, rect]. */
function media_expected_sizes( $w, $h ) {
	$out = array();
	foreach ( wp_get_registered_image_subsizes() as $name => $spec ) {
		$d = image_resize_dimensions( $w, $h, $spec['width'], $spec['height'], $spec['crop'] );
		if ( $d ) {
			$out[ $name ] = array( $d[4], $d[5], array( $d[2], $d[3], $d[6], $d[7] ) );
		}
	}
	return $out;
}

/** Runs the ssim tool on jobs [[x, y, w, h, path], ...]; returns one result line per job. */
function media_ssim( $bin, $orig, $orient, $jobs ) {
	if ( ! $jobs ) {
		return array();
	}
	$in = '';
	foreach ( $jobs as $j ) {
		$in .= implode( ' ', $j ) . "\n";
	}
	$p = proc_open( array( $bin, $orig, (string) $orient ), array( array( 'pipe', 'r' ), array( 'pipe', 'w' ), array( 'pipe', 'w' ) ), $pipes );
	if ( ! is_resource( $p ) ) {
		return array_fill( 0, count( $jobs ), 'ERR cannot start ' . $bin );
	}
	fwrite( $pipes[0], $in );
	fclose( $pipes[0] );
	$out = stream_get_contents( $pipes[1] );
	$err = stream_get_contents( $pipes[2] );
	fclose( $pipes[1] );
	fclose( $pipes[2] );
	proc_close( $p );
	$lines = explode( "\n", rtrim( (string) $out, "\n" ) );
	if ( 1 === count( $lines ) && str_starts_with( $lines[0], 'ERR cannot load the reference' ) ) {
		return array_fill( 0, count( $jobs ), $lines[0] );
	}
	for ( $i = count( $lines ); $i < count( $jobs ); $i++ ) {
		$lines[] = 'ERR no answer from ssim: ' . trim( (string) $err );
	}
	return $lines;
}

/** One editor's upload work on a copy of $orig in $dir. */
function media_side( $class, $orig, $mime, $dir ) {
	global $media_dir, $media_editor;
	if ( ! class_exists( $class ) ) {
		return array( 'error' => "class $class is not loaded" );
	}
	if ( ! is_dir( $dir ) && ! mkdir( $dir, 0777, true ) ) {
		return array( 'error' => "cannot create $dir" );
	}
	$media_dir    = $dir;
	$media_editor = $class;
	$t0           = hrtime( true );
	$file         = $dir . '/' . basename( $orig );
	if ( 'WP_Image_Editor_GD' === $class ) {
		// WordPress as it is: the file as uploaded.
		copy( $orig, $file );
	} else {
		// The plugin's part of the upload: wp_handle_upload_prefilter (HEIC/HEIF/AVIF become
		// a JPEG in place, renamed), then the file is moved to its name, as wp_handle_upload().
		$tmp = $dir . '/upload.tmp';
		copy( $orig, $tmp );
		$up = apply_filters(
			'wp_handle_upload_prefilter',
			array(
				'name'     => basename( $orig ),
				'type'     => $mime,
				'tmp_name' => $tmp,
				'error'    => 0,
				'size'     => filesize( $tmp ),
			)
		);
		$file = $dir . '/' . basename( (string) ( $up['name'] ?? basename( $orig ) ) );
		rename( $tmp, $file );
	}
	$meta = wp_create_image_subsizes( $file, 0 );
	$wall = ( hrtime( true ) - $t0 ) / 1e9;
	if ( ! is_array( $meta ) ) {
		$meta = array();
	}
	$r = array(
		'wall'    => round( $wall, 4 ),
		'meta'    => array(
			'width'  => $meta['width'] ?? null,
			'height' => $meta['height'] ?? null,
			'file'   => $meta['file'] ?? null,
			'sizes'  => array(),
		),
		'outputs' => array(),
	);
	// Whether the forced editor takes this type at all (GD in WordPress 6.1: no AVIF, no HEIC).
	$r['supports'] = wp_image_editor_supports( array( 'mime_type' => $mime ) );
	if ( isset( $meta['file'] ) && basename( $meta['file'] ) !== basename( $orig ) ) {
		// "-scaled", "-rotated", or the JPEG a HEIC upload became.
		$r['outputs'][] = array( 'key' => 'full', 'file' => basename( $meta['file'] ) );
	}
	foreach ( (array) ( $meta['sizes'] ?? array() ) as $name => $s ) {
		$r['meta']['sizes'][ $name ] = array(
			'file'      => $s['file'] ?? null,
			'width'     => $s['width'] ?? null,
			'height'    => $s['height'] ?? null,
			'mime-type' => $s['mime-type'] ?? null,
		);
		$r['outputs'][] = array( 'key' => $name, 'file' => $s['file'] ?? '' );
	}
	ksort( $r['meta']['sizes'] );
	foreach ( $r['outputs'] as &$o ) {
		$o['bytes'] = is_file( "$dir/{$o['file']}" ) ? filesize( "$dir/{$o['file']}" ) : null;
	}
	unset( $o );
	return $r;
}

$list = array_filter( array_map( 'trim', file( $list_file ) ) );
$out  = fopen( $out_file, 'a' );
foreach ( $list as $idx => $line ) {
	list( $path, $category, $desc ) = array_pad( explode( "\t", $line ), 3, '' );
	$size   = @getimagesize( $path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- HEIC: false
	$mime   = $size['mime'] ?? ( wp_check_filetype( $path )['type'] ?: 'unknown' );
	$orient = media_wp_orientation( $path, $mime );
	$info   = trim( (string) shell_exec( escapeshellarg( $ssim_bin ) . ' --info ' . escapeshellarg( $path ) . ' ' . $orient ) );
	$rec    = array(
		'path'     => $path,
		'category' => $category,
		'desc'     => $desc,
		'mime'     => $mime,
		'orient'   => $orient,
		'sides'    => array(),
	);
	if ( ! preg_match( '/^(\d+) (\d+)(?: icc=(.*))?$/', $info, $m ) ) {
		$rec['error'] = 'reference: ' . $info;
		fwrite( $out, json_encode( $rec ) . "\n" );
		continue;
	}
	list( , $w, $h ) = $m;
	$rec['ref']      = array( (int) $w, (int) $h );
	$rec['icc']      = $m[3] ?? ''; // the embedded profile's description (report.php)
	$expected        = media_expected_sizes( (int) $w, (int) $h );
	$rec['expected'] = array_map(
		static function ( $e ) {
			return array( $e[0], $e[1] );
		},
		$expected
	);
	$jobs            = array();
	$where           = array();
	foreach ( $sides_wanted as $side ) {
		$dir                    = "$work/$side/" . sprintf( '%04d', $idx );
		$rec['sides'][ $side ]  = media_side( MEDIA_EDITORS[ $side ], $path, $mime, $dir );
		foreach ( $rec['sides'][ $side ]['outputs'] ?? array() as $k => $o ) {
			$rect    = 'full' === $o['key'] || ! isset( $expected[ $o['key'] ] )
				? array( 0, 0, (int) $w, (int) $h ) : $expected[ $o['key'] ][2];
			$jobs[]  = array_merge( $rect, array( "$dir/{$o['file']}" ) );
			$where[] = array( $side, $k );
		}
	}
	foreach ( media_ssim( $ssim_bin, $path, $orient, $jobs ) as $i => $res ) {
		list( $side, $k ) = $where[ $i ];
		$rec['sides'][ $side ]['outputs'][ $k ]['ssim'] = preg_match( '/^([0-9.]+) (\d+x\d+)$/', $res, $m ) ? (float) $m[1] : null;
		$rec['sides'][ $side ]['outputs'][ $k ]['dims'] = $m[2] ?? null;
		if ( null === $rec['sides'][ $side ]['outputs'][ $k ]['ssim'] ) {
			$rec['sides'][ $side ]['outputs'][ $k ]['ssim_error'] = $res;
		}
	}
	fwrite( $out, json_encode( $rec, JSON_UNESCAPED_SLASHES ) . "\n" );
	fflush( $out );
	// The outputs are measured: keep the disk small (MEDIA_KEEP=1 keeps them, to look at).
	foreach ( getenv( 'MEDIA_KEEP' ) ? array() : $sides_wanted as $side ) {
		$dir = "$work/$side/" . sprintf( '%04d', $idx );
		array_map( 'unlink', glob( "$dir/*" ) ?: array() );
		@rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
	}
}
fclose( $out );
// CPU seconds of this runner and its ssim children, for the suite's time budget.
$ru = getrusage();
$rc = getrusage( 1 );
fprintf(
	STDERR,
	"runner CPU: %.1f s PHP (editors), %.1f s ssim\n",
	$ru['ru_utime.tv_sec'] + $ru['ru_stime.tv_sec'] + ( $ru['ru_utime.tv_usec'] + $ru['ru_stime.tv_usec'] ) / 1e6,
	$rc['ru_utime.tv_sec'] + $rc['ru_stime.tv_sec'] + ( $rc['ru_utime.tv_usec'] + $rc['ru_stime.tv_usec'] ) / 1e6
);
