/* advise.h - recommend pm.max_children from measured worker memory. */
#ifndef FPM_PROBE_ADVISE_H
#define FPM_PROBE_ADVISE_H

#include <stddef.h>
#include <stdio.h>

#include "opts.h"

/* Value in kB of a "/proc/<pid>/status"-style line "Key:   123 kB" (also
 * used for smaps_rollup and meminfo). Returns 0 and sets *kb, or -1. */
int proc_kb(const char *text, const char *key, long long *kb);

/* From the text of /proc/<pid>/stat: comm (without parentheses, truncated
 * to clen-1) and the parent pid. Returns 0, or -1 if malformed. */
int proc_stat(const char *text, char *comm, size_t clen, long long *ppid);

struct advise_calc {
    /* inputs */
    long long per_worker_kb;   /* largest worker (Pss, or VmRSS) */
    long long workers_kb;      /* sum over the workers, same basis */
    long long mem_available_kb;
    long long cg_limit_kb;     /* -1: no cgroup limit */
    long long cg_current_kb;
    long long reserve_mb;      /* -1: default rule */
    /* results */
    long long available_kb;    /* min(MemAvailable, limit - current) */
    long long reserve_kb;
    long long budget_kb;       /* available + workers - reserve */
    long long max_children;    /* budget / per worker, at least 1 */
};

/* The arithmetic, pure: fills the result fields of c from its inputs. */
void advise_compute(struct advise_calc *c);

/* Finds the master and its workers under o->proc_root, measures them,
 * reads memory limits and prints the recommendation. Returns the exit
 * code (0 printed, 1 nothing to measure). */
int advise_run(const struct probe_opts *o, FILE *out, FILE *diag);

#endif
