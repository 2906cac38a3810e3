/* fpm-probe - a FastCGI health probe and tuning helper for php-fpm.
 *
 * Exit codes (the contract the Compose healthcheck, `make verify` and
 * `make status` rely on):
 *   0  healthy: ping answered as configured / pool has an idle worker and
 *      is under the thresholds / request answered the expected status and
 *      body / advise printed a recommendation
 *   1  unhealthy or dead: connection refused, no such socket, connect or
 *      read timeout, not a FastCGI answer, wrong status or body; advise:
 *      no php-fpm master or workers found
 *   2  busy, not dead (status only): php-fpm answered on the status
 *      listener but no worker is idle (for longer than --max-busy-seconds
 *      when given) or the listen queue is above --max-listen-queue;
 *      --busy-ok turns this into 0 for health checks that should only
 *      fail on a dead pool
 *   3  usage error (bad option or argument); --help exits 0
 *
 * Only libc is used. The FastCGI parser (fcgi.c) and the status JSON
 * parser (status.c) are pure and fuzzed (fuzz/fuzz_response.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advise.h"
#include "fcgi.h"
#include "net.h"
#include "opts.h"
#include "status.h"

#define EXIT_GREEN 0
#define EXIT_RED 1
#define EXIT_BUSY 2
#define EXIT_USAGE 3

/* STDERR of the script is kept up to this size (and echoed to stderr). */
#define ERR_CAP 8192

static const char usage[] =
    "Usage: fpm-probe COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  ping              request the ping path (default /ping), expect the\n"
    "                    configured answer (default \"pong\")\n"
    "  status            request the pool status (default /status?json) and\n"
    "                    print it as normalized JSON\n"
    "  request PATH      run the PHP script PATH (SCRIPT_FILENAME) and print\n"
    "                    its body\n"
    "  advise            recommend pm.max_children from the workers'\n"
    "                    measured memory and the memory available\n"
    "\n"
    "Connection:\n"
    "  --host HOST       TCP host (default 127.0.0.1)\n"
    "  --port N          TCP port (default 9000)\n"
    "  --socket PATH     unix socket instead of TCP\n"
    "  --connect ADDR    HOST:PORT or /socket/path in one option\n"
    "  --timeout-ms N    read timeout for the whole answer (default 3000)\n"
    "  --connect-timeout-ms N  connect timeout (default: --timeout-ms)\n"
    "  --max-body BYTES  keep at most this much of the answer\n"
    "                    (default 1 MiB)\n"
    "\n"
    "ping / status:\n"
    "  --path PATH       ping or status path (/ping, /status)\n"
    "  --expect TEXT     ping answer to expect (default pong)\n"
    "  --max-listen-queue N  busy (exit 2) when the listen queue is above N\n"
    "  --max-busy-seconds N  busy only when no worker has been idle for\n"
    "                    more than N s: with --state, measured across runs;\n"
    "                    without it, the probe samples for up to N s\n"
    "  --state FILE      small file remembering since when no worker is idle\n"
    "  --busy-ok         exit 0 instead of 2 when busy (healthchecks)\n"
    "\n"
    "request:\n"
    "  --query STRING    QUERY_STRING\n"
    "  --method NAME     REQUEST_METHOD (default GET)\n"
    "  --data STRING     request body (sent as STDIN, form-encoded)\n"
    "  --param NAME=VAL  extra FastCGI parameter (repeatable, up to 32)\n"
    "  --expect-status N expected HTTP status (default 200)\n"
    "  --expect-body S   the body must contain S\n"
    "  --quiet           do not print the body\n"
    "\n"
    "advise:\n"
    "  --pid-file FILE   php-fpm master pid (default: find it in /proc)\n"
    "  --pool NAME       only this pool's workers (default: all pools but\n"
    "                    the hidden NAME_status pool of pm.status_listen)\n"
    "  --reserve-mb N    memory kept for everything else (default: 10% of\n"
    "                    the memory counted, at least 128 MiB)\n"
    "  --memory-limit-mb M  also show the worst case: every worker at PHP's\n"
    "                    memory_limit M at once\n"
    "  --json            JSON output\n"
    "\n"
    "Exit: 0 healthy, 1 unhealthy/dead, 2 busy (status), 3 usage error.\n";

static void add_param(struct fcgi_param *ps, size_t *n, const char *name,
                      const char *value)
{
    ps[*n].name = name;
    ps[*n].name_len = strlen(name);
    ps[*n].value = value;
    ps[*n].value_len = strlen(value);
    (*n)++;
}

/* True if an --param NAME=... overrides the default parameter `name`. */
static int overridden(const struct probe_opts *o, const char *name)
{
    size_t i, k = strlen(name);
    for (i = 0; i < o->nextra; i++)
        if (strncmp(o->extra[i], name, k) == 0 && o->extra[i][k] == '=')
            return 1;
    return 0;
}

struct answer {
    struct fcgi_parser p;
    struct cgi_response cgi;
    unsigned char err[ERR_CAP];
    long long ms;
};

/* Builds the request for `script` and runs one exchange. Returns an exit
 * code (EXIT_GREEN when an HTTP-level answer is in a->cgi). */
static int exchange(const struct probe_opts *o, const char *script_filename,
                    const char *script_name, const char *query,
                    struct answer *a, char *err, size_t elen)
{
    struct fcgi_param ps[24 + MAX_EXTRA_PARAMS];
    size_t n = 0, i, len;
    char uri[4096], clen[24];
    const char *body = o->cmd == CMD_REQUEST && o->data ? o->data : "";
    size_t body_len = strlen(body);
    unsigned char *req, *out;
    long long t0;
    enum net_result r;
    static const struct {
        const char *name;
        const char *value;
    } fixed[] = {
        {"GATEWAY_INTERFACE", "CGI/1.1"},
        {"SERVER_SOFTWARE", "fpm-probe"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"SERVER_NAME", "localhost"},
        {"SERVER_ADDR", "127.0.0.1"},
        {"SERVER_PORT", "80"},
        {"REMOTE_ADDR", "127.0.0.1"},
        {"REMOTE_PORT", "0"},
        {"HTTP_HOST", "localhost"},
        {"HTTP_USER_AGENT", "fpm-probe"},
    };

    if (snprintf(uri, sizeof uri, "%s%s%s", script_name, *query ? "?" : "",
                 query) >= (int)sizeof uri) {
        snprintf(err, elen, "path and query too long");
        return EXIT_USAGE;
    }
    snprintf(clen, sizeof clen, "%zu", body_len);
    add_param(ps, &n, "SCRIPT_FILENAME", script_filename);
    add_param(ps, &n, "SCRIPT_NAME", script_name);
    add_param(ps, &n, "REQUEST_URI", uri);
    add_param(ps, &n, "DOCUMENT_URI", script_name);
    add_param(ps, &n, "QUERY_STRING", query);
    add_param(ps, &n, "REQUEST_METHOD",
              o->cmd == CMD_REQUEST ? o->method : "GET");
    add_param(ps, &n, "CONTENT_LENGTH", clen);
    if (body_len > 0)
        add_param(ps, &n, "CONTENT_TYPE",
                  "application/x-www-form-urlencoded");
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        add_param(ps, &n, fixed[i].name, fixed[i].value);
    /* a default that an --param names is dropped: each name once */
    for (i = 0; i < n;) {
        char name[64];
        size_t k = ps[i].name_len < sizeof name - 1 ? ps[i].name_len
                                                    : sizeof name - 1;
        memcpy(name, ps[i].name, k);
        name[k] = '\0';
        if (overridden(o, name)) {
            memmove(&ps[i], &ps[i + 1], (n - i - 1) * sizeof ps[0]);
            n--;
        } else {
            i++;
        }
    }
    for (i = 0; i < o->nextra; i++) {
        const char *eq = strchr(o->extra[i], '=');
        ps[n].name = o->extra[i];
        ps[n].name_len = (size_t)(eq - o->extra[i]);
        ps[n].value = eq + 1;
        ps[n].value_len = strlen(eq + 1);
        n++;
    }

    len = fcgi_encode_request(NULL, 0, 1, ps, n,
                              (const unsigned char *)body, body_len);
    if (len == 0) {
        snprintf(err, elen, "a parameter is too long for FastCGI");
        return EXIT_USAGE;
    }
    req = malloc(len);
    out = malloc(o->max_body);
    if (req == NULL || out == NULL) {
        free(req);
        free(out);
        snprintf(err, elen, "out of memory");
        return EXIT_RED;
    }
    fcgi_encode_request(req, len, 1, ps, n, (const unsigned char *)body,
                        body_len);

    memset(&a->p, 0, sizeof a->p);
    a->p.request_id = 1;
    a->p.out = out;
    a->p.out_cap = o->max_body;
    a->p.err = a->err;
    a->p.err_cap = sizeof a->err;
    fcgi_parser_init(&a->p);
    t0 = net_now_ms();
    r = net_exchange(o->socket_path, o->host, o->port, o->connect_timeout_ms,
                     o->timeout_ms, req, len, &a->p, err, elen);
    a->ms = net_now_ms() - t0;
    free(req);
    if (r != NET_OK) {
        free(out);
        a->p.out = NULL;
        return EXIT_RED;
    }
    if (a->p.err_len > 0) /* PHP's own messages: show them, they explain */
        fprintf(stderr, "fpm-probe: php stderr: %.*s%s\n",
                (int)a->p.err_len, (const char *)a->p.err,
                a->p.err_total > a->p.err_len ? " [...]" : "");
    if (cgi_parse(out, a->p.out_len, &a->cgi) < 0) {
        snprintf(err, elen, "answer has no valid CGI header block");
        free(out);
        a->p.out = NULL;
        return EXIT_RED;
    }
    return EXIT_GREEN;
}

static void answer_free(struct answer *a)
{
    free(a->p.out);
    a->p.out = NULL;
}

static const char *where(const struct probe_opts *o, char *buf, size_t len)
{
    if (o->socket_path != NULL)
        snprintf(buf, len, "unix:%s", o->socket_path);
    else
        snprintf(buf, len, "%s:%d", o->host, o->port);
    return buf;
}

static int cmd_ping(const struct probe_opts *o)
{
    struct answer a;
    char err[256], w[160];
    int rc = exchange(o, o->path, o->path, "", &a, err, sizeof err);
    size_t elen = strlen(o->expect);
    const unsigned char *b;
    size_t blen;

    if (rc != EXIT_GREEN) {
        fprintf(stderr, "red: ping %s %s: %s\n", where(o, w, sizeof w),
                o->path, err);
        return rc;
    }
    b = a.cgi.body;
    blen = a.cgi.body_len;
    /* php-fpm sends the configured text as is; tolerate a final newline */
    while (blen > 0 && (b[blen - 1] == '\n' || b[blen - 1] == '\r'))
        blen--;
    if (a.cgi.status != 200 || blen != elen ||
        memcmp(b, o->expect, elen) != 0) {
        fprintf(stderr,
                "red: ping %s %s: HTTP %d, body '%.*s' (expected 200 '%s')\n",
                where(o, w, sizeof w), o->path, a.cgi.status,
                (int)(blen > 80 ? 80 : blen), (const char *)b, o->expect);
        answer_free(&a);
        return EXIT_RED;
    }
    if (!o->quiet)
        printf("green: ping %s %s -> %s (%lld ms)\n", where(o, w, sizeof w),
               o->path, o->expect, a.ms);
    answer_free(&a);
    return EXIT_GREEN;
}

/* One status fetch + parse. Returns EXIT_GREEN with *st filled, else
 * EXIT_RED (message printed). */
static int fetch_status(const struct probe_opts *o, struct fpm_status *st)
{
    struct answer a;
    char err[256], w[160];
    const char *why;
    int rc = exchange(o, o->path, o->path, "json", &a, err, sizeof err);
    if (rc != EXIT_GREEN) {
        fprintf(stderr, "red: status %s %s: %s\n", where(o, w, sizeof w),
                o->path, err);
        return rc;
    }
    if (a.cgi.status != 200) {
        fprintf(stderr, "red: status %s %s: HTTP %d\n", where(o, w, sizeof w),
                o->path, a.cgi.status);
        answer_free(&a);
        return EXIT_RED;
    }
    if (status_parse((const char *)a.cgi.body, a.cgi.body_len, st, &why)) {
        fprintf(stderr, "red: status %s %s: %s\n", where(o, w, sizeof w),
                o->path, why);
        answer_free(&a);
        return EXIT_RED;
    }
    answer_free(&a);
    return EXIT_GREEN;
}

/* State file: one line "busy_since START_TIME", both epoch seconds; the
 * pool's start time resets the clock when php-fpm restarts. */
static long long read_state(const char *file, long long start_time)
{
    FILE *f = fopen(file, "r");
    char line[128], *end;
    long long since, st;
    if (f == NULL)
        return 0;
    if (fgets(line, sizeof line, f) == NULL) {
        fclose(f);
        return 0;
    }
    fclose(f);
    since = strtoll(line, &end, 10);
    st = strtoll(end, NULL, 10);
    return st == start_time && since > 0 ? since : 0;
}

static void write_state(const char *file, long long since, long long start)
{
    char tmp[4096];
    FILE *f;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int)sizeof tmp)
        return;
    f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "fpm-probe: cannot write %s: %s\n", tmp,
                strerror(errno));
        return;
    }
    fprintf(f, "%lld %lld\n", since, start);
    if (fclose(f) != 0 || rename(tmp, file) != 0)
        fprintf(stderr, "fpm-probe: cannot update %s: %s\n", file,
                strerror(errno));
}

static int cmd_status(const struct probe_opts *o)
{
    struct fpm_status st;
    struct status_limits lim;
    long long busy_for = -1;
    enum verdict v;
    char reason[160], json[2048];
    int rc = fetch_status(o, &st);

    if (rc != EXIT_GREEN)
        return rc;
    lim.max_listen_queue = o->max_listen_queue;
    lim.max_busy_seconds = o->max_busy_seconds;

    if (o->state_file != NULL) {
        long long now = (long long)time(NULL);
        long long prev = read_state(o->state_file, st.v[ST_START_TIME]);
        long long since = status_busy_since(&st, prev, now);
        write_state(o->state_file, since, st.v[ST_START_TIME]);
        busy_for = since > 0 ? now - since : 0;
    } else if (o->max_busy_seconds >= 0 && st.v[ST_IDLE] <= 0) {
        /* No memory across runs: watch for up to N s whether a worker
         * becomes idle; sample twice a second. */
        long long t0 = net_now_ms();
        long long limit = o->max_busy_seconds * 1000;
        const struct timespec half_second = {0, 500000000L};
        busy_for = 0;
        while (st.v[ST_IDLE] <= 0) {
            long long el = net_now_ms() - t0;
            if (el > limit) {
                busy_for = el / 1000;
                /* report "longer than N" even when N is 0 */
                if (busy_for <= o->max_busy_seconds)
                    busy_for = o->max_busy_seconds + 1;
                break;
            }
            nanosleep(&half_second, NULL);
            rc = fetch_status(o, &st);
            if (rc != EXIT_GREEN)
                return rc;
        }
        if (st.v[ST_IDLE] > 0)
            busy_for = 0;
    }

    v = status_verdict(&st, &lim, busy_for, reason, sizeof reason);
    if (status_json(&st, v, busy_for, reason, json, sizeof json) >=
        sizeof json) {
        fprintf(stderr, "fpm-probe: status JSON too long\n");
        return EXIT_RED;
    }
    if (!o->quiet)
        printf("%s\n", json);
    if (v == V_BUSY) {
        fprintf(stderr, "busy: %s\n", reason);
        return o->busy_ok ? EXIT_GREEN : EXIT_BUSY;
    }
    return EXIT_GREEN;
}

static int contains(const unsigned char *h, size_t hlen, const char *needle)
{
    size_t n = strlen(needle), i;
    if (n == 0)
        return 1;
    for (i = 0; i + n <= hlen; i++)
        if (h[i] == (unsigned char)needle[0] && memcmp(h + i, needle, n) == 0)
            return 1;
    return 0;
}

static int cmd_request(const struct probe_opts *o)
{
    struct answer a;
    char err[256], abspath[PATH_MAX], name[PATH_MAX + 1];
    const char *file = o->path, *base;
    int rc;

    /* php-fpm needs an absolute SCRIPT_FILENAME; the probe runs on the
     * same host (or in the same container), so resolve it here. */
    if (file[0] != '/' && realpath(file, abspath) != NULL)
        file = abspath;
    base = strrchr(file, '/');
    snprintf(name, sizeof name, "/%s", base ? base + 1 : file);

    rc = exchange(o, file, name, o->query, &a, err, sizeof err);
    if (rc != EXIT_GREEN) {
        char w[160];
        fprintf(stderr, "red: request %s %s: %s\n", where(o, w, sizeof w),
                file, err);
        return rc;
    }
    if (!o->quiet) {
        fwrite(a.cgi.body, 1, a.cgi.body_len, stdout);
        fflush(stdout);
    }
    if (a.p.out_total > a.p.out_len)
        fprintf(stderr, "fpm-probe: body truncated to %zu of %zu bytes "
                        "(--max-body)\n",
                a.p.out_len, a.p.out_total);
    if (a.cgi.status != o->expect_status) {
        fprintf(stderr, "red: request %s: HTTP %d, expected %d\n", file,
                a.cgi.status, o->expect_status);
        rc = EXIT_RED;
    } else if (o->expect_body != NULL &&
               !contains(a.cgi.body, a.cgi.body_len, o->expect_body)) {
        fprintf(stderr, "red: request %s: body does not contain '%s'\n",
                file, o->expect_body);
        rc = EXIT_RED;
    }
    answer_free(&a);
    return rc;
}

int main(int argc, char **argv)
{
    struct probe_opts o;
    char err[256];

    if (probe_parse_args(argc, argv, &o, err, sizeof err) < 0) {
        fprintf(stderr, "fpm-probe: %s (see fpm-probe --help)\n", err);
        return EXIT_USAGE;
    }
    if (o.help) {
        fputs(usage, stdout);
        return EXIT_GREEN;
    }
    switch (o.cmd) {
    case CMD_PING:
        return cmd_ping(&o);
    case CMD_STATUS:
        return cmd_status(&o);
    case CMD_REQUEST:
        return cmd_request(&o);
    case CMD_ADVISE:
        return advise_run(&o, stdout, stderr);
    case CMD_NONE:
        break;
    }
    fputs(usage, stderr);
    return EXIT_USAGE;
}
