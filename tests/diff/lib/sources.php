<?php
/**
 * Input documents of the differential suite. Every source yields name => document.
 *
 * @package witsper
 */

/** The documents npm's shared spec tests pass to parse() (extracted by extract-spec.js). */
function witsper_diff_spec_docs( string $json_path ): iterable {
	$raw = is_file( $json_path ) ? file_get_contents( $json_path ) : false;
	$data = false === $raw ? null : json_decode( $raw, true );
	if ( ! is_array( $data ) || empty( $data['documents'] ) ) {
		throw new RuntimeException( "$json_path: missing or empty; run tests/diff/run.sh (npm ci + extract-spec.js)" );
	}
	foreach ( $data['documents'] as $d ) {
		yield $d['name'] => $d['doc'];
	}
}

/** Every *.html file in $dir (sorted), as raw documents. */
function witsper_diff_dir_docs( string $dir, string $glob = '*' ): iterable {
	$files = glob( rtrim( $dir, '/' ) . '/' . $glob );
	sort( $files );
	foreach ( $files as $f ) {
		if ( is_file( $f ) && ! preg_match( '/(^|\/)README[^\/]*$/', $f ) ) {
			yield basename( $f ) => file_get_contents( $f );
		}
	}
}

/**
 * Stand-ins for the few WordPress functions that block pattern files call, so they can be
 * included outside a WordPress boot to get the markup they produce. Each returns its text
 * argument unchanged (or echoes it), which is what WordPress does in an English site.
 */
function witsper_diff_define_pattern_stubs(): void {
	$returns = array( '__', '_x', 'esc_html__', 'esc_attr__', 'esc_html_x', 'esc_attr_x', 'esc_url', 'esc_html', 'esc_attr', 'wp_kses_post' );
	foreach ( $returns as $f ) {
		if ( ! function_exists( $f ) ) {
			eval( "function $f( \$text ) { return \$text; }" ); // phpcs:ignore
		}
	}
	foreach ( array( '_e', 'esc_html_e', 'esc_attr_e' ) as $f ) {
		if ( ! function_exists( $f ) ) {
			eval( "function $f( \$text ) { echo \$text; }" ); // phpcs:ignore
		}
	}
	foreach ( array( '_ex', 'esc_html_ex', 'esc_attr_ex' ) as $f ) {
		if ( ! function_exists( $f ) ) {
			eval( "function $f( \$text, \$context ) { echo \$text; }" ); // phpcs:ignore
		}
	}
	if ( ! function_exists( 'get_template_directory_uri' ) ) {
		eval( 'function get_template_directory_uri() { return "http://127.0.0.1:8080/wp-content/themes/twentytwentythree"; }' ); // phpcs:ignore
	}
	if ( ! function_exists( 'home_url' ) ) {
		eval( 'function home_url( $path = "" ) { return "http://127.0.0.1:8080/" . ltrim( $path, "/" ); }' ); // phpcs:ignore
	}
	if ( ! defined( 'ABSPATH' ) ) {
		define( 'ABSPATH', '/nonexistent/' );
	}
}

/** String literals containing block markup in a PHP file, as their runtime values. */
function witsper_diff_php_literals( string $file ): array {
	$out = array();
	foreach ( token_get_all( file_get_contents( $file ) ) as $t ) {
		if ( ! is_array( $t ) || false === strpos( $t[1], '<!-- wp:' ) ) {
			continue;
		}
		if ( T_CONSTANT_ENCAPSED_STRING === $t[0] ) {
			// A literal without interpolation: eval gives exactly PHP's value of it.
			$out[] = eval( 'return ' . $t[1] . ';' ); // phpcs:ignore
		} elseif ( T_ENCAPSED_AND_WHITESPACE === $t[0] || T_INLINE_HTML === $t[0] ) {
			$out[] = $t[1];
		}
	}
	return $out;
}

/**
 * The block markup WordPress ships: theme templates, parts and patterns (raw files, and the
 * patterns' rendered output), wp-includes/block-patterns/*.php 'content', every other file
 * of the tree with "<!-- wp:" in it (*.html raw, *.php string literals).
 */
function witsper_diff_wordpress_docs( string $wp_root ): iterable {
	$wp_root = rtrim( $wp_root, '/' );
	$seen    = array();
	$themes  = glob( "$wp_root/wp-content/themes/*", GLOB_ONLYDIR );
	sort( $themes );
	foreach ( $themes as $theme ) {
		$t = basename( $theme );
		foreach ( array( 'templates/*.html', 'parts/*.html', 'patterns/*.php', 'patterns/*.html' ) as $g ) {
			$files = glob( "$theme/$g" );
			sort( $files );
			foreach ( $files as $f ) {
				$seen[ realpath( $f ) ] = true;
				$rel                    = "$t/" . basename( dirname( $f ) ) . '/' . basename( $f );
				yield $rel => file_get_contents( $f );
				if ( '.php' === substr( $f, -4 ) ) {
					$html = witsper_diff_render_pattern( $f );
					if ( null !== $html ) {
						yield "$rel (rendered)" => $html;
					}
				}
			}
		}
	}
	$files = glob( "$wp_root/wp-includes/block-patterns/*.php" );
	sort( $files );
	foreach ( $files as $f ) {
		$seen[ realpath( $f ) ] = true;
		$rel                    = 'block-patterns/' . basename( $f );
		yield "$rel (raw)" => file_get_contents( $f );
		witsper_diff_define_pattern_stubs();
		try {
			$pattern = ( static function ( $file ) {
				return include $file;
			} )( $f );
		} catch ( Throwable $e ) {
			$pattern = null;
		}
		if ( isset( $pattern['content'] ) && is_string( $pattern['content'] ) ) {
			yield "$rel (content)" => $pattern['content'];
		} else {
			throw new RuntimeException( "$f: no 'content' from the include harness" );
		}
	}
	// The rest of the tree: anything else that carries block markup.
	$it    = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $wp_root, FilesystemIterator::SKIP_DOTS | FilesystemIterator::FOLLOW_SYMLINKS ) );
	$files = array();
	foreach ( $it as $f ) {
		$p = $f->getPathname();
		if ( ! preg_match( '/\.(html|php)$/', $p ) || ! is_file( $p ) || isset( $seen[ realpath( $p ) ] ) || filesize( $p ) > 4 << 20 ) {
			continue;
		}
		// Skip uploads and other plugins' content a running stack may have added.
		if ( preg_match( '#/wp-content/(uploads|plugins|cache|upgrade)/#', $p ) ) {
			continue;
		}
		$files[] = $p;
	}
	sort( $files );
	foreach ( $files as $p ) {
		$s = file_get_contents( $p );
		if ( false === strpos( $s, '<!-- wp:' ) ) {
			continue;
		}
		$rel = substr( $p, strlen( $wp_root ) + 1 );
		if ( '.html' === substr( $p, -5 ) ) {
			yield $rel => $s;
			continue;
		}
		foreach ( witsper_diff_php_literals( $p ) as $i => $lit ) {
			yield "$rel (literal " . ( $i + 1 ) . ')' => $lit;
		}
	}
}

/** Output of a theme pattern file, or null when it needs more of WordPress than the stubs. */
function witsper_diff_render_pattern( string $file ): ?string {
	witsper_diff_define_pattern_stubs();
	ob_start();
	try {
		( static function ( $f ) {
			include $f;
		} )( $file );
		return ob_get_clean();
	} catch ( Throwable $e ) {
		ob_end_clean();
		return null;
	}
}
