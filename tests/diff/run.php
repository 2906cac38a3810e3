<?php
/**
 * Differential test runner: Witsper_Block_Parser (native, through FFI) against the installed
 * WordPress's WP_Block_Parser, serialize() equality, over the named sub-suites.
 *
 * Usage: php [FFI mode flags] tests/diff/run.php [options]
 *   --mode=LABEL         FFI mode this process runs in (true|preload), checked against
 *                        Witsper_FFI::status() and used in failure file names
 *   --suites=a,b         sub-suites to run (default: all): spec wordpress corpus generated
 *                        mutated limits regressions
 *   --candidate=C        native (default) | wp (the oracle against itself) | mutant:NAME
 *   --selfcheck          run every mutant (and the oracle itself) over a sample and require
 *                        each mutant to be caught and the oracle to pass
 *   --only=NAME          run only the input of that name (e.g. "gen#123", "mut#45")
 *   --dump=NAME --out=F  write the input of that name to F and exit
 *   --file=PATH          compare one file (repeatable); no sub-suites
 *   --list               print the input names only
 *   --progress=FILE      write "suite<TAB>name" of the input being parsed to FILE (removed
 *                        after each sub-suite): names the input if PHP dies
 * Env: DIFF_SEED (default 20261124), DIFF_COUNT (documents per random sub-suite, 10000),
 *      DIFF_STRICT_STATE=1 (also compare the parser object's properties after parse()),
 *      WITSPER_VAR (state dir, default <repo>/var), WITSPER_WP_ROOT (else var/stack.env,
 *      else /usr/share/wordpress).
 * Output: a line per failure, a line per sub-suite, then
 *   "RESULT mode=M passed=N failed=N unsupported=N" for run.sh.
 * Exit: 0 no difference, 1 differences, 2 setup error (no native parser, missing inputs).
 *
 * @package witsper
 */

error_reporting( E_ALL );
ini_set( 'display_errors', 'stderr' );

$repo = dirname( __DIR__, 2 );
$opts = getopt( '', array( 'mode:', 'suites:', 'candidate:', 'selfcheck', 'only:', 'dump:', 'out:', 'file:', 'list', 'progress:' ) );
foreach ( array_slice( $argv, 1 ) as $a ) {
	// getopt() silently drops "--opt=" with an empty value; refuse instead of running all.
	if ( preg_match( '/^--(mode|suites|candidate|only|dump|out|file|progress)=?$/', $a ) ) {
		fwrite( STDERR, "run.php: $a needs a value\n" );
		exit( 2 );
	}
}
$mode = $opts['mode'] ?? 'cli';
$var  = getenv( 'WITSPER_VAR' ) ?: "$repo/var";
$seed = (int) ( getenv( 'DIFF_SEED' ) ?: 20261124 );
$cnt  = (int) ( getenv( 'DIFF_COUNT' ) ?: 10000 );

function witsper_diff_die( string $msg ): void {
	fwrite( STDERR, "run.php: $msg\n" );
	echo "RESULT mode=setup passed=0 failed=1 unsupported=0\n";
	exit( 2 );
}

require $repo . '/stack/env.php';

/** WITSPER_WP_ROOT from the environment, else from var/stack.env, else Debian's path. */
function witsper_diff_wp_root( string $var ): string {
	$root = getenv( 'WITSPER_WP_ROOT' ) ?: ( witsper_stack_env( $var )['WITSPER_WP_ROOT'] ?? '' );
	return $root ? rtrim( $root, '/' ) : '/usr/share/wordpress';
}

$wp_root = witsper_diff_wp_root( $var );
// The markup WordPress ships is read from Debian's package (the stack's copy is made from
// it); WITSPER_DIFF_MARKUP_ROOT overrides.
$markup_root = getenv( 'WITSPER_DIFF_MARKUP_ROOT' ) ?: ( is_dir( '/usr/share/wordpress/wp-includes' ) ? '/usr/share/wordpress' : $wp_root );
// The oracle: the installed WordPress's WP_Block_Parser, or one version's copy from
// ../shared/reference/wp-block-parser/<version> (WITSPER_DIFF_REFERENCE, the version matrix).
// In preload mode the classes may already be declared by opcache.preload: requiring the
// file again would redeclare them.
$reference_dir = getenv( 'WITSPER_DIFF_REFERENCE' ) ?: '';
if ( ! class_exists( 'WP_Block_Parser', false ) ) {
	$f = '' !== $reference_dir ? "$reference_dir/class-wp-block-parser.php" : "$wp_root/wp-includes/class-wp-block-parser.php";
	if ( ! is_readable( $f ) ) {
		witsper_diff_die( "$f not readable (WITSPER_WP_ROOT=$wp_root, WITSPER_DIFF_REFERENCE=$reference_dir)" );
	}
	require $f;
} elseif ( '' !== $reference_dir ) {
	witsper_diff_die( 'WP_Block_Parser is already declared: cannot load the reference ' . $reference_dir );
}
// Options for WP_Block_Parser::parse_with_options() (WordPress 7.2+), as JSON
// (WITSPER_DIFF_OPTIONS='{"preserve_empty_object_attributes":true}'): both parsers are then
// called through parse_with_options() with them.
$parse_options = null;
if ( false !== getenv( 'WITSPER_DIFF_OPTIONS' ) && '' !== getenv( 'WITSPER_DIFF_OPTIONS' ) ) {
	$parse_options = json_decode( getenv( 'WITSPER_DIFF_OPTIONS' ), true );
	if ( ! is_array( $parse_options ) ) {
		witsper_diff_die( 'WITSPER_DIFF_OPTIONS is not a JSON object: ' . getenv( 'WITSPER_DIFF_OPTIONS' ) );
	}
	if ( ! method_exists( 'WP_Block_Parser', 'parse_with_options' ) ) {
		witsper_diff_die( 'WITSPER_DIFF_OPTIONS given, but this WP_Block_Parser has no parse_with_options()' );
	}
}
/** parse() or, with WITSPER_DIFF_OPTIONS, parse_with_options(). */
function witsper_diff_parse( WP_Block_Parser $parser, string $doc ) {
	global $parse_options;
	return null === $parse_options ? $parser->parse( $doc ) : $parser->parse_with_options( $doc, $parse_options );
}
require __DIR__ . '/lib/generator.php';
require __DIR__ . '/lib/sources.php';
require __DIR__ . '/lib/plan.php';
require __DIR__ . '/lib/mutants.php';
require __DIR__ . '/lib/limits.php';

/* ------------------------------------------------------------------- inputs ---- */

/** The sub-suites, in order: name => generator of name => document. */
/** The corpus: tests/corpus/blocks in the repository, or WITSPER_CORPUS. */
function witsper_diff_corpus_dir( string $repo ): string {
	return getenv( 'WITSPER_CORPUS' ) ?: $repo . '/tests/corpus/blocks';
}

/** Real markup the mutator slices windows from: corpus, WordPress's markup, spec tests. */
function witsper_diff_mutation_pool( string $repo, string $var, string $wp_root ): array {
	$pool = array();
	foreach ( witsper_diff_dir_docs( witsper_diff_corpus_dir( $repo ), '*.html' ) as $d ) {
		$pool[] = $d;
	}
	foreach ( witsper_diff_wordpress_docs( $wp_root ) as $d ) {
		$pool[] = $d;
	}
	try {
		foreach ( witsper_diff_spec_docs( "$var/diff/spec-tests.json" ) as $d ) {
			$pool[] = $d;
		}
	} catch ( RuntimeException $e ) {
		// The spec sub-suite itself reports the missing file as a failure.
		fwrite( STDERR, 'mutation pool without the spec documents: ' . $e->getMessage() . "\n" );
	}
	return $pool;
}

/** The sub-suites, in order: name => generator of name => document. */
function witsper_diff_suites( string $repo, string $var, string $wp_root, int $seed, int $cnt ): array {
	$real = static function () use ( $repo, $var, $wp_root ) {
		return witsper_diff_mutation_pool( $repo, $var, $wp_root );
	};
	return array(
		'spec'        => static function () use ( $var ) {
			return witsper_diff_spec_docs( "$var/diff/spec-tests.json" );
		},
		'wordpress'   => static function () use ( $wp_root ) {
			return witsper_diff_wordpress_docs( $wp_root );
		},
		'corpus'      => static function () use ( $repo ) {
			$dir = witsper_diff_corpus_dir( $repo );
			$n   = 0;
			foreach ( witsper_diff_dir_docs( $dir, '*.html' ) as $name => $d ) {
				++$n;
				yield $name => $d;
				// Real-size documents with structural damage: every block inside an
				// unclosed one (innerHTML to the end), and cut in the middle of a delimiter.
				yield "$name (inside an unclosed block)" => "<!-- wp:outer {\"a\":1} -->\n" . $d;
				$mid = strpos( $d, '<!-- /wp:', intdiv( strlen( $d ), 2 ) );
				if ( false !== $mid ) {
					yield "$name (cut inside a closer)" => substr( $d, 0, $mid + 7 );
				}
			}
			if ( 0 === $n ) {
				throw new RuntimeException( "no *.html in $dir" );
			}
		},
		'generated'   => static function () use ( $seed, $cnt ) {
			for ( $k = 0; $k < $cnt; $k++ ) {
				yield "gen#$k" => Witsper_Diff_Generator::document( $seed, $k );
			}
		},
		'mutated'     => static function () use ( $seed, $cnt, $real ) {
			$pool = $real();
			for ( $k = 0; $k < $cnt; $k++ ) {
				yield "mut#$k" => Witsper_Diff_Generator::mutant( $seed, $k, $pool )[0];
			}
		},
		'limits'      => static function () {
			return witsper_diff_limit_docs();
		},
		'regressions' => static function () {
			return witsper_diff_dir_docs( __DIR__ . '/regressions' );
		},
	);
}

/** Regenerates one named input ("gen#k", "mut#k", or a name from a file sub-suite). */
function witsper_diff_find( array $suites, string $name, int $seed, array $ctx ): ?string {
	if ( preg_match( '/^gen#(-?\d+)$/', $name, $m ) ) {
		// Numbers beyond DIFF_COUNT are fine: each document has its own seed.
		return Witsper_Diff_Generator::document( $seed, (int) $m[1] );
	}
	if ( preg_match( '/^mut#(\d+)$/', $name, $m ) ) {
		return Witsper_Diff_Generator::mutant( $seed, (int) $m[1], witsper_diff_mutation_pool( ...$ctx ) )[0];
	}
	foreach ( array( 'spec', 'wordpress', 'corpus', 'limits', 'regressions' ) as $s ) {
		foreach ( $suites[ $s ]() as $n => $d ) {
			if ( $n === $name ) {
				return $d;
			}
		}
	}
	return null;
}

/* ---------------------------------------------------------------- comparison ---- */

/** Printable excerpt of $s around $at. */
function witsper_diff_excerpt( string $s, int $at ): string {
	$from = max( 0, $at - 40 );
	return ( $from ? '...' : '' ) . addcslashes( substr( $s, $from, 100 ), "\0..\37\177..\377\\" ) . ( strlen( $s ) > $from + 100 ? '...' : '' );
}

/** First offset where $a and $b differ (strlen of the shorter when one is a prefix). */
function witsper_diff_first_difference( string $a, string $b ): int {
	return strspn( $a ^ $b, "\0" );
}

/** Code of the library's last error, whatever shape last_error() returns. */
function witsper_diff_error_code( $e ): ?int {
	if ( is_array( $e ) ) {
		// Witsper_FFI::last_error() is [code, message, offset].
		$e = $e['code'] ?? $e[0] ?? null;
	} elseif ( is_object( $e ) ) {
		$e = $e->code ?? null;
	}
	return is_numeric( $e ) ? (int) $e : null;
}

final class Witsper_Diff_Run {
	public $mode;
	public $var;
	public $candidate;
	public $quiet       = false;
	/** File naming the input being parsed (--progress), so a crash can be traced. */
	public $progress = null;
	/** Also compare the parser's public properties after parse() (DIFF_STRICT_STATE=1). */
	public $strict_state = false;
	/** Self-check: one difference is enough to show a mutant is caught. */
	public $stop_at_first = false;
	public $pass        = 0;
	public $fail        = 0;
	public $unsupported = 0;
	public $saved       = 0;
	public $unsupported_names = array();

	public function __construct( string $mode, string $var, string $candidate ) {
		$this->mode      = $mode;
		$this->var       = $var;
		$this->candidate = $candidate;
	}

	private function parser(): WP_Block_Parser {
		if ( 'native' === $this->candidate ) {
			return new Witsper_Diff_Native_Probe();
		}
		if ( 'wp' === $this->candidate ) {
			return new WP_Block_Parser();
		}
		$class = witsper_diff_mutants()[ substr( $this->candidate, 7 ) ];
		return new $class();
	}

	/** Compares one document; returns null when equal, else a description of the failure. */
	public function compare( string $doc ): ?string {
		global $parse_options;
		$wp_tree  = witsper_diff_parse( new WP_Block_Parser(), $doc );
		$expected = serialize( $wp_tree );
		$problems = array();
		// With parse options the plugin hands the parse to WordPress by design (the library
		// implements none of them): only the result is compared, the plan is not.
		$with_options = null !== $parse_options && array() !== array_filter( $parse_options );
		if ( 'native' === $this->candidate && ! $with_options ) {
			$plan = Witsper_FFI::parse_plan( $doc );
			if ( null === $plan ) {
				$err  = Witsper_FFI::last_error();
				$code = witsper_diff_error_code( $err );
				if ( 4 === $code ) {
					$this->unsupported++;
					// Is the rejection justified, i.e. does WordPress's PCRE fail on it too?
					$watch = new Witsper_Diff_Pcre_Watch();
					$watch->parse( $doc );
					$this->unsupported_last = null === $watch->pcre_error
						? 'PCRE did NOT fail here: library over-rejects (fallback is correct, just slower)'
						: 'PCRE fails too: ' . $watch->pcre_error;
					if ( null === $watch->pcre_error ) {
						$this->unsupported_unjustified++;
					}
				} else {
					$problems[] = 'library error ' . json_encode( $err, JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR );
				}
			} else {
				try {
					// === on arrays compares types, keys, order and bytes; serialize() only on
					// a mismatch, for the offset (serializing every tree twice more is slow).
					$tree = witsper_diff_plan_to_tree( $plan, $doc );
					$mine = $tree === $wp_tree ? $expected : serialize( $tree );
					unset( $tree );
					if ( $mine !== $expected ) {
						$at         = witsper_diff_first_difference( $mine, $expected );
						$problems[] = "plan differs at offset $at (plan " . strlen( $mine ) . ', wp ' . strlen( $expected ) . " bytes)\n      wp:   " . witsper_diff_excerpt( $expected, $at ) . "\n      plan: " . witsper_diff_excerpt( $mine, $at );
					}
				} catch ( UnexpectedValueException $e ) {
					$problems[] = 'malformed plan: ' . $e->getMessage();
				}
			}
		}
		$parser = $this->parser();
		$actual = serialize( witsper_diff_parse( $parser, $doc ) );
		// A fallback to PHP on a document the library accepted would compare PHP with PHP
		// (e.g. the bridge's materializer rejecting a plan): that is a failure too.
		if ( $parser instanceof Witsper_Diff_Native_Probe && $parser->fell_back && ! $this->unsupported_last && ! $with_options ) {
			$problems[] = 'Witsper_Block_Parser::parse() fell back to WP_Block_Parser although the library accepted the document';
		}
		if ( $this->strict_state ) {
			// Opt-in (DIFF_STRICT_STATE=1): the parser object's public properties after
			// parse() too. WordPress itself never reads them after parse().
			$oracle = new WP_Block_Parser();
			$oracle->parse( $doc );
			foreach ( array_filter( array( 'document', 'offset', 'output', 'stack', 'empty_attrs' ), static fn( $p ) => property_exists( 'WP_Block_Parser', $p ) ) as $prop ) {
				if ( serialize( $parser->$prop ) !== serialize( $oracle->$prop ) ) {
					$problems[] = "parser->$prop after parse() differs: wp " . witsper_diff_excerpt( serialize( $oracle->$prop ), 0 ) . ', native ' . witsper_diff_excerpt( serialize( $parser->$prop ), 0 );
				}
			}
		}
		if ( $actual !== $expected ) {
			$at         = witsper_diff_first_difference( $actual, $expected );
			$problems[] = "serialize() differs at offset $at (native " . strlen( $actual ) . ', wp ' . strlen( $expected ) . " bytes)\n      wp:     " . witsper_diff_excerpt( $expected, $at ) . "\n      native: " . witsper_diff_excerpt( $actual, $at );
		}
		return $problems ? implode( "\n    ", $problems ) : null;
	}

	/** false, or why the library rejected the current document (UNSUPPORTED). */
	public $unsupported_last = false;
	/** UNSUPPORTED documents on which WordPress's PCRE does not fail. */
	public $unsupported_unjustified = 0;

	/** Runs one sub-suite; prints failures; returns [passed, failed, unsupported, seconds]. */
	public function suite( string $suite, iterable $docs, ?string $only ): array {
		$p0      = $this->pass;
		$f0      = $this->fail;
		$u0      = $this->unsupported;
		$t0      = microtime( true );
		// One fixed-size record rewritten in place: the file always holds a whole name,
		// and there is no open/truncate per document.
		$current = null === $this->progress ? null : fopen( $this->progress, 'c' );
		foreach ( $docs as $name => $doc ) {
			if ( null !== $only && $only !== $name ) {
				continue;
			}
			// If the library crashes the process, run.sh reports this input.
			if ( $current ) {
				fseek( $current, 0 );
				fwrite( $current, str_pad( substr( "$suite\t$name", 0, 500 ), 512, ' ' ) );
				fflush( $current );
			}
			$this->unsupported_last = false;
			try {
				$problem = $this->compare( $doc );
			} catch ( Throwable $e ) {
				$problem = get_class( $e ) . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':' . $e->getLine();
			}
			if ( $this->unsupported_last && count( $this->unsupported_names ) < 50 ) {
				$this->unsupported_names[] = "$suite/$name (" . strlen( $doc ) . " bytes): {$this->unsupported_last}";
			}
			if ( null === $problem ) {
				$this->pass++;
				continue;
			}
			$this->fail++;
			if ( $this->stop_at_first ) {
				break;
			}
			$file = $this->save( $suite, (string) $name, $doc );
			if ( ! $this->quiet && $this->fail - $f0 <= 20 ) {
				echo "FAIL [{$this->mode}] $suite $name (" . strlen( $doc ) . " bytes): $problem\n";
				echo '    input: ' . ( $file ?? '(not saved: too many failures)' ) . "\n";
			}
		}
		if ( $current ) {
			fclose( $current );
			unlink( $this->progress );
		}
		return array( $this->pass - $p0, $this->fail - $f0, $this->unsupported - $u0, microtime( true ) - $t0 );
	}

	private function save( string $suite, string $name, string $doc ): ?string {
		if ( $this->quiet || ++$this->saved > 200 ) {
			return null;
		}
		$dir = "{$this->var}/diff-failures";
		$slug = trim( preg_replace( '/[^A-Za-z0-9._-]+/', '_', preg_replace( '/\.html$/', '', $name ) ), '_' );
		$file = "$dir/{$this->mode}-$suite-" . substr( $slug, 0, 80 ) . '.html';
		file_put_contents( $file, $doc );
		return $file;
	}
}

/* ---------------------------------------------------------------------- main ---- */

$suites = witsper_diff_suites( $repo, $var, $markup_root, $seed, $cnt );

if ( isset( $opts['dump'] ) ) {
	$doc = witsper_diff_find( $suites, $opts['dump'], $seed, array( $repo, $var, $markup_root ) );
	if ( null === $doc || empty( $opts['out'] ) ) {
		fwrite( STDERR, "no input named {$opts['dump']} (or no --out)\n" );
		exit( 2 );
	}
	file_put_contents( $opts['out'], $doc );
	echo "wrote {$opts['out']} (" . strlen( $doc ) . " bytes)\n";
	exit( 0 );
}

$wanted = isset( $opts['suites'] ) ? explode( ',', $opts['suites'] ) : array_keys( $suites );
foreach ( $wanted as $s ) {
	if ( ! isset( $suites[ $s ] ) ) {
		witsper_diff_die( "unknown sub-suite '$s' (known: " . implode( ' ', array_keys( $suites ) ) . ')' );
	}
}

if ( isset( $opts['list'] ) ) {
	foreach ( $wanted as $s ) {
		foreach ( $suites[ $s ]() as $name => $doc ) {
			echo "$s\t$name\t" . strlen( $doc ) . "\n";
		}
	}
	exit( 0 );
}

@mkdir( "$var/diff-failures", 0777, true );

if ( isset( $opts['selfcheck'] ) ) {
	// The comparison must pass the oracle against itself and catch every mutant. A sample
	// is enough: each mutant only has to be caught once.
	$sample = array(
		'spec'      => $suites['spec'],
		'wordpress' => $suites['wordpress'],
		'generated' => witsper_diff_suites( $repo, $var, $markup_root, $seed, min( $cnt, 2000 ) )['generated'],
		'mutated'   => witsper_diff_suites( $repo, $var, $markup_root, $seed, min( $cnt, 500 ) )['mutated'],
	);
	$ok  = 0;
	$bad = 0;
	foreach ( array_merge( array( 'wp' ), array_keys( witsper_diff_mutants() ) ) as $m ) {
		$run        = new Witsper_Diff_Run( 'selfcheck', $var, 'wp' === $m ? 'wp' : "mutant:$m" );
		$run->quiet = true;
		$where      = array();
		$run->stop_at_first = 'wp' !== $m;
		foreach ( $sample as $s => $docs ) {
			if ( $run->stop_at_first && $run->fail ) {
				break;
			}
			try {
				list( , $f ) = $run->suite( $s, $docs(), null );
			} catch ( RuntimeException $e ) {
				echo "  (self-check sample without $s: " . $e->getMessage() . ")\n";
				continue;
			}
			if ( $f ) {
				$where[] = "$s:$f";
			}
		}
		$good = 'wp' === $m ? 0 === $run->fail : $run->fail > 0;
		$good ? $ok++ : $bad++;
		printf(
			"  %-4s %-13s %s\n",
			$good ? 'ok' : 'FAIL',
			'wp' === $m ? 'oracle' : $m,
			'wp' === $m ? ( $good ? 'the oracle against itself: no difference' : 'the oracle differs from itself: ' . implode( ' ', $where ) )
				: ( $good ? 'caught by ' . implode( ' ', $where ) . ' (first difference ends the check)' : 'NOT caught by any input: the suite misses this quirk' )
		);
	}
	echo "RESULT mode=selfcheck passed=$ok failed=$bad unsupported=0\n";
	exit( $bad ? 1 : 0 );
}

$candidate = $opts['candidate'] ?? 'native';
if ( 'native' === $candidate ) {
	if ( ! class_exists( 'Witsper_Block_Parser', false ) ) {
		$f = "$repo/plugin/witsper-ffi/includes/class-witsper-block-parser.php";
		if ( ! is_readable( $f ) ) {
			witsper_diff_die( "$f not found" );
		}
		require $f;
	}
	require __DIR__ . '/lib/native-probe.php';
	$status = class_exists( 'Witsper_FFI' ) ? Witsper_FFI::status() : null;
	// A run where the native parser silently fell back to PHP would compare PHP with PHP.
	if ( ! Witsper_Block_Parser::is_native() ) {
		witsper_diff_die( "Witsper_Block_Parser::is_native() is false in mode '$mode': the native parser is NOT in use, nothing would be tested. Witsper_FFI::status() = " . json_encode( $status ) );
	}
	if ( isset( $opts['mode'] ) && is_array( $status ) && isset( $status['mode'] ) && $status['mode'] !== $mode ) {
		witsper_diff_die( "asked for FFI mode '$mode' but Witsper_FFI::status() says '{$status['mode']}': " . json_encode( $status ) );
	}
	printf( "[%s] native parser: libwitsper %s (ABI %s), %s\n", $mode, Witsper_FFI::version(), $status['abi'] ?? '?', $status['library'] ?? 'library path unknown' );
	printf( "[%s] oracle: WP_Block_Parser from %s%s\n", $mode, ( new ReflectionClass( 'WP_Block_Parser' ) )->getFileName(), null === $parse_options ? '' : ', parse_with_options( $doc, ' . json_encode( $parse_options ) . ' )' );
	// Canary for check 2: the independent plan reader must notice a corrupted plan (the
	// first block name one byte short), or that check could never fail.
	$canary_doc  = '<!-- wp:ab {"b":1} -->x<!-- wp:c /-->y<!-- /wp:ab -->';
	$canary_plan = Witsper_FFI::parse_plan( $canary_doc );
	$canary_wp   = ( new WP_Block_Parser() )->parse( $canary_doc );
	$canary_ok   = null !== $canary_plan && witsper_diff_plan_to_tree( $canary_plan, $canary_doc ) === $canary_wp;
	if ( $canary_ok ) {
		$w = array_values( $canary_plan );
		--$w[3];
		$canary_ok = witsper_diff_plan_to_tree( $w, $canary_doc ) !== $canary_wp;
	}
	if ( ! $canary_ok ) {
		witsper_diff_die( 'plan-reader canary: the plan of a small document does not read back to WordPress\'s tree, or a corrupted one is not noticed' );
	}
} elseif ( 'wp' !== $candidate && ! isset( witsper_diff_mutants()[ substr( $candidate, 7 ) ] ) ) {
	witsper_diff_die( "unknown candidate $candidate" );
}

$run               = new Witsper_Diff_Run( $mode, $var, $candidate );
$run->strict_state = (bool) getenv( 'DIFF_STRICT_STATE' );
$run->progress     = $opts['progress'] ?? null;
if ( isset( $opts['file'] ) ) {
	$files = (array) $opts['file'];
	$wanted = array( 'files' );
	$suites = array(
		'files' => static function () use ( $files ) {
			foreach ( $files as $f ) {
				yield $f => file_get_contents( $f );
			}
		},
	);
}
if ( isset( $opts['only'] ) ) {
	// Regenerated directly by name: works for gen#k / mut#k beyond DIFF_COUNT too.
	$only_doc = witsper_diff_find( $suites, $opts['only'], $seed, array( $repo, $var, $markup_root ) );
	if ( null === $only_doc ) {
		witsper_diff_die( "no input named {$opts['only']}" );
	}
	$only_name = $opts['only'];
	$wanted    = array( 'only' );
	$suites    = array(
		'only' => static function () use ( $only_name, $only_doc ) {
			yield $only_name => $only_doc;
		},
	);
	unset( $opts['only'] );
}
printf( "[%s] seed %d, %d documents per random sub-suite (DIFF_SEED, DIFF_COUNT)\n", $mode, $seed, $cnt );
$setup_failed = 0;
foreach ( $wanted as $s ) {
	try {
		list( $p, $f, $u, $t ) = $run->suite( $s, $suites[ $s ](), $opts['only'] ?? null );
	} catch ( Throwable $e ) {
		// A missing input set is a failure of the suite, not a silent pass.
		echo "FAIL [$mode] $s: cannot read inputs: " . $e->getMessage() . "\n";
		$run->fail++;
		list( $p, $f, $u, $t ) = array( 0, 1, 0, 0 );
	}
	printf( "  [%s] %-12s %6d passed, %4d failed   unsupported (fell back by design) %d   %.1fs\n", $mode, $s, $p, $f, $u, $t );
}
if ( $run->unsupported_names ) {
	echo "[$mode] documents the library rejected with WITSPER_E_UNSUPPORTED (WordPress's PCRE hits its limit on them too):\n";
	foreach ( $run->unsupported_names as $n ) {
		echo "    $n\n";
	}
}
if ( 'native' === $candidate && ! Witsper_Block_Parser::is_native() ) {
	echo "FAIL [$mode] Witsper_Block_Parser::is_native() became false during the run\n";
	$run->fail++;
}
if ( $run->unsupported ) {
	printf( "[%s] UNSUPPORTED: %d documents, %d of them without a PCRE failure in WordPress (over-rejected)\n", $mode, $run->unsupported, $run->unsupported_unjustified );
}
echo "RESULT mode=$mode passed={$run->pass} failed={$run->fail} unsupported={$run->unsupported}\n";
exit( $run->fail ? 1 : 0 );
