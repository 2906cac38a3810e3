/*
 * alloc.c - the library's single allocation path.
 *
 * Every byte a parse allocates comes from wsp_malloc()/wsp_grow(), so
 * running out of memory is detected in one place and turned into
 * WITSPER_E_NOMEM by the caller; the tests make the k-th allocation fail
 * (wsp_alloc.fail_at) to prove every path cleans up.
 */
#include <stdlib.h>

#include "internal.h"

static int wsp_should_fail(wsp_alloc *a)
{
    a->count++;
    return a->fail_at != 0 && a->count >= a->fail_at;
}

void *wsp_malloc(wsp_alloc *a, size_t size)
{
    if (wsp_should_fail(a))
        return NULL;
    /* malloc(0) may return NULL: ask for one byte so NULL means NOMEM. */
    return malloc(size ? size : 1);
}

int wsp_grow(wsp_alloc *a, void **ptr, size_t *cap, size_t need,
             size_t elem)
{
    size_t ncap;
    void *p;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > ((size_t)-1) / 2)
            return -1;
        ncap *= 2;
    }
    if (elem == 0 || ncap > ((size_t)-1) / elem)
        return -1;
    if (wsp_should_fail(a))
        return -1;
    p = realloc(*ptr, ncap * elem);
    if (p == NULL)
        return -1;
    *ptr = p;
    *cap = ncap;
    return 0;
}

void wsp_free(void *ptr)
{
    free(ptr);
}
