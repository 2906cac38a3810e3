<?php
/*
 * Cross-check of libwitsper against WordPress's own WP_Block_Parser, from
 * real PHP through real FFI: the block plan is decoded here exactly as the
 * plugin does (see the format in native/include/witsper.h) and compared with
 * serialize() equality. Inputs: the shared corpus, tricky snippets, and
 * randomly assembled documents from a fixed seed.
 *
 * Usage: php -d ffi.enable=1 native/tests/php-crosscheck.php [LIB] [N_RANDOM]
 * Prints one line per failure and ends with "N passed, N failed".
 */
declare(strict_types=1);

require '/usr/share/wordpress/wp-includes/class-wp-block-parser.php';

$root = dirname(__DIR__);
$lib = $argv[1] ?? "$root/build/libwitsper.so.1";
$n_random = (int) ($argv[2] ?? 3000);
$header = preg_replace('/^#define .*$/m', '', file_get_contents("$root/include/witsper_ffi.h"));
$ffi = FFI::cdef($header, $lib);

/** Returns [status, words|null]. */
function plan(FFI $ffi, string $doc): array {
    $out = $ffi->new('witsper_buffer');
    $err = $ffi->new('witsper_error');
    $rc = $ffi->witsper_parse_blocks($doc, strlen($doc), FFI::addr($out), FFI::addr($err));
    if ($rc !== 0) {
        if ($out->data !== null || $out->len !== 0) {
            throw new RuntimeException('failure left a buffer');
        }
        return [$rc, null, (int) $err->offset];
    }
    $words = unpack('L*', FFI::string($out->data, $out->len));
    $ffi->witsper_buffer_free(FFI::addr($out));
    return [0, $words, 0];
}

/** Rebuilds WP_Block_Parser's output from a plan (1-based word array). */
function rebuild(array $w, string $doc): array {
    if ($w[1] !== 1) {
        throw new RuntimeException('bad format word');
    }
    $n = $w[2];
    $names = [null];
    $i = 3;
    for ($k = 0; $k < $n; $k++, $i += 3) {
        $s = substr($doc, $w[$i], $w[$i + 1]);
        $names[] = $w[$i + 2] ? $s : 'core/' . $s;
    }
    $cnt = count($w);
    $stack = [];
    while ($i <= $cnt) {
        $k = $w[$i++];
        $attrs = [];
        if ($k & 2) {
            $attrs = json_decode(substr($doc, $w[$i], $w[$i + 1]), true);
            $i += 2;
        }
        if (!($k & 1)) {
            $h = substr($doc, $w[$i], $w[$i + 1]);
            $i += 2;
            $stack[] = ['blockName' => $names[$k >> 2], 'attrs' => $attrs,
                'innerBlocks' => [], 'innerHTML' => $h,
                'innerContent' => $h === '' ? [] : [$h]];
            continue;
        }
        $nc = $w[$i];
        $np = $w[$i + 1];
        $i += 2;
        if ($nc > count($stack)) {
            throw new RuntimeException('children underflow');
        }
        $inner = $nc ? array_splice($stack, -$nc) : [];
        $ic = [];
        for ($j = 0; $j < $np; $j++, $i += 2) {
            $ic[] = $w[$i] === 0xFFFFFFFF ? null : substr($doc, $w[$i], $w[$i + 1]);
        }
        $stack[] = ['blockName' => $names[$k >> 2], 'attrs' => $attrs,
            'innerBlocks' => $inner, 'innerHTML' => implode('', $ic),
            'innerContent' => $ic];
    }
    return $stack;
}

$pass = 0;
$fail = 0;
$unsupported = 0;
function check(FFI $ffi, string $label, string $doc): void {
    global $pass, $fail, $unsupported;
    $expect = serialize((new WP_Block_Parser())->parse($doc));
    try {
        [$rc, $w, $where] = plan($ffi, $doc);
        if ($rc === 4) {
            // Only documents past PCRE's limit may be refused (section 2b
            // checks those); anything else here is a failure.
            $unsupported++;
        }
        if ($rc !== 0) {
            throw new RuntimeException("status $rc");
        }
        $got = serialize(rebuild($w, $doc));
    } catch (Throwable $e) {
        $got = 'EXCEPTION ' . $e->getMessage();
    }
    if ($got === $expect) {
        $pass++;
        return;
    }
    $fail++;
    if ($fail <= 20) {
        echo "FAIL $label: doc=", json_encode($doc, JSON_INVALID_UTF8_SUBSTITUTE), "\n";
        echo "  expected ", substr($expect, 0, 600), "\n  got      ", substr($got, 0, 600), "\n";
    }
}

// 1. The shared corpus.
$corpus = getenv('WITSPER_CORPUS') ?: dirname($root) . '/tests/corpus/blocks';
foreach (glob($corpus . '/*.html') as $f) {
    check($ffi, basename($f), file_get_contents($f));
}

// 2. Tricky snippets: each quirk of WP_Block_Parser.
$snippets = [
    '', '0', 'x', '<!-- wp:a /-->', '<!-- wp:a -->', '<!-- /wp:a -->', "0<!-- wp:a /-->0",
    '<!-- wp:a -->0<!-- /wp:a -->', '<!-- wp:a --><!-- wp:b -->0<!-- /wp:b -->0<!-- /wp:a -->',
    '<!-- wp:a --><!-- wp:b --><!-- /wp:b --><!-- /wp:a -->',
    '<!-- wp:a -->x<!-- wp:b -->y<!-- wp:c -->z',
    'pre<!-- wp:a -->x<!-- wp:b /-->y<!-- wp:c -->z<!-- /wp:c -->w',
    '<!-- wp:a {"x":1} /-->', '<!-- wp:a {"x":1}/-->', '<!-- wp:a {"x":1}  -->',
    '<!-- wp:a {} -->a<!-- /wp:a -->', '<!-- wp:a {"a":"}"} /-->', '<!-- wp:a {"a":{"b":{}}} /-->',
    '<!-- wp:a {"a":"}} -->"} /-->', '<!-- wp:a {"a":1}} /-->', '<!-- wp:a {{}} /-->',
    "<!--\t\n\v\f\rwp:a\v{\"a\":1}\f/-->", "<!--\xA0wp:a /-->", "<!-- wp:a\xA0/-->", "<!-- wp:a \x85-->",
    '<!-- wp:A /-->', '<!-- wp:core/A /-->', '<!-- wp:my-plugin/x_y-1 /-->', '<!-- wp:a/b/c /-->',
    '<!-- wp:a/ /-->', '<!-- wp:1a /-->', '<!-- wp:a {"x":1} /wp:a -->',
    '<!-- /wp:a {"x":1} -->', '<!-- wp:a --><!-- /wp:b {"x":1} -->', '<!-- wp:a --><!-- /wp:a /-->',
    '<!-- wp:a -->x<!-- /wp:b -->y<!-- /wp:c -->z', '<!-- wp:a {"x": -->', '<!-- wp:a {"x": --><!-- wp:b /-->',
    '<!-- wp:a {"x":1 } -->', '<!-- wp:a {"x":1 }-->', '<!-- wp:a {"x":1}-->', '<!--wp:a /-->',
    '<!-- wp:a/-->', '<!-- wp:a -- >', "<!-- wp:a {\"a\":\"\x00\xff\"} /-->\x00",
    '<!-- wp:a {"a":1e999} /-->', '<!-- wp:a {"a":12345678901234567890} /-->', '<!-- wp:a {"1":2} /-->',
    '<!-- wp:a {"a":1,"a":2} /-->', '<!-- wp:a [1] /-->', '<!-- wp:a {"a":1.0} /-->',
    '<!--<!-- wp:a /-->', '<!-- <!-- wp:a /-->', '<!-- wp:a {"a":"<!-- wp:b /-->"} /-->',
    '<!-- wp:a {"a":1} <!-- wp:b {"c":2} /-->', '<!-- wp:a { <!-- wp:b -->x<!-- /wp:b -->',
    '<!-- wp:a {} } -->', '<!-- wp:a {}} -->', '<!-- wp:a {}}} /-->', '<!-- wp:a {"x":"}\n-->"} /-->',
    "a\r\n<!-- wp:a -->\r\n<!-- /wp:a -->\r\n", '<!-- wp:a --><!-- wp:a --><!-- wp:a --><!-- /wp:a -->',
    '<!-- /wp:a --><!-- wp:b /-->', 'x<!-- /wp:a -->', '<!-- wp:a -->0', '<!-- wp:a --><!-- wp:b -->0',
    '<!-- wp:a --><!-- wp:b /-->0', '0<!-- wp:a -->', '0<!-- wp:a -->0<!-- wp:b -->0',
];
foreach ($snippets as $i => $s) {
    check($ffi, "snippet $i", $s);
}

// 2b. PCRE's match limit. WordPress's preg_match fails (a "no more tokens")
// on the first two; the library must refuse them (UNSUPPORTED), and must
// parse the others itself, identically.
$limit_cases = [
    ['over the limit, token', '<!-- wp:a {' . str_repeat('x}', 600000) . '} -->', 4],
    ['over the limit, failed attempt then token',
        '<!-- wp:a {' . str_repeat('x}', 600000) . '<!-- wp:b -->', 4],
    ['over the limit, no token after', '<!-- wp:a {' . str_repeat('x}', 600000), 0],
    ['under the bound', '<!-- wp:a {' . str_repeat('x}', 10000) . '} -->', 0],
    ['deep JSON nesting is cheap for PCRE',
        '<!-- wp:a ' . str_repeat('{"a":', 100000) . '1' . str_repeat('}', 100000) . ' /-->', 0],
];
foreach ($limit_cases as [$label, $doc, $want]) {
    $m = null;
    $pcre = preg_match('/<!--\s+(?P<closer>\/)?wp:(?P<namespace>[a-z][a-z0-9_-]*\/)?(?P<name>[a-z][a-z0-9_-]*)\s+(?P<attrs>{(?:(?:[^}]+|}+(?=})|(?!}\s+\/?-->).)*+)?}\s+)?(?P<void>\/)?-->/s', $doc, $m);
    [$rc] = plan($ffi, $doc);
    if ($rc !== $want) {
        $fail++;
        echo "FAIL limit case '$label': status $rc, want $want (PHP preg_match says ",
            var_export($pcre, true), ")\n";
    } elseif ($want === 0) {
        check($ffi, "limit case $label", $doc);
    } else {
        $pass++;
    }
}

// 3. Random documents from a fixed seed: pieces that exercise the tokenizer
// and every stack path, including broken delimiters.
mt_srand(20261124);
$parts = ['<!-- wp:a -->', '<!-- /wp:a -->', '<!-- wp:b /-->', '<!-- wp:ns/c {"k":1} -->',
    '<!-- /wp:ns/c -->', '<!-- wp:d {"x":{"y":"}"}} /-->', '0', 'x', ' ', "\n", '}', '{', '} -->',
    '<!--', '-->', '/-->', '<!-- wp:', 'wp:a', '<!-- wp:e {', "\v", "\xA0", '<!-- wp:f {"a":"b"}-->',
    '<!-- /wp:z {"q":2} -->', '<!-- /wp:y /-->', "\x00", '}}', '<!-- wp:g {}}} -->', '<p>t</p>'];
$np = count($parts);
for ($r = 0; $r < $n_random; $r++) {
    $doc = '';
    $len = mt_rand(1, 25);
    for ($k = 0; $k < $len; $k++) {
        $doc .= $parts[mt_rand(0, $np - 1)];
    }
    check($ffi, "random $r", $doc);
}

// 4. Character-level random documents over the delimiter alphabet (finds
// tokenizer corner cases the fragment generator cannot build), and
// mutations of a real post.
$alpha = ['<', '!', '-', '-', '>', ' ', "\n", "\v", "\f", "\xA0", 'w', 'p', ':', 'a', 'b', '/', '/',
    '{', '}', '}', '"', '0', 'A', '_', "\x00", '<!--', '-->', 'wp:', ' wp:a ', '} '];
$na = count($alpha);
for ($r = 0; $r < $n_random; $r++) {
    $doc = '';
    $len = mt_rand(1, 60);
    for ($k = 0; $k < $len; $k++) {
        $doc .= $alpha[mt_rand(0, $na - 1)];
    }
    check($ffi, "chars $r", $doc);
}
$base = file_get_contents($corpus . '/gutenberg-demo.html');
for ($r = 0; $r < intdiv($n_random, 10); $r++) {
    $doc = $base;
    $edits = mt_rand(1, 8);
    for ($k = 0; $k < $edits; $k++) {
        $pos = mt_rand(0, strlen($doc));
        switch (mt_rand(0, 2)) {
            case 0: $doc = substr($doc, 0, $pos) . substr($doc, $pos + mt_rand(1, 40)); break;
            case 1: $doc = substr($doc, 0, $pos) . $alpha[mt_rand(0, $na - 1)] . substr($doc, $pos); break;
            default: $doc = substr($doc, 0, $pos) . $parts[mt_rand(0, $np - 1)] . substr($doc, $pos); break;
        }
    }
    check($ffi, "mutation $r", $doc);
}

echo "php cross-check: $unsupported unexpected UNSUPPORTED answers\n";
echo "$pass passed, $fail failed\n";
exit($fail === 0 ? 0 : 1);
