<?php
/**
 * Server-side checks of uploaded attachments for tests/media/live.sh, run inside the stack's
 * WordPress by its WP-CLI:  $WITSPER_VAR/bin/wp eval-file tests/media/live-check.php ID...
 * Prints one JSON object per attachment:
 *   {"id","file","width","height","sizes","missing","absent","mime_wrong","gd_jpeg","ok"}
 *   missing     sizes WordPress says the image should have and has not
 *               (wp_get_missing_image_subsizes(): every registered size the image is
 *               larger than, with image_resize_dimensions()'s own arithmetic)
 *   absent      files named in the metadata (the attached file, the original of a -scaled
 *               one, every size) that are not on disk or are empty
 *   mime_wrong  sizes whose file content (wp_get_image_mime()) is not the metadata's mime
 *   gd_jpeg     sizes whose JPEG carries GD's encoder comment "CREATOR: gd-jpeg" (a size
 *               made by WP_Image_Editor_GD, not by libvips or ImageMagick)
 *   ok          the metadata exists, nothing missing, absent or wrong
 *
 * @package witsper-media-live
 */

// phpcs:disable WordPress.WP.GlobalVariablesOverride -- WP-CLI eval-file's $args.
foreach ( $args as $id ) {
	$id   = (int) $id;
	$meta = wp_get_attachment_metadata( $id );
	$file = get_attached_file( $id );
	$r    = array(
		'id'         => $id,
		'file'       => $file ? basename( $file ) : null,
		'width'      => $meta['width'] ?? null,
		'height'     => $meta['height'] ?? null,
		'sizes'      => array(),
		'missing'    => array(),
		'absent'     => array(),
		'mime_wrong' => array(),
		'gd_jpeg'    => array(),
		'ok'         => false,
	);
	if ( ! is_array( $meta ) || ! $file ) {
		echo wp_json_encode( $r ), "\n";
		continue;
	}
	$dir          = dirname( $file );
	$r['missing'] = array_keys( wp_get_missing_image_subsizes( $id ) );
	$need         = array( basename( $file ) );
	if ( ! empty( $meta['original_image'] ) ) {
		$need[] = $meta['original_image'];
	}
	foreach ( (array) ( $meta['sizes'] ?? array() ) as $name => $size ) {
		$r['sizes'][] = $name;
		$path         = "$dir/{$size['file']}";
		$need[]       = $size['file'];
		if ( is_file( $path ) && filesize( $path ) > 0 ) {
			if ( wp_get_image_mime( $path ) !== $size['mime-type'] ) {
				$r['mime_wrong'][] = $name;
			}
			if ( 'image/jpeg' === $size['mime-type'] && false !== strpos( (string) file_get_contents( $path, false, null, 0, 4096 ), 'CREATOR: gd-jpeg' ) ) {
				$r['gd_jpeg'][] = $name;
			}
		}
	}
	foreach ( $need as $f ) {
		if ( ! is_file( "$dir/$f" ) || 0 === filesize( "$dir/$f" ) ) {
			$r['absent'][] = $f;
		}
	}
	$r['ok'] = ! $r['missing'] && ! $r['absent'] && ! $r['mime_wrong'] && $r['sizes'];
	echo wp_json_encode( $r ), "\n";
}
