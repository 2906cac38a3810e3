/*
 * check.h - the one C test harness of libwitsper's and fpm-probe's unit tests (after cmark's
 * api_test): each check counts as passed or failed, a failure prints where and why on
 * stderr, and the test program ends with check_summary(), which prints the
 * "NAME: N passed, N failed" line tests/run-all.sh reads and returns the exit status.
 * Header-only, for test programs (one translation unit each).
 */
#ifndef WITSPER_TESTS_CHECK_H
#define WITSPER_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

/* One check at FILE:LINE: counted; on failure WHAT (and DETAIL, may be NULL) on stderr.
 * For helpers that check on behalf of their caller's line. */
static inline void check_at(int ok, const char *file, int line, const char *what,
                     const char *detail)
{
    if (ok) {
        check_passed++;
        return;
    }
    check_failed++;
    fprintf(stderr, "FAIL %s:%d: %s%s%s\n", file, line, what,
            detail ? ": " : "", detail ? detail : "");
}

#define OK(cond, msg)                                                        \
    do {                                                                     \
        if (cond) {                                                          \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, msg);    \
        }                                                                    \
    } while (0)

#define INT_EQ(got, want, msg)                                               \
    do {                                                                     \
        long long got_ = (long long)(got), want_ = (long long)(want);        \
        if (got_ == want_) {                                                 \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            fprintf(stderr, "FAIL %s:%d: %s: got %lld, want %lld\n",         \
                    __FILE__, __LINE__, msg, got_, want_);                   \
        }                                                                    \
    } while (0)

#define STR_EQ(got, want, msg)                                               \
    do {                                                                     \
        const char *got_ = (got), *want_ = (want);                           \
        if (got_ != NULL && strcmp(got_, want_) == 0) {                      \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            fprintf(stderr, "FAIL %s:%d: %s:\n  got  '%s'\n  want '%s'\n",   \
                    __FILE__, __LINE__, msg, got_ ? got_ : "(null)", want_); \
        }                                                                    \
    } while (0)

/* Prints "NAME: N passed, N failed"; returns the program's exit status. */
static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif
