/*
 * internal.h - declarations shared by libwitsper's source files and its
 * C tests. Nothing here is exported from the shared library.
 */
#ifndef WITSPER_INTERNAL_H
#define WITSPER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "witsper.h"

/*
 * PCRE work bound (see docs/native.md, "PCRE limits").
 *
 * WordPress tokenizes with one preg_match() per token. PHP's defaults
 * (pcre.backtrack_limit=1000000, pcre.jit=1) make preg_match() fail once
 * one match attempt costs about 1,000,000 "match limit" units, and
 * WordPress then treats the rest of the document as having no tokens.
 * Measured with PHP 8.2.36 / PCRE2 10.42 (native/tests/pcre-limits.php),
 * per attempt (the counter restarts at each start position):
 *   attrs body "x}" x n   JIT fails at n = 499,993  interpreter 166,664
 *   attrs body "}}x" x n  JIT fails at n = 249,997  interpreter  90,908
 *   attrs body "} x" x n  JIT fails at n = 249,997  interpreter 166,664
 *   long runs of one alternative ([^}]+ over 20 MB) or of whitespace
 *   (\s+ is auto-possessive) never fail; many cheap failed attempts
 *   never fail (the counter is per attempt).
 * Per unit of a body, with JIT: [^}]+ costs 1, }+(?=}) 2, a "}" eaten
 * by "." 1, or 3 when whitespace follows it (the lookahead gets further);
 * a delimiter with attrs costs 14 more. The interpreter costs 3, 5 and
 * 3-4 for the same, i.e. at most 3x the JIT cost, plus 17.
 * We weigh every match attempt with the JIT costs and refuse
 * (WITSPER_E_UNSUPPORTED) a document where an attempt that matters
 * weighs more than WSP_PCRE_WORK_BOUND: 20x below the JIT limit and
 * 6.6x below the interpreter's. The fuzz target checks these weights
 * against the real PCRE2 with small match limits.
 */
#define WSP_PCRE_WORK_BOUND 50000u

/* One sentinel, one name: WITSPER_PLAN_NULL (witsper.h, 0xFFFFFFFF) is
 * "null" in every 32-bit field: an inner block's slot in a plan's piece
 * list, and inside the parser "no offset" / "no index" (documents are
 * < 4 GiB, so no real offset or id reaches it). PHP reads it as
 * Witsper_Block_Parser::PLAN_NULL. */

/* Knobs the C tests turn; the public API uses wsp_default_limits(). */
typedef struct wsp_limits {
    size_t work_bound;      /* per-attempt PCRE work bound, see above */
    size_t fail_alloc_at;   /* 0: never; k: the k-th allocation fails */
} wsp_limits;

/* The one allocation path: every allocation of a parse goes through
 * here, so the decision about running out of memory is in one place. */
typedef struct wsp_alloc {
    size_t count;           /* allocations attempted so far */
    size_t fail_at;         /* see wsp_limits.fail_alloc_at */
} wsp_alloc;

void *wsp_malloc(wsp_alloc *a, size_t size);
/* Grows *ptr to hold at least need elements of elem bytes (doubling).
 * Returns 0 on success, -1 on overflow or out of memory (then *ptr and
 * *cap are unchanged and still owned by the caller). */
int wsp_grow(wsp_alloc *a, void **ptr, size_t *cap, size_t need,
             size_t elem);
void wsp_free(void *ptr);

/* ---- tokenizer: the WP_Block_Parser regex, emulated ---- */

typedef enum wsp_token_type {
    WSP_TOK_NONE = 0,       /* no more tokens */
    WSP_TOK_OPENER,
    WSP_TOK_CLOSER,
    WSP_TOK_VOID
} wsp_token_type;

typedef struct wsp_token {
    wsp_token_type type;
    size_t start;           /* offset of "<!--" */
    size_t length;          /* whole match */
    size_t name_off;        /* after "wp:"; "ns/name" or "name" */
    size_t name_len;
    int has_ns;
    int has_attrs;
    size_t attrs_off;       /* the regex's attrs group */
    size_t attrs_len;
} wsp_token;

typedef struct wsp_tokenizer {
    const unsigned char *doc;
    size_t len;
    size_t work_bound;
    /* Cache of the last search for an attrs terminator "}\s+/?-->":
     * from term_from, the first terminator is at term_at (WSP_NO_POS
     * if none up to the end), and the scan weighed term_work. It keeps
     * the tokenizer linear when many "{" candidates fail. */
    int term_valid;
    size_t term_from;
    size_t term_at;
    size_t term_work;
} wsp_tokenizer;

#define WSP_NO_POS ((size_t)-1)

void wsp_tokenizer_init(wsp_tokenizer *tz, const unsigned char *doc,
                        size_t len, size_t work_bound);
/* Finds the leftmost match at or after from, like preg_match with an
 * offset. Returns 0 (tok filled; type NONE when nothing matched) or
 * WITSPER_E_UNSUPPORTED with *where set (PCRE would have failed before
 * reaching the match WordPress needs). */
int wsp_next_token(wsp_tokenizer *tz, size_t from, wsp_token *tok,
                   size_t *where);

/* ---- parser ---- */

void wsp_default_limits(wsp_limits *lim);
int wsp_parse_blocks_ex(const char *doc, size_t len, witsper_buffer *out,
                        witsper_error *err, const wsp_limits *lim);

#endif /* WITSPER_INTERNAL_H */
