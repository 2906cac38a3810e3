/* opts.c - argument parsing. Accepts "--name value" and "--name=value". */
#include "opts.h"

#include <errno.h>
#include <limits.h>
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

int probe_parse_args(int argc, char **argv, struct probe_opts *o, char *err,
                     size_t errlen)
{
    int i;
    long long n;

    defaults(o);
    if (errlen > 0)
        err[0] = '\0';
    for (i = 1; i < argc; i++) {
        char *a = argv[i], *val = NULL, *eq;
        char name[40];
        size_t nlen;

        if (a[0] != '-' || a[1] != '-') {
            if (a[0] == '-' && a[1] == 'h' && a[2] == '\0') {
                o->help = 1;
                continue;
            }
            if (a[0] == '-' && a[1] != '\0') {
                snprintf(err, errlen, "unknown option '%s'", a);
                return -1;
            }
            if (o->cmd == CMD_NONE) {
                if (strcmp(a, "ping") == 0)
                    o->cmd = CMD_PING;
                else if (strcmp(a, "status") == 0)
                    o->cmd = CMD_STATUS;
                else if (strcmp(a, "request") == 0)
                    o->cmd = CMD_REQUEST;
                else if (strcmp(a, "advise") == 0)
                    o->cmd = CMD_ADVISE;
                else {
                    snprintf(err, errlen, "unknown command '%s'", a);
                    return -1;
                }
                continue;
            }
            if (o->cmd == CMD_REQUEST && o->path == NULL) {
                o->path = a;
                continue;
            }
            snprintf(err, errlen, "unexpected argument '%s'", a);
            return -1;
        }

        eq = strchr(a, '=');
        nlen = eq ? (size_t)(eq - a) : strlen(a);
        if (nlen >= sizeof name) {
            snprintf(err, errlen, "unknown option '%.40s'", a);
            return -1;
        }
        memcpy(name, a, nlen);
        name[nlen] = '\0';

        /* flags without a value */
        if (strcmp(name, "--help") == 0) {
            o->help = 1;
            continue;
        }
        if (strcmp(name, "--busy-ok") == 0) {
            o->busy_ok = 1;
            continue;
        }
        if (strcmp(name, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (strcmp(name, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }

        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            snprintf(err, errlen, "option %s needs a value", name);
            return -1;
        }

        if (strcmp(name, "--host") == 0) {
            o->host = val;
            o->socket_path = NULL;
        } else if (strcmp(name, "--port") == 0) {
            if (parse_ll(val, 1, 65535, &n) < 0) {
                snprintf(err, errlen, "--port wants 1..65535, not '%s'", val);
                return -1;
            }
            o->port = (int)n;
        } else if (strcmp(name, "--socket") == 0) {
            o->socket_path = val;
        } else if (strcmp(name, "--connect") == 0) {
            if (set_connect(o, val, err, errlen) < 0)
                return -1;
        } else if (strcmp(name, "--timeout-ms") == 0 ||
                   strcmp(name, "--connect-timeout-ms") == 0) {
            if (parse_ll(val, 1, 86400000, &n) < 0) {
                snprintf(err, errlen, "%s wants 1..86400000, not '%s'", name,
                         val);
                return -1;
            }
            if (name[2] == 't')
                o->timeout_ms = (int)n;
            else
                o->connect_timeout_ms = (int)n;
        } else if (strcmp(name, "--path") == 0) {
            if (val[0] != '/') {
                snprintf(err, errlen, "--path must start with '/'");
                return -1;
            }
            o->path = val;
        } else if (strcmp(name, "--expect") == 0) {
            o->expect = val;
        } else if (strcmp(name, "--query") == 0) {
            o->query = val;
        } else if (strcmp(name, "--method") == 0) {
            if (val[0] == '\0' || strlen(val) > 16) {
                snprintf(err, errlen, "--method wants a method name");
                return -1;
            }
            o->method = val;
        } else if (strcmp(name, "--data") == 0) {
            o->data = val;
        } else if (strcmp(name, "--expect-status") == 0) {
            if (parse_ll(val, 100, 599, &n) < 0) {
                snprintf(err, errlen, "--expect-status wants 100..599");
                return -1;
            }
            o->expect_status = (int)n;
        } else if (strcmp(name, "--expect-body") == 0) {
            o->expect_body = val;
        } else if (strcmp(name, "--param") == 0) {
            if (strchr(val, '=') == NULL || val[0] == '=') {
                snprintf(err, errlen, "--param wants NAME=VALUE");
                return -1;
            }
            if (o->nextra >= MAX_EXTRA_PARAMS) {
                snprintf(err, errlen, "at most %d --param",
                         MAX_EXTRA_PARAMS);
                return -1;
            }
            o->extra[o->nextra++] = val;
        } else if (strcmp(name, "--max-listen-queue") == 0 ||
                   strcmp(name, "--max-busy-seconds") == 0) {
            if (parse_ll(val, 0, 1000000000, &n) < 0) {
                snprintf(err, errlen, "%s wants a number >= 0", name);
                return -1;
            }
            if (name[6] == 'l')
                o->max_listen_queue = n;
            else
                o->max_busy_seconds = n;
        } else if (strcmp(name, "--state") == 0) {
            o->state_file = val;
        } else if (strcmp(name, "--max-body") == 0) {
            if (parse_ll(val, 1, 256LL * 1024 * 1024, &n) < 0) {
                snprintf(err, errlen, "--max-body wants 1..268435456");
                return -1;
            }
            o->max_body = (size_t)n;
        } else if (strcmp(name, "--pid-file") == 0) {
            o->pid_file = val;
        } else if (strcmp(name, "--pool") == 0) {
            o->pool = val;
        } else if (strcmp(name, "--reserve-mb") == 0) {
            if (parse_ll(val, 0, 1LL << 40, &n) < 0) {
                snprintf(err, errlen, "--reserve-mb wants a number >= 0");
                return -1;
            }
            o->reserve_mb = n;
        } else if (strcmp(name, "--memory-limit-mb") == 0) {
            if (parse_ll(val, 1, 1LL << 30, &n) < 0) {
                snprintf(err, errlen, "--memory-limit-mb wants a number > 0");
                return -1;
            }
            o->memory_limit_mb = n;
        } else if (strcmp(name, "--proc") == 0) {
            o->proc_root = val;
        } else if (strcmp(name, "--cgroup") == 0) {
            o->cgroup_root = val;
        } else {
            snprintf(err, errlen, "unknown option '%s'", name);
            return -1;
        }
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
