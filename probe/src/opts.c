/* opts.c - argument parsing. Accepts "--name value" and "--name=value".
 * Every option is one row of options[]: its name, whether it takes a
 * value, and the function and member that store it. */
#include "opts.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_ll(const char *s, long long min, long long max,
                    long long *out)
{
    char *end;
    long long v;
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void defaults(struct probe_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = CMD_NONE;
    o->host = "127.0.0.1";
    o->port = 9000;
    o->timeout_ms = 3000;
    o->connect_timeout_ms = -1;
    o->expect = "pong";
    o->method = "GET";
    o->query = "";
    o->expect_status = 200;
    o->max_listen_queue = -1;
    o->max_busy_seconds = -1;
    o->max_body = (size_t)1024 * 1024;
    o->reserve_mb = -1;
    o->proc_root = "/proc";
    o->cgroup_root = "/sys/fs/cgroup";
}

/* "--connect HOST:PORT" or "--connect /path/to/socket" (the form of
 * var/stack.env's WITSPER_FPM_LISTEN / WITSPER_FPM_STATUS). */
static int set_connect(struct probe_opts *o, char *v, char *err, size_t elen)
{
    char *colon;
    long long port;
    if (v[0] == '/' || strncmp(v, "unix:", 5) == 0) {
        o->socket_path = v[0] == '/' ? v : v + 5;
        return 0;
    }
    colon = strrchr(v, ':');
    if (colon == NULL || parse_ll(colon + 1, 1, 65535, &port) < 0) {
        snprintf(err, elen, "--connect wants HOST:PORT or /socket, not '%s'",
                 v);
        return -1;
    }
    *colon = '\0';
    o->host = v;
    if (v[0] == '[' && colon > v + 1 && colon[-1] == ']') {
        colon[-1] = '\0';
        o->host = v + 1;
    }
    o->port = (int)port;
    o->socket_path = NULL;
    return 0;
}

/* ---- the option table ---------------------------------------------- */

struct opt;
/* Stores val (NULL for a flag) into o as d says; -1 with a message in err. */
typedef int (*opt_set)(struct probe_opts *o, const struct opt *d, char *val,
                       char *err, size_t elen);

struct opt {
    const char *name;   /* "--name" */
    int takes_value;    /* 0: a flag ("--name=..." is refused) */
    opt_set set;
    size_t field;       /* offsetof the member set_* writes */
    long long min, max; /* numbers: the accepted range */
    const char *want;   /* numbers: the range as the error message says it */
};

#define FIELD(m) offsetof(struct probe_opts, m)

static void *field_of(struct probe_opts *o, const struct opt *d)
{
    return (char *)o + d->field;
}

static int set_flag(struct probe_opts *o, const struct opt *d, char *val,
                    char *err, size_t elen)
{
    (void)val, (void)err, (void)elen;
    *(int *)field_of(o, d) = 1;
    return 0;
}

static int set_str(struct probe_opts *o, const struct opt *d, char *val,
                   char *err, size_t elen)
{
    (void)err, (void)elen;
    *(const char **)field_of(o, d) = val;
    return 0;
}

/* A number in [d->min, d->max]; the width of the member follows. */
static int get_num(const struct opt *d, const char *val, long long *n,
                   char *err, size_t elen)
{
    if (parse_ll(val, d->min, d->max, n) == 0)
        return 0;
    snprintf(err, elen, "%s wants %s, not '%s'", d->name, d->want, val);
    return -1;
}

static int set_int(struct probe_opts *o, const struct opt *d, char *val,
                   char *err, size_t elen)
{
    long long n;
    if (get_num(d, val, &n, err, elen) < 0)
        return -1;
    *(int *)field_of(o, d) = (int)n;
    return 0;
}

static int set_ll(struct probe_opts *o, const struct opt *d, char *val,
                  char *err, size_t elen)
{
    long long n;
    if (get_num(d, val, &n, err, elen) < 0)
        return -1;
    *(long long *)field_of(o, d) = n;
    return 0;
}

static int set_size(struct probe_opts *o, const struct opt *d, char *val,
                    char *err, size_t elen)
{
    long long n;
    if (get_num(d, val, &n, err, elen) < 0)
        return -1;
    *(size_t *)field_of(o, d) = (size_t)n;
    return 0;
}

/* --host: TCP again, even after --socket. */
static int set_host(struct probe_opts *o, const struct opt *d, char *val,
                    char *err, size_t elen)
{
    (void)d, (void)err, (void)elen;
    o->host = val;
    o->socket_path = NULL;
    return 0;
}

static int set_connect_opt(struct probe_opts *o, const struct opt *d,
                           char *val, char *err, size_t elen)
{
    (void)d;
    return set_connect(o, val, err, elen);
}

static int set_path(struct probe_opts *o, const struct opt *d, char *val,
                    char *err, size_t elen)
{
    (void)d;
    if (val[0] != '/') {
        snprintf(err, elen, "--path must start with '/'");
        return -1;
    }
    o->path = val;
    return 0;
}

static int set_method(struct probe_opts *o, const struct opt *d, char *val,
                      char *err, size_t elen)
{
    (void)d;
    if (val[0] == '\0' || strlen(val) > 16) {
        snprintf(err, elen, "--method wants a method name");
        return -1;
    }
    o->method = val;
    return 0;
}

static int add_param(struct probe_opts *o, const struct opt *d, char *val,
                     char *err, size_t elen)
{
    (void)d;
    if (strchr(val, '=') == NULL || val[0] == '=') {
        snprintf(err, elen, "--param wants NAME=VALUE");
        return -1;
    }
    if (o->nextra >= MAX_EXTRA_PARAMS) {
        snprintf(err, elen, "at most %d --param", MAX_EXTRA_PARAMS);
        return -1;
    }
    o->extra[o->nextra++] = val;
    return 0;
}

/* Every option, in --help's order (timeouts: up to a day). */
static const struct opt options[] = {
    {"--host", 1, set_host, 0, 0, 0, NULL},
    {"--port", 1, set_int, FIELD(port), 1, 65535, "1..65535"},
    {"--socket", 1, set_str, FIELD(socket_path), 0, 0, NULL},
    {"--connect", 1, set_connect_opt, 0, 0, 0, NULL},
    {"--timeout-ms", 1, set_int, FIELD(timeout_ms), 1, 86400000,
     "1..86400000"},
    {"--connect-timeout-ms", 1, set_int, FIELD(connect_timeout_ms), 1,
     86400000, "1..86400000"},
    {"--max-body", 1, set_size, FIELD(max_body), 1, 256LL * 1024 * 1024,
     "1..268435456"},
    {"--path", 1, set_path, 0, 0, 0, NULL},
    {"--expect", 1, set_str, FIELD(expect), 0, 0, NULL},
    {"--max-listen-queue", 1, set_ll, FIELD(max_listen_queue), 0,
     1000000000, "a number >= 0"},
    {"--max-busy-seconds", 1, set_ll, FIELD(max_busy_seconds), 0,
     1000000000, "a number >= 0"},
    {"--state", 1, set_str, FIELD(state_file), 0, 0, NULL},
    {"--busy-ok", 0, set_flag, FIELD(busy_ok), 0, 0, NULL},
    {"--query", 1, set_str, FIELD(query), 0, 0, NULL},
    {"--method", 1, set_method, 0, 0, 0, NULL},
    {"--data", 1, set_str, FIELD(data), 0, 0, NULL},
    {"--param", 1, add_param, 0, 0, 0, NULL},
    {"--expect-status", 1, set_int, FIELD(expect_status), 100, 599,
     "100..599"},
    {"--expect-body", 1, set_str, FIELD(expect_body), 0, 0, NULL},
    {"--quiet", 0, set_flag, FIELD(quiet), 0, 0, NULL},
    {"--pid-file", 1, set_str, FIELD(pid_file), 0, 0, NULL},
    {"--pool", 1, set_str, FIELD(pool), 0, 0, NULL},
    {"--reserve-mb", 1, set_ll, FIELD(reserve_mb), 0, 1LL << 40,
     "a number >= 0"},
    {"--memory-limit-mb", 1, set_ll, FIELD(memory_limit_mb), 1, 1LL << 30,
     "a number > 0"},
    {"--json", 0, set_flag, FIELD(json), 0, 0, NULL},
    /* not in --help: the tests point advise at a fake /proc and cgroup */
    {"--proc", 1, set_str, FIELD(proc_root), 0, 0, NULL},
    {"--cgroup", 1, set_str, FIELD(cgroup_root), 0, 0, NULL},
    {"--help", 0, set_flag, FIELD(help), 0, 0, NULL},
};

static const struct opt *find_opt(const char *name, size_t nlen)
{
    size_t k;
    for (k = 0; k < sizeof options / sizeof options[0]; k++)
        if (strncmp(options[k].name, name, nlen) == 0 &&
            options[k].name[nlen] == '\0')
            return &options[k];
    return NULL;
}

/* A word that is not an option: the command, or request's PATH. */
static int positional(struct probe_opts *o, char *a, char *err, size_t elen)
{
    static const struct {
        const char *name;
        enum probe_cmd cmd;
    } cmds[] = {{"ping", CMD_PING},
                {"status", CMD_STATUS},
                {"request", CMD_REQUEST},
                {"advise", CMD_ADVISE}};
    if (o->cmd == CMD_NONE) {
        size_t k;
        for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
            if (strcmp(a, cmds[k].name) == 0) {
                o->cmd = cmds[k].cmd;
                return 0;
            }
        snprintf(err, elen, "unknown command '%s'", a);
        return -1;
    }
    if (o->cmd == CMD_REQUEST && o->path == NULL) {
        o->path = a;
        return 0;
    }
    snprintf(err, elen, "unexpected argument '%s'", a);
    return -1;
}

int probe_parse_args(int argc, char **argv, struct probe_opts *o, char *err,
                     size_t errlen)
{
    int i;

    defaults(o);
    if (errlen > 0)
        err[0] = '\0';
    for (i = 1; i < argc; i++) {
        char *a = argv[i], *val = NULL, *eq;
        const struct opt *d;
        size_t nlen;

        if (strcmp(a, "-h") == 0) {
            o->help = 1;
            continue;
        }
        if (a[0] != '-' || a[1] == '\0') { /* a word; "-" alone is one too */
            if (positional(o, a, err, errlen) < 0)
                return -1;
            continue;
        }
        eq = a[1] == '-' ? strchr(a, '=') : NULL;
        nlen = eq ? (size_t)(eq - a) : strlen(a);
        d = a[1] == '-' ? find_opt(a, nlen) : NULL;
        if (d == NULL) {
            snprintf(err, errlen, "unknown option '%.*s'",
                     (int)(nlen < 64 ? nlen : 64), a);
            return -1;
        }
        if (!d->takes_value) {
            if (eq != NULL) {
                snprintf(err, errlen, "option %s takes no value", d->name);
                return -1;
            }
        } else if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            snprintf(err, errlen, "option %s needs a value", d->name);
            return -1;
        }
        if (d->set(o, d, val, err, errlen) < 0)
            return -1;
    }
    if (o->help)
        return 0;
    if (o->cmd == CMD_NONE) {
        snprintf(err, errlen, "no command (ping, status, request, advise)");
        return -1;
    }
    if (o->cmd == CMD_REQUEST && o->path == NULL) {
        snprintf(err, errlen, "request needs the script PATH");
        return -1;
    }
    if (o->cmd == CMD_PING && o->path == NULL)
        o->path = "/ping";
    if (o->cmd == CMD_STATUS && o->path == NULL)
        o->path = "/status";
    if (o->connect_timeout_ms < 0)
        o->connect_timeout_ms = o->timeout_ms;
    if (o->socket_path != NULL && o->socket_path[0] == '\0') {
        snprintf(err, errlen, "--socket wants a path");
        return -1;
    }
    return 0;
}
