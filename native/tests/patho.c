/*
 * patho.c - pathological inputs (generated here, never stored): deep and
 * unclosed nesting, huge comments and attributes, floods of "<!--".
 * Each case is parsed at size n and 2n: it must not crash, must give the
 * expected status and a well-formed plan, and its work must scale linearly.
 * Work, not time: wall and CPU time per MB change with the machine (a
 * 14 MB input falls out of one host's caches and not another's), so time
 * is printed and never judged here; `make bench` measures speed. What is
 * judged is deterministic:
 *   - here, in-process: the number of allocations and the peak of live
 *     heap bytes the parse makes (malloc/realloc/free are interposed);
 *   - by tests/patho-instr.sh: the instructions the parse executes,
 *     counted by callgrind (`patho --count K N` parses case K once at
 *     N units between callgrind's start/stop requests).
 * Ends with "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>
#include <valgrind/callgrind.h>

#include "witsper.h"
#include "plan_check.h"
#include "check.h"


/* ---- allocation accounting: the parse's heap work, counted exactly ----
 * The executable's malloc/realloc/calloc/free take precedence over libc's
 * for libwitsper too (ELF interposition); they forward to glibc's own
 * entry points and count only while g_counting is set (during a parse). */
extern void *__libc_malloc(size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_calloc(size_t, size_t);
extern void __libc_free(void *);

static int g_counting;
static size_t g_allocs, g_live, g_peak;

static void count_in(void *p)
{
    if (g_counting && p != NULL) {
        g_allocs++;
        g_live += malloc_usable_size(p);
        if (g_live > g_peak)
            g_peak = g_live;
    }
}

static void count_out(void *p)
{
    if (g_counting && p != NULL) {
        size_t n = malloc_usable_size(p);

        g_live = g_live > n ? g_live - n : 0;
    }
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);

    count_in(p);
    return p;
}

void *calloc(size_t k, size_t n)
{
    void *p = __libc_calloc(k, n);

    count_in(p);
    return p;
}

void *realloc(void *old, size_t n)
{
    void *p;

    count_out(old);
    p = __libc_realloc(old, n);
    /* A failed realloc keeps the old block: count it back in. */
    count_in(p != NULL ? p : (n ? old : NULL));
    return p;
}

void free(void *p)
{
    count_out(p);
    __libc_free(p);
}

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

typedef struct work {
    size_t allocs;          /* allocations (malloc/realloc) of one parse */
    size_t peak;            /* peak live heap bytes of one parse */
} work;

/* Parses the case at n units; returns CPU seconds (best of 3, printed
 * only), sizes, and the heap work of the parse (the same on every rep). */
static double run_one(const pcase *c, size_t n, size_t *in_bytes,
                      size_t *out_bytes, int *ok, work *w)
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
        double t0, t;
        int rc;

        g_allocs = g_live = g_peak = 0;
        g_counting = 1;
        t0 = now();
        rc = witsper_parse_blocks(b.p, b.n, &out, &err);
        t = now() - t0;
        g_counting = 0;
        w->allocs = g_allocs;
        w->peak = g_peak;
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
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* `patho --count K N`: case K at N units, parsed once with callgrind
 * collecting only the parse (run under --instr-atstart=no). */
static int count_mode(const char *ks, const char *ns)
{
    char *end;
    unsigned long k = strtoul(ks, &end, 10);
    unsigned long long n = strtoull(ns, &end, 10);
    buf b = {NULL, 0, 0};
    witsper_buffer out = {NULL, 0};
    witsper_error err = {0, NULL, 0};
    int rc;

    if (k >= NCASES || n == 0) {
        fprintf(stderr, "patho: --count K N: K < %zu, N > 0\n", NCASES);
        return 2;
    }
    cases[k].gen(&b, (size_t)n);
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_TOGGLE_COLLECT;
    rc = witsper_parse_blocks(b.p, b.n, &out, &err);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_STOP_INSTRUMENTATION;
    printf("case %lu n=%llu in=%zu out=%zu status=%d\n", k, n, b.n,
           out.len, rc);
    witsper_buffer_free(&out);
    free(b.p);
    return rc == cases[k].status ? 0 : 1;
}

/* n -> 2n of a count that grows linearly: at most 2.5x plus a constant
 * (quadratic work gives 4x; a doubling buffer gives exactly 2x). */
static int linear(size_t at_n, size_t at_2n, size_t slack)
{
    return (double)at_2n <= 2.5 * (double)at_n + (double)slack;
}

int main(int argc, char **argv)
{
    size_t k;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (k = 0; k < NCASES; k++)
            printf("%zu %zu %s\n", k, cases[k].n, cases[k].name);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--count") == 0)
        return count_mode(argv[2], argv[3]);
    if (argc != 1) {
        fprintf(stderr, "usage: patho [--list | --count K N]\n");
        return 2;
    }
    for (k = 0; k < NCASES; k++) {
        const pcase *c = &cases[k];
        size_t in1, out1, in2, out2;
        int ok1, ok2, lin_alloc, lin_peak;
        work w1, w2;
        double t1 = run_one(c, c->n, &in1, &out1, &ok1, &w1);
        double t2 = run_one(c, 2 * c->n, &in2, &out2, &ok2, &w2);

        /* Allocation calls grow at most linearly (in fact with log n);
         * the peak heap at most 2.5x (+64 KiB) for twice the input. */
        lin_alloc = linear(w1.allocs, w2.allocs, 16);
        lin_peak = linear(w1.peak, w2.peak, 65536);
        OK(ok1 && ok2, c->name);
        OK(lin_alloc, "allocations grow linearly");
        OK(lin_peak, "peak heap grows linearly");
        printf("%s %-38s in %6.1f MB out %6.1f MB: allocs %zu->%zu, "
               "peak heap %.1f->%.1f MB (x%.2f); cpu %.1f->%.1f ms "
               "(x%.2f, not judged)\n",
               ok1 && ok2 && lin_alloc && lin_peak ? "ok  " : "FAIL",
               c->name, (double)in2 / 1e6, (double)out2 / 1e6, w1.allocs,
               w2.allocs, (double)w1.peak / 1e6, (double)w2.peak / 1e6,
               w1.peak ? (double)w2.peak / (double)w1.peak : 0.0,
               t1 * 1e3, t2 * 1e3, t1 > 0 ? t2 / t1 : 0.0);
    }
    return check_summary("pathological");
}
