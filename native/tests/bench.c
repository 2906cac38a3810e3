/*
 * bench.c - C parse time per file: median of repeated witsper_parse_blocks
 * calls (wall clock), plan size. Usage: build/bench FILE... (make bench).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "witsper.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    enum { RUNS = 101 };
    int i;

    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        char *doc;
        long n;
        double t[RUNS];
        size_t plan = 0;
        int r;

        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0) {
            fprintf(stderr, "bench: cannot read %s\n", argv[i]);
            return 1;
        }
        doc = malloc((size_t)n + 1);
        if (doc == NULL || fread(doc, 1, (size_t)n, f) != (size_t)n) {
            fprintf(stderr, "bench: cannot read %s\n", argv[i]);
            return 1;
        }
        fclose(f);
        for (r = 0; r < RUNS; r++) {
            witsper_buffer b = {NULL, 0};
            double t0 = now();

            if (witsper_parse_blocks(doc, (size_t)n, &b, NULL) != 0) {
                fprintf(stderr, "bench: parse failed on %s\n", argv[i]);
                return 1;
            }
            t[r] = now() - t0;
            plan = b.len;
            witsper_buffer_free(&b);
        }
        qsort(t, RUNS, sizeof(double), cmp);
        printf("%-36s %9ld bytes  median %8.1f us  %7.0f MB/s  plan %zu bytes\n",
               argv[i], n, t[RUNS / 2] * 1e6,
               (double)n / t[RUNS / 2] / 1e6, plan);
        free(doc);
    }
    return 0;
}
