/*
 * tokenizer.c - WP_Block_Parser::next_token() without PCRE.
 *
 * WordPress 6.1.9 finds block delimiters with
 *
 *   /<!--\s+(?P<closer>\/)?wp:(?P<namespace>[a-z][a-z0-9_-]*\/)?
 *    (?P<name>[a-z][a-z0-9_-]*)\s+(?P<attrs>{(?:(?:[^}]+|}+(?=})|
 *    (?!}\s+\/?-->).)*+)?}\s+)?(?P<void>\/)?-->/s
 *
 * called as preg_match(..., PREG_OFFSET_CAPTURE, $offset): the leftmost
 * match at or after $offset, byte-wise (no /u), \s = [ \t\n\v\f\r].
 * Why each step below is deterministic (no backtracking to emulate):
 *  - every \s+ is followed by something that cannot be \s ("/", "w",
 *    "{", "-"), so only its longest run can succeed;
 *  - the namespace run is followed by "/" and the name run by \s, and
 *    neither run can contain those, so shorter runs never help; when a
 *    namespace matched but the name after it does not, the alternative
 *    without namespace fails too (its name would be followed by "/");
 *  - the attrs body is possessive (*+): it runs to the end of the first
 *    iteration that cannot continue, i.e. to the first "}" that is
 *    followed by \s+\/?--> (a "}" inside a run of "}" is eaten by
 *    }+(?=}) and the last one by the negative lookahead's "."), or to
 *    the end of the document. In the second case the attrs group fails
 *    as a whole, and without attrs "(/)?-->" cannot match at "{" either,
 *    so the attempt at this "<!--" fails.
 * So an attrs group, when present, ends at the first terminator
 * "}\s+/?-->" after its "{", plus the whitespace after that "}".
 *
 * Linear time: a failed "{" attempt scans to the end of the document;
 * the last terminator search is cached, so later attempts reuse it and
 * the whole tokenization reads each byte a bounded number of times.
 */
#include <string.h>

#include "internal.h"

/* PCRE's \s without /u: space, \t, \n, \v, \f, \r; not NBSP, not 0x85. */
static int wsp_is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int wsp_is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int wsp_is_namechar(unsigned char c)
{
    return wsp_is_lower(c) || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

void wsp_tokenizer_init(wsp_tokenizer *tz, const unsigned char *doc,
                        size_t len, size_t work_bound)
{
    tz->doc = doc;
    tz->len = len;
    tz->work_bound = work_bound;
    tz->term_valid = 0;
    tz->term_from = 0;
    tz->term_at = WSP_NO_POS;
    tz->term_work = 0;
}

/* Does "}\s+/?-->" start at j (doc[j] == '}')? */
static int wsp_is_terminator(const wsp_tokenizer *tz, size_t j)
{
    const unsigned char *d = tz->doc;
    size_t i = j + 1;

    if (i >= tz->len || !wsp_is_space(d[i]))
        return 0;
    while (i < tz->len && wsp_is_space(d[i]))
        i++;
    if (i < tz->len && d[i] == '/')
        i++;
    return tz->len - i >= 3 && d[i] == '-' && d[i + 1] == '-' &&
           d[i + 2] == '>';
}

/*
 * Runs the possessive attrs body from s: returns the first terminator
 * "}" at or after s (WSP_NO_POS if none) and the PCRE work it weighs:
 * 1 per [^}]+ run, 2 per }+(?=}), and for a "}" consumed by "." 1, or 3
 * when whitespace follows it (PCRE2 JIT's match-limit units, measured).
 */
static void wsp_scan_body(const wsp_tokenizer *tz, size_t s, size_t *at,
                          size_t *work)
{
    const unsigned char *d = tz->doc;
    size_t i = s, w = 0;

    while (i < tz->len) {
        const unsigned char *p = memchr(d + i, '}', tz->len - i);
        size_t j, e;

        if (p == NULL) {
            w += 1;
            break;
        }
        j = (size_t)(p - d);
        if (j > i)
            w += 1;
        e = j;
        while (e < tz->len && d[e] == '}')
            e++;
        if (e - j >= 2)
            w += 2;
        if (wsp_is_terminator(tz, e - 1)) {
            *at = e - 1;
            *work = w;
            return;
        }
        /* "." eats this "}": PCRE's lookahead gets further (and costs
         * more) when whitespace follows it. */
        w += (e < tz->len && wsp_is_space(d[e])) ? 3u : 1u;
        i = e;
    }
    *at = WSP_NO_POS;
    *work = w;
}

/* wsp_scan_body() with a one-entry cache (see wsp_tokenizer). A later
 * start inside the cached range weighs at most what the cached scan
 * weighed (plus a small slack for where it starts in a run). */
static void wsp_find_terminator(wsp_tokenizer *tz, size_t s, size_t *at,
                                size_t *work)
{
    if (tz->term_valid && s >= tz->term_from &&
        (tz->term_at == WSP_NO_POS || tz->term_at >= s)) {
        *at = tz->term_at;
        *work = tz->term_work + 3;
        return;
    }
    wsp_scan_body(tz, s, at, work);
    tz->term_valid = 1;
    tz->term_from = s;
    tz->term_at = *at;
    tz->term_work = *work;
}

/* One match attempt at j (doc[j..j+4) == "<!--"). Returns 1 and fills
 * tok on a match, 0 otherwise; *work is the attempt's PCRE weight. */
static int wsp_match_at(wsp_tokenizer *tz, size_t j, wsp_token *tok,
                        size_t *work)
{
    const unsigned char *d = tz->doc;
    size_t len = tz->len, i = j + 4, at, w;
    int closer = 0, is_void = 0;

    *work = 0;
    if (i >= len || !wsp_is_space(d[i]))
        return 0;
    while (i < len && wsp_is_space(d[i]))
        i++;
    if (i < len && d[i] == '/') {
        closer = 1;
        i++;
    }
    if (len - i < 3 || d[i] != 'w' || d[i + 1] != 'p' || d[i + 2] != ':')
        return 0;
    i += 3;
    tok->name_off = i;
    tok->has_ns = 0;
    if (i >= len || !wsp_is_lower(d[i]))
        return 0;
    i++;
    while (i < len && wsp_is_namechar(d[i]))
        i++;
    if (i < len && d[i] == '/') {
        tok->has_ns = 1;
        i++;
        if (i >= len || !wsp_is_lower(d[i]))
            return 0;
        i++;
        while (i < len && wsp_is_namechar(d[i]))
            i++;
    }
    tok->name_len = i - tok->name_off;
    if (i >= len || !wsp_is_space(d[i]))
        return 0;
    while (i < len && wsp_is_space(d[i]))
        i++;
    tok->has_attrs = 0;
    tok->attrs_off = 0;
    tok->attrs_len = 0;
    if (i < len && d[i] == '{') {
        wsp_find_terminator(tz, i + 1, &at, &w);
        *work = w;
        if (at == WSP_NO_POS)
            return 0;
        tok->has_attrs = 1;
        tok->attrs_off = i;
        i = at + 1;
        while (i < len && wsp_is_space(d[i]))
            i++;
        tok->attrs_len = i - tok->attrs_off;
    }
    if (i < len && d[i] == '/') {
        is_void = 1;
        i++;
    }
    if (len - i < 3 || d[i] != '-' || d[i + 1] != '-' || d[i + 2] != '>')
        return 0;
    i += 3;
    tok->start = j;
    tok->length = i - j;
    /* WordPress checks void before closer: "<!-- /wp:a /-->" is void. */
    if (is_void)
        tok->type = WSP_TOK_VOID;
    else if (closer)
        tok->type = WSP_TOK_CLOSER;
    else
        tok->type = WSP_TOK_OPENER;
    return 1;
}

int wsp_next_token(wsp_tokenizer *tz, size_t from, wsp_token *tok,
                   size_t *where)
{
    const unsigned char *d = tz->doc;
    size_t i = from, over_at = WSP_NO_POS;

    while (i < tz->len) {
        const unsigned char *p = memchr(d + i, '<', tz->len - i);
        size_t j, work;

        if (p == NULL)
            break;
        j = (size_t)(p - d);
        /* The shortest token, "<!-- wp:a -->", is 13 bytes. */
        if (tz->len - j < 13)
            break;
        if (d[j + 1] == '!' && d[j + 2] == '-' && d[j + 3] == '-') {
            int found = wsp_match_at(tz, j, tok, &work);

            /* PCRE would fail this attempt; that only changes
             * WordPress's result if this search still finds a token
             * (failure and "no match" both mean "no more tokens"). */
            if (work > tz->work_bound && over_at == WSP_NO_POS)
                over_at = j;
            if (found) {
                if (over_at != WSP_NO_POS) {
                    *where = over_at;
                    return WITSPER_E_UNSUPPORTED;
                }
                return 0;
            }
        }
        i = j + 1;
    }
    tok->type = WSP_TOK_NONE;
    return 0;
}
