/* harness.h - tiny test harness (after cmark's api_test/harness.c). */
#ifndef FPM_PROBE_HARNESS_H
#define FPM_PROBE_HARNESS_H

#include <stdio.h>
#include <string.h>

struct harness {
    int passed;
    int failed;
};

#define OK(h, cond, msg)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            (h)->passed++;                                                   \
        } else {                                                             \
            (h)->failed++;                                                   \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, msg);    \
        }                                                                    \
    } while (0)

#define INT_EQ(h, got, want, msg)                                            \
    do {                                                                     \
        long long got_ = (long long)(got), want_ = (long long)(want);        \
        if (got_ == want_) {                                                 \
            (h)->passed++;                                                   \
        } else {                                                             \
            (h)->failed++;                                                   \
            fprintf(stderr, "FAIL %s:%d: %s: got %lld, want %lld\n",         \
                    __FILE__, __LINE__, msg, got_, want_);                   \
        }                                                                    \
    } while (0)

#define STR_EQ(h, got, want, msg)                                            \
    do {                                                                     \
        const char *got_ = (got), *want_ = (want);                           \
        if (got_ != NULL && strcmp(got_, want_) == 0) {                      \
            (h)->passed++;                                                   \
        } else {                                                             \
            (h)->failed++;                                                   \
            fprintf(stderr, "FAIL %s:%d: %s:\n  got  '%s'\n  want '%s'\n",   \
                    __FILE__, __LINE__, msg, got_ ? got_ : "(null)", want_); \
        }                                                                    \
    } while (0)

#endif
