/*
 * fuzz_parse.c - libFuzzer target for the block parser (build with
 * clang -fsanitize=fuzzer,address,undefined; see `make fuzz`).
 *
 * Byte 0 selects options, the rest is the document:
 *   bit 0: tiny PCRE work bound (byte 1 + 1) to exercise UNSUPPORTED;
 *   bit 1: make the (byte 1)-th allocation fail to exercise NOMEM.
 * Every successful plan is validated structurally (offsets and lengths
 * inside the document, name ids, leaf/complex records, children counts
 * against a post-order stack) and must be byte-identical when the same
 * document is parsed again with default options. Any violation aborts
 * (this is test code; the library itself never aborts).
 */
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
    if (opt & 3u) {
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
