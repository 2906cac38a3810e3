/* fcgi.c - FastCGI record encoder and response parser (see fcgi.h).
 * Reference: the FastCGI 1.0 specification (Open Market, 1996). */
#include "fcgi.h"

#include <string.h>

/* Names and values longer than this cannot be encoded (4-byte length with
 * the top bit used as the "long form" marker). */
#define FCGI_MAX_NV_LEN 0x7fffffffu

static size_t nv_len_size(size_t n)
{
    return n < 128 ? 1 : 4;
}

size_t fcgi_param_size(const struct fcgi_param *p)
{
    if (p->name_len > FCGI_MAX_NV_LEN || p->value_len > FCGI_MAX_NV_LEN)
        return 0;
    return nv_len_size(p->name_len) + nv_len_size(p->value_len) +
           p->name_len + p->value_len;
}

/* Writer that counts every byte but stores only what fits, so one pass
 * gives both the size and (when it fits) the encoding. */
struct writer {
    unsigned char *out;
    size_t cap;
    size_t len;
};

static void put(struct writer *w, const void *src, size_t n)
{
    if (w->out != NULL && w->len <= w->cap && n <= w->cap - w->len)
        memcpy(w->out + w->len, src, n);
    w->len += n;
}

static void put_byte(struct writer *w, unsigned char b)
{
    put(w, &b, 1);
}

static void put_header(struct writer *w, int type, uint16_t id, size_t clen,
                       size_t plen)
{
    unsigned char h[FCGI_HEADER_LEN];
    h[0] = FCGI_VERSION_1;
    h[1] = (unsigned char)type;
    h[2] = (unsigned char)(id >> 8);
    h[3] = (unsigned char)(id & 0xff);
    h[4] = (unsigned char)(clen >> 8);
    h[5] = (unsigned char)(clen & 0xff);
    h[6] = (unsigned char)plen;
    h[7] = 0;
    put(w, h, sizeof h);
}

static void put_nv_len(unsigned char *dst, size_t *n, size_t len)
{
    if (len < 128) {
        dst[(*n)++] = (unsigned char)len;
    } else {
        dst[(*n)++] = (unsigned char)(((len >> 24) & 0x7f) | 0x80);
        dst[(*n)++] = (unsigned char)((len >> 16) & 0xff);
        dst[(*n)++] = (unsigned char)((len >> 8) & 0xff);
        dst[(*n)++] = (unsigned char)(len & 0xff);
    }
}

/* A stream (PARAMS or STDIN) is cut into records of at most this many
 * content bytes; a multiple of 8 so full records need no padding. */
#define CHUNK 65528u

/* Streams are produced piecewise (each parameter is three pieces), so the
 * record framing is done by a small state machine over the pieces. */
struct stream {
    struct writer *w;
    int type;
    uint16_t id;
    size_t total;  /* total content bytes of this stream */
    size_t done;   /* content bytes written so far */
    size_t in_rec; /* content bytes left in the current record */
    size_t pad;    /* padding of the current record */
};

static size_t pad_for(size_t clen)
{
    return (8 - (clen % 8)) % 8;
}

static void stream_put(struct stream *s, const unsigned char *src, size_t n)
{
    static const unsigned char zeros[8] = {0};
    while (n > 0) {
        size_t take;
        if (s->in_rec == 0) {
            size_t clen = s->total - s->done;
            if (clen > CHUNK)
                clen = CHUNK;
            s->pad = pad_for(clen);
            s->in_rec = clen;
            put_header(s->w, s->type, s->id, clen, s->pad);
        }
        take = n < s->in_rec ? n : s->in_rec;
        put(s->w, src, take);
        src += take;
        n -= take;
        s->in_rec -= take;
        s->done += take;
        if (s->in_rec == 0)
            put(s->w, zeros, s->pad);
    }
}

static void stream_end(struct stream *s)
{
    put_header(s->w, s->type, s->id, 0, 0);
}

size_t fcgi_encode_request(unsigned char *out, size_t cap, uint16_t id,
                           const struct fcgi_param *params, size_t nparams,
                           const unsigned char *in, size_t in_len)
{
    struct writer w = {out, cap, 0};
    struct stream s;
    size_t i, total = 0;

    for (i = 0; i < nparams; i++) {
        size_t n = fcgi_param_size(&params[i]);
        if (n == 0 || n > (size_t)-1 / 2 - total)
            return 0;
        total += n;
    }

    put_header(&w, FCGI_BEGIN_REQUEST, id, 8, 0);
    put_byte(&w, 0);
    put_byte(&w, FCGI_RESPONDER);
    /* flags = 0: the server closes the connection after the response,
     * which is our end-of-stream signal too */
    put(&w, "\0\0\0\0\0\0", 6);

    memset(&s, 0, sizeof s);
    s.w = &w;
    s.type = FCGI_PARAMS;
    s.id = id;
    s.total = total;
    for (i = 0; i < nparams; i++) {
        unsigned char lens[8];
        size_t n = 0;
        put_nv_len(lens, &n, params[i].name_len);
        put_nv_len(lens, &n, params[i].value_len);
        stream_put(&s, lens, n);
        stream_put(&s, (const unsigned char *)params[i].name,
                   params[i].name_len);
        stream_put(&s, (const unsigned char *)params[i].value,
                   params[i].value_len);
    }
    stream_end(&s);

    memset(&s, 0, sizeof s);
    s.w = &w;
    s.type = FCGI_STDIN;
    s.id = id;
    s.total = in_len;
    if (in_len > 0)
        stream_put(&s, in, in_len);
    stream_end(&s);
    return w.len;
}

static size_t get_nv_len(const unsigned char *d, size_t len, size_t *pos,
                         size_t *out)
{
    if (*pos >= len)
        return 0;
    if ((d[*pos] & 0x80) == 0) {
        *out = d[*pos];
        *pos += 1;
        return 1;
    }
    if (len - *pos < 4)
        return 0;
    *out = ((size_t)(d[*pos] & 0x7f) << 24) | ((size_t)d[*pos + 1] << 16) |
           ((size_t)d[*pos + 2] << 8) | (size_t)d[*pos + 3];
    *pos += 4;
    return 4;
}

size_t fcgi_decode_param(const unsigned char *data, size_t len,
                         struct fcgi_param *out)
{
    size_t pos = 0, nlen, vlen;
    if (!get_nv_len(data, len, &pos, &nlen) ||
        !get_nv_len(data, len, &pos, &vlen))
        return 0;
    if (nlen > len - pos || vlen > len - pos - nlen)
        return 0;
    out->name = (const char *)data + pos;
    out->name_len = nlen;
    out->value = (const char *)data + pos + nlen;
    out->value_len = vlen;
    return pos + nlen + vlen;
}

void fcgi_parser_init(struct fcgi_parser *p)
{
    p->out_len = p->out_total = 0;
    p->err_len = p->err_total = 0;
    p->done = 0;
    p->app_status = 0;
    p->protocol_status = 0;
    p->error = FCGI_OK;
    p->error_offset = 0;
    p->records = p->ignored = p->trailing = 0;
    p->offset = p->rec_offset = 0;
    p->hdr_len = 0;
    p->type = 0;
    p->id = 0;
    p->content_left = p->padding_left = 0;
    p->end_len = 0;
}

static void keep(unsigned char *buf, size_t cap, size_t *len, size_t *total,
                 const unsigned char *src, size_t n)
{
    size_t room = cap - *len;
    size_t take = n < room ? n : room;
    if (take > 0 && buf != NULL) {
        memcpy(buf + *len, src, take);
        *len += take;
    }
    *total += n;
}

static int fail(struct fcgi_parser *p, enum fcgi_error e)
{
    p->error = e;
    p->error_offset = p->rec_offset;
    return -1;
}

/* Called when a record's header is complete. */
static int on_header(struct fcgi_parser *p)
{
    const unsigned char *h = p->hdr;
    if (h[0] != FCGI_VERSION_1)
        return fail(p, FCGI_E_VERSION);
    p->type = h[1];
    p->id = (uint16_t)((h[2] << 8) | h[3]);
    p->content_left = ((size_t)h[4] << 8) | h[5];
    p->padding_left = h[6];
    p->end_len = 0;
    p->records++;
    if (p->type == FCGI_UNKNOWN_TYPE)
        return fail(p, FCGI_E_UNKNOWN_TYPE);
    /* Management records (id 0) and other requests' records carry nothing
     * for us; php-fpm never sends them to a single-request client. */
    if (p->id != p->request_id ||
        (p->type != FCGI_STDOUT && p->type != FCGI_STDERR &&
         p->type != FCGI_END_REQUEST))
        p->ignored++;
    return 0;
}

static int ours(const struct fcgi_parser *p, int type)
{
    return p->id == p->request_id && p->type == type;
}

/* Called when a record's content and padding are consumed. */
static int on_record_end(struct fcgi_parser *p)
{
    if (ours(p, FCGI_END_REQUEST)) {
        const unsigned char *b = p->end_body;
        if (p->end_len < 8)
            return fail(p, FCGI_E_END_LENGTH);
        p->app_status = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
                        ((uint32_t)b[2] << 8) | (uint32_t)b[3];
        p->protocol_status = b[4];
        p->done = 1;
        if (p->protocol_status != FCGI_REQUEST_COMPLETE)
            return fail(p, FCGI_E_PROTOCOL);
        return 1;
    }
    return 0;
}

int fcgi_parser_feed(struct fcgi_parser *p, const unsigned char *data,
                     size_t len)
{
    size_t i = 0;

    if (p->error != FCGI_OK) {
        p->offset += len;
        return -1;
    }
    if (p->done) {
        p->trailing += len;
        p->offset += len;
        return 1;
    }
    while (i < len) {
        size_t n, left = len - i;
        if (p->hdr_len < FCGI_HEADER_LEN) {
            if (p->hdr_len == 0)
                p->rec_offset = p->offset + i;
            n = FCGI_HEADER_LEN - p->hdr_len;
            if (n > left)
                n = left;
            memcpy(p->hdr + p->hdr_len, data + i, n);
            p->hdr_len += n;
            i += n;
            if (p->hdr_len == FCGI_HEADER_LEN && on_header(p) < 0)
                break;
        } else if (p->content_left > 0) {
            n = p->content_left < left ? p->content_left : left;
            if (ours(p, FCGI_STDOUT)) {
                keep(p->out, p->out_cap, &p->out_len, &p->out_total,
                     data + i, n);
            } else if (ours(p, FCGI_STDERR)) {
                keep(p->err, p->err_cap, &p->err_len, &p->err_total,
                     data + i, n);
            } else if (ours(p, FCGI_END_REQUEST)) {
                /* only the first 8 bytes mean anything; a longer body
                 * is tolerated, its tail skipped */
                keep(p->end_body, sizeof p->end_body, &p->end_len,
                     &(size_t){0}, data + i, n);
            }
            p->content_left -= n;
            i += n;
        } else {
            n = p->padding_left < left ? p->padding_left : left;
            p->padding_left -= n;
            i += n;
        }
        if (p->hdr_len == FCGI_HEADER_LEN && p->content_left == 0 &&
            p->padding_left == 0) {
            int r = on_record_end(p);
            p->hdr_len = 0;
            if (r < 0)
                break;
            if (r > 0) {
                p->trailing += len - i;
                break;
            }
        }
    }
    p->offset += len;
    if (p->error != FCGI_OK)
        return -1;
    return p->done ? 1 : 0;
}

int fcgi_parser_finish(struct fcgi_parser *p)
{
    if (p->error != FCGI_OK)
        return -1;
    if (!p->done) {
        p->error = FCGI_E_TRUNCATED;
        p->error_offset = p->offset;
        return -1;
    }
    return 0;
}

int fcgi_parse_response(struct fcgi_parser *p, const unsigned char *data,
                        size_t len)
{
    fcgi_parser_init(p);
    fcgi_parser_feed(p, data, len);
    return fcgi_parser_finish(p);
}

const char *fcgi_strerror(enum fcgi_error e)
{
    switch (e) {
    case FCGI_OK:
        return "ok";
    case FCGI_E_VERSION:
        return "not a FastCGI record (version byte is not 1)";
    case FCGI_E_END_LENGTH:
        return "END_REQUEST record shorter than 8 bytes";
    case FCGI_E_UNKNOWN_TYPE:
        return "server answered UNKNOWN_TYPE";
    case FCGI_E_TRUNCATED:
        return "connection closed before END_REQUEST";
    case FCGI_E_PROTOCOL:
        return "END_REQUEST with protocol status other than COMPLETE";
    }
    return "unknown error";
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Length of the line starting at d (without its LF/CRLF), and in *next the
 * offset just after the line end; returns 0 with *next = 0 if no LF. */
static size_t line_at(const unsigned char *d, size_t len, size_t *next)
{
    const unsigned char *nl = memchr(d, '\n', len);
    size_t n;
    if (nl == NULL) {
        *next = 0;
        return 0;
    }
    n = (size_t)(nl - d);
    *next = n + 1;
    if (n > 0 && d[n - 1] == '\r')
        n--;
    return n;
}

/* Matches "name:" at the start of a header line; returns the value with
 * blanks trimmed. */
static int header_match(const unsigned char *line, size_t n, const char *name,
                        const unsigned char **v, size_t *vlen)
{
    size_t k = strlen(name), i;
    if (n <= k || line[k] != ':')
        return 0;
    for (i = 0; i < k; i++)
        if (lower(line[i]) != lower((unsigned char)name[i]))
            return 0;
    i = k + 1;
    while (i < n && blank(line[i]))
        i++;
    while (n > i && blank(line[n - 1]))
        n--;
    *v = line + i;
    *vlen = n - i;
    return 1;
}

int cgi_header(const struct cgi_response *r, const char *name,
               const unsigned char **value, size_t *value_len)
{
    size_t pos = 0;
    while (pos < r->headers_len) {
        size_t next, n = line_at(r->headers + pos, r->headers_len - pos,
                                 &next);
        if (next == 0) { /* last line has no line end inside the block */
            n = r->headers_len - pos;
            if (n > 0 && r->headers[pos + n - 1] == '\r')
                n--;
            next = r->headers_len - pos;
        }
        if (header_match(r->headers + pos, n, name, value, value_len))
            return 1;
        pos += next;
    }
    return 0;
}

int cgi_parse(const unsigned char *data, size_t len, struct cgi_response *r)
{
    size_t pos = 0;
    const unsigned char *v;
    size_t vlen;

    r->status = 200;
    r->headers = data;
    r->headers_len = 0;
    r->body = NULL;
    r->body_len = 0;
    for (;;) {
        size_t next, n = line_at(data + pos, len - pos, &next);
        if (next == 0)
            return -1;
        if (n == 0) {
            r->headers_len = pos;
            r->body = data + pos + next;
            r->body_len = len - pos - next;
            break;
        }
        pos += next;
    }
    if (cgi_header(r, "Status", &v, &vlen)) {
        if (vlen < 3 || v[0] < '1' || v[0] > '5' || v[1] < '0' ||
            v[1] > '9' || v[2] < '0' || v[2] > '9' ||
            (vlen > 3 && !blank(v[3])))
            return -1;
        r->status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
    }
    return 0;
}
