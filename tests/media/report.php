<?php
/**
 * Judges what tests/media/run.php measured (make test-media; tests/media/README.md) and
 * writes the summary table. No WordPress needed.
 *
 * Usage: php tests/media/report.php LIST OUT.md SIDES RESULTS.jsonl...
 * Prints one line per check for tests/media/run.sh: "PASS<TAB>what", "FAIL<TAB>what",
 * "SKIP<TAB>what<TAB>why", and "SAY<TAB>text" for the table.
 *
 * Per image that both editors read:
 *   meta   the `sizes` metadata (file, width, height, mime-type) and the top-level width,
 *          height and file ("-scaled"/"-rotated") are identical;
 *   ssim   for every output, Witsper's SSIM >= GD's SSIM - SSIM_MARGIN;
 *   bytes  Witsper's total bytes <= BYTES_RATIO x GD's; <= BYTES_RATIO_CONVERTED x when the
 *          source embeds an ICC profile other than sRGB: Witsper converts such colours to
 *          sRGB (media/README.md), GD writes the source's numbers unconverted (wrong
 *          colours), and more saturated sRGB numbers cost bytes (Adobe RGB (1998): 1.066x
 *          converted, 1.007x when the same pixels are written unconverted).
 * Per image GD cannot read (HEIC, AVIF in WordPress 6.1), named "reference only":
 *   meta   Witsper made exactly the sizes WordPress's arithmetic gives (names and sizes);
 *   ssim   every output's SSIM >= SSIM_FLOOR; bytes: a counted SKIP (nothing to compare).
 */

const SSIM_MARGIN = 0.005;
const BYTES_RATIO = 1.05;
const BYTES_RATIO_CONVERTED = 1.10;
const SSIM_FLOOR  = 0.90;

if ( $argc < 5 ) {
	fwrite( STDERR, "usage: report.php LIST OUT.md SIDES RESULTS.jsonl...\n" );
	exit( 2 );
}
$list_file = $argv[1];
$md_file   = $argv[2];
$sides     = explode( ',', $argv[3] );
$with_w    = in_array( 'witsper', $sides, true );

$results = array();
foreach ( array_slice( $argv, 4 ) as $f ) {
	foreach ( is_file( $f ) ? file( $f ) : array() as $line ) {
		$r = json_decode( $line, true );
		if ( is_array( $r ) ) {
			$results[ $r['path'] ] = $r;
		}
	}
}

/** Short name of an image: category/file. */
function media_name( $path ) {
	return basename( dirname( $path ) ) . '/' . basename( $path );
}

function media_line( $kind, ...$parts ) {
	echo $kind . "\t" . implode( "\t", $parts ) . "\n";
}

/** Differences between two normalised metas, as readable strings. */
function media_meta_diff( $a, $b, $la, $lb ) {
	$d = array();
	foreach ( array( 'width', 'height', 'file' ) as $k ) {
		if ( ( $a[ $k ] ?? null ) !== ( $b[ $k ] ?? null ) ) {
			$d[] = sprintf( 'top-level %s: %s=%s %s=%s', $k, $la, json_encode( $a[ $k ] ?? null ), $lb, json_encode( $b[ $k ] ?? null ) );
		}
	}
	$names = array_unique( array_merge( array_keys( $a['sizes'] ?? array() ), array_keys( $b['sizes'] ?? array() ) ) );
	sort( $names );
	foreach ( $names as $n ) {
		$sa = $a['sizes'][ $n ] ?? null;
		$sb = $b['sizes'][ $n ] ?? null;
		if ( $sa !== $sb ) {
			$fmt = static function ( $s ) {
				return null === $s ? 'missing' : sprintf( '%s %dx%d %s', $s['file'], $s['width'], $s['height'], $s['mime-type'] );
			};
			$d[] = sprintf( 'size %s: %s=%s %s=%s', $n, $la, $fmt( $sa ), $lb, $fmt( $sb ) );
		}
	}
	return $d;
}

function media_total_bytes( $side ) {
	$t = 0;
	foreach ( $side['outputs'] ?? array() as $o ) {
		$t += (int) ( $o['bytes'] ?? 0 );
	}
	return $t;
}

/** key => ssim (null when not measured). */
function media_ssims( $side ) {
	$s = array();
	foreach ( $side['outputs'] ?? array() as $o ) {
		$s[ $o['key'] ] = $o['ssim'] ?? null;
	}
	return $s;
}

$list     = array_values( array_filter( array_map( 'trim', file( $list_file ) ) ) );
$rows     = array();
$agg      = array();
$failures = array();
$counts   = array(
	'pass' => 0,
	'fail' => 0,
	'skip' => 0,
);
$wall     = array(
	'gd'      => 0.0,
	'witsper' => 0.0,
);
$check    = static function ( $ok, $what ) use ( &$counts, &$failures ) {
	media_line( $ok ? 'PASS' : 'FAIL', $what );
	$counts[ $ok ? 'pass' : 'fail' ]++;
	if ( ! $ok ) {
		$failures[] = $what;
	}
};

// One FAIL instead of one per image when the editor is not there at all.
$w_missing = $with_w;
foreach ( $results as $r ) {
	if ( ! str_contains( (string) ( $r['sides']['witsper']['error'] ?? '' ), 'is not loaded' ) ) {
		$w_missing = false;
		break;
	}
}
if ( $w_missing && $results ) {
	$check( false, 'Witsper_Image_Editor is not loaded: no image could be compared (GD side only below)' );
	$with_w = false;
}

foreach ( $list as $line ) {
	list( $path, $category ) = explode( "\t", $line );
	$name = media_name( $path );
	$r    = $results[ $path ] ?? null;
	if ( ! $r ) {
		$check( false, "$name: no result (the runner died before or on it: see the runner log)" );
		continue;
	}
	if ( isset( $r['error'] ) ) {
		$check( false, "$name: {$r['error']}" );
		continue;
	}
	$gd       = $r['sides']['gd'] ?? array();
	$w        = $r['sides']['witsper'] ?? array();
	$mime     = $r['mime'];
	$expected = $r['expected'];
	$wall['gd']      += $gd['wall'] ?? 0;
	$wall['witsper'] += $w['wall'] ?? 0;
	$gd_reads = empty( $gd['error'] ) && ! empty( $gd['supports'] ) && null !== ( $gd['meta']['width'] ?? null )
		&& ( ! empty( $gd['outputs'] ) || ! $expected );
	$gs       = media_ssims( $gd );
	$ws       = media_ssims( $w );
	$gb       = media_total_bytes( $gd );
	$wb       = media_total_bytes( $w );
	$a        = &$agg[ $mime ];
	$a['images'] = ( $a['images'] ?? 0 ) + 1;
	$row = array(
		'name'  => $name,
		'mime'  => $mime,
		'sizes' => count( $expected ),
		'gd_b'  => $gd_reads ? $gb : null,
		'w_b'   => $with_w ? $wb : null,
		'gd_s'  => $gd_reads && $gs ? min( array_map( 'floatval', $gs ) ) : null,
		'w_s'   => $with_w && $ws ? min( array_map( 'floatval', $ws ) ) : null,
		'note'  => '',
	);

	if ( ! $with_w ) {
		// GD side only: the harness itself (GD against WordPress's arithmetic, SSIM measured).
		if ( ! $gd_reads ) {
			media_line( 'SAY', "$name: GD cannot read $mime (reference only once the editor is there)" );
			$row['note'] = 'GD cannot read';
			$rows[]      = $row;
			continue;
		}
		$got = array();
		foreach ( $gd['meta']['sizes'] as $n => $s ) {
			$got[ $n ] = array( $s['width'], $s['height'] );
		}
		ksort( $got );
		ksort( $expected );
		$check( $got === $expected, "$name: GD's sizes are WordPress's arithmetic" . ( $got === $expected ? '' : ': got ' . json_encode( $got ) . ' expected ' . json_encode( $expected ) ) );
		$bad = array_keys( array_filter( $gs, 'is_null' ) );
		$check( ! $bad, "$name: SSIM of every GD output measured" . ( $bad ? ': not for ' . implode( ', ', $bad ) : '' ) );
		$a['gd_b'] = ( $a['gd_b'] ?? 0 ) + $gb;
		$a['gd_s'][] = $row['gd_s'];
		$rows[]     = $row;
		continue;
	}

	if ( ! empty( $w['error'] ) ) {
		$check( false, "$name: Witsper side: {$w['error']}" );
		$rows[] = $row;
		continue;
	}
	if ( $gd_reads ) {
		$diff = media_meta_diff( $gd['meta'], $w['meta'], 'gd', 'witsper' );
		$check( ! $diff, "$name: metadata identical" . ( $diff ? ': ' . implode( '; ', $diff ) : sprintf( ' (%d sizes)', count( $w['meta']['sizes'] ) ) ) );
		$bad    = array();
		$margin = INF;
		foreach ( $gs as $k => $g ) {
			$v = $ws[ $k ] ?? null;
			if ( null === $g || null === $v ) {
				$bad[] = sprintf( '%s: not measured (gd %s, witsper %s)', $k, json_encode( $g ), json_encode( $v ) );
				continue;
			}
			$margin = min( $margin, $v - $g );
			if ( $v < $g - SSIM_MARGIN ) {
				$bad[] = sprintf( '%s: witsper %.4f < gd %.4f - %.3f', $k, $v, $g, SSIM_MARGIN );
			}
		}
		$check( ! $bad, "$name: SSIM >= GD's - " . SSIM_MARGIN . ( $bad ? ': ' . implode( '; ', $bad ) : ( is_finite( $margin ) ? sprintf( ' (min witsper-gd %+.4f)', $margin ) : ' (no output)' ) ) );
		$ratio = $gb ? $wb / $gb : ( $wb ? INF : 1.0 );
		$icc   = (string) ( $r['icc'] ?? '' );
		$conv  = '' !== $icc && ! preg_match( '/srgb/i', $icc );
		$limit = $conv ? BYTES_RATIO_CONVERTED : BYTES_RATIO;
		$check( $ratio <= $limit, sprintf( '%s: bytes <= %.2f x GD (%d / %d = %.3f)%s', $name, $limit, $wb, $gb, $ratio, $conv ? " (colours converted from \"$icc\" to sRGB; GD keeps them unconverted)" : '' ) );
		$a['gd_b'] = ( $a['gd_b'] ?? 0 ) + $gb;
		$a['w_b']  = ( $a['w_b'] ?? 0 ) + $wb;
		$a['gd_s'][] = $row['gd_s'];
		$a['w_s'][]  = $row['w_s'];
		if ( is_finite( $margin ) ) {
			$a['margin'] = min( $a['margin'] ?? INF, $margin );
		}
	} else {
		$why  = "reference only: GD cannot read $mime";
		$got  = array();
		foreach ( $w['meta']['sizes'] ?? array() as $n => $s ) {
			$got[ $n ] = array( $s['width'], $s['height'] );
		}
		ksort( $got );
		ksort( $expected );
		$made = null !== ( $w['meta']['width'] ?? null );
		$check( $made && $got === $expected, "$name ($why): Witsper's sizes are WordPress's arithmetic" . ( $made && $got === $expected ? '' : ': got ' . json_encode( $got ) . ' expected ' . json_encode( $expected ) . ( $made ? '' : ' (no metadata: not read)' ) ) );
		$bad = array();
		foreach ( $ws as $k => $v ) {
			if ( null === $v || $v < SSIM_FLOOR ) {
				$bad[] = sprintf( '%s: %s', $k, null === $v ? 'not measured' : sprintf( '%.4f', $v ) );
			}
		}
		$check( $ws && ! $bad, "$name ($why): SSIM >= " . SSIM_FLOOR . ( $bad ? ': ' . implode( '; ', $bad ) : ( $ws ? sprintf( ' (min %.4f)', min( $ws ) ) : ': no output' ) ) );
		media_line( 'SKIP', "$name: bytes vs GD", $why );
		$counts['skip']++;
		$row['note'] = 'reference only';
		$a['w_s'][]  = $row['w_s'];
		$a['ref_only'] = ( $a['ref_only'] ?? 0 ) + 1;
	}
	$rows[] = $row;
}
unset( $a );

// The table: per source format, then every image.
$fmt_s = static function ( $v ) {
	return null === $v ? '-' : sprintf( '%.4f', $v );
};
$mean  = static function ( $xs ) {
	$xs = array_filter( (array) $xs, 'is_float' );
	return $xs ? array_sum( $xs ) / count( $xs ) : null;
};
$md    = array();
$md[]  = '# make test-media: Witsper_Image_Editor vs WP_Image_Editor_GD';
$md[]  = '';
$md[]  = sprintf( 'Run %s UTC; %d images; %d passed, %d failed, %d skipped. Criteria: identical metadata; SSIM (grey, Gaussian 11x11, vs a libvips lanczos3 reference) >= GD - %.3f per output; total bytes <= %.2f x GD (%.2f x when an embedded non-sRGB profile is converted); images GD cannot read: WordPress\'s size arithmetic and SSIM >= %.2f. Upload work wall time: GD %.1f s, Witsper %.1f s.', gmdate( 'Y-m-d H:i' ), count( $list ), $counts['pass'], $counts['fail'], $counts['skip'], SSIM_MARGIN, BYTES_RATIO, BYTES_RATIO_CONVERTED, SSIM_FLOOR, $wall['gd'], $wall['witsper'] );
$md[]  = '';
$md[]  = '| source format | images | ref. only | GD bytes | Witsper bytes | ratio | GD mean min-SSIM | Witsper mean min-SSIM | min (W - GD) |';
$md[]  = '|---|---:|---:|---:|---:|---:|---:|---:|---:|';
ksort( $agg );
foreach ( $agg as $m => $a ) {
	$md[] = sprintf(
		'| %s | %d | %d | %s | %s | %s | %s | %s | %s |',
		$m,
		$a['images'],
		$a['ref_only'] ?? 0,
		isset( $a['gd_b'] ) ? number_format( $a['gd_b'] ) : '-',
		isset( $a['w_b'] ) ? number_format( $a['w_b'] ) : '-',
		! empty( $a['gd_b'] ) && isset( $a['w_b'] ) ? sprintf( '%.3f', $a['w_b'] / $a['gd_b'] ) : '-',
		$fmt_s( $mean( $a['gd_s'] ?? array() ) ),
		$fmt_s( $mean( $a['w_s'] ?? array() ) ),
		isset( $a['margin'] ) ? sprintf( '%+.4f', $a['margin'] ) : '-'
	);
}
foreach ( $md as $l ) {
	media_line( 'SAY', $l );
}
$md[] = '';
if ( $failures ) {
	$md[] = '## Failures';
	$md[] = '';
	foreach ( $failures as $f ) {
		$md[] = '- ' . $f;
	}
	$md[] = '';
}
$md[] = '## Every image';
$md[] = '';
$md[] = '| image | format | sizes | GD bytes | Witsper bytes | GD min SSIM | Witsper min SSIM | note |';
$md[] = '|---|---|---:|---:|---:|---:|---:|---|';
foreach ( $rows as $row ) {
	$md[] = sprintf( '| %s | %s | %d | %s | %s | %s | %s | %s |', $row['name'], $row['mime'], $row['sizes'], $row['gd_b'] ?? '-', $row['w_b'] ?? '-', $fmt_s( $row['gd_s'] ), $fmt_s( $row['w_s'] ), $row['note'] );
}
if ( ! is_dir( dirname( $md_file ) ) ) {
	mkdir( dirname( $md_file ), 0777, true );
}
file_put_contents( $md_file, implode( "\n", $md ) . "\n" );
