/*
 * plan_check.h - structural validation of a block plan, shared by the unit
 * tests, the pathological tests and the fuzz target (header-only, static).
 *
 * wsp_plan_validate() checks what any consumer relies on: the format
 * word, every (offset, length) inside the document, name ids in range,
 * leaf records with at most one non-empty piece, complex records whose
 * null slots equal their child count, and a post-order stream in which
 * no record claims more children than precede it. It returns NULL when
 * the plan is well formed, else a static description of the first fault.
 */
#ifndef WITSPER_PLAN_CHECK_H
#define WITSPER_PLAN_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "witsper.h"

static int wsp_pc_span_ok(uint32_t off, uint32_t len, size_t doc_len)
{
    return (size_t)off <= doc_len && (size_t)len <= doc_len - off;
}

/* top_out (may be NULL) receives the number of top-level blocks. */
static const char *wsp_plan_validate(const unsigned char *data,
                                     size_t nbytes, size_t doc_len,
                                     size_t *top_out)
{
    size_t nw = nbytes / 4, i, k, depth = 0;
    uint32_t n_names;
    const uint32_t *w;

    if (nbytes % 4 != 0 || nw < 2)
        return "plan size is not a whole number of words >= 2";
    /* The buffer comes from malloc: aligned for uint32_t. */
    w = (const uint32_t *)(const void *)data;
    if (w[0] != WITSPER_PLAN_FORMAT)
        return "format word is not 1";
    n_names = w[1];
    if ((size_t)n_names > (nw - 2) / 3)
        return "name table runs past the end";
    for (k = 0; k < n_names; k++) {
        const uint32_t *e = &w[2 + 3 * k];

        if (!wsp_pc_span_ok(e[0], e[1], doc_len) || e[1] == 0)
            return "name outside the document or empty";
        if (e[2] > 1)
            return "has_namespace is not 0 or 1";
    }
    i = 2 + 3 * (size_t)n_names;
    while (i < nw) {
        uint32_t head = w[i++], name_id = head >> 2;

        if (name_id > n_names)
            return "name id out of range";
        if (head & 2u) {
            if (nw - i < 2)
                return "truncated attrs";
            if (!wsp_pc_span_ok(w[i], w[i + 1], doc_len) || w[i + 1] < 2)
                return "attrs outside the document or too short";
            if (name_id == 0)
                return "freeform block with attrs";
            i += 2;
        }
        if (!(head & 1u)) {
            if (nw - i < 2)
                return "truncated leaf";
            if (!wsp_pc_span_ok(w[i], w[i + 1], doc_len))
                return "leaf piece outside the document";
            if (name_id == 0 && w[i + 1] == 0)
                return "empty freeform block";
            i += 2;
            depth++;
            continue;
        } else {
            uint32_t nc, np, nulls = 0;

            if (nw - i < 2)
                return "truncated complex record";
            nc = w[i];
            np = w[i + 1];
            i += 2;
            if ((size_t)np > (nw - i) / 2)
                return "pieces run past the end";
            for (k = 0; k < np; k++, i += 2) {
                if (w[i] == WITSPER_PLAN_NULL) {
                    if (w[i + 1] != 0)
                        return "null slot with a length";
                    nulls++;
                } else if (!wsp_pc_span_ok(w[i], w[i + 1], doc_len)) {
                    return "piece outside the document";
                }
            }
            if (nulls != nc)
                return "null slots differ from the child count";
            if (nc == 0 && (np == 0 || (np == 1 && w[i - 1] != 0)))
                return "complex record that should be a leaf";
            if ((size_t)nc > depth)
                return "more children than records before";
            if (name_id == 0)
                return "freeform block with children or pieces";
            depth = depth - nc + 1;
        }
    }
    if (top_out != NULL)
        *top_out = depth;
    return NULL;
}

#endif /* WITSPER_PLAN_CHECK_H */
