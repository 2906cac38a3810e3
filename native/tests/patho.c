/*
 * patho.c - pathological inputs (generated here, never stored): deep and
 * unclosed nesting, huge comments and attributes, floods of "<!--".
 * Each case is parsed at size n and 2n: it must not crash, must give the
 * expected status and a well-formed plan, stay within a generous time per
 * MB of input + output, and scale linearly (t(2n) <= 3 t(n) + slack).
 * Ends with "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "witsper.h"
#include "plan_check.h"

static int g_pass, g_fail;

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;

        while (c < b->n + n)
            c *= 2;
        b->p = realloc(b->p, c);
        if (b->p == NULL) {
            fprintf(stderr, "patho: out of memory\n");
            exit(2);
        }
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void puts_n(buf *b, const char *s, size_t times)
{
    size_t k, l = strlen(s);

    for (k = 0; k < times; k++)
        put(b, s, l);
}

static void fill(buf *b, char c, size_t times)
{
    size_t k;

    for (k = 0; k < times; k++)
        put(b, &c, 1);
}

/* ---- generators: n is the case's unit count ---- */

static void g_deep_closed(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:a -->", n);
    puts_n(b, "<!-- /wp:a -->", n);
}

static void g_deep_unclosed(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:a -->", n);
    put(b, "x", 1);
}

static void g_deep_text(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:group {\"a\":1} -->x", n);
    puts_n(b, "<!-- /wp:group -->y", n);
}

static void g_comment(buf *b, size_t n)
{
    put(b, "<!--", 4);
    fill(b, 'x', n);
    put(b, "-->", 3);
}

static void g_attrs(buf *b, size_t n)
{
    put(b, "<!-- wp:a {\"a\":\"", 16);
    fill(b, 'x', n);
    put(b, "\"} /-->", 7);
}

static void g_lt_comment(buf *b, size_t n)
{
    puts_n(b, "<!--", n);
}

static void g_open_brace(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:a {", n);
    put(b, "<!-- wp:b -->", 13);
}

static void g_lt(buf *b, size_t n)
{
    fill(b, '<', n);
}

static void g_ws(buf *b, size_t n)
{
    put(b, "<!--", 4);
    fill(b, ' ', n);
    put(b, "wp:a", 4);
    fill(b, '\v', n);
    put(b, "{}", 2);
    fill(b, '\t', n);
    put(b, "/-->", 4);
}

static void g_voids(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:a /-->", n);
}

static void g_names(buf *b, size_t n)
{
    size_t k;
    char s[40];

    for (k = 0; k < n; k++) {
        int l = snprintf(s, sizeof(s), "<!-- wp:n%zu /-->", k);

        put(b, s, (size_t)l);
    }
}

static void g_braces_heavy(buf *b, size_t n)
{
    put(b, "<!-- wp:a {", 11);
    puts_n(b, "x}", n);
    put(b, "} -->", 5);
}

static void g_stray_closers(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:a -->x<!-- wp:b /-->", n);
    puts_n(b, "<!-- /wp:a -->", n + 1);
}

static void g_almost(buf *b, size_t n)
{
    puts_n(b, "<!-- wp:a {\"x\":1}--", n);
}

typedef struct pcase {
    const char *name;
    void (*gen)(buf *, size_t);
    size_t n;               /* size n; the scaling check also uses 2n */
    int status;
} pcase;

static double now(void)
{
    struct timespec ts;

    /* CPU time of this process: the suite runs on shared 2-core CI
     * machines where wall time mostly measures the neighbours. */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses the case at n units; returns seconds (best of 3) and sizes. */
static double run_one(const pcase *c, size_t n, size_t *in_bytes,
                      size_t *out_bytes, int *ok)
{
    buf b = {NULL, 0, 0};
    double best = 1e9;
    int rep;

    c->gen(&b, n);
    *in_bytes = b.n;
    *ok = 1;
    for (rep = 0; rep < 3; rep++) {
        witsper_buffer out = {NULL, 0};
        witsper_error err = {0, NULL, 0};
        double t0 = now(), t;
        int rc = witsper_parse_blocks(b.p, b.n, &out, &err);

        t = now() - t0;
        if (t < best)
            best = t;
        if (rc != c->status) {
            fprintf(stderr, "FAIL %s n=%zu: status %d (%s), want %d\n",
                    c->name, n, rc, err.message ? err.message : "",
                    c->status);
            *ok = 0;
        }
        if (rc == WITSPER_OK) {
            const char *bad = wsp_plan_validate(out.data, out.len, b.n,
                                                NULL);

            if (bad != NULL) {
                fprintf(stderr, "FAIL %s n=%zu: plan %s\n", c->name, n,
                        bad);
                *ok = 0;
            }
        }
        *out_bytes = out.len;
        witsper_buffer_free(&out);
    }
    free(b.p);
    return best;
}

int main(void)
{
    static const pcase cases[] = {
        {"100,000-deep nesting, closed", g_deep_closed, 50000, 0},
        {"100,000-deep nesting, unclosed", g_deep_unclosed, 50000, 0},
        {"1,000,000 unclosed openers", g_deep_unclosed, 500000, 0},
        {"deep nesting with attrs and text", g_deep_text, 50000, 0},
        {"10 MB comment", g_comment, 5000000, 0},
        {"10 MB of attributes", g_attrs, 5000000, 0},
        {"10 MB of <!-- without closers", g_lt_comment, 1250000, 0},
        {"10 MB of unterminated attrs openers", g_open_brace, 450000, 0},
        {"10 MB of <", g_lt, 5000000, 0},
        {"30 MB of delimiter whitespace", g_ws, 5000000, 0},
        {"1,000,000 void blocks", g_voids, 500000, 0},
        {"500,000 distinct block names", g_names, 250000, 0},
        {"stray closers", g_stray_closers, 200000, 0},
        {"almost-delimiters", g_almost, 250000, 0},
        {"attrs over the PCRE bound", g_braces_heavy, 2500000,
         WITSPER_E_UNSUPPORTED},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const pcase *c = &cases[k];
        size_t in1, out1, in2, out2;
        int ok1, ok2;
        double t1 = run_one(c, c->n, &in1, &out1, &ok1);
        double t2 = run_one(c, 2 * c->n, &in2, &out2, &ok2);
        double mb = (double)(in2 + out2) / 1e6;
        /* Generous: 50 ms per MB of input + output; 3x (+50 ms of
         * noise from a shared machine) for 2x the size: quadratic work
         * at these sizes takes minutes, not milliseconds. */
        int fast = t2 <= 0.05 * mb + 0.05;
        int linear = t2 <= 3.0 * t1 + 0.05;

        if (ok1 && ok2)
            g_pass++;
        else
            g_fail++;
        if (fast)
            g_pass++;
        else
            g_fail++;
        if (linear)
            g_pass++;
        else
            g_fail++;
        printf("%s %-38s in %6.1f MB out %6.1f MB: %7.2f ms, n->2n x%.2f%s\n",
               ok1 && ok2 && fast && linear ? "ok  " : "FAIL", c->name,
               (double)in2 / 1e6, (double)out2 / 1e6, t2 * 1e3,
               t1 > 0 ? t2 / t1 : 0.0,
               fast ? "" : " (too slow)");
        if (!linear)
            printf("     not linear: %.2f ms at n, %.2f ms at 2n\n",
                   t1 * 1e3, t2 * 1e3);
    }
    printf("pathological: %d passed, %d failed\n", g_pass, g_fail);
    return g_fail == 0 ? 0 : 1;
}
