<?php
/**
 * libwitsper declarations for PHP FFI, GENERATED from native/include/witsper.h
 * by native/gen-ffi.sh (make -C native ffi-headers): do not edit; edit witsper.h.
 * witsper.h is the manual. No macros, no includes: PHP's FFI runs no preprocessor.
 * make -C native check fails when this copy is not current.
 *
 * Returns the declarations as a string: Witsper_FFI passes it to FFI::cdef()
 * (ffi.enable=true, CLI). In preload mode php-fpm reads the witsper_ffi.h header instead.
 *
 * @package witsper-ffi
 */

return <<<'C'
typedef enum witsper_status {
    WITSPER_OK = 0,
    WITSPER_E_NOMEM = 1,
    WITSPER_E_ARGUMENT = 2,
    WITSPER_E_TOO_LARGE = 3,
    WITSPER_E_UNSUPPORTED = 4
} witsper_status;

enum witsper_constants {
    WITSPER_ABI = 1,
    WITSPER_PLAN_FORMAT = 1
};

typedef struct witsper_error {
    int code;
    const char *message;
    size_t offset;
} witsper_error;

typedef struct witsper_buffer {
    unsigned char *data;
    size_t len;
} witsper_buffer;

const char *witsper_version(void);

int witsper_abi(void);

int witsper_parse_blocks(const char *doc, size_t len, witsper_buffer *out, witsper_error *err);

void witsper_buffer_free(witsper_buffer *buf);
C;
