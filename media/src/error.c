/*
 * Errors: a status plus a message copied into the caller's wm_error. libvips' error
 * buffer is process-global: it is copied and cleared after every failed call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void set_message(wm_error *err, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void set_message(wm_error *err, const char *fmt, va_list ap)
{
    size_t n;

    vsnprintf(err->message, sizeof err->message, fmt, ap);
    /* One line: libvips' buffer ends with a newline and may hold several. */
    for (n = 0; err->message[n] != '\0'; n++) {
        if (err->message[n] == '\n')
            err->message[n] = ' ';
    }
    while (n > 0 && err->message[n - 1] == ' ')
        err->message[--n] = '\0';
}

int wm__fail(wm_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL) {
        err->code = code;
        va_start(ap, fmt);
        set_message(err, fmt, ap);
        va_end(ap);
    }
    return code;
}

int wm__vips_fail(wm_error *err, int code, const char *what)
{
    const char *buf = vips_error_buffer();

    if (buf == NULL || buf[0] == '\0')
        buf = "libvips gave no reason";
    wm__fail(err, code, "%s: %s", what, buf);
    vips_error_clear();
    return code;
}

void wm__ok(wm_error *err)
{
    if (err != NULL) {
        err->code = WM_OK;
        err->message[0] = '\0';
    }
}
