/* opts.h - command line of fpm-probe (pure: argv in, struct out). */
#ifndef FPM_PROBE_OPTS_H
#define FPM_PROBE_OPTS_H

#include <stddef.h>

enum probe_cmd { CMD_NONE, CMD_PING, CMD_STATUS, CMD_REQUEST, CMD_ADVISE };

#define MAX_EXTRA_PARAMS 32

struct probe_opts {
    enum probe_cmd cmd;
    int help;
    const char *host;        /* TCP host (numeric or name) */
    int port;
    const char *socket_path; /* unix socket; wins over host/port */
    int timeout_ms;          /* read timeout: whole response */
    int connect_timeout_ms;  /* defaults to timeout_ms */
    const char *path;        /* ping/status path, or the script */
    const char *expect;      /* ping: expected body */
    const char *query;
    const char *method;
    const char *data;        /* request body (STDIN) */
    int expect_status;
    const char *expect_body;
    const char *extra[MAX_EXTRA_PARAMS]; /* NAME=VALUE */
    size_t nextra;
    long long max_listen_queue; /* -1: not set */
    long long max_busy_seconds; /* -1: not set */
    const char *state_file;
    int busy_ok;             /* exit 0 instead of 2 when busy */
    size_t max_body;         /* cap on STDOUT kept */
    const char *pid_file;    /* advise: master pid */
    const char *pool;        /* advise: only this pool's workers */
    long long reserve_mb;    /* advise: -1 = default rule */
    long long memory_limit_mb; /* advise: worst case line; 0 = none */
    const char *proc_root;   /* advise: /proc (tests use a fake tree) */
    const char *cgroup_root; /* advise: /sys/fs/cgroup */
    int json;                /* advise: JSON output */
    int quiet;               /* no body / no details on stdout */
};

/* Fills o from argv[1..argc). Returns 0, or -1 with a message in err.
 * --help sets o->help and returns 0 (the command may then be CMD_NONE). */
int probe_parse_args(int argc, char **argv, struct probe_opts *o, char *err,
                     size_t errlen);

#endif
