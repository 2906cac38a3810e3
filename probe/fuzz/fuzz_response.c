/* fuzz_response.c - libFuzzer target for everything fpm-probe does with
 * bytes that come back from the socket: FastCGI records (fcgi.c), the CGI
 * header block, and the status JSON (status.c).
 *
 * The first byte chooses options, the rest is the server's answer:
 *   bits 0-1  request id: 1, 0, 0xffff, or 2
 *   bit  2    tiny STDOUT buffer (13 bytes) instead of 4 KiB
 *   bit  3    no STDERR buffer
 *   bits 4-7  feeding: all at once, or chunks of 1..15 bytes
 * The same bytes also go through the encoder (read as name-value pairs +
 * STDIN, encoded, decoded back: must round-trip).
 * Invariants are checked with __builtin_trap() so a broken one is a crash.
 * Build: clang -fsanitize=fuzzer,address,undefined (see probe/Makefile).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void check_params(const uint8_t *data, size_t size);

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
    size_t chunk;
    int rc = 0;

    if (size == 0)
        return 0;
    opt = data[0];
    data++;
    size--;
    check_params(data, size);

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
        size_t pos;
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
    return 0;
}

/* Encoder round trip: the request built from these parameters and this
 * STDIN must be well framed and give back exactly the same bytes. */
static void check_encoder(const struct fcgi_param *ps, size_t n,
                          const unsigned char *in, size_t in_len)
{
    size_t len = fcgi_encode_request(NULL, 0, 0x1234, ps, n, in, in_len);
    size_t pos = 0, got_in = 0, k = 0, pstream_len = 0, i;
    unsigned char *req, *pstream;
    int stage = 0; /* 0 begin, 1 params, 2 stdin, 3 done */

    CHECK(len >= 32);
    req = malloc(len);
    pstream = malloc(len);
    CHECK(req != NULL && pstream != NULL);
    CHECK(fcgi_encode_request(req, len, 0x1234, ps, n, in, in_len) == len);
    while (pos < len) {
        size_t clen, plen;
        int type;
        CHECK(len - pos >= 8 && req[pos] == 1);
        CHECK(req[pos + 2] == 0x12 && req[pos + 3] == 0x34);
        type = req[pos + 1];
        clen = ((size_t)req[pos + 4] << 8) | req[pos + 5];
        plen = req[pos + 6];
        CHECK((clen + plen) % 8 == 0 && len - pos - 8 >= clen + plen);
        if (stage == 0) {
            CHECK(type == FCGI_BEGIN_REQUEST && clen == 8);
            stage = 1;
        } else if (stage == 1) {
            CHECK(type == FCGI_PARAMS);
            memcpy(pstream + pstream_len, req + pos + 8, clen);
            pstream_len += clen;
            if (clen == 0)
                stage = 2;
        } else {
            CHECK(stage == 2 && type == FCGI_STDIN);
            CHECK(clen <= in_len - got_in);
            CHECK(memcmp(req + pos + 8, in + got_in, clen) == 0);
            got_in += clen;
            if (clen == 0)
                stage = 3;
        }
        pos += 8 + clen + plen;
    }
    CHECK(stage == 3 && got_in == in_len);
    for (i = 0; i < pstream_len; k++) {
        struct fcgi_param nv;
        size_t c = fcgi_decode_param(pstream + i, pstream_len - i, &nv);
        CHECK(c > 0 && k < n);
        CHECK(nv.name_len == ps[k].name_len);
        CHECK(nv.value_len == ps[k].value_len);
        CHECK(memcmp(nv.name, ps[k].name, nv.name_len) == 0);
        CHECK(memcmp(nv.value, ps[k].value, nv.value_len) == 0);
        i += c;
    }
    CHECK(k == n);
    free(req);
    free(pstream);
}

/* The input read as a name-value stream (GET_VALUES_RESULT format), then
 * fed to the encoder; what follows the pairs is the STDIN. */
static void check_params(const uint8_t *data, size_t size)
{
    struct fcgi_param ps[16];
    size_t n = 0, pos = 0;
    while (pos < size && n < 16) {
        size_t c = fcgi_decode_param(data + pos, size - pos, &ps[n]);
        if (c == 0)
            break;
        CHECK(c <= size - pos);
        /* <=: the long form may encode a short length */
        CHECK(fcgi_param_size(&ps[n]) <= c);
        pos += c;
        n++;
    }
    check_encoder(ps, n, data + pos, size - pos);
}
