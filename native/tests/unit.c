/*
 * unit.c - C unit tests of libwitsper: API contract, tokenizer edge cases,
 * decoded block plans of small documents, allocation failure on every
 * allocation, the PCRE work bound. Links the library's objects directly
 * (internal functions included). Ends with "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "plan_check.h"
#include "check.h"

/* OK, INT_EQ, STR_EQ, check_summary: tests/lib/check.h, shared with fpm-probe. */

/* ---- a growable string for the plan decoder ---- */

typedef struct str {
    char *p;
    size_t n, cap;
} str;

static void s_addn(str *s, const char *p, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        size_t c = s->cap ? s->cap : 64;
        char *np;

        while (c < s->n + n + 1)
            c *= 2;
        np = realloc(s->p, c);
        if (np == NULL) {
            fprintf(stderr, "test: out of memory\n");
            exit(2);
        }
        s->p = np;
        s->cap = c;
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
    s->p[s->n] = '\0';
}

static void s_add(str *s, const char *p)
{
    s_addn(s, p, strlen(p));
}

/* Bytes made visible: printable ASCII as is, others as \xHH. */
static void s_addbytes(str *s, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
            s_addn(s, (const char *)&p[i], 1);
        } else {
            char b[8];

            snprintf(b, sizeof(b), "\\x%02X", p[i]);
            s_add(s, b);
        }
    }
}

/*
 * Decodes a plan into one line per the WP tree:
 *   name{attrs}["piece",*,...](children)   blocks separated by " | "
 * name is "null" for freeform or the full "ns/name"; {attrs} is omitted
 * when the block has none; "*" is a null slot in innerContent.
 */
static char *decode(const char *doc, const witsper_buffer *b)
{
    const uint32_t *w = (const uint32_t *)(const void *)b->data;
    size_t nw = b->len / 4, i, n_names = w[1], sp = 0, k;
    str *stack = calloc(nw + 1, sizeof(str));
    str out = {0};

    i = 2 + 3 * n_names;
    while (i < nw) {
        uint32_t head = w[i++], id = head >> 2;
        str s = {0};

        if (id == 0) {
            s_add(&s, "null");
        } else {
            const uint32_t *e = &w[2 + 3 * (id - 1)];

            if (!e[2])
                s_add(&s, "core/");
            s_addbytes(&s, (const unsigned char *)doc + e[0], e[1]);
        }
        if (head & 2u) {
            s_add(&s, "{");
            s_addbytes(&s, (const unsigned char *)doc + w[i], w[i + 1]);
            s_add(&s, "}");
            i += 2;
        }
        s_add(&s, "[");
        if (!(head & 1u)) {
            if (w[i + 1] > 0) {
                s_add(&s, "\"");
                s_addbytes(&s, (const unsigned char *)doc + w[i], w[i + 1]);
                s_add(&s, "\"");
            }
            i += 2;
            s_add(&s, "]");
        } else {
            uint32_t nc = w[i], np = w[i + 1];

            i += 2;
            for (k = 0; k < np; k++, i += 2) {
                if (k)
                    s_add(&s, ",");
                if (w[i] == WITSPER_PLAN_NULL) {
                    s_add(&s, "*");
                } else {
                    s_add(&s, "\"");
                    s_addbytes(&s, (const unsigned char *)doc + w[i],
                               w[i + 1]);
                    s_add(&s, "\"");
                }
            }
            s_add(&s, "](");
            for (k = sp - nc; k < sp; k++) {
                if (k > sp - nc)
                    s_add(&s, ",");
                s_add(&s, stack[k].p);
                free(stack[k].p);
            }
            sp -= nc;
            s_add(&s, ")");
        }
        stack[sp++] = s;
    }
    s_add(&out, "");
    for (k = 0; k < sp; k++) {
        if (k)
            s_add(&out, " | ");
        s_add(&out, stack[k].p);
        free(stack[k].p);
    }
    free(stack);
    return out.p;
}

/* Parses doc, validates the plan structure and returns the decoded tree
 * (caller frees), or "ERR <code>" on failure. */
static char *parse_str(const char *doc, size_t len)
{
    witsper_buffer b = {NULL, 0};
    witsper_error e = {0, NULL, 0};
    int rc = witsper_parse_blocks(doc, len, &b, &e);
    char *r;

    if (rc != 0) {
        char buf[64];

        snprintf(buf, sizeof(buf), "ERR %d@%zu", rc, e.offset);
        r = malloc(strlen(buf) + 1);
        if (r != NULL)
            memcpy(r, buf, strlen(buf) + 1);
        return r;
    }
    {
        const char *bad = wsp_plan_validate(b.data, b.len, len, NULL);

        if (bad != NULL) {
            witsper_buffer_free(&b);
            fprintf(stderr, "invalid plan: %s\n", bad);
            r = malloc(16);
            if (r != NULL)
                memcpy(r, "INVALID", 8);
            return r;
        }
    }
    r = decode(doc, &b);
    witsper_buffer_free(&b);
    return r;
}

static void tree_eq(const char *file, int line, const char *doc,
                    size_t len, const char *expect)
{
    char *got = parse_str(doc, len);
    int ok = got != NULL && strcmp(got, expect) == 0;
    char d[4096];

    snprintf(d, sizeof(d), "\n  doc      %s\n  got      %s\n  expected %s",
             doc, got ? got : "(null)", expect);
    check_at(ok, file, line, "tree", d);
    free(got);
}

#define TREE(doc, expect) \
    tree_eq(__FILE__, __LINE__, doc, sizeof(doc) - 1, expect)

/* ---- API contract ---- */

static void test_api(void)
{
    witsper_buffer b = {NULL, 0};
    witsper_error e = {0, NULL, 0};
    int rc;

    STR_EQ(witsper_version(), WITSPER_VERSION, "version string");
    STR_EQ(witsper_version(), "1.0.0", "version value");
    INT_EQ(witsper_abi(), 1, "abi");
    INT_EQ(witsper_abi(), WITSPER_ABI, "abi macro");

    rc = witsper_parse_blocks("x", 1, NULL, &e);
    INT_EQ(rc, WITSPER_E_ARGUMENT, "out NULL");
    INT_EQ(e.code, WITSPER_E_ARGUMENT, "out NULL: err code");
    OK(e.message != NULL && e.message[0] != '\0', "out NULL: message");
    INT_EQ(witsper_parse_blocks("x", 1, NULL, NULL), WITSPER_E_ARGUMENT,
           "out NULL, err NULL");

    b.data = (unsigned char *)&b;   /* must be overwritten */
    b.len = 99;
    rc = witsper_parse_blocks(NULL, 5, &b, &e);
    INT_EQ(rc, WITSPER_E_ARGUMENT, "doc NULL, len 5");
    OK(b.data == NULL && b.len == 0, "failure leaves {NULL,0}");
    INT_EQ(e.offset, 0, "argument error offset");

    rc = witsper_parse_blocks(NULL, 0, &b, NULL);
    INT_EQ(rc, WITSPER_OK, "doc NULL, len 0 is an empty document");
    INT_EQ(b.len, 8, "empty document plan is two words");
    if (b.data != NULL) {
        const uint32_t *w = (const uint32_t *)(const void *)b.data;

        INT_EQ(w[0], WITSPER_PLAN_FORMAT, "format word");
        INT_EQ(w[1], 0, "no names");
    }
    witsper_buffer_free(&b);
    OK(b.data == NULL && b.len == 0, "free resets the buffer");
    witsper_buffer_free(&b);            /* double free is a no-op */
    witsper_buffer_free(NULL);
    OK(1, "free(NULL) and second free are no-ops");

    /* Length checks come before any read: a 1-byte buffer is enough. */
    if (sizeof(size_t) > 4) {
        e.code = 0;
        rc = witsper_parse_blocks("x", (size_t)0xFFFFFFFFu, &b, &e);
        INT_EQ(rc, WITSPER_E_TOO_LARGE, "len 0xFFFFFFFF is too large");
        INT_EQ(e.code, WITSPER_E_TOO_LARGE, "too large: err code");
        INT_EQ(e.offset, 0xFFFFFFFFu, "too large: offset");
        OK(b.data == NULL && b.len == 0, "too large: {NULL,0}");
    }

    /* Success leaves err untouched. */
    e.code = 77;
    rc = witsper_parse_blocks("<!-- wp:a /-->", 14, &b, &e);
    INT_EQ(rc, WITSPER_OK, "simple parse");
    INT_EQ(e.code, 77, "err untouched on success");
    witsper_buffer_free(&b);
}

/* ---- tokenizer ---- */

typedef struct tok_case {
    const char *doc;
    int type;               /* wsp_token_type */
    size_t start, length;
    const char *name;       /* NULL: don't check */
    const char *attrs;      /* NULL: no attrs */
} tok_case;

static void test_tokenizer(void)
{
    static const tok_case cases[] = {
        {"<!-- wp:a -->", WSP_TOK_OPENER, 0, 13, "a", NULL},
        {"<!-- /wp:a -->", WSP_TOK_CLOSER, 0, 14, "a", NULL},
        {"<!-- wp:a /-->", WSP_TOK_VOID, 0, 14, "a", NULL},
        {"<!-- /wp:a /-->", WSP_TOK_VOID, 0, 15, "a", NULL},
        {"<!-- /wp:a {\"x\":1} -->", WSP_TOK_CLOSER, 0, 22, "a",
         "{\"x\":1} "},
        {"<!-- wp:ns/n-1_x {} /-->", WSP_TOK_VOID, 0, 24, "ns/n-1_x", "{} "},
        {"<!--\t\n\v\f\rwp:a\v{}\f\r/-->", WSP_TOK_VOID, 0, 22, "a",
         "{}\f\r"},
        {"<!-- wp:a {\"a\":\"}\"} -->", WSP_TOK_OPENER, 0, 23, "a",
         "{\"a\":\"}\"} "},
        {"<!-- wp:a {}}} -->", WSP_TOK_OPENER, 0, 18, "a", "{}}} "},
        {"<!-- wp:a {\"a\":\"-->\"} -->", WSP_TOK_OPENER, 0, 25, "a",
         "{\"a\":\"-->\"} "},
        /* [^}]+ runs across "-->" and across other delimiters */
        {"<!-- wp:a {x --> <!-- wp:b -->} -->", WSP_TOK_OPENER, 0, 35, "a",
         "{x --> <!-- wp:b -->} "},
        /* attrs without terminator: this "<!--" fails, the next wins */
        {"<!-- wp:a {x <!-- wp:b -->", WSP_TOK_OPENER, 13, 13, "b", NULL},
        /* "}" must be followed by whitespace */
        {"<!-- wp:a {}--> <!-- wp:c -->", WSP_TOK_OPENER, 16, 13, "c", NULL},
        {"<!--<!-- wp:a -->", WSP_TOK_OPENER, 4, 13, "a", NULL},
        {"<!-- wp:a -- <!-- wp:b -->", WSP_TOK_OPENER, 13, 13, "b", NULL},
        {"<!-- wp:A --> <!-- wp:b -->", WSP_TOK_OPENER, 14, 13, "b", NULL},
        {"<!-- wp:a/b/c --> <!-- wp:b -->", WSP_TOK_OPENER, 18, 13, "b",
         NULL},
        {"<!-- wp:a/ --> <!-- wp:b -->", WSP_TOK_OPENER, 15, 13, "b", NULL},
        {"<!-- wp:a\xA0--> <!-- wp:b -->", WSP_TOK_OPENER, 14, 13, "b",
         NULL},
        {"<!--\x85wp:a --> <!-- wp:b -->", WSP_TOK_OPENER, 14, 13, "b",
         NULL},
        {"<!-- wp:a  -- > <!-- wp:b --", WSP_TOK_NONE, 0, 0, NULL, NULL},
        {"<!-- wp:a", WSP_TOK_NONE, 0, 0, NULL, NULL},
        {"", WSP_TOK_NONE, 0, 0, NULL, NULL},
        {"<!-- wp:a {\"x\":1}/-->", WSP_TOK_NONE, 0, 0, NULL, NULL},
        {"<!-- wp:a {} /--> tail", WSP_TOK_VOID, 0, 17, "a", "{} "},
        {"<!-- wp:a {\"a\":{\"b\":{}}} -->", WSP_TOK_OPENER, 0, 28, "a",
         "{\"a\":{\"b\":{}}} "},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const tok_case *c = &cases[k];
        wsp_tokenizer tz;
        wsp_token t;
        size_t where = 0, n = strlen(c->doc);
        char what[160];
        int rc;

        memset(&t, 0, sizeof(t));
        wsp_tokenizer_init(&tz, (const unsigned char *)c->doc, n,
                           WSP_PCRE_WORK_BOUND);
        rc = wsp_next_token(&tz, 0, &t, &where);
        snprintf(what, sizeof(what), "token case %zu", k);
        INT_EQ(rc, 0, what);
        INT_EQ(t.type, c->type, what);
        if (c->type == WSP_TOK_NONE)
            continue;
        INT_EQ(t.start, c->start, what);
        INT_EQ(t.length, c->length, what);
        if (c->name != NULL)
            OK(t.name_len == strlen(c->name) &&
               memcmp(c->doc + t.name_off, c->name, t.name_len) == 0, what);
        INT_EQ(t.has_attrs, c->attrs != NULL, what);
        if (c->attrs != NULL)
            OK(t.attrs_len == strlen(c->attrs) &&
               memcmp(c->doc + t.attrs_off, c->attrs, t.attrs_len) == 0,
               what);
    }

    /* preg_match's offset: a token before it is not seen. */
    {
        const char *d = "<!-- wp:a --><!-- wp:b -->";
        wsp_tokenizer tz;
        wsp_token t;
        size_t where;

        wsp_tokenizer_init(&tz, (const unsigned char *)d, strlen(d),
                           WSP_PCRE_WORK_BOUND);
        INT_EQ(wsp_next_token(&tz, 1, &t, &where), 0, "offset search");
        INT_EQ(t.start, 13, "offset skips the first token");
    }
}

/* ---- decoded trees ---- */

static void test_trees(void)
{
    TREE("", "");
    TREE("0", "null[\"0\"]");
    TREE("hello", "null[\"hello\"]");
    TREE("<!-- wp:a /-->", "core/a[]");
    TREE("x<!-- wp:a /-->y", "null[\"x\"] | core/a[] | null[\"y\"]");
    /* add_freeform keeps "0"; leading freeform keeps "0" */
    TREE("0<!-- wp:a /-->0", "null[\"0\"] | core/a[] | null[\"0\"]");
    TREE("<!-- wp:a -->x<!-- /wp:a -->", "core/a[\"x\"]");
    /* add_block_from_stack drops "0" and "" (! empty) */
    TREE("<!-- wp:a -->0<!-- /wp:a -->", "core/a[]");
    TREE("<!-- wp:a --><!-- /wp:a -->", "core/a[]");
    /* a nested closer keeps "" and "0" (no empty() check) */
    TREE("<!-- wp:a --><!-- wp:b --><!-- /wp:b --><!-- /wp:a -->",
         "core/a[*](core/b[\"\"]())");
    TREE("<!-- wp:a --><!-- wp:b -->0<!-- /wp:b -->0<!-- /wp:a -->",
         "core/a[*](core/b[\"0\"])");
    TREE("<!-- wp:a -->x<!-- wp:b /-->y<!-- wp:c -->z<!-- /wp:c -->w"
         "<!-- /wp:a -->",
         "core/a[\"x\",*,\"y\",*,\"w\"](core/b[],core/c[\"z\"])");
    /* unclosed at depth 1: implicit closer, HTML to the end */
    TREE("p<!-- wp:a -->x<!-- wp:b /-->y",
         "null[\"p\"] | core/a[\"x\",*,\"y\"](core/b[])");
    /* unclosed nested: collapse innermost first into siblings */
    TREE("<!-- wp:a -->x<!-- wp:b -->y<!-- wp:c -->z",
         "null[\"y\"] | core/c[\"z\"] | null[\"x\"] | "
         "core/b[\"y<!-- wp:c -->z\"] | "
         "core/a[\"x<!-- wp:b -->y<!-- wp:c -->z\"]");
    TREE("<!-- wp:a --><!-- wp:b -->",
         "core/b[] | core/a[\"<!-- wp:b -->\"]");
    /* closer without opener: the rest is freeform, parsing stops */
    TREE("x<!-- /wp:a --><!-- wp:b /-->",
         "null[\"x<!-- /wp:a --><!-- wp:b /-->\"]");
    TREE("<!-- wp:a /--><!-- /wp:a -->y",
         "core/a[] | null[\"<!-- /wp:a -->y\"]");
    /* closers ignore their name and attrs */
    TREE("<!-- wp:a -->x<!-- /wp:b {\"q\":1} -->",
         "core/a[\"x\"]");
    TREE("<!-- wp:a {\"x\":1} /-->", "core/a{{\"x\":1} }[]");
    TREE("<!-- wp:my/b {} -->t<!-- /wp:my/b -->", "my/b{{} }[\"t\"]");
    TREE("<!-- wp:a -->\x00\xff<!-- /wp:a -->", "core/a[\"\\x00\\xFF\"]");
    TREE("<!-- wp:core/a /--><!-- wp:a /-->", "core/a[] | core/a[]");
    TREE("<!-- wp:a -->1<!-- /wp:a -->2<!-- wp:b -->3",
         "core/a[\"1\"] | null[\"2\"] | core/b[\"3\"]");
}

/* Every plan of this document, decoded, must be the same tree. */
static const char nomem_doc[] =
    "pre<!-- wp:a {\"k\":1} -->x<!-- wp:b -->y<!-- wp:c /-->"
    "<!-- /wp:b -->z<!-- wp:d -->q<!-- wp:ns/e -->r";

static void test_nomem(void)
{
    wsp_limits lim;
    size_t k, ok_at = 0;

    wsp_default_limits(&lim);
    for (k = 1; k < 200; k++) {
        witsper_buffer b = {NULL, 0};
        witsper_error e = {0, NULL, 0};
        int rc;

        lim.fail_alloc_at = k;
        rc = wsp_parse_blocks_ex(nomem_doc, sizeof(nomem_doc) - 1, &b, &e,
                                 &lim);
        if (rc == WITSPER_OK) {
            ok_at = k;
            witsper_buffer_free(&b);
            break;
        }
        INT_EQ(rc, WITSPER_E_NOMEM, "failing allocation gives NOMEM");
        INT_EQ(e.code, WITSPER_E_NOMEM, "NOMEM err code");
        OK(b.data == NULL && b.len == 0, "NOMEM leaves {NULL,0}");
    }
    OK(ok_at > 5, "the parse makes several allocations, each one failed");
}

/* Copies n bytes that are deliberately not NUL-terminated. */
static void put_bytes(char *d, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        d[i] = s[i];
}

static void test_work_bound(void)
{
    wsp_limits lim;
    witsper_buffer b = {NULL, 0};
    witsper_error e = {0, NULL, 0};
    /* body "x}x}x}x" + terminator weighs 4 runs + 3 "}" = 7 */
    const char *heavy = "ab<!-- wp:a {x}x}x}x} -->";
    /* "} " costs 3: body "} x} x} x" weighs 3 x (3 + 1) = 12 */
    const char *heavy_ws = "<!-- wp:a {} x} x} x} -->";
    const char *fail_then_token = "<!-- wp:a {x}x}x}x}x}<!-- wp:b -->";
    const char *fail_no_token = "<!-- wp:a {x}x}x}x}x}x}";
    int rc;

    wsp_default_limits(&lim);
    lim.work_bound = 6;
    rc = wsp_parse_blocks_ex(heavy, strlen(heavy), &b, &e, &lim);
    INT_EQ(rc, WITSPER_E_UNSUPPORTED, "attempt over the bound");
    INT_EQ(e.offset, 2, "unsupported offset is the attempt's start");
    OK(b.data == NULL && b.len == 0, "unsupported leaves {NULL,0}");

    lim.work_bound = 7;
    rc = wsp_parse_blocks_ex(heavy, strlen(heavy), &b, &e, &lim);
    INT_EQ(rc, WITSPER_OK, "same document at exactly its weight");
    witsper_buffer_free(&b);

    lim.work_bound = 11;
    rc = wsp_parse_blocks_ex(heavy_ws, strlen(heavy_ws), &b, &e, &lim);
    INT_EQ(rc, WITSPER_E_UNSUPPORTED, "whitespace after } weighs 3");
    lim.work_bound = 12;
    rc = wsp_parse_blocks_ex(heavy_ws, strlen(heavy_ws), &b, &e, &lim);
    INT_EQ(rc, WITSPER_OK, "whitespace after }: exactly its weight");
    witsper_buffer_free(&b);

    /* A failed heavy attempt matters when a later token is found... */
    lim.work_bound = 10;
    rc = wsp_parse_blocks_ex(fail_then_token, strlen(fail_then_token), &b,
                             &e, &lim);
    INT_EQ(rc, WITSPER_E_UNSUPPORTED, "failed heavy attempt, later token");
    INT_EQ(e.offset, 0, "offset of the failed attempt");
    /* ...and not when none is: PCRE error and no match read the same. */
    rc = wsp_parse_blocks_ex(fail_no_token, strlen(fail_no_token), &b, &e,
                             &lim);
    INT_EQ(rc, WITSPER_OK, "failed heavy attempt, no later token");
    witsper_buffer_free(&b);

    /* With the default bound, a 10,000-pair body is accepted and a
     * 600,000-pair one (where PHP's PCRE fails) is refused. */
    {
        size_t pairs[2] = {10000, 600000}, k;
        int expect[2] = {WITSPER_OK, WITSPER_E_UNSUPPORTED};

        for (k = 0; k < 2; k++) {
            size_t n = 12 + 2 * pairs[k] + 6, i;
            char *d = malloc(n);

            if (d == NULL)
                exit(2);
            put_bytes(d, "<!-- wp:a {", 11);
            for (i = 0; i < pairs[k]; i++)
                put_bytes(d + 11 + 2 * i, "x}", 2);
            put_bytes(d + 11 + 2 * pairs[k], "} -->", 5);
            n = 11 + 2 * pairs[k] + 5;
            rc = witsper_parse_blocks(d, n, &b, &e);
            INT_EQ(rc, expect[k], "default work bound");
            witsper_buffer_free(&b);
            free(d);
        }
    }
}

int main(void)
{
    test_api();
    test_tokenizer();
    test_trees();
    test_nomem();
    test_work_bound();
    return check_summary("unit");
}
