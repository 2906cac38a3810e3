/* advise.c - measure php-fpm workers in /proc and size pm.max_children.
 *
 * Arithmetic (also printed by the command, with the real numbers):
 *   per worker  = the largest worker's peak: its Pss now (private memory
 *                 plus its share of the pages shared with the master and
 *                 the other workers: opcache, libraries; VmRSS when Pss
 *                 cannot be read) + (VmHWM - VmRSS), the extra it held at
 *                 the high-water mark of its heaviest request
 *   available   = MemAvailable, or less when the cgroup of the master has
 *                 a memory.max: min(MemAvailable, memory.max - current)
 *   budget      = available + what the workers use now (it comes back when
 *                 they are replaced) - reserve
 *   reserve     = --reserve-mb, default 10% of (available + workers), at
 *                 least 128 MiB: page cache, MariaDB and nginx growth, a
 *                 worker that peaks above the largest one measured
 *   max_children = floor(budget / per worker), at least 1
 * With --memory-limit-mb M it also prints the worst case, every worker at
 * PHP's memory_limit at once: floor(budget / M).
 */
#include "advise.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS 1024
#define KB_UNLIMITED (1LL << 50) /* cgroup v1 "no limit" is ~2^63 bytes */

int proc_kb(const char *text, const char *key, long long *kb)
{
    size_t k = strlen(key);
    const char *p = text;
    while (p != NULL && *p != '\0') {
        if (strncmp(p, key, k) == 0 && p[k] == ':') {
            char *end;
            long long v;
            p += k + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            errno = 0;
            v = strtoll(p, &end, 10);
            if (end == p || errno != 0 || v < 0)
                return -1;
            *kb = v;
            return 0;
        }
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return -1;
}

int proc_stat(const char *text, char *comm, size_t clen, long long *ppid)
{
    /* "pid (comm) S ppid ...": comm may hold spaces and ')' itself, so
     * it ends at the last ')'. */
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    size_t n;
    char *end;
    if (open == NULL || close == NULL || close < open || clen == 0)
        return -1;
    n = (size_t)(close - open - 1);
    if (n >= clen)
        n = clen - 1;
    memcpy(comm, open + 1, n);
    comm[n] = '\0';
    if (close[1] != ' ' || close[2] == '\0' || close[3] != ' ')
        return -1;
    errno = 0;
    *ppid = strtoll(close + 4, &end, 10);
    if (end == close + 4 || errno != 0)
        return -1;
    return 0;
}

void advise_compute(struct advise_calc *c)
{
    long long avail = c->mem_available_kb;
    long long counted;
    if (c->cg_limit_kb >= 0) {
        long long cg = c->cg_limit_kb - c->cg_current_kb;
        if (cg < 0)
            cg = 0;
        if (cg < avail)
            avail = cg;
    }
    c->available_kb = avail;
    counted = avail + c->workers_kb;
    if (c->reserve_mb >= 0) {
        c->reserve_kb = c->reserve_mb * 1024;
    } else {
        c->reserve_kb = counted / 10;
        if (c->reserve_kb < 128LL * 1024)
            c->reserve_kb = 128LL * 1024;
    }
    c->budget_kb = counted - c->reserve_kb;
    if (c->budget_kb < 0)
        c->budget_kb = 0;
    c->max_children = c->per_worker_kb > 0 ? c->budget_kb / c->per_worker_kb
                                           : 1;
    if (c->max_children < 1)
        c->max_children = 1;
}

/* Reads a small text file into buf (NUL-terminated). Returns its length or
 * -1. NUL bytes (as in /proc/<pid>/cmdline) become spaces. */
static long read_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n, i;
    if (f == NULL)
        return -1;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    for (i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
    return (long)n;
}

static long read_proc(const struct probe_opts *o, long long pid,
                      const char *file, char *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%lld/%s", o->proc_root, pid, file);
    return read_text(path, buf, cap);
}

static int is_fpm(const char *comm)
{
    return strncmp(comm, "php-fpm", 7) == 0;
}

/* Workers show "php-fpm: pool NAME" as their command line. The hidden pool
 * php-fpm creates for pm.status_listen is "NAME_status": it is not sized by
 * pm.max_children, so it is left out unless asked for by --pool. */
static int counts_as_worker(const struct probe_opts *o, const char *cmdline)
{
    const char *pool = strstr(cmdline, "pool ");
    size_t n;
    if (pool == NULL)
        return o->pool == NULL;
    pool += 5;
    n = strcspn(pool, " ");
    if (o->pool != NULL)
        return strlen(o->pool) == n && strncmp(pool, o->pool, n) == 0;
    return !(n > 7 && strncmp(pool + n - 7, "_status", 7) == 0);
}

struct worker {
    long long pid;
    long long rss_kb;
    long long hwm_kb; /* VmHWM: peak resident size */
    long long pss_kb; /* -1 when unreadable */
};

struct scan {
    long long masters[16];
    size_t nmasters;
    struct worker w[MAX_WORKERS];
    size_t nw;
};

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* One pass over /proc: php-fpm masters (cmdline "php-fpm: master
 * process") and the php-fpm children of `master` (when > 0). */
static int scan_proc(const struct probe_opts *o, long long master,
                     struct scan *s)
{
    DIR *d = opendir(o->proc_root);
    struct dirent *e;
    char buf[4096], comm[64];
    if (d == NULL)
        return -1;
    s->nmasters = 0;
    s->nw = 0;
    while ((e = readdir(d)) != NULL) {
        long long pid, ppid;
        if (!all_digits(e->d_name))
            continue;
        pid = strtoll(e->d_name, NULL, 10);
        if (read_proc(o, pid, "stat", buf, sizeof buf) < 0 ||
            proc_stat(buf, comm, sizeof comm, &ppid) < 0 || !is_fpm(comm))
            continue;
        if (read_proc(o, pid, "cmdline", buf, sizeof buf) < 0)
            buf[0] = '\0';
        if (strstr(buf, "master process") != NULL) {
            if (s->nmasters < sizeof s->masters / sizeof s->masters[0])
                s->masters[s->nmasters++] = pid;
            continue;
        }
        if (master > 0 && ppid == master && s->nw < MAX_WORKERS &&
            counts_as_worker(o, buf)) {
            struct worker *w = &s->w[s->nw];
            w->pid = pid;
            if (read_proc(o, pid, "status", buf, sizeof buf) < 0 ||
                proc_kb(buf, "VmRSS", &w->rss_kb) < 0)
                continue; /* exited meanwhile, or a zombie */
            if (proc_kb(buf, "VmHWM", &w->hwm_kb) < 0 ||
                w->hwm_kb < w->rss_kb)
                w->hwm_kb = w->rss_kb;
            if (read_proc(o, pid, "smaps_rollup", buf, sizeof buf) < 0 ||
                proc_kb(buf, "Pss", &w->pss_kb) < 0)
                w->pss_kb = -1;
            s->nw++;
        }
    }
    closedir(d);
    return 0;
}

/* Walks from the cgroup `rel` (cut at each '/' as it goes) up to the root
 * of the hierarchy mounted at `base`, and keeps the limit that leaves the
 * least room (limit - usage). "max" or a huge number means no limit. */
static long long cgroup_walk(const char *base, char *rel, const char *lfile,
                             const char *ufile, long long *current,
                             char *where, size_t wlen)
{
    long long best = -1;
    for (;;) {
        char path[1024], val[64], *slash;
        snprintf(path, sizeof path, "%s%s/%s", base, rel, lfile);
        if (read_text(path, val, sizeof val) > 0 &&
            strncmp(val, "max", 3) != 0) {
            long long lim = strtoll(val, NULL, 10) / 1024, cur = 0;
            snprintf(path, sizeof path, "%s%s/%s", base, rel, ufile);
            if (read_text(path, val, sizeof val) > 0)
                cur = strtoll(val, NULL, 10) / 1024;
            if (lim > 0 && lim < KB_UNLIMITED &&
                (best < 0 || lim - cur < best - *current)) {
                best = lim;
                *current = cur;
                snprintf(where, wlen, "%s%s/%s", base, rel, lfile);
            }
        }
        slash = strrchr(rel, '/');
        if (slash == NULL || rel[0] == '\0')
            return best;
        *slash = '\0';
    }
}

/* The memory limit of pid's cgroup, -1 when none; current gets the usage
 * of the cgroup that sets it. cgroup v2 (line "0::/path", memory.max) and
 * v1 (line "N:...memory...:/path" under <root>/memory, limit_in_bytes),
 * including hybrid hosts where only v1 has the memory controller. */
static long long cgroup_limit(const struct probe_opts *o, long long pid,
                              long long *current, char *where, size_t wlen)
{
    char buf[4096];
    char *p = buf, *v2 = NULL, *v1 = NULL;
    long long lim = -1;

    *current = 0;
    where[0] = '\0';
    if (read_proc(o, pid, "cgroup", buf, sizeof buf) < 0)
        p = NULL;
    while (p != NULL && *p != '\0') {
        char *nl = strchr(p, '\n'), *c1, *c2;
        if (nl != NULL)
            *nl = '\0';
        c1 = strchr(p, ':');
        c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 != NULL) {
            *c1 = '\0';
            *c2 = '\0';
            if (strcmp(p, "0") == 0 && c1 + 1 == c2)
                v2 = c2 + 1;
            else if (strstr(c1 + 1, "memory") != NULL)
                v1 = c2 + 1;
        }
        p = nl ? nl + 1 : NULL;
    }
    if (v2 != NULL)
        lim = cgroup_walk(o->cgroup_root, v2, "memory.max",
                          "memory.current", current, where, wlen);
    if (lim < 0) {
        char root[] = "", base[600];
        snprintf(base, sizeof base, "%s/memory", o->cgroup_root);
        lim = cgroup_walk(base, v1 ? v1 : root, "memory.limit_in_bytes",
                          "memory.usage_in_bytes", current, where, wlen);
    }
    return lim;
}

static double mib(long long kb)
{
    return (double)kb / 1024.0;
}

int advise_run(const struct probe_opts *o, FILE *out, FILE *diag)
{
    struct scan *s = calloc(1, sizeof *s);
    struct advise_calc c;
    long long master = 0;
    char buf[8192], cgwhere[1100];
    size_t i;
    int use_pss = 1;
    long long limit_kb, worst;

    if (s == NULL) {
        fprintf(diag, "advise: out of memory\n");
        return 1;
    }
    if (o->pid_file != NULL) {
        if (read_text(o->pid_file, buf, sizeof buf) < 0 ||
            (master = strtoll(buf, NULL, 10)) <= 0) {
            fprintf(diag, "advise: no pid in %s\n", o->pid_file);
            free(s);
            return 1;
        }
    } else {
        if (scan_proc(o, 0, s) < 0) {
            fprintf(diag, "advise: cannot read %s\n", o->proc_root);
            free(s);
            return 1;
        }
        if (s->nmasters == 0) {
            fprintf(diag, "advise: no php-fpm master process found\n");
            free(s);
            return 1;
        }
        if (s->nmasters > 1) {
            fprintf(diag, "advise: %zu php-fpm masters (", s->nmasters);
            for (i = 0; i < s->nmasters; i++)
                fprintf(diag, "%s%lld", i ? ", " : "", s->masters[i]);
            fprintf(diag, "): choose one with --pid-file\n");
            free(s);
            return 3;
        }
        master = s->masters[0];
    }
    if (scan_proc(o, master, s) < 0 || s->nw == 0) {
        fprintf(diag, "advise: no php-fpm workers with parent %lld\n",
                master);
        free(s);
        return 1;
    }
    memset(&c, 0, sizeof c);
    for (i = 0; i < s->nw; i++)
        if (s->w[i].pss_kb < 0)
            use_pss = 0;
    for (i = 0; i < s->nw; i++) {
        long long kb = use_pss ? s->w[i].pss_kb : s->w[i].rss_kb;
        long long peak = kb + (s->w[i].hwm_kb - s->w[i].rss_kb);
        c.workers_kb += kb;
        if (peak > c.per_worker_kb)
            c.per_worker_kb = peak;
    }
    snprintf(buf, sizeof buf, "%s/meminfo", o->proc_root);
    {
        char mem[8192];
        if (read_text(buf, mem, sizeof mem) < 0 ||
            proc_kb(mem, "MemAvailable", &c.mem_available_kb) < 0) {
            fprintf(diag, "advise: no MemAvailable in %s\n", buf);
            free(s);
            return 1;
        }
    }
    c.cg_limit_kb = cgroup_limit(o, master, &c.cg_current_kb, cgwhere,
                                 sizeof cgwhere);
    c.reserve_mb = o->reserve_mb;
    advise_compute(&c);
    limit_kb = o->memory_limit_mb > 0 ? o->memory_limit_mb * 1024 : -1;
    worst = limit_kb > 0 ? c.budget_kb / limit_kb : -1;
    if (limit_kb > 0 && worst < 1)
        worst = 1;

    if (o->json) {
        fprintf(out,
                "{\"master\":%lld,\"workers\":%zu,\"basis\":\"%s\","
                "\"per_worker_kb\":%lld,\"workers_kb\":%lld,"
                "\"mem_available_kb\":%lld,\"cgroup_limit_kb\":%lld,"
                "\"cgroup_current_kb\":%lld,\"available_kb\":%lld,"
                "\"reserve_kb\":%lld,\"budget_kb\":%lld,"
                "\"max_children\":%lld,\"memory_limit_kb\":%lld,"
                "\"worst_case_children\":%lld,\"pids\":[",
                master, s->nw, use_pss ? "Pss" : "VmRSS", c.per_worker_kb,
                c.workers_kb, c.mem_available_kb, c.cg_limit_kb,
                c.cg_current_kb, c.available_kb, c.reserve_kb, c.budget_kb,
                c.max_children, limit_kb, worst);
        for (i = 0; i < s->nw; i++)
            fprintf(out,
                    "%s{\"pid\":%lld,\"rss_kb\":%lld,\"hwm_kb\":%lld,"
                    "\"pss_kb\":%lld}",
                    i ? "," : "", s->w[i].pid, s->w[i].rss_kb,
                    s->w[i].hwm_kb, s->w[i].pss_kb);
        fprintf(out, "]}\n");
        free(s);
        return 0;
    }
    fprintf(out, "php-fpm master %lld, %zu worker%s:\n", master, s->nw,
            s->nw == 1 ? "" : "s");
    for (i = 0; i < s->nw; i++) {
        fprintf(out, "  pid %-8lld VmRSS %7.1f  VmHWM %7.1f", s->w[i].pid,
                mib(s->w[i].rss_kb), mib(s->w[i].hwm_kb));
        if (s->w[i].pss_kb >= 0)
            fprintf(out, "  Pss %7.1f", mib(s->w[i].pss_kb));
        fprintf(out, " MiB\n");
    }
    fprintf(out, "per worker        = %10.1f MiB  (largest %s + VmHWM - VmRSS:"
                 " share now + extra at its peak)\n",
            mib(c.per_worker_kb), use_pss ? "Pss" : "VmRSS");
    fprintf(out, "MemAvailable      = %10.1f MiB\n", mib(c.mem_available_kb));
    if (c.cg_limit_kb >= 0)
        fprintf(out, "cgroup limit      = %10.1f MiB, %.1f MiB used (%s)\n",
                mib(c.cg_limit_kb), mib(c.cg_current_kb), cgwhere);
    else
        fprintf(out, "cgroup limit      =       none\n");
    fprintf(out, "available         = %10.1f MiB\n", mib(c.available_kb));
    fprintf(out, "+ workers now     = %10.1f MiB  (sum of %s)\n",
            mib(c.workers_kb), use_pss ? "Pss" : "VmRSS");
    fprintf(out, "- reserve         = %10.1f MiB  (%s)\n", mib(c.reserve_kb),
            o->reserve_mb >= 0 ? "--reserve-mb"
                               : "10% of available + workers, >= 128 MiB");
    fprintf(out, "= budget          = %10.1f MiB\n", mib(c.budget_kb));
    if (worst > 0)
        fprintf(out, "worst case        = floor(%.1f / %lld) = %lld  (every "
                     "worker at memory_limit %lld MiB)\n",
                mib(c.budget_kb), o->memory_limit_mb, worst,
                o->memory_limit_mb);
    fprintf(out, "pm.max_children   = floor(%.1f / %.1f) = %lld\n",
            mib(c.budget_kb), mib(c.per_worker_kb), c.max_children);
    free(s);
    return 0;
}
