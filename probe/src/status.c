/* status.c - php-fpm status JSON in, verdict and normalized JSON out. */
#include "status.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* php-fpm's own names, indexed by enum st_field, and ours (snake_case). */
static const char *const fpm_names[ST_NFIELDS] = {
    "start time",       "start since",     "accepted conn",
    "listen queue",     "max listen queue", "listen queue len",
    "idle processes",   "active processes", "total processes",
    "max active processes", "max children reached", "slow requests"};

static const char *const out_names[ST_NFIELDS] = {
    "start_time",       "start_since",      "accepted_conn",
    "listen_queue",     "max_listen_queue", "listen_queue_len",
    "idle_processes",   "active_processes", "total_processes",
    "max_active_processes", "max_children_reached", "slow_requests"};

/* Bounded nesting when skipping values we do not use (php-fpm's "full"
 * view has an array of objects; anything deeper is not php-fpm). */
#define MAX_DEPTH 16

struct lexer {
    const char *s;
    size_t len;
    size_t pos;
};

static void skip_ws(struct lexer *lx)
{
    while (lx->pos < lx->len &&
           (lx->s[lx->pos] == ' ' || lx->s[lx->pos] == '\t' ||
            lx->s[lx->pos] == '\n' || lx->s[lx->pos] == '\r'))
        lx->pos++;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads a JSON string at lx->pos (which is at the opening quote). Decoded
 * bytes go to out (truncated to cap-1, NUL-terminated) when out != NULL;
 * \uXXXX outside ASCII becomes '?', which is enough for pool names. */
static int read_string(struct lexer *lx, char *out, size_t cap, int *trunc)
{
    size_t n = 0;
    if (lx->pos >= lx->len || lx->s[lx->pos] != '"')
        return -1;
    lx->pos++;
    if (trunc != NULL)
        *trunc = 0;
    while (lx->pos < lx->len) {
        int c = (unsigned char)lx->s[lx->pos++];
        if (c == '"') {
            if (out != NULL)
                out[n] = '\0';
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            if (lx->pos >= lx->len)
                return -1;
            c = (unsigned char)lx->s[lx->pos++];
            switch (c) {
            case '"': case '\\': case '/':
                break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                int i, u = 0;
                if (lx->len - lx->pos < 4)
                    return -1;
                for (i = 0; i < 4; i++) {
                    int h = hexval((unsigned char)lx->s[lx->pos++]);
                    if (h < 0)
                        return -1;
                    u = u * 16 + h;
                }
                c = (u >= 0x20 && u < 0x7f) ? u : '?';
                break;
            }
            default:
                return -1;
            }
        }
        if (out != NULL) {
            if (n + 1 < cap)
                out[n++] = (char)c;
            else if (trunc != NULL)
                *trunc = 1;
        }
    }
    return -1;
}

/* Integer (php-fpm prints only integers); fractions and exponents are
 * accepted and dropped so that other producers do not fail the parse. */
static int read_number(struct lexer *lx, long long *v, int *ok)
{
    int neg = 0, digits = 0;
    long long x = 0;
    *ok = 1;
    if (lx->pos < lx->len && lx->s[lx->pos] == '-') {
        neg = 1;
        lx->pos++;
    }
    while (lx->pos < lx->len && lx->s[lx->pos] >= '0' &&
           lx->s[lx->pos] <= '9') {
        int d = lx->s[lx->pos++] - '0';
        if (x > (LLONG_MAX - d) / 10)
            *ok = 0; /* too large: parsed, but not usable */
        else
            x = x * 10 + d;
        digits++;
    }
    if (digits == 0)
        return -1;
    if (lx->pos < lx->len && lx->s[lx->pos] == '.') {
        *ok = 0;
        lx->pos++;
        while (lx->pos < lx->len && lx->s[lx->pos] >= '0' &&
               lx->s[lx->pos] <= '9')
            lx->pos++;
    }
    if (lx->pos < lx->len &&
        (lx->s[lx->pos] == 'e' || lx->s[lx->pos] == 'E')) {
        *ok = 0;
        lx->pos++;
        if (lx->pos < lx->len &&
            (lx->s[lx->pos] == '+' || lx->s[lx->pos] == '-'))
            lx->pos++;
        while (lx->pos < lx->len && lx->s[lx->pos] >= '0' &&
               lx->s[lx->pos] <= '9')
            lx->pos++;
    }
    *v = neg ? -x : x;
    return 0;
}

static int read_literal(struct lexer *lx, const char *word)
{
    size_t n = strlen(word);
    if (lx->len - lx->pos < n || memcmp(lx->s + lx->pos, word, n) != 0)
        return -1;
    lx->pos += n;
    return 0;
}

static int skip_value(struct lexer *lx, int depth);

static int skip_container(struct lexer *lx, int depth, char close)
{
    int first = 1;
    if (depth >= MAX_DEPTH)
        return -1;
    lx->pos++; /* opening bracket */
    for (;;) {
        skip_ws(lx);
        if (lx->pos >= lx->len)
            return -1;
        if (lx->s[lx->pos] == close) {
            lx->pos++;
            return 0;
        }
        if (!first) {
            if (lx->s[lx->pos] != ',')
                return -1;
            lx->pos++;
            skip_ws(lx);
        }
        first = 0;
        if (close == '}') {
            if (read_string(lx, NULL, 0, NULL) < 0)
                return -1;
            skip_ws(lx);
            if (lx->pos >= lx->len || lx->s[lx->pos] != ':')
                return -1;
            lx->pos++;
            skip_ws(lx);
        }
        if (skip_value(lx, depth + 1) < 0)
            return -1;
    }
}

static int skip_value(struct lexer *lx, int depth)
{
    long long v;
    int ok;
    if (lx->pos >= lx->len)
        return -1;
    switch (lx->s[lx->pos]) {
    case '"':
        return read_string(lx, NULL, 0, NULL);
    case '{':
        return skip_container(lx, depth, '}');
    case '[':
        return skip_container(lx, depth, ']');
    case 't':
        return read_literal(lx, "true");
    case 'f':
        return read_literal(lx, "false");
    case 'n':
        return read_literal(lx, "null");
    default:
        return read_number(lx, &v, &ok);
    }
}

static int field_index(const char *key)
{
    int i;
    for (i = 0; i < ST_NFIELDS; i++)
        if (strcmp(key, fpm_names[i]) == 0)
            return i;
    return -1;
}

static int parse_member(struct lexer *lx, struct fpm_status *st)
{
    char key[32];
    int trunc, idx;
    if (read_string(lx, key, sizeof key, &trunc) < 0)
        return -1;
    skip_ws(lx);
    if (lx->pos >= lx->len || lx->s[lx->pos] != ':')
        return -1;
    lx->pos++;
    skip_ws(lx);
    if (lx->pos >= lx->len)
        return -1;
    if (trunc)
        return skip_value(lx, 1);
    if (lx->s[lx->pos] == '"' && strcmp(key, "pool") == 0) {
        st->have_pool = 1;
        return read_string(lx, st->pool, sizeof st->pool, NULL);
    }
    if (lx->s[lx->pos] == '"' && strcmp(key, "process manager") == 0) {
        st->have_pm = 1;
        return read_string(lx, st->pm, sizeof st->pm, NULL);
    }
    idx = field_index(key);
    if (idx >= 0 && (lx->s[lx->pos] == '-' ||
                     (lx->s[lx->pos] >= '0' && lx->s[lx->pos] <= '9'))) {
        long long v;
        int ok;
        if (read_number(lx, &v, &ok) < 0)
            return -1;
        if (ok) {
            st->v[idx] = v;
            st->have[idx] = 1;
        }
        return 0;
    }
    return skip_value(lx, 1);
}

int status_parse(const char *text, size_t len, struct fpm_status *st,
                 const char **why)
{
    struct lexer lx = {text, len, 0};
    int first = 1;

    memset(st, 0, sizeof *st);
    *why = "not JSON (php-fpm status with ?json expected)";
    skip_ws(&lx);
    if (lx.pos >= lx.len || lx.s[lx.pos] != '{')
        return -1;
    lx.pos++;
    for (;;) {
        skip_ws(&lx);
        if (lx.pos >= lx.len)
            return -1;
        if (lx.s[lx.pos] == '}') {
            lx.pos++;
            break;
        }
        if (!first) {
            if (lx.s[lx.pos] != ',')
                return -1;
            lx.pos++;
            skip_ws(&lx);
        }
        first = 0;
        if (parse_member(&lx, st) < 0)
            return -1;
    }
    skip_ws(&lx);
    if (lx.pos != lx.len)
        return -1;
    if (!st->have_pool || !st->have[ST_IDLE] || !st->have[ST_ACTIVE] ||
        !st->have[ST_TOTAL] || !st->have[ST_LISTEN_QUEUE]) {
        *why = "JSON lacks pool, processes or listen queue: not php-fpm";
        return -1;
    }
    *why = NULL;
    return 0;
}

enum verdict status_verdict(const struct fpm_status *st,
                            const struct status_limits *lim,
                            long long busy_for, char *reason, size_t rlen)
{
    long long q = st->v[ST_LISTEN_QUEUE];
    long long idle = st->v[ST_IDLE];

    if (lim->max_listen_queue >= 0 && q > lim->max_listen_queue) {
        snprintf(reason, rlen, "listen queue %lld > %lld", q,
                 lim->max_listen_queue);
        return V_BUSY;
    }
    if (idle <= 0) {
        /* Without --max-busy-seconds a pool with no idle worker is busy
         * now; with it, only once that has lasted longer than N s. */
        if (lim->max_busy_seconds < 0) {
            snprintf(reason, rlen, "no idle worker (%lld active)",
                     st->v[ST_ACTIVE]);
            return V_BUSY;
        }
        if (busy_for > lim->max_busy_seconds) {
            snprintf(reason, rlen, "no idle worker for %lld s > %lld s",
                     busy_for, lim->max_busy_seconds);
            return V_BUSY;
        }
        snprintf(reason, rlen, "no idle worker for %lld s <= %lld s",
                 busy_for < 0 ? 0 : busy_for, lim->max_busy_seconds);
        return V_GREEN;
    }
    snprintf(reason, rlen, "%lld idle worker%s", idle, idle == 1 ? "" : "s");
    return V_GREEN;
}

long long status_busy_since(const struct fpm_status *st, long long prev,
                            long long now)
{
    if (st->v[ST_IDLE] > 0)
        return 0;
    if (prev > 0 && prev <= now)
        return prev;
    return now;
}

/* snprintf-appending builder: counts what it would need, never overflows */
struct sb {
    char *out;
    size_t cap;
    size_t len;
};

static void sb_printf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    va_start(ap, fmt);
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
    n = vsnprintf(room ? b->out + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n;
}

size_t json_escape(const char *src, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        char tmp[7];
        size_t k = 0, j;
        if (c == '"' || c == '\\') {
            tmp[k++] = '\\';
            tmp[k++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            tmp[k++] = '\\';
            tmp[k++] = 'u';
            tmp[k++] = '0';
            tmp[k++] = '0';
            tmp[k++] = hex[c >> 4];
            tmp[k++] = hex[c & 15];
        } else {
            tmp[k++] = (char)c;
        }
        for (j = 0; j < k; j++, n++)
            if (n + 1 < cap)
                out[n] = tmp[j];
    }
    if (cap > 0)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

size_t status_json(const struct fpm_status *st, enum verdict v,
                   long long busy_for, const char *reason, char *out,
                   size_t cap)
{
    struct sb b = {out, cap, 0};
    char esc[sizeof st->pool * 6 + 1];
    char resc[512];
    int i;

    if (cap > 0)
        out[0] = '\0';
    json_escape(st->pool, strlen(st->pool), esc, sizeof esc);
    sb_printf(&b, "{\"state\":\"%s\",\"pool\":\"%s\"",
              v == V_GREEN ? "green" : "busy", esc);
    json_escape(st->pm, strlen(st->pm), esc, sizeof esc);
    if (st->have_pm)
        sb_printf(&b, ",\"process_manager\":\"%s\"", esc);
    else
        sb_printf(&b, ",\"process_manager\":null");
    for (i = 0; i < ST_NFIELDS; i++) {
        if (st->have[i])
            sb_printf(&b, ",\"%s\":%lld", out_names[i], st->v[i]);
        else
            sb_printf(&b, ",\"%s\":null", out_names[i]);
    }
    if (busy_for >= 0)
        sb_printf(&b, ",\"busy_seconds\":%lld", busy_for);
    else
        sb_printf(&b, ",\"busy_seconds\":null");
    json_escape(reason, strlen(reason), resc, sizeof resc);
    sb_printf(&b, ",\"reason\":\"%s\"}", resc);
    return b.len;
}
