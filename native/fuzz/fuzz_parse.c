/*
 * fuzz_parse.c - libFuzzer target for the block parser (build with
 * clang -fsanitize=fuzzer,address,undefined; see `make fuzz`).
 *
 * When byte 0 has one of its low 4 bits set, bytes 0 and 1 are options
 * and the rest is the document (otherwise the whole input is):
 *   bit 0: tiny PCRE work bound (byte 1 + 1) to exercise UNSUPPORTED;
 *   bit 1: make the (byte 1)-th allocation fail to exercise NOMEM;
 *   bit 2: PCRE oracle with a small match limit (32 + 4 * byte 1);
 *   bit 3: PCRE oracle without JIT (the interpreter counts 3x more).
 * Checks, any violation aborts (this is test code; the library itself
 * never aborts):
 *  - every successful plan is well formed (offsets and lengths inside
 *    the document, name ids, leaf/complex records, children counts
 *    against a post-order stack) and identical when parsed again;
 *  - options may refuse a document (NOMEM, UNSUPPORTED), never change
 *    its plan;
 *  - oracle: the real PCRE2 (the same libpcre2-8 10.42 PHP uses) runs
 *    WordPress's regex from every offset the tokenizer stops at; each
 *    token (start, length, closer, namespace, name, attrs, void) must be
 *    identical. Where PCRE fails on its match limit, the tokenizer with
 *    the matching work bound must not report a token (it must say
 *    UNSUPPORTED or "no more tokens", which is what WordPress then
 *    sees). Measured per attempt: JIT cost <= 14 + weight, interpreter
 *    cost <= 17 + 3 x weight, hence the bounds in oracle_bound().
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "plan_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_parse: %s\n", what);
    abort();
}

/* ---- PCRE2 oracle (test code: compiled once, kept for the process) ---- */

static const char wp_regex[] =
    "<!--\\s+(?P<closer>\\/)?wp:(?P<namespace>[a-z][a-z0-9_-]*\\/)?"
    "(?P<name>[a-z][a-z0-9_-]*)\\s+(?P<attrs>{(?:(?:[^}]+|}+(?=})|"
    "(?!}\\s+\\/?-->).)*+)?}\\s+)?(?P<void>\\/)?-->";

typedef struct oracle {
    pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
} oracle;

static oracle *oracle_get(void)
{
    static oracle o;
    int err;
    PCRE2_SIZE off;

    if (o.re != NULL)
        return &o;
    /* PHP: preg_match('/.../s') = PCRE2_DOTALL; JIT as with pcre.jit=1,
     * with PHP's JIT stack (32 KiB growing to 192 KiB) and limits
     * pcre.backtrack_limit / pcre.recursion_limit. */
    o.re = pcre2_compile((PCRE2_SPTR)wp_regex, PCRE2_ZERO_TERMINATED,
                         PCRE2_DOTALL, &err, &off, NULL);
    if (o.re == NULL)
        die("pcre2_compile failed");
    if (pcre2_jit_compile(o.re, PCRE2_JIT_COMPLETE) != 0)
        die("pcre2_jit_compile failed");
    o.md = pcre2_match_data_create_from_pattern(o.re, NULL);
    o.mc = pcre2_match_context_create(NULL);
    o.js = pcre2_jit_stack_create((size_t)32 * 1024, (size_t)192 * 1024, NULL);
    if (o.md == NULL || o.mc == NULL || o.js == NULL)
        die("pcre2 setup failed");
    pcre2_jit_stack_assign(o.mc, NULL, o.js);
    pcre2_set_depth_limit(o.mc, 100000);
    return &o;
}

/* Work bound of the tokenizer that is sound for PCRE match limit L. */
static size_t oracle_bound(uint32_t limit, int jit)
{
    if (jit)
        return limit > 20 ? limit - 20 : 0;
    return limit > 30 ? (limit - 30) / 3 : 0;
}

static int same_span(size_t off, size_t len, const PCRE2_SIZE *ov, size_t g)
{
    return ov[2 * g] != PCRE2_UNSET && ov[2 * g] == off &&
           ov[2 * g + 1] - ov[2 * g] == len;
}

static void oracle_check(const char *doc, size_t len, uint32_t limit,
                         int jit)
{
    oracle *o = oracle_get();
    wsp_tokenizer tz;
    size_t from = 0;

    pcre2_set_match_limit(o->mc, limit);
    wsp_tokenizer_init(&tz, (const unsigned char *)doc, len,
                       oracle_bound(limit, jit));
    for (;;) {
        wsp_token t;
        size_t where = 0;
        int rw = wsp_next_token(&tz, from, &t, &where);
        int rp = pcre2_match(o->re, (PCRE2_SPTR)doc, len, from,
                             jit ? 0 : PCRE2_NO_JIT, o->md, o->mc);
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(o->md);
        int closer, is_void, type;

        if (rp == PCRE2_ERROR_NOMATCH) {
            if (rw != 0 || t.type != WSP_TOK_NONE)
                die("oracle: PCRE finds no token, the tokenizer does");
            return;
        }
        if (rp < 0) {
            /* WordPress: "no more tokens". Refusing is fine too. */
            if (rw == 0 && t.type != WSP_TOK_NONE)
                die("oracle: PCRE hits its limit, the tokenizer parses on");
            return;
        }
        if (rw == WITSPER_E_UNSUPPORTED)
            return;             /* over-rejection: safe, just slower */
        if (t.type == WSP_TOK_NONE)
            die("oracle: PCRE finds a token, the tokenizer does not");
        if (ov[0] != t.start || ov[1] - ov[0] != t.length)
            die("oracle: token start or length differs");
        closer = ov[2] != PCRE2_UNSET;
        is_void = ov[10] != PCRE2_UNSET;
        type = is_void ? WSP_TOK_VOID
                       : (closer ? WSP_TOK_CLOSER : WSP_TOK_OPENER);
        if ((int)t.type != type)
            die("oracle: token type differs");
        if ((ov[4] != PCRE2_UNSET) != (t.has_ns != 0))
            die("oracle: namespace differs");
        if (ov[6] == PCRE2_UNSET || ov[7] != t.name_off + t.name_len ||
            (t.has_ns ? ov[4] : ov[6]) != t.name_off)
            die("oracle: name differs");
        if ((ov[8] != PCRE2_UNSET) != (t.has_attrs != 0) ||
            (t.has_attrs && !same_span(t.attrs_off, t.attrs_len, ov, 4)))
            die("oracle: attrs differ");
        from = t.start + t.length;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsp_limits lim;
    witsper_buffer a = {NULL, 0}, b = {NULL, 0};
    witsper_error ea = {0, NULL, 0}, eb = {0, NULL, 0};
    const char *doc;
    size_t len;
    uint8_t opt = 0, arg = 0;
    int ra, rb;

    if (size >= 2) {
        opt = data[0];
        arg = data[1];
    }
    /* Keep the document aligned with what PHP sees: the option bytes
     * are only consumed when an option bit is set. */
    if (opt & 15u) {
        doc = (const char *)data + 2;
        len = size - 2;
    } else {
        doc = (const char *)data;
        len = size;
    }

    wsp_default_limits(&lim);
    ra = wsp_parse_blocks_ex(doc, len, &a, &ea, &lim);
    if (ra != WITSPER_OK && ra != WITSPER_E_UNSUPPORTED)
        die("default parse failed with an unexpected status");
    if (ra != WITSPER_OK) {
        if (a.data != NULL || a.len != 0 || ea.message == NULL ||
            ea.code != ra || ea.offset >= len)
            die("failure did not leave {NULL,0} and a filled error");
    } else {
        const char *bad = wsp_plan_validate(a.data, a.len, len, NULL);

        if (bad != NULL)
            die(bad);
    }

    if (opt & 4u)
        oracle_check(doc, len, 32u + 4u * arg, !(opt & 8u));
    else
        oracle_check(doc, len, 1000000u, !(opt & 8u));

    if (opt & 3u) {
        if (opt & 1u)
            lim.work_bound = (size_t)arg + 1;
        if (opt & 2u)
            lim.fail_alloc_at = (size_t)arg + 1;
        rb = wsp_parse_blocks_ex(doc, len, &b, &eb, &lim);
        if (rb == WITSPER_OK) {
            /* A tighter bound or a failing allocation can only refuse
             * the document, never change its plan. */
            if (ra != WITSPER_OK || a.len != b.len ||
                memcmp(a.data, b.data, a.len) != 0)
                die("options changed a successful plan");
        } else if (rb != WITSPER_E_NOMEM && rb != WITSPER_E_UNSUPPORTED) {
            die("unexpected status with options");
        } else if (b.data != NULL || b.len != 0) {
            die("failure left a buffer");
        }
    } else {
        rb = wsp_parse_blocks_ex(doc, len, &b, &eb, &lim);
        if (rb != ra || a.len != b.len ||
            (a.len != 0 && memcmp(a.data, b.data, a.len) != 0))
            die("two parses of the same document differ");
    }
    witsper_buffer_free(&a);
    witsper_buffer_free(&b);
    return 0;
}
