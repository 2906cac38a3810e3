<?php
// Measures where preg_match with WP_Block_Parser's token regex starts failing
// (returns false) under the current pcre.jit / backtrack / recursion limits.
// Not part of `make check` (slow); run: php -d pcre.jit=1 native/tests/pcre-limits.php
const RE = '/<!--\s+(?P<closer>\/)?wp:(?P<namespace>[a-z][a-z0-9_-]*\/)?(?P<name>[a-z][a-z0-9_-]*)\s+(?P<attrs>{(?:(?:[^}]+|}+(?=})|(?!}\s+\/?-->).)*+)?}\s+)?(?P<void>\/)?-->/s';
function fails(string $doc): bool {
    $m = null;
    $r = preg_match(RE, $doc, $m, PREG_OFFSET_CAPTURE, 0);
    return $r === false;
}
// smallest n in [1, hi] for which gen(n) fails, or null
function threshold(callable $gen, int $hi): ?int {
    if (!fails($gen($hi))) return null;
    $lo = 0; // gen(lo) does not fail
    while ($hi - $lo > 1) {
        $mid = intdiv($lo + $hi, 2);
        if (fails($gen($mid))) $hi = $mid; else $lo = $mid;
    }
    return $hi;
}
$families = [
  // attrs body of n "x}" pairs: 2n group iterations (A then C)
  'iter_xbrace' => [fn($n) => '<!-- wp:a {' . str_repeat('x}', $n) . '} -->', 5000000],
  // "}}" runs: B then C
  'iter_bb_x' => [fn($n) => '<!-- wp:a {' . str_repeat('}}x', $n) . '} -->', 3000000],
  // single huge A iteration
  'one_run' => [fn($n) => '<!-- wp:a {' . str_repeat('x', $n) . '} -->', 20000000],
  // only C iterations: "}" followed by non-} non-terminator: "} " then "x"? use "}-"
  'iter_c' => [fn($n) => '<!-- wp:a {' . str_repeat('}', 1) . str_repeat('-}', $n) . '} -->', 5000000],
  // n failed candidates without '{', then one token
  'cand_plain' => [fn($n) => str_repeat('<!-- wp:a ', $n) . '<!-- wp:b -->', 3000000],
  'cand_lt' => [fn($n) => str_repeat('<!--', $n) . '<!-- wp:b -->', 5000000],
  // n failed '{' candidates each scanning a 100-byte tail of x} pairs, then plain token
  'cand_brace' => [fn($n) => str_repeat('<!-- wp:a {', $n) . str_repeat('x}', 50) . '<!-- wp:b -->', 200000],
  // one failed '{' candidate scanning n "x}" pairs, then plain token
  'fail_scan' => [fn($n) => '<!-- wp:a {' . str_repeat('x}', $n) . '<!-- wp:b -->', 5000000],
  // one failed candidate scanning n x (single A iteration), then plain token
  'fail_run' => [fn($n) => '<!-- wp:a {' . str_repeat('x', $n) . '<!-- wp:b -->', 20000000],
  // whitespace runs
  // failing whitespace runs (backtracking of greedy \s+), then a real token
  'ws_fail1' => [fn($n) => '<!--' . str_repeat(' ', $n) . 'x<!-- wp:b -->', 20000000],
  'ws_fail2' => [fn($n) => '<!-- wp:a' . str_repeat(' ', $n) . 'x<!-- wp:b -->', 20000000],
  'ws_look' => [fn($n) => '<!-- wp:a {}' . str_repeat(' ', $n) . 'x} -->', 20000000],
  'ws_look_many' => [fn($n) => '<!-- wp:a {' . str_repeat('} x', $n) . '} -->', 5000000],
  'ws_term_fail' => [fn($n) => '<!-- wp:a {} ' . str_repeat(' ', $n) . 'x<!-- wp:b -->', 20000000],
  // long names that fail late (backtracking into name runs), then a token
  'name_fail' => [fn($n) => '<!-- wp:' . str_repeat('a', $n) . ' x<!-- wp:b -->', 20000000],
  'ns_fail' => [fn($n) => '<!-- wp:' . str_repeat('a', $n) . '/' . str_repeat('a', $n) . ' x<!-- wp:b -->', 10000000],
  'ns_fail2' => [fn($n) => '<!-- wp:' . str_repeat('a', $n) . '/' . str_repeat('a', $n) . '/ <!-- wp:b -->', 10000000],
  'name_nows' => [fn($n) => '<!-- wp:' . str_repeat('a-', $n) . 'x<!-- wp:b -->', 10000000],
  // deeply nested JSON: one long "}" run
  'brace_run' => [fn($n) => '<!-- wp:a ' . str_repeat('{"a":', $n) . '1' . str_repeat('}', $n) . ' /-->', 3000000],
  'ws' => [fn($n) => '<!--' . str_repeat(' ', $n) . 'wp:a' . str_repeat(' ', $n) . '-->', 20000000],
];
$only = $argv[1] ?? null;
foreach ($families as $k => [$gen, $hi]) {
    if ($only !== null && $k !== $only) continue;
    $t = hrtime(true);
    $th = threshold($gen, $hi);
    printf("%-12s jit=%s threshold=%s (searched up to %d) %.1fs\n", $k, ini_get('pcre.jit'),
        $th === null ? 'none' : $th, $hi, (hrtime(true) - $t) / 1e9);
}
