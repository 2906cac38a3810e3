<?php
/**
 * libwitsper-media declarations for PHP FFI, GENERATED from media/include/witsper_media.h
 * by native/gen-ffi.sh (make -C media ffi-headers): do not edit; edit witsper_media.h.
 * witsper_media.h is the manual. No macros, no includes: PHP's FFI runs no preprocessor.
 * make -C media check fails when this copy is not current.
 *
 * Returns the declarations as a string: Witsper_Media passes it to FFI::cdef()
 * in the worker, at its first image job, in both FFI modes (never ffi.preload).
 *
 * @package witsper-ffi
 */

return <<<'C'
typedef enum wm_status {
    WM_OK = 0,
    WM_E_NOMEM = 1,
    WM_E_ARGUMENT = 2,
    WM_E_INIT = 3,
    WM_E_TOO_LARGE = 4,
    WM_E_UNSUPPORTED = 5,
    WM_E_DECODE = 6,
    WM_E_ENCODE = 7,
    WM_E_IO = 8
} wm_status;

enum wm_constants {
    WITSPER_MEDIA_ABI = 1,
    WM_MESSAGE_MAX = 256,
    WM_MIME_MAX = 32,
    WM_OPEN_FULL_DECODE = 1
};

typedef struct wm_image wm_image;

typedef struct wm_error {
    int code;
    char message[WM_MESSAGE_MAX];
} wm_error;

typedef struct wm_config {
    int threads;
    uint64_t max_pixels;
    uint64_t max_file_bytes;
} wm_config;

typedef struct wm_info {
    int width;
    int height;
    int orientation;
    int bands;
    int has_alpha;
    int pages;
    char mime[WM_MIME_MAX];
} wm_info;

typedef struct wm_size {
    int src_x;
    int src_y;
    int src_w;
    int src_h;
    int dst_w;
    int dst_h;
    const char *path;
    size_t path_len;
    int status;
    int out_w;
    int out_h;
    uint64_t out_bytes;
} wm_size;

int wm_init(const wm_config *cfg, wm_error *err);

int64_t wm_init_pid(void);

const char *wm_version(void);

const char *wm_vips_version(void);

int wm_abi(void);

size_t wm_savable(char *out, size_t cap);

int wm_open(const char *path, size_t path_len, int flags, wm_image **out, wm_info *info, wm_error *err);

void wm_close(wm_image *img);

int wm_size_of(const wm_image *img, int *width, int *height);

int wm_crop_resize(wm_image *img, int x, int y, int w, int h, int dst_w, int dst_h, wm_error *err);

int wm_rotate(wm_image *img, int angle, wm_error *err);

int wm_flip(wm_image *img, int horz, int vert, wm_error *err);

int wm_save(wm_image *img, const char *path, size_t path_len, const char *mime, int quality, wm_size *result, wm_error *err);

int wm_make_sizes(wm_image *img, wm_size *sizes, size_t n, const char *mime, int quality, wm_error *err);
C;
