/* fuzz_response.c - libFuzzer target for everything fpm-probe does with
 * bytes that come back from the socket: FastCGI records (fcgi.c), the CGI
 * header block, and the status JSON (status.c).
 *
 * The first byte chooses options, the rest is the server's answer:
 *   bits 0-1  request id: 1, 0, 0xffff, or 2
 *   bit  2    tiny STDOUT buffer (13 bytes) instead of 4 KiB
 *   bit  3    no STDERR buffer
 *   bits 4-7  feeding: all at once, or chunks of 1..15 bytes
 * Invariants are checked with __builtin_trap() so a broken one is a crash.
 * Build: clang -fsanitize=fuzzer,address,undefined (see probe/Makefile).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fcgi.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                             \
    do {                                                                     \
        if (!(c))                                                            \
            __builtin_trap();                                                \
    } while (0)

static void check_status(const unsigned char *body, size_t len)
{
    struct fpm_status st;
    struct status_limits lim = {2, 3};
    const char *why;
    char reason[160], json[2048];
    enum verdict v;
    size_t n;

    if (status_parse((const char *)body, len, &st, &why) != 0) {
        CHECK(why != NULL);
        return;
    }
    CHECK(memchr(st.pool, '\0', sizeof st.pool) != NULL);
    CHECK(memchr(st.pm, '\0', sizeof st.pm) != NULL);
    v = status_verdict(&st, &lim, 7, reason, sizeof reason);
    CHECK(v == V_GREEN || v == V_BUSY);
    n = status_json(&st, v, 7, reason, json, sizeof json);
    /* the pool name is at most 63 bytes, 6x when escaped: always fits */
    CHECK(n < sizeof json && strlen(json) == n);
    CHECK(json[0] == '{' && json[n - 1] == '}');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t ids[4] = {1, 0, 0xffff, 2};
    unsigned char out[4096], err[512];
    struct fcgi_parser p;
    struct cgi_response r;
    uint8_t opt;
    size_t chunk, pos;
    int rc = 0;

    if (size == 0)
        return 0;
    opt = data[0];
    data++;
    size--;

    memset(&p, 0, sizeof p);
    p.request_id = ids[opt & 3];
    p.out = out;
    p.out_cap = (opt & 4) ? 13 : sizeof out;
    p.err = (opt & 8) ? NULL : err;
    p.err_cap = (opt & 8) ? 0 : sizeof err;
    fcgi_parser_init(&p);

    chunk = opt >> 4;
    if (chunk == 0) {
        rc = fcgi_parser_feed(&p, data, size);
    } else {
        for (pos = 0; pos < size; pos += chunk) {
            size_t n = size - pos < chunk ? size - pos : chunk;
            rc = fcgi_parser_feed(&p, data + pos, n);
        }
    }
    CHECK(rc >= -1 && rc <= 1);
    CHECK(p.offset == size);
    CHECK(p.out_len <= p.out_cap && p.out_len <= p.out_total);
    CHECK(p.err_len <= p.err_cap && p.err_len <= p.err_total);
    CHECK(p.out_total <= size && p.err_total <= size);
    CHECK(p.ignored <= p.records);
    CHECK(strlen(fcgi_strerror(p.error)) > 0);
    if (fcgi_parser_finish(&p) != 0) {
        CHECK(p.error != FCGI_OK);
        CHECK(p.error_offset <= size);
        return 0;
    }
    CHECK(p.done && p.protocol_status == FCGI_REQUEST_COMPLETE);
    CHECK(p.out_total + p.err_total + p.trailing + 16 <= size);

    if (cgi_parse(p.out, p.out_len, &r) == 0) {
        const unsigned char *v;
        size_t vlen;
        CHECK(r.status >= 100 && r.status <= 599);
        CHECK(r.headers_len <= p.out_len);
        CHECK(r.body >= p.out && r.body + r.body_len == p.out + p.out_len);
        if (cgi_header(&r, "Content-type", &v, &vlen))
            CHECK(v >= r.headers && v + vlen <= r.headers + r.headers_len);
        check_status(r.body, r.body_len);
    }
    /* the same bytes as a name-value stream (GET_VALUES_RESULT format) */
    for (pos = 0; pos < size;) {
        struct fcgi_param nv;
        size_t n = fcgi_decode_param(data + pos, size - pos, &nv);
        if (n == 0)
            break;
        CHECK(n <= size - pos);
        /* <=: the long form may encode a short length */
        CHECK(fcgi_param_size(&nv) <= n);
        pos += n;
    }
    return 0;
}
