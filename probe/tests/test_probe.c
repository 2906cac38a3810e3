/* test_probe.c - unit tests of fpm-probe's pure parts (encoder, parser,
 * CGI split, status JSON, verdict, options, advise arithmetic and /proc
 * parsing) and of net.c against canned local servers. Offline. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advise.h"
#include "fcgi.h"
#include "check.h"
#include "net.h"
#include "opts.h"
#include "status.h"

/* ---- helpers that build server answers ---------------------------- */

struct buf {
    unsigned char *d;
    size_t len, cap;
};

static void b_put(struct buf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *d;
        while (cap < b->len + n)
            cap *= 2;
        d = realloc(b->d, cap);
        if (d == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->d = d;
        b->cap = cap;
    }
    memcpy(b->d + b->len, src, n);
    b->len += n;
}

static void rec(struct buf *b, int version, int type, unsigned id,
                const void *content, size_t clen, size_t plen)
{
    unsigned char h[8];
    static const unsigned char zeros[256] = {0};
    h[0] = (unsigned char)version;
    h[1] = (unsigned char)type;
    h[2] = (unsigned char)(id >> 8);
    h[3] = (unsigned char)id;
    h[4] = (unsigned char)(clen >> 8);
    h[5] = (unsigned char)clen;
    h[6] = (unsigned char)plen;
    h[7] = 0;
    b_put(b, h, 8);
    if (clen)
        b_put(b, content, clen);
    if (plen)
        b_put(b, zeros, plen);
}

static void out_rec(struct buf *b, unsigned id, const char *s)
{
    rec(b, 1, FCGI_STDOUT, id, s, strlen(s), (8 - strlen(s) % 8) % 8);
}

static void end_rec(struct buf *b, unsigned id, uint32_t app, int proto)
{
    unsigned char e[8] = {0};
    e[0] = (unsigned char)(app >> 24);
    e[1] = (unsigned char)(app >> 16);
    e[2] = (unsigned char)(app >> 8);
    e[3] = (unsigned char)app;
    e[4] = (unsigned char)proto;
    rec(b, 1, FCGI_END_REQUEST, id, e, 8, 0);
}

static unsigned char outbuf[4096];
static unsigned char errbuf[512];

static void parser_for(struct fcgi_parser *p, uint16_t id, size_t out_cap)
{
    memset(p, 0, sizeof *p);
    p->request_id = id;
    p->out = outbuf;
    p->out_cap = out_cap;
    p->err = errbuf;
    p->err_cap = sizeof errbuf;
    fcgi_parser_init(p);
}

/* ---- encoder -------------------------------------------------------- */

static struct fcgi_param mkp(const char *n, const char *v)
{
    struct fcgi_param p;
    p.name = n;
    p.name_len = strlen(n);
    p.value = v;
    p.value_len = strlen(v);
    return p;
}

/* Walks an encoded request: checks framing, collects PARAMS and STDIN
 * content. Returns 0 if well formed. */
static int walk_request(const unsigned char *d, size_t len, uint16_t id,
                        struct buf *params, struct buf *in, int *nrec)
{
    size_t pos = 0;
    int params_end = 0, stdin_end = 0, first = 1;
    *nrec = 0;
    while (pos < len) {
        size_t clen, plen;
        int type;
        if (len - pos < 8 || d[pos] != 1)
            return -1;
        type = d[pos + 1];
        if (((d[pos + 2] << 8) | d[pos + 3]) != id)
            return -1;
        clen = ((size_t)d[pos + 4] << 8) | d[pos + 5];
        plen = d[pos + 6];
        if (len - pos - 8 < clen + plen || (clen + plen) % 8 != 0)
            return -1;
        if (first && (type != FCGI_BEGIN_REQUEST || clen != 8 ||
                      d[pos + 9] != FCGI_RESPONDER || d[pos + 10] != 0))
            return -1;
        if (type == FCGI_PARAMS) {
            if (params_end)
                return -1;
            if (clen == 0)
                params_end = 1;
            else
                b_put(params, d + pos + 8, clen);
        } else if (type == FCGI_STDIN) {
            if (!params_end || stdin_end)
                return -1;
            if (clen == 0)
                stdin_end = 1;
            else
                b_put(in, d + pos + 8, clen);
        } else if (!first) {
            return -1;
        }
        first = 0;
        pos += 8 + clen + plen;
        (*nrec)++;
    }
    return params_end && stdin_end ? 0 : -1;
}

static void test_encoder(void)
{
    unsigned char small[64], *big;
    struct fcgi_param ps[3], got;
    struct buf params = {0}, in = {0};
    size_t n, used;
    int nrec;
    char *longv;
    static const unsigned char empty_req[32] = {
        1, 1, 0, 7, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        1, 4, 0, 7, 0, 0, 0, 0, 1, 5, 0, 7, 0, 0, 0, 0};

    n = fcgi_encode_request(small, sizeof small, 7, NULL, 0, NULL, 0);
    INT_EQ(n, 32, "empty request size");
    OK(memcmp(small, empty_req, 32) == 0, "empty request bytes");

    memset(small, 0xAA, sizeof small);
    n = fcgi_encode_request(small, 10, 7, NULL, 0, NULL, 0);
    INT_EQ(n, 32, "size reported when cap too small");
    INT_EQ(small[10], 0xAA, "nothing written past cap");

    ps[0] = mkp("SCRIPT_FILENAME", "/ping");
    INT_EQ(fcgi_param_size(&ps[0]), 2 + 15 + 5, "short pair size");
    longv = malloc(70000);
    memset(longv, 'v', 69999);
    longv[69999] = '\0';
    longv[127] = '\0';
    ps[1] = mkp("N", longv); /* 127: still the 1-byte form */
    INT_EQ(fcgi_param_size(&ps[1]), 2 + 1 + 127, "127-byte value");
    longv[127] = 'v';
    longv[128] = '\0';
    ps[1] = mkp("N", longv);
    INT_EQ(fcgi_param_size(&ps[1]), 5 + 1 + 128, "128-byte value");
    longv[128] = 'v';
    ps[2] = mkp("BIG", longv); /* 69999 bytes: spans two records */
    {
        struct fcgi_param huge = ps[0];
        huge.value_len = (size_t)0x80000000u;
        INT_EQ(fcgi_param_size(&huge), 0, "2 GiB value refused");
        INT_EQ(fcgi_encode_request(NULL, 0, 1, &huge, 1, NULL, 0), 0,
               "request with 2 GiB value refused");
    }

    n = fcgi_encode_request(NULL, 0, 300, ps, 3,
                            (const unsigned char *)longv, 69999);
    big = malloc(n);
    used = fcgi_encode_request(big, n, 300, ps, 3,
                               (const unsigned char *)longv, 69999);
    INT_EQ(used, n, "two passes agree");
    OK(walk_request(big, n, 300, &params, &in, &nrec) == 0,
       "big request well framed (padding, order, ids)");
    INT_EQ(nrec, 1 + 2 + 1 + 2 + 1, "big request record count");
    INT_EQ(in.len, 69999, "stdin length");
    OK(in.len == 69999 && memcmp(in.d, longv, 69999) == 0,
       "stdin content");
    {
        size_t pos = 0, k = 0, c;
        int same = 1;
        while (pos < params.len &&
               (c = fcgi_decode_param(params.d + pos, params.len - pos,
                                      &got)) > 0) {
            if (k >= 3 || got.name_len != ps[k].name_len ||
                got.value_len != ps[k].value_len ||
                memcmp(got.name, ps[k].name, got.name_len) ||
                memcmp(got.value, ps[k].value, got.value_len))
                same = 0;
            pos += c;
            k++;
        }
        OK(same && k == 3 && pos == params.len, "params round trip");
        INT_EQ(fcgi_decode_param(params.d, 3, &got), 0,
               "truncated pair refused");
    }
    free(big);
    free(longv);
    free(params.d);
    free(in.d);
}

/* ---- parser --------------------------------------------------------- */

static void test_parser_basic(void)
{
    struct buf b = {0};
    struct fcgi_parser p;
    struct cgi_response r;
    const char *hdr = "Status: 404 Not Found\r\nContent-type: text/html\r\n"
                      "\r\nnot here";
    size_t i;
    int rc;
    const unsigned char *v;
    size_t vlen;

    out_rec(&b, 1, hdr);
    rec(&b, 1, FCGI_STDERR, 1, "PHP Warning: x", 14, 2);
    rec(&b, 1, FCGI_STDOUT, 2, "other id", 8, 0);
    rec(&b, 1, FCGI_GET_VALUES_RESULT, 0, "\x01\x01xy", 4, 4);
    rec(&b, 1, FCGI_STDOUT, 1, "", 0, 0);
    end_rec(&b, 1, 0xFFFFFFFFu, FCGI_REQUEST_COMPLETE);

    parser_for(&p, 1, sizeof outbuf);
    rc = fcgi_parse_response(&p, b.d, b.len);
    INT_EQ(rc, 0, "complete response");
    INT_EQ(p.done, 1, "done");
    INT_EQ(p.app_status, 0xFFFFFFFFu, "app status 32 bits");
    INT_EQ(p.out_len, strlen(hdr), "stdout length");
    OK(memcmp(p.out, hdr, strlen(hdr)) == 0, "stdout bytes");
    INT_EQ(p.err_len, 14, "stderr kept apart");
    INT_EQ(p.ignored, 2, "other id and management record ignored");
    INT_EQ(p.records, 6, "records counted");
    INT_EQ(cgi_parse(p.out, p.out_len, &r), 0, "cgi parse");
    INT_EQ(r.status, 404, "Status header");
    INT_EQ(r.body_len, 8, "body length");
    OK(cgi_header(&r, "content-TYPE", &v, &vlen) && vlen == 9 &&
              memcmp(v, "text/html", 9) == 0,
       "header lookup is case-insensitive");
    OK(!cgi_header(&r, "Location", &v, &vlen), "absent header");

    /* the same stream one byte at a time */
    parser_for(&p, 1, sizeof outbuf);
    for (i = 0, rc = 0; i < b.len && rc == 0; i++)
        rc = fcgi_parser_feed(&p, b.d + i, 1);
    INT_EQ(rc, 1, "byte-at-a-time completes");
    INT_EQ(i, b.len, "completes at the last byte");
    INT_EQ(p.out_len, strlen(hdr), "byte-at-a-time stdout");
    INT_EQ(fcgi_parser_finish(&p), 0, "finish after done");

    /* trailing bytes after END_REQUEST */
    b_put(&b, "garbage!", 8);
    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), 0, "trailing ignored");
    INT_EQ(p.trailing, 8, "trailing counted");
    free(b.d);
}

static void test_parser_errors(void)
{
    struct buf b = {0};
    struct fcgi_parser p;
    size_t full, cut;
    unsigned char e4[4] = {0}, e16[16] = {0};

    out_rec(&b, 1, "Content-type: text/plain\r\n\r\npong");
    end_rec(&b, 1, 0, 0);
    full = b.len;
    for (cut = 0; cut < full; cut++) {
        parser_for(&p, 1, sizeof outbuf);
        if (fcgi_parse_response(&p, b.d, cut) != -1 ||
            p.error != FCGI_E_TRUNCATED)
            break;
    }
    INT_EQ(cut, full, "every truncation is reported as truncated");
    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, b.d, full), 0, "the full stream");

    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, (const unsigned char *)"", 0), -1,
           "empty stream");
    INT_EQ(p.error, FCGI_E_TRUNCATED, "empty stream is truncated");

    b.len = 0;
    out_rec(&b, 1, "abc");
    rec(&b, 2, FCGI_STDOUT, 1, "x", 1, 7);
    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), -1, "version 2");
    INT_EQ(p.error, FCGI_E_VERSION, "version error");
    INT_EQ(p.error_offset, 16, "error offset is the bad record");
    OK(strstr(fcgi_strerror(p.error), "version") != NULL, "message");

    b.len = 0;
    rec(&b, 1, FCGI_END_REQUEST, 1, e4, 4, 4);
    parser_for(&p, 1, sizeof outbuf);
    fcgi_parse_response(&p, b.d, b.len);
    INT_EQ(p.error, FCGI_E_END_LENGTH, "short END_REQUEST");

    b.len = 0;
    e16[4] = 0;
    rec(&b, 1, FCGI_END_REQUEST, 1, e16, 16, 0);
    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), 0,
           "long END_REQUEST tolerated");

    b.len = 0;
    end_rec(&b, 1, 0, FCGI_OVERLOADED);
    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), -1, "overloaded");
    INT_EQ(p.error, FCGI_E_PROTOCOL, "protocol status error");
    INT_EQ(p.protocol_status, FCGI_OVERLOADED, "protocol status kept");

    b.len = 0;
    rec(&b, 1, FCGI_UNKNOWN_TYPE, 0, "\x09\0\0\0\0\0\0\0", 8, 0);
    parser_for(&p, 1, sizeof outbuf);
    fcgi_parse_response(&p, b.d, b.len);
    INT_EQ(p.error, FCGI_E_UNKNOWN_TYPE, "UNKNOWN_TYPE answer");

    /* END_REQUEST of another id does not end ours */
    b.len = 0;
    end_rec(&b, 2, 0, 0);
    parser_for(&p, 1, sizeof outbuf);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), -1, "other id's end");
    INT_EQ(p.error, FCGI_E_TRUNCATED, "still waiting for ours");

    /* an HTTP answer is not FastCGI */
    parser_for(&p, 1, sizeof outbuf);
    fcgi_parse_response(&p, (const unsigned char *)"HTTP/1.1 200 OK\r\n",
                        17);
    INT_EQ(p.error, FCGI_E_VERSION, "HTTP reply refused");
    free(b.d);
}

static void test_parser_huge(void)
{
    struct buf b = {0};
    struct fcgi_parser p;
    unsigned char *chunk = malloc(65535);
    int i;
    memset(chunk, 'x', 65535);
    for (i = 0; i < 48; i++) /* 3 MiB of stdout, max padding */
        rec(&b, 1, FCGI_STDOUT, 1, chunk, 65535, 255);
    rec(&b, 1, FCGI_STDERR, 1, chunk, 65535, 0);
    end_rec(&b, 1, 3, 0);
    parser_for(&p, 1, 1000);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), 0, "huge response");
    INT_EQ(p.out_len, 1000, "stdout capped");
    INT_EQ(p.out_total, 48 * 65535, "stdout counted");
    INT_EQ(p.err_len, sizeof errbuf, "stderr capped");
    INT_EQ(p.err_total, 65535, "stderr counted");
    INT_EQ(p.app_status, 3, "app status");
    /* no buffers at all */
    memset(&p, 0, sizeof p);
    p.request_id = 1;
    fcgi_parser_init(&p);
    INT_EQ(fcgi_parse_response(&p, b.d, b.len), 0, "zero caps");
    INT_EQ(p.out_len, 0, "nothing kept with cap 0");
    free(chunk);
    free(b.d);
}

static void test_cgi(void)
{
    struct cgi_response r;
    const char *lf = "Content-type: text/plain\nX-A:  b \n\nbody\n";
    const char *s;
    const unsigned char *v;
    size_t vlen;

    INT_EQ(cgi_parse((const unsigned char *)lf, strlen(lf), &r), 0,
           "LF line ends");
    INT_EQ(r.status, 200, "default status 200");
    OK(r.body_len == 5 && memcmp(r.body, "body\n", 5) == 0, "LF body");
    OK(cgi_header(&r, "x-a", &v, &vlen) && vlen == 1 && v[0] == 'b',
       "value trimmed");
    s = "\r\n";
    INT_EQ(cgi_parse((const unsigned char *)s, 2, &r), 0, "no headers");
    INT_EQ(r.body_len, 0, "empty body");
    s = "Status: 503\r\n\r\n";
    cgi_parse((const unsigned char *)s, strlen(s), &r);
    INT_EQ(r.status, 503, "bare status code");
    s = "Status: 20x OK\r\n\r\n";
    INT_EQ(cgi_parse((const unsigned char *)s, strlen(s), &r), -1,
           "bad status refused");
    s = "Status: 2000\r\n\r\n";
    INT_EQ(cgi_parse((const unsigned char *)s, strlen(s), &r), -1,
           "4-digit status refused");
    s = "Content-type: text/plain\r\npong";
    INT_EQ(cgi_parse((const unsigned char *)s, strlen(s), &r), -1,
           "no end of headers");
    INT_EQ(cgi_parse((const unsigned char *)"", 0, &r), -1, "empty");
}

/* ---- status --------------------------------------------------------- */

/* Captured from php-fpm 8.2 (pool "dev", pm static) */
static const char fpm_json[] =
    "{\"pool\":\"dev\",\"process manager\":\"static\",\"start time\":"
    "1795555156,\"start since\":7,\"accepted conn\":5,\"listen queue\":1,"
    "\"max listen queue\":1,\"listen queue len\":4096,\"idle processes\":0,"
    "\"active processes\":2,\"total processes\":2,\"max active processes\""
    ":2,\"max children reached\":0,\"slow requests\":0}";

static void test_status(void)
{
    struct fpm_status st;
    struct status_limits lim = {-1, -1};
    const char *why;
    char reason[160], out[2048];
    const char *s;
    char *deep;
    size_t n;

    INT_EQ(status_parse(fpm_json, strlen(fpm_json), &st, &why), 0,
           "php-fpm JSON");
    STR_EQ(st.pool, "dev", "pool");
    STR_EQ(st.pm, "static", "process manager");
    INT_EQ(st.v[ST_START_TIME], 1795555156LL, "start time");
    INT_EQ(st.v[ST_LISTEN_QUEUE_LEN], 4096, "listen queue len");
    INT_EQ(st.v[ST_ACTIVE], 2, "active");

    INT_EQ(status_verdict(&st, &lim, -1, reason, sizeof reason), V_BUSY,
           "no idle worker is busy");
    STR_EQ(reason, "no idle worker (2 active)", "busy reason");
    n = status_json(&st, V_BUSY, -1, reason, out, sizeof out);
    STR_EQ(out,
           "{\"state\":\"busy\",\"pool\":\"dev\",\"process_manager\":"
           "\"static\",\"start_time\":1795555156,\"start_since\":7,"
           "\"accepted_conn\":5,\"listen_queue\":1,\"max_listen_queue\":1,"
           "\"listen_queue_len\":4096,\"idle_processes\":0,"
           "\"active_processes\":2,\"total_processes\":2,"
           "\"max_active_processes\":2,\"max_children_reached\":0,"
           "\"slow_requests\":0,\"busy_seconds\":null,\"reason\":"
           "\"no idle worker (2 active)\"}",
           "normalized JSON");
    INT_EQ(n, strlen(out), "JSON length returned");
    INT_EQ(status_json(&st, V_BUSY, -1, reason, out, 10), n,
           "needed length when the buffer is short");
    INT_EQ(strlen(out), 9, "short buffer stays terminated");

    lim.max_busy_seconds = 5;
    INT_EQ(status_verdict(&st, &lim, 5, reason, sizeof reason), V_GREEN,
           "busy for 5 s, limit 5: green");
    INT_EQ(status_verdict(&st, &lim, 6, reason, sizeof reason), V_BUSY,
           "busy for 6 s, limit 5: busy");
    lim.max_busy_seconds = -1;
    st.v[ST_IDLE] = 3;
    INT_EQ(status_verdict(&st, &lim, -1, reason, sizeof reason), V_GREEN,
           "idle worker: green");
    STR_EQ(reason, "3 idle workers", "green reason");
    lim.max_listen_queue = 0;
    INT_EQ(status_verdict(&st, &lim, -1, reason, sizeof reason), V_BUSY,
           "listen queue 1 > 0");
    lim.max_listen_queue = 1;
    INT_EQ(status_verdict(&st, &lim, -1, reason, sizeof reason), V_GREEN,
           "listen queue 1 <= 1");

    INT_EQ(status_busy_since(&st, 100, 200), 0, "idle resets the clock");
    st.v[ST_IDLE] = 0;
    INT_EQ(status_busy_since(&st, 0, 200), 200, "busy starts now");
    INT_EQ(status_busy_since(&st, 150, 200), 150, "busy keeps its start");
    INT_EQ(status_busy_since(&st, 300, 200), 200, "future start reset");

    s = "{\"pool\":\"a\\\"b\\u0041\\n\",\"idle processes\":1,"
        "\"active processes\":0,\"total processes\":1,\"listen queue\":0,"
        "\"processes\":[{\"pid\":1,\"x\":[true,false,null,-1.5e3]}],"
        "\"start time\":99999999999999999999}";
    INT_EQ(status_parse(s, strlen(s), &st, &why), 0, "full view, escapes");
    STR_EQ(st.pool, "a\"bA\n", "escapes decoded");
    INT_EQ(st.have[ST_START_TIME], 0, "overflowing number dropped");
    status_json(&st, V_GREEN, 0, "q\"", out, sizeof out);
    OK(strstr(out, "\"pool\":\"a\\\"bA\\u000a\"") != NULL,
       "pool re-escaped");
    OK(strstr(out, "\"start_time\":null") != NULL, "missing is null");

    s = "{\"pool\":\"www\"}";
    INT_EQ(status_parse(s, strlen(s), &st, &why), -1, "fields missing");
    OK(why != NULL && strstr(why, "not php-fpm") != NULL, "why missing");
    s = "pool: www\nidle processes: 1\n";
    INT_EQ(status_parse(s, strlen(s), &st, &why), -1, "text format");
    s = "{\"pool\":\"www\",}";
    INT_EQ(status_parse(s, strlen(s), &st, &why), -1, "trailing comma");
    s = "{\"pool\":\"w\x01w\"}";
    INT_EQ(status_parse(s, strlen(s), &st, &why), -1, "control char");
    s = "{\"pool\":\"www\"} x";
    INT_EQ(status_parse(s, strlen(s), &st, &why), -1, "garbage after");
    deep = malloc(200001);
    memset(deep, '[', 200000);
    memcpy(deep, "{\"a\":", 5);
    deep[200000] = '\0';
    INT_EQ(status_parse(deep, 200000, &st, &why), -1, "deep nesting");
    free(deep);

    n = json_escape("a\"\\\x1f\x7f", 5, out, sizeof out);
    STR_EQ(out, "a\\\"\\\\\\u001f\\u007f", "json_escape");
    INT_EQ(n, strlen(out), "json_escape length");
    json_escape("abcdef", 6, out, 4);
    STR_EQ(out, "abc", "json_escape truncates");
}

/* ---- options -------------------------------------------------------- */

static int parse(struct probe_opts *o, char *err, const char *line)
{
    static char store[1024];
    static char *argv[128];
    int argc = 0;
    char *tok, *save = NULL;
    snprintf(store, sizeof store, "fpm-probe %s", line);
    for (tok = strtok_r(store, " ", &save); tok != NULL && argc < 127;
         tok = strtok_r(NULL, " ", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return probe_parse_args(argc, argv, o, err, 256);
}

static void test_opts(void)
{
    struct probe_opts o;
    char err[256];

    INT_EQ(parse(&o, err, "ping"), 0, "ping");
    INT_EQ(o.cmd, CMD_PING, "ping command");
    STR_EQ(o.path, "/ping", "ping default path");
    STR_EQ(o.expect, "pong", "ping default answer");
    STR_EQ(o.host, "127.0.0.1", "default host");
    INT_EQ(o.port, 9000, "default port");
    INT_EQ(o.connect_timeout_ms, 3000, "connect timeout default");
    INT_EQ(parse(&o, err, "status --port 9001 --timeout-ms=250"), 0,
           "status");
    STR_EQ(o.path, "/status", "status default path");
    INT_EQ(o.port, 9001, "--port N");
    INT_EQ(o.timeout_ms, 250, "--timeout-ms=N");
    INT_EQ(o.connect_timeout_ms, 250, "connect timeout follows");
    INT_EQ(parse(&o, err, "status --connect 10.0.0.1:9002 "
                             "--max-listen-queue 4 --max-busy-seconds=30 "
                             "--state /tmp/s --busy-ok"),
           0, "status with thresholds");
    STR_EQ(o.host, "10.0.0.1", "--connect host");
    INT_EQ(o.port, 9002, "--connect port");
    INT_EQ(o.max_listen_queue, 4, "--max-listen-queue");
    INT_EQ(o.max_busy_seconds, 30, "--max-busy-seconds");
    STR_EQ(o.state_file, "/tmp/s", "--state");
    INT_EQ(o.busy_ok, 1, "--busy-ok");
    INT_EQ(parse(&o, err, "ping --connect /run/php/fpm.sock"), 0,
           "--connect socket");
    STR_EQ(o.socket_path, "/run/php/fpm.sock", "socket path");
    INT_EQ(parse(&o, err, "ping --connect [::1]:9000"), 0, "IPv6");
    STR_EQ(o.host, "::1", "IPv6 host without brackets");
    INT_EQ(parse(&o, err,
                    "request /srv/x.php --query a=1 --method POST --data d "
                    "--expect-status 404 --expect-body ok --param A=1 "
                    "--param B=2 --quiet"),
           0, "request");
    STR_EQ(o.path, "/srv/x.php", "script path");
    STR_EQ(o.method, "POST", "method");
    INT_EQ(o.expect_status, 404, "expect status");
    INT_EQ(o.nextra, 2, "two --param");
    INT_EQ(parse(&o, err, "advise --pid-file /x --reserve-mb 512 --json "
                             "--pool www"),
           0, "advise");
    INT_EQ(o.reserve_mb, 512, "reserve");
    STR_EQ(o.pool, "www", "pool");
    INT_EQ(parse(&o, err, "--help"), 0, "--help alone");
    INT_EQ(o.help, 1, "help flag");

    INT_EQ(parse(&o, err, ""), -1, "no command");
    INT_EQ(parse(&o, err, "pong"), -1, "unknown command");
    STR_EQ(err, "unknown command 'pong'", "unknown command message");
    INT_EQ(parse(&o, err, "ping --port 0"), -1, "port 0");
    INT_EQ(parse(&o, err, "ping --port 65536"), -1, "port 65536");
    INT_EQ(parse(&o, err, "ping --port 9x"), -1, "port 9x");
    INT_EQ(parse(&o, err, "ping --port"), -1, "missing value");
    STR_EQ(err, "option --port needs a value", "missing value message");
    INT_EQ(parse(&o, err, "ping --bogus 1"), -1, "unknown option");
    INT_EQ(parse(&o, err, "ping -x"), -1, "unknown short option");
    INT_EQ(parse(&o, err, "request"), -1, "request without path");
    INT_EQ(parse(&o, err, "ping extra"), -1, "extra argument");
    INT_EQ(parse(&o, err, "ping --path ping"), -1, "relative path");
    INT_EQ(parse(&o, err, "ping --connect nohostport"), -1, "bad connect");
    INT_EQ(parse(&o, err, "ping --timeout-ms 0"), -1, "timeout 0");
    INT_EQ(parse(&o, err, "status --max-listen-queue -1"), -1,
           "negative threshold");
    INT_EQ(parse(&o, err, "request /x --param =v"), -1, "empty name");
    INT_EQ(parse(&o, err, "request /x --expect-status 99"), -1,
           "status 99");
    {
        char line[1024];
        size_t len = 0;
        int i;
        len += (size_t)snprintf(line, sizeof line, "request /x");
        for (i = 0; i < MAX_EXTRA_PARAMS + 1; i++)
            len += (size_t)snprintf(line + len, sizeof line - len,
                                    " --param P=%d", i);
        INT_EQ(parse(&o, err, line), -1, "too many --param");
    }

    /* The option table: each row reaches its member, in order. */
    INT_EQ(parse(&o, err, "status --host h --socket /s --timeout-ms 9 "
                             "--connect-timeout-ms=7 --max-body 10 "
                             "--expect x --path /p"),
           0, "table: connection options");
    STR_EQ(o.socket_path, "/s", "--socket");
    INT_EQ(o.timeout_ms, 9, "--timeout-ms");
    INT_EQ(o.connect_timeout_ms, 7, "--connect-timeout-ms");
    INT_EQ(o.max_body, 10, "--max-body");
    STR_EQ(o.expect, "x", "--expect");
    STR_EQ(o.path, "/p", "--path");
    INT_EQ(parse(&o, err, "ping --socket /s --host h"), 0, "host last");
    OK(o.socket_path == NULL, "--host after --socket means TCP");
    STR_EQ(o.host, "h", "--host");
    INT_EQ(parse(&o, err, "advise --memory-limit-mb 64 --proc /p "
                             "--cgroup /c --pid-file=/f"),
           0, "table: advise options");
    INT_EQ(o.memory_limit_mb, 64, "--memory-limit-mb");
    STR_EQ(o.proc_root, "/p", "--proc");
    STR_EQ(o.cgroup_root, "/c", "--cgroup");
    STR_EQ(o.pid_file, "/f", "--pid-file=");
    INT_EQ(parse(&o, err, "ping -h"), 0, "-h");
    INT_EQ(o.help, 1, "-h is --help");
    INT_EQ(parse(&o, err, "ping --bogus"), -1, "unknown last option");
    STR_EQ(err, "unknown option '--bogus'", "unknown, not 'needs a value'");
    INT_EQ(parse(&o, err, "ping --por 1"), -1, "prefix of an option");
    INT_EQ(parse(&o, err, "ping --busy-ok=no"), -1, "flag with a value");
    STR_EQ(err, "option --busy-ok takes no value", "flag value message");
    INT_EQ(parse(&o, err, "request /x --expect-status 600"), -1,
           "status 600");
    STR_EQ(err, "--expect-status wants 100..599, not '600'",
           "range message names the value");
}

/* ---- advise --------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static void fake_proc(const char *root, int pid, int ppid, const char *comm,
                      const char *cmdline, int rss_kb, int hwm_kb, int pss_kb)
{
    char dir[512], text[512];
    snprintf(dir, sizeof dir, "%s/%d", root, pid);
    mkdir(dir, 0755);
    snprintf(text, sizeof text, "%d (%s) S %d 1 1 0 -1\n", pid, comm, ppid);
    write_file(dir, "stat", text);
    write_file(dir, "cmdline", cmdline);
    snprintf(text, sizeof text, "Name:\t%s\nVmHWM:\t%d kB\nVmRSS:\t  %d kB\n",
             comm, hwm_kb, rss_kb);
    write_file(dir, "status", text);
    if (pss_kb >= 0) {
        snprintf(text, sizeof text, "Rss: %d kB\nPss:  %d kB\n", rss_kb,
                 pss_kb);
        write_file(dir, "smaps_rollup", text);
    }
    write_file(dir, "cgroup", "0::/fpm\n");
}

static void test_advise(void)
{
    struct advise_calc c;
    long long kb = 0, ppid = 0;
    char comm[16];
    char root[] = "/tmp/fpm-probe-test-XXXXXX";
    char cg[600], cgdir[700], *text = NULL;
    size_t tlen = 0;
    struct probe_opts o;
    char err[256];
    FILE *out;
    int rc;

    INT_EQ(proc_kb("Name:\tphp\nVmRSS:\t   41234 kB\n", "VmRSS", &kb), 0,
           "VmRSS parsed");
    INT_EQ(kb, 41234, "VmRSS value");
    INT_EQ(proc_kb("VmRSSx: 1 kB\n", "VmRSS", &kb), -1, "prefix only");
    INT_EQ(proc_kb("VmRSS: kB\n", "VmRSS", &kb), -1, "no number");
    INT_EQ(proc_stat("12 (php-fpm: a) b) S 7 12 12", comm, sizeof comm,
                        &ppid),
           0, "stat with ') ' in comm");
    STR_EQ(comm, "php-fpm: a) b", "comm up to the last ')'");
    INT_EQ(ppid, 7, "ppid");
    INT_EQ(proc_stat("garbage", comm, sizeof comm, &ppid), -1, "bad stat");

    memset(&c, 0, sizeof c);
    c.per_worker_kb = 40 * 1024;
    c.workers_kb = 100 * 1024;
    c.mem_available_kb = 2000 * 1024;
    c.cg_limit_kb = -1;
    c.reserve_mb = -1;
    advise_compute(&c);
    INT_EQ(c.available_kb, 2000 * 1024, "available = MemAvailable");
    INT_EQ(c.reserve_kb, 2100 * 1024 / 10, "reserve 10%");
    INT_EQ(c.budget_kb, 2100 * 1024 - 2100 * 1024 / 10, "budget");
    INT_EQ(c.max_children, (2100 * 1024 - 2100 * 1024 / 10) / (40 * 1024),
           "max_children = 47");
    c.cg_limit_kb = 1024 * 1024;
    c.cg_current_kb = 600 * 1024;
    advise_compute(&c);
    INT_EQ(c.available_kb, 424 * 1024, "cgroup room is tighter");
    INT_EQ(c.reserve_kb, 128 * 1024, "reserve at least 128 MiB");
    INT_EQ(c.max_children, (524 - 128) / 40, "cgroup-bound children");
    c.reserve_mb = 10000;
    advise_compute(&c);
    INT_EQ(c.max_children, 1, "never below 1");

    /* discovery over a fake /proc and cgroup tree */
    if (mkdtemp(root) == NULL) {
        OK(0, "mkdtemp");
        return;
    }
    fake_proc(root, 100, 1, "php-fpm8.2",
              "php-fpm: master process (/etc/fpm.conf)", 30000, 30000, 9000);
    /* peak 40 + (60 - 50) = 50 MiB */
    fake_proc(root, 101, 100, "php-fpm8.2", "php-fpm: pool www", 51200,
              61440, 40960);
    /* peak 30 + 0 = 30 MiB; VmHWM below VmRSS is read as VmRSS */
    fake_proc(root, 102, 100, "php-fpm8.2", "php-fpm: pool www", 40000,
              100, 30720);
    fake_proc(root, 103, 100, "php-fpm8.2", "php-fpm: pool www_status",
              20000, 90000, 8000);
    fake_proc(root, 104, 1, "nginx", "nginx: worker", 9999, 99999, 9999);
    fake_proc(root, 105, 100, "sh", "sh -c x", 9999, 99999, 9999);
    write_file(root, "meminfo",
               "MemTotal: 4000000 kB\nMemAvailable:    2048000 kB\n");
    snprintf(cg, sizeof cg, "%s/cg", root);
    mkdir(cg, 0755);
    snprintf(cgdir, sizeof cgdir, "%s/fpm", cg);
    mkdir(cgdir, 0755);
    write_file(cgdir, "memory.max", "max\n");
    write_file(cg, "memory.max", "1073741824\n");
    write_file(cg, "memory.current", "536870912\n");

    {
        char line[1024];
        snprintf(line, sizeof line,
                 "advise --proc %s --cgroup %s --memory-limit-mb 128", root,
                 cg);
        INT_EQ(parse(&o, err, line), 0, "advise args");
    }
    out = open_memstream(&text, &tlen);
    rc = advise_run(&o, out, stderr);
    fclose(out);
    INT_EQ(rc, 0, "advise on fake /proc");
    /* workers 101+102 (Pss 40+30 MiB, peaks 50 and 30); available =
     * min(2000, 1024-512) = 512 MiB; reserve 128; budget 512+70-128 = 454
     * MiB; / 50 = 9; worst case at memory_limit 128: 454 / 128 = 3 */
    OK(text && strstr(text, "php-fpm master 100, 2 workers") != NULL,
       "master and pool workers found, status pool left out");
    OK(text && strstr(text, "per worker        =       50.0 MiB") != NULL,
       "per worker = largest Pss + VmHWM - VmRSS");
    OK(text && strstr(text, "= budget          =      454.0 MiB") != NULL,
       "budget shown");
    OK(text && strstr(text, "worst case        = floor(454.0 / 128) = 3")
                   != NULL,
       "worst case at memory_limit");
    OK(text && strstr(text, "pm.max_children   = floor(454.0 / 50.0) = 9")
                   != NULL,
       "recommendation with arithmetic");
    if (check_failed && text)
        fputs(text, stderr);
    free(text);
    text = NULL;

    /* a second master: ambiguous without --pid-file */
    fake_proc(root, 200, 1, "php-fpm8.2", "php-fpm: master process (b)",
              30000, 30000, 9000);
    out = open_memstream(&text, &tlen);
    rc = advise_run(&o, out, out);
    fclose(out);
    INT_EQ(rc, 3, "two masters need --pid-file");
    free(text);
    text = NULL;
    {
        char line[1024];
        snprintf(line, sizeof line, "%s/pid", root);
        write_file(root, "pid", "100\n");
        snprintf(line, sizeof line,
                 "advise --proc %s --cgroup %s --pid-file %s/pid --json "
                 "--reserve-mb 0",
                 root, cg, root);
        parse(&o, err, line);
    }
    out = open_memstream(&text, &tlen);
    rc = advise_run(&o, out, stderr);
    fclose(out);
    INT_EQ(rc, 0, "advise --pid-file --json");
    OK(text && strstr(text, "\"max_children\":11,") != NULL,
       "JSON: (512+70)/50 = 11 with no reserve");
    OK(text && strstr(text, "{\"pid\":101,\"rss_kb\":51200,\"hwm_kb\":"
                               "61440,\"pss_kb\":40960}") != NULL,
       "JSON: per-worker numbers");
    free(text);
    /* cgroup v1 (hybrid host): the limit two levels up is the tight one */
    {
        char line[1024], d1[800], d2[900];
        char pid100[600];
        snprintf(pid100, sizeof pid100, "%s/100", root);
        write_file(pid100, "cgroup", "4:memory:/outer/inner\n0::/\n");
        /* hybrid: the v2 tree has no memory controller files */
        snprintf(d1, sizeof d1, "%s/memory.max", cg);
        unlink(d1);
        snprintf(d1, sizeof d1, "%s/memory", cg);
        mkdir(d1, 0755);
        snprintf(d1, sizeof d1, "%s/memory/outer", cg);
        mkdir(d1, 0755);
        snprintf(d2, sizeof d2, "%s/inner", d1);
        mkdir(d2, 0755);
        write_file(d2, "memory.limit_in_bytes", "9223372036854771712\n");
        write_file(d1, "memory.limit_in_bytes", "536870912\n");
        write_file(d1, "memory.usage_in_bytes", "268435456\n");
        snprintf(line, sizeof line,
                 "advise --proc %s --cgroup %s --pid-file %s/pid --json "
                 "--reserve-mb 0",
                 root, cg, root);
        parse(&o, err, line);
    }
    text = NULL;
    out = open_memstream(&text, &tlen);
    rc = advise_run(&o, out, stderr);
    fclose(out);
    INT_EQ(rc, 0, "advise with cgroup v1");
    /* room 512 - 256 = 256 MiB; (256 + 70) / 50 = 6 */
    OK(text && strstr(text, "\"cgroup_limit_kb\":524288,"
                               "\"cgroup_current_kb\":262144,"
                               "\"available_kb\":262144") != NULL,
       "v1 limit of the parent cgroup, with its usage");
    OK(text && strstr(text, "\"max_children\":6,") != NULL,
       "JSON: (256+70)/50 = 6");
    if (check_failed && text)
        fputs(text, stderr);
    free(text);
    {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", root);
    }
}

/* ---- net against canned servers ------------------------------------ */

enum server_mode { SRV_ANSWER, SRV_SILENT, SRV_CLOSE, SRV_GARBAGE };

/* Forks a server on a unix socket that answers one connection. */
static pid_t serve(const char *path, enum server_mode mode,
                   const struct buf *answer)
{
    struct sockaddr_un sun;
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    pid_t pid;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    unlink(path);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
        listen(lfd, 4) < 0) {
        perror("test server");
        exit(2);
    }
    pid = fork();
    if (pid == 0) {
        int c = accept(lfd, NULL, NULL);
        unsigned char tmp[4096];
        if (c < 0)
            _exit(1);
        if (read(c, tmp, sizeof tmp) < 0) /* the request: not checked */
            _exit(1);
        if (mode == SRV_ANSWER && write(c, answer->d, answer->len) < 0)
            _exit(1);
        if (mode == SRV_GARBAGE && write(c, "HTTP/1.0 400\r\n\r\n", 16) < 0)
            _exit(1);
        if (mode == SRV_SILENT)
            sleep(5);
        _exit(0);
    }
    close(lfd);
    return pid;
}

static void test_net(void)
{
    char path[64], err[256];
    struct buf ans = {0};
    struct fcgi_parser p;
    unsigned char req[64];
    size_t rlen = fcgi_encode_request(req, sizeof req, 1, NULL, 0, NULL, 0);
    pid_t pid;
    long long t0;
    enum net_result r;

    snprintf(path, sizeof path, "/tmp/fpm-probe-test-%d.sock", (int)getpid());
    out_rec(&ans, 1, "Content-type: text/plain\r\n\r\npong");
    end_rec(&ans, 1, 0, 0);

    pid = serve(path, SRV_ANSWER, &ans);
    parser_for(&p, 1, sizeof outbuf);
    r = net_exchange(path, NULL, 0, 500, 2000, req, rlen, &p, err,
                     sizeof err);
    INT_EQ(r, NET_OK, "canned answer over a unix socket");
    OK(p.out_len >= 4 && memcmp(p.out + p.out_len - 4, "pong", 4) == 0,
       "canned body");
    waitpid(pid, NULL, 0);

    pid = serve(path, SRV_SILENT, &ans);
    parser_for(&p, 1, sizeof outbuf);
    t0 = net_now_ms();
    r = net_exchange(path, NULL, 0, 500, 300, req, rlen, &p, err,
                     sizeof err);
    INT_EQ(r, NET_TIMEOUT, "silent server times out");
    OK(net_now_ms() - t0 < 1500, "timeout is bounded");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);

    pid = serve(path, SRV_CLOSE, &ans);
    parser_for(&p, 1, sizeof outbuf);
    r = net_exchange(path, NULL, 0, 500, 2000, req, rlen, &p, err,
                     sizeof err);
    INT_EQ(r, NET_IO, "closed without answer");
    waitpid(pid, NULL, 0);

    pid = serve(path, SRV_GARBAGE, &ans);
    parser_for(&p, 1, sizeof outbuf);
    r = net_exchange(path, NULL, 0, 500, 2000, req, rlen, &p, err,
                     sizeof err);
    INT_EQ(r, NET_PROTOCOL, "HTTP answer is a protocol error");
    waitpid(pid, NULL, 0);
    unlink(path);

    parser_for(&p, 1, sizeof outbuf);
    r = net_exchange(path, NULL, 0, 500, 500, req, rlen, &p, err,
                     sizeof err);
    INT_EQ(r, NET_CONNECT, "no socket file: connect error");
    parser_for(&p, 1, sizeof outbuf);
    /* port 1 on loopback: nothing listens there on a test machine */
    r = net_exchange(NULL, "127.0.0.1", 1, 500, 500, req, rlen, &p, err,
                     sizeof err);
    INT_EQ(r, NET_CONNECT, "TCP refused");
    OK(strstr(err, "refused") != NULL, "refused message");
    free(ans.d);
}

int main(void)
{
    test_encoder();
    test_parser_basic();
    test_parser_errors();
    test_parser_huge();
    test_cgi();
    test_status();
    test_opts();
    test_advise();
    test_net();
    return check_summary("unit");
}
