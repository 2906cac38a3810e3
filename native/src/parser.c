/*
 * parser.c - WP_Block_Parser::parse() (WordPress 6.1.9) ported to C.
 *
 * The functions below mirror proceed(), add_freeform(),
 * add_inner_block() and add_block_from_stack() one to one, including
 * their quirks (see the comments marked WP:). The tree is built in
 * arrays indexed by 32-bit ids (nodes, innerContent pieces, frames),
 * then written out as a block plan (format in witsper.h) by an
 * iterative post-order walk: nesting depth never reaches the C stack.
 */
#include <string.h>

#include "internal.h"

typedef struct wsp_piece {
    uint32_t off;           /* WITSPER_PLAN_NULL: an inner block's null slot */
    uint32_t len;
    uint32_t next;          /* next piece of the node, or WITSPER_PLAN_NULL */
} wsp_piece;

typedef struct wsp_node {
    uint32_t name_id;       /* 0 = freeform (blockName null) */
    uint32_t has_attrs;
    uint32_t attrs_off, attrs_len;
    uint32_t first_piece, last_piece, n_pieces;
    uint32_t first_child, last_child, next_sibling, parent, n_children;
} wsp_node;

/* WP_Block_Parser_Frame */
typedef struct wsp_frame {
    uint32_t node;
    uint32_t token_start, token_length;
    uint32_t prev_offset;
    uint32_t leading_html_start;    /* WITSPER_PLAN_NULL = null */
} wsp_frame;

typedef struct wsp_name {
    uint32_t off, len, has_ns;
} wsp_name;

typedef struct wsp_slot {
    uint64_t hash;
    uint32_t id;            /* 1-based name id, 0 = empty slot */
} wsp_slot;

typedef struct wsp_parser {
    wsp_alloc alloc;
    const unsigned char *doc;
    uint32_t len;
    uint64_t seed;

    wsp_node *nodes;
    size_t n_nodes, cap_nodes;
    wsp_piece *pieces;
    size_t n_pieces, cap_pieces;
    wsp_frame *frames;
    size_t n_frames, cap_frames;
    uint32_t *top;          /* WP_Block_Parser::$output, as node ids */
    size_t n_top, cap_top;
    wsp_name *names;
    size_t n_names, cap_names;
    wsp_slot *slots;        /* open addressing, power-of-two size */
    size_t cap_slots;
} wsp_parser;

enum { WSP_ERR_NOMEM = -1 };

/* ---- tree building ---- */

static int wsp_new_node(wsp_parser *ps, uint32_t name_id,
                        const wsp_token *t, uint32_t *id)
{
    wsp_node *n;

    if (wsp_grow(&ps->alloc, (void **)&ps->nodes, &ps->cap_nodes,
                 ps->n_nodes + 1, sizeof(wsp_node)) != 0)
        return WSP_ERR_NOMEM;
    n = &ps->nodes[ps->n_nodes];
    memset(n, 0, sizeof(*n));
    n->name_id = name_id;
    if (t != NULL && t->has_attrs) {
        n->has_attrs = 1;
        n->attrs_off = (uint32_t)t->attrs_off;
        n->attrs_len = (uint32_t)t->attrs_len;
    }
    n->first_piece = WITSPER_PLAN_NULL;
    n->last_piece = WITSPER_PLAN_NULL;
    n->first_child = WITSPER_PLAN_NULL;
    n->last_child = WITSPER_PLAN_NULL;
    n->next_sibling = WITSPER_PLAN_NULL;
    n->parent = WITSPER_PLAN_NULL;
    *id = (uint32_t)ps->n_nodes++;
    return 0;
}

/* innerContent[] = substr(doc, off, len), or null when off is
 * WITSPER_PLAN_NULL */
static int wsp_add_piece(wsp_parser *ps, uint32_t node, uint32_t off,
                         uint32_t len)
{
    wsp_node *n;
    uint32_t id;

    if (wsp_grow(&ps->alloc, (void **)&ps->pieces, &ps->cap_pieces,
                 ps->n_pieces + 1, sizeof(wsp_piece)) != 0)
        return WSP_ERR_NOMEM;
    id = (uint32_t)ps->n_pieces++;
    ps->pieces[id].off = off;
    ps->pieces[id].len = len;
    ps->pieces[id].next = WITSPER_PLAN_NULL;
    n = &ps->nodes[node];
    if (n->last_piece == WITSPER_PLAN_NULL)
        n->first_piece = id;
    else
        ps->pieces[n->last_piece].next = id;
    n->last_piece = id;
    n->n_pieces++;
    return 0;
}

static int wsp_push_top(wsp_parser *ps, uint32_t node)
{
    if (wsp_grow(&ps->alloc, (void **)&ps->top, &ps->cap_top,
                 ps->n_top + 1, sizeof(uint32_t)) != 0)
        return WSP_ERR_NOMEM;
    ps->top[ps->n_top++] = node;
    return 0;
}

/* WP: freeform($innerHTML): blockName null, attrs array(),
 * innerContent array($innerHTML). Always called with non-empty HTML. */
static int wsp_push_freeform(wsp_parser *ps, uint32_t off, uint32_t len)
{
    uint32_t id;

    if (wsp_new_node(ps, 0, NULL, &id) != 0 ||
        wsp_add_piece(ps, id, off, len) != 0)
        return WSP_ERR_NOMEM;
    return wsp_push_top(ps, id);
}

/* WP: ! empty($html) is false for "" and for "0". */
static int wsp_not_empty(const wsp_parser *ps, uint32_t off, uint32_t len)
{
    return len > 1 || (len == 1 && ps->doc[off] != '0');
}

/* ---- block names ---- */

static uint64_t wsp_hash(uint64_t seed, const unsigned char *p, size_t n)
{
    uint64_t h = seed ^ 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    /* splitmix64 finalizer: spreads FNV's weak low bits */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

/* Returns the 1-based id of the token's name, adding it if new. */
static int wsp_intern(wsp_parser *ps, const wsp_token *t, uint32_t *id)
{
    const unsigned char *p = ps->doc + t->name_off;
    uint64_t h = wsp_hash(ps->seed, p, t->name_len);
    size_t mask, i;

    /* Keep the table at most half full. */
    if ((ps->n_names + 1) * 2 > ps->cap_slots) {
        size_t ncap = ps->cap_slots ? ps->cap_slots * 2 : 64, k;
        wsp_slot *ns;

        if (ncap > ((size_t)-1) / sizeof(wsp_slot))
            return WSP_ERR_NOMEM;
        ns = wsp_malloc(&ps->alloc, ncap * sizeof(wsp_slot));
        if (ns == NULL)
            return WSP_ERR_NOMEM;
        memset(ns, 0, ncap * sizeof(wsp_slot));
        for (k = 0; k < ps->cap_slots; k++) {
            if (ps->slots[k].id == 0)
                continue;
            i = (size_t)ps->slots[k].hash & (ncap - 1);
            while (ns[i].id != 0)
                i = (i + 1) & (ncap - 1);
            ns[i] = ps->slots[k];
        }
        wsp_free(ps->slots);
        ps->slots = ns;
        ps->cap_slots = ncap;
    }
    mask = ps->cap_slots - 1;
    i = (size_t)h & mask;
    while (ps->slots[i].id != 0) {
        const wsp_name *nm = &ps->names[ps->slots[i].id - 1];

        if (ps->slots[i].hash == h && nm->len == t->name_len &&
            memcmp(ps->doc + nm->off, p, nm->len) == 0) {
            *id = ps->slots[i].id;
            return 0;
        }
        i = (i + 1) & mask;
    }
    if (wsp_grow(&ps->alloc, (void **)&ps->names, &ps->cap_names,
                 ps->n_names + 1, sizeof(wsp_name)) != 0)
        return WSP_ERR_NOMEM;
    ps->names[ps->n_names].off = (uint32_t)t->name_off;
    ps->names[ps->n_names].len = (uint32_t)t->name_len;
    ps->names[ps->n_names].has_ns = (uint32_t)t->has_ns;
    ps->n_names++;
    ps->slots[i].hash = h;
    ps->slots[i].id = (uint32_t)ps->n_names;
    *id = (uint32_t)ps->n_names;
    return 0;
}

/* ---- WP_Block_Parser methods ---- */

/* WP: add_freeform() (always called without $length): the rest of the
 * document from $offset, unless that is empty. */
static int wsp_add_freeform(wsp_parser *ps, uint32_t offset)
{
    if (ps->len - offset == 0)
        return 0;
    return wsp_push_freeform(ps, offset, ps->len - offset);
}

/* WP: add_inner_block($block, $token_start, $token_length, $last_offset)
 * last_offset 0 stands for null (a real one is never 0). */
static int wsp_add_inner_block(wsp_parser *ps, uint32_t node,
                               uint32_t token_start, uint32_t token_length,
                               uint32_t last_offset)
{
    wsp_frame *parent = &ps->frames[ps->n_frames - 1];
    wsp_node *pn = &ps->nodes[parent->node];
    uint32_t hl = token_start - parent->prev_offset;

    ps->nodes[node].parent = parent->node;
    if (pn->last_child == WITSPER_PLAN_NULL)
        pn->first_child = node;
    else
        ps->nodes[pn->last_child].next_sibling = node;
    pn->last_child = node;
    pn->n_children++;
    if (wsp_not_empty(ps, parent->prev_offset, hl) &&
        wsp_add_piece(ps, parent->node, parent->prev_offset, hl) != 0)
        return WSP_ERR_NOMEM;
    if (wsp_add_piece(ps, parent->node, WITSPER_PLAN_NULL, 0) != 0)
        return WSP_ERR_NOMEM;
    /* WP: $last_offset ? $last_offset : $token_start + $token_length */
    ps->frames[ps->n_frames - 1].prev_offset =
        last_offset ? last_offset : token_start + token_length;
    return 0;
}

/* WP: add_block_from_stack($end_offset); has_end 0 means null. */
static int wsp_add_block_from_stack(wsp_parser *ps, int has_end,
                                    uint32_t end_offset)
{
    wsp_frame top = ps->frames[--ps->n_frames];
    uint32_t end = has_end ? end_offset : ps->len;
    uint32_t hl = end - top.prev_offset;

    if (wsp_not_empty(ps, top.prev_offset, hl) &&
        wsp_add_piece(ps, top.node, top.prev_offset, hl) != 0)
        return WSP_ERR_NOMEM;
    if (top.leading_html_start != WITSPER_PLAN_NULL &&
        wsp_push_freeform(ps, top.leading_html_start,
                          top.token_start - top.leading_html_start) != 0)
        return WSP_ERR_NOMEM;
    return wsp_push_top(ps, top.node);
}

/* WP: the whole do { } while ( proceed() ) loop of parse(). Returns 0,
 * WSP_ERR_NOMEM, or WITSPER_E_UNSUPPORTED with *where set. */
static int wsp_run(wsp_parser *ps, size_t work_bound, size_t *where)
{
    wsp_tokenizer tz;
    wsp_token t;
    uint32_t offset = 0;

    wsp_tokenizer_init(&tz, ps->doc, ps->len, work_bound);
    for (;;) {
        size_t depth = ps->n_frames;
        uint32_t start, end, leading, id, name_id;
        int rc = wsp_next_token(&tz, offset, &t, where);

        if (rc != 0)
            return rc;
        if (t.type == WSP_TOK_NONE) {
            /* WP: depth 0 flushes freeform, depth 1 assumes an implicit
             * closer, deeper stacks collapse piecewise, innermost first,
             * every block becoming a top-level sibling. All three are
             * this loop. */
            if (depth == 0)
                return wsp_add_freeform(ps, offset);
            while (ps->n_frames > 0)
                if (wsp_add_block_from_stack(ps, 0, 0) != 0)
                    return WSP_ERR_NOMEM;
            return 0;
        }
        start = (uint32_t)t.start;
        end = (uint32_t)(t.start + t.length);
        leading = start > offset ? offset : WITSPER_PLAN_NULL;

        switch (t.type) {
        case WSP_TOK_VOID:
            if (wsp_intern(ps, &t, &name_id) != 0 ||
                wsp_new_node(ps, name_id, &t, &id) != 0)
                return WSP_ERR_NOMEM;
            if (depth == 0) {
                if (leading != WITSPER_PLAN_NULL &&
                    wsp_push_freeform(ps, leading, start - leading) != 0)
                    return WSP_ERR_NOMEM;
                if (wsp_push_top(ps, id) != 0)
                    return WSP_ERR_NOMEM;
            } else if (wsp_add_inner_block(ps, id, start,
                                           (uint32_t)t.length, 0) != 0) {
                return WSP_ERR_NOMEM;
            }
            offset = end;
            break;

        case WSP_TOK_OPENER:
            if (wsp_intern(ps, &t, &name_id) != 0 ||
                wsp_new_node(ps, name_id, &t, &id) != 0 ||
                wsp_grow(&ps->alloc, (void **)&ps->frames, &ps->cap_frames,
                         ps->n_frames + 1, sizeof(wsp_frame)) != 0)
                return WSP_ERR_NOMEM;
            ps->frames[ps->n_frames].node = id;
            ps->frames[ps->n_frames].token_start = start;
            ps->frames[ps->n_frames].token_length = (uint32_t)t.length;
            ps->frames[ps->n_frames].prev_offset = end;
            ps->frames[ps->n_frames].leading_html_start = leading;
            ps->n_frames++;
            offset = end;
            break;

        case WSP_TOK_CLOSER:
        default:
            /* WP: a closer without opener ends parsing; the rest of the
             * document, closer included, is one freeform block. The
             * closer's name (and attrs) are never looked at. */
            if (depth == 0)
                return wsp_add_freeform(ps, offset);
            if (depth == 1) {
                if (wsp_add_block_from_stack(ps, 1, start) != 0)
                    return WSP_ERR_NOMEM;
            } else {
                wsp_frame top = ps->frames[--ps->n_frames];

                /* WP: no empty() check here: "" and "0" are kept. */
                if (wsp_add_piece(ps, top.node, top.prev_offset,
                                  start - top.prev_offset) != 0 ||
                    wsp_add_inner_block(ps, top.node, top.token_start,
                                        top.token_length, end) != 0)
                    return WSP_ERR_NOMEM;
            }
            offset = end;
            break;
        }
    }
}

/* ---- block plan output ---- */

static int wsp_is_leaf(const wsp_parser *ps, const wsp_node *n)
{
    /* A single "" piece (kept by a nested closer) must stay visible:
     * the leaf form with length 0 would mean innerContent = []. */
    return n->n_children == 0 &&
           (n->n_pieces == 0 ||
            (n->n_pieces == 1 && ps->pieces[n->first_piece].len > 0));
}

static size_t wsp_record_words(const wsp_parser *ps, const wsp_node *n)
{
    size_t w = 1 + (n->has_attrs ? 2u : 0u);

    if (wsp_is_leaf(ps, n))
        return w + 2;
    return w + 2 + 2 * (size_t)n->n_pieces;
}

static uint32_t *wsp_write_record(const wsp_parser *ps, const wsp_node *n,
                                  uint32_t *o)
{
    int leaf = wsp_is_leaf(ps, n);
    uint32_t p;

    *o++ = (n->name_id << 2) | (n->has_attrs << 1) | (leaf ? 0u : 1u);
    if (n->has_attrs) {
        *o++ = n->attrs_off;
        *o++ = n->attrs_len;
    }
    if (leaf) {
        *o++ = n->n_pieces ? ps->pieces[n->first_piece].off : 0;
        *o++ = n->n_pieces ? ps->pieces[n->first_piece].len : 0;
        return o;
    }
    *o++ = n->n_children;
    *o++ = n->n_pieces;
    for (p = n->first_piece; p != WITSPER_PLAN_NULL;
         p = ps->pieces[p].next) {
        *o++ = ps->pieces[p].off;
        *o++ = ps->pieces[p].len;
    }
    return o;
}

/* Iterative post-order walk of every top-level block. With out NULL it
 * only counts words. */
static size_t wsp_walk(const wsp_parser *ps, uint32_t *out)
{
    size_t words = 0, k;

    for (k = 0; k < ps->n_top; k++) {
        uint32_t root = ps->top[k], n = root;

        while (ps->nodes[n].first_child != WITSPER_PLAN_NULL)
            n = ps->nodes[n].first_child;
        for (;;) {
            const wsp_node *nd = &ps->nodes[n];

            if (out != NULL)
                out = wsp_write_record(ps, nd, out);
            words += wsp_record_words(ps, nd);
            if (n == root)
                break;
            if (nd->next_sibling != WITSPER_PLAN_NULL) {
                n = nd->next_sibling;
                while (ps->nodes[n].first_child != WITSPER_PLAN_NULL)
                    n = ps->nodes[n].first_child;
            } else {
                n = nd->parent;
            }
        }
    }
    return words;
}

static int wsp_emit(wsp_parser *ps, witsper_buffer *out)
{
    size_t words = 2 + 3 * ps->n_names + wsp_walk(ps, NULL), k;
    uint32_t *o, *w;

    if (words > ((size_t)-1) / sizeof(uint32_t))
        return WSP_ERR_NOMEM;
    o = wsp_malloc(&ps->alloc, words * sizeof(uint32_t));
    if (o == NULL)
        return WSP_ERR_NOMEM;
    w = o;
    *w++ = WITSPER_PLAN_FORMAT;
    *w++ = (uint32_t)ps->n_names;
    for (k = 0; k < ps->n_names; k++) {
        *w++ = ps->names[k].off;
        *w++ = ps->names[k].len;
        *w++ = ps->names[k].has_ns;
    }
    wsp_walk(ps, w);
    out->data = (unsigned char *)o;
    out->len = words * sizeof(uint32_t);
    return 0;
}

/* ---- entry point ---- */

void wsp_default_limits(wsp_limits *lim)
{
    lim->work_bound = WSP_PCRE_WORK_BOUND;
    lim->fail_alloc_at = 0;
}

static int wsp_fail(witsper_buffer *out, witsper_error *err, int code,
                    const char *message, size_t offset)
{
    if (out != NULL) {
        out->data = NULL;
        out->len = 0;
    }
    if (err != NULL) {
        err->code = code;
        err->message = message;
        err->offset = offset;
    }
    return code;
}

int wsp_parse_blocks_ex(const char *doc, size_t len, witsper_buffer *out,
                        witsper_error *err, const wsp_limits *lim)
{
    wsp_parser ps;
    size_t where = 0;
    int rc;

    if (out == NULL)
        return wsp_fail(out, err, WITSPER_E_ARGUMENT,
                        "out is NULL", 0);
    if (doc == NULL && len > 0)
        return wsp_fail(out, err, WITSPER_E_ARGUMENT,
                        "doc is NULL but len is not 0", 0);
    /* Plan offsets are 32-bit and 0xFFFFFFFF marks null slots. */
    if (len >= (size_t)WITSPER_PLAN_NULL)
        return wsp_fail(out, err, WITSPER_E_TOO_LARGE,
                        "document is 4 GiB or larger",
                        (size_t)WITSPER_PLAN_NULL);

    memset(&ps, 0, sizeof(ps));
    ps.alloc.fail_at = lim->fail_alloc_at;
    ps.doc = (const unsigned char *)(doc != NULL ? doc : "");
    ps.len = (uint32_t)len;
    /* Per-call hash seed from addresses (ASLR), so name collisions
     * cannot be precomputed; no global state is involved. */
    ps.seed = (uint64_t)(uintptr_t)&ps ^ ((uint64_t)(uintptr_t)doc << 1);

    rc = wsp_run(&ps, lim->work_bound, &where);
    if (rc == 0)
        rc = wsp_emit(&ps, out);

    wsp_free(ps.nodes);
    wsp_free(ps.pieces);
    wsp_free(ps.frames);
    wsp_free(ps.top);
    wsp_free(ps.names);
    wsp_free(ps.slots);

    if (rc == WSP_ERR_NOMEM)
        return wsp_fail(out, err, WITSPER_E_NOMEM, "out of memory", 0);
    if (rc == WITSPER_E_UNSUPPORTED)
        return wsp_fail(out, err, WITSPER_E_UNSUPPORTED,
                        "a block delimiter here needs more regex work "
                        "than PCRE's default limits allow; "
                        "use WP_Block_Parser", where);
    return WITSPER_OK;
}
