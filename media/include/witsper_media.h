/*
 * libwitsper-media: WordPress image work (decode, orient, crop, resize, encode) through
 * libvips, for PHP's FFI. The manual for the PHP side is this header; the declarations PHP
 * reads are generated from it (native/gen-ffi.sh, make -C media ffi-headers), never
 * edited by hand.
 *
 * Why a second library: libwitsper (the block parser) has no threads and no mutable globals,
 * so it may be loaded in the php-fpm master. libvips has a thread pool, a GObject type
 * registry and an operation cache. So this library:
 *  - is loaded only in a php-fpm worker that handles an image (FFI::cdef at first use, in
 *    both FFI modes; never ffi.preload, never opcache.preload), and never unloaded
 *    (-z nodelete: libvips cannot register its types twice);
 *  - starts libvips lazily (wm_init) and remembers the pid it started in: every call made
 *    in another process (a fork after init) fails with WM_E_INIT instead of using a thread
 *    pool that fork did not copy;
 *  - turns libvips' operation cache off, runs with a small thread count (default 1),
 *    allows only the JPEG, PNG, WebP, GIF and HEIF/AVIF loaders (everything else, PDF,
 *    SVG, ImageMagick, matrix, raw ..., is blocked with vips_operation_block_set) and
 *    checks the pixel and file-size limits from the header, before any pixel is decoded;
 *  - never calls abort(), exit() or prints; every failure is a status plus a message.
 *
 * Conventions (as libwitsper): paths are pointer + length (no NUL needed); status 0 is
 * success; messages are copied into the caller's wm_error (libvips' error buffer is
 * global and is cleared after each call).
 *
 * Images are handles (wm_image). Opening reads the header only; pixels are decoded when a
 * result is first needed, with shrink-on-load to the largest size that result needs.
 * Operations (wm_crop_resize, wm_rotate, wm_flip) replace the handle's current image.
 * wm_make_sizes makes many sizes from the current image without changing it: one decode,
 * then each size from the smallest already-made full-frame image that is still large
 * enough (descending order), so a 24 MP photo is decoded once at reduced size.
 * Pixels are not auto-rotated: WordPress decides orientation (maybe_exif_rotate), and the
 * handle reports the EXIF/HEIF orientation it found. Results are converted to sRGB (the
 * embedded ICC profile, or libvips' CMYK default, is used for the conversion) and saved
 * without metadata and without a profile, as WordPress's GD editor saves them.
 */
#ifndef WITSPER_MEDIA_H
#define WITSPER_MEDIA_H

#ifndef WITSPER_FFI_HEADER
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(WITSPER_MEDIA_BUILDING) && defined(__GNUC__)
#define WM_API __attribute__((visibility("default")))
#else
#define WM_API
#endif

#define WITSPER_MEDIA_VERSION "0.1.0"

typedef enum wm_status {
    WM_OK = 0,
    WM_E_NOMEM = 1,       /* out of memory */
    WM_E_ARGUMENT = 2,    /* a bad argument: NULL, size 0, rectangle outside the image */
    WM_E_INIT = 3,        /* libvips could not start, or a call from another process */
    WM_E_TOO_LARGE = 4,   /* pixel or file-size limit: rejected before decoding */
    WM_E_UNSUPPORTED = 5, /* not a JPEG/PNG/WebP/GIF/HEIF/AVIF file, or a blocked loader */
    WM_E_DECODE = 6,      /* corrupt, truncated or lying file */
    WM_E_ENCODE = 7,      /* the output format could not be written */
    WM_E_IO = 8           /* cannot read or write a file */
} wm_status;

enum wm_constants {
    WITSPER_MEDIA_ABI = 1,
    WM_MESSAGE_MAX = 256,
    WM_MIME_MAX = 32,
    WM_OPEN_FULL_DECODE = 1  /* wm_open flag: no shrink-on-load, decode the whole image for
                              * every result (the naive way; only make bench-media uses it) */
};

/* An open image (opaque; wm_close frees it). */
typedef struct wm_image wm_image;

/* Why a call failed: code is a wm_status, message a NUL-terminated copy. */
typedef struct wm_error {
    int code;
    char message[WM_MESSAGE_MAX];
} wm_error;

/* Settings for wm_init. 0 in a field means the default. */
typedef struct wm_config {
    int threads;              /* libvips worker threads (default 1) */
    uint64_t max_pixels;      /* width x height x pages limit (default 100,000,000) */
    uint64_t max_file_bytes;  /* file-size limit (default 256 MiB) */
} wm_config;

/* What wm_open found in the header (stored pixels: not rotated). */
typedef struct wm_info {
    int width;
    int height;
    int orientation;          /* EXIF/HEIF orientation 1..8 (1 when absent or invalid) */
    int bands;
    int has_alpha;
    int pages;                /* frames of an animated GIF/WebP (1 otherwise) */
    char mime[WM_MIME_MAX];   /* from the content, not the name: "image/jpeg", ... */
} wm_info;

/* A size to make: the region (src_*) of the current image, resized to dst_w x dst_h,
 * saved at path (pointer + length) in out_mime at quality. The numbers are WordPress's
 * own (image_resize_dimensions()); the library makes exactly dst_w x dst_h. */
typedef struct wm_size {
    int src_x;
    int src_y;
    int src_w;
    int src_h;
    int dst_w;
    int dst_h;
    const char *path;
    size_t path_len;
    /* results */
    int status;               /* wm_status of this size */
    int out_w;
    int out_h;
    uint64_t out_bytes;
} wm_size;

/* Starts libvips in this process, once (later calls in the same process return WM_OK and
 * ignore cfg). cfg may be NULL. Fails with WM_E_INIT in a process forked after init. */
WM_API int wm_init(const wm_config *cfg, wm_error *err);

/* Returns the pid wm_init started libvips in, 0 if never. Tests use it to prove that the
 * php-fpm master never starts libvips. */
WM_API int64_t wm_init_pid(void);

WM_API const char *wm_version(void);      /* "0.1.0": a static string */
WM_API const char *wm_vips_version(void); /* libvips' version: a static string */
WM_API int wm_abi(void);                  /* WITSPER_MEDIA_ABI */

/* Writes to out (NUL-terminated, at most cap bytes) the output formats this libvips can
 * write, space-separated mime types, e.g. "image/jpeg image/png image/webp image/gif
 * image/avif". Returns the length written. */
WM_API size_t wm_savable(char *out, size_t cap);

/* Opens an image: header only (limits, loader, orientation). *out is a new handle.
 * flags: 0, or WM_OPEN_FULL_DECODE. */
WM_API int wm_open(const char *path, size_t path_len, int flags, wm_image **out,
                   wm_info *info, wm_error *err);

/* Frees the handle. NULL-safe. */
WM_API void wm_close(wm_image *img);

/* The current image's size (after the operations so far). */
WM_API int wm_size_of(const wm_image *img, int *width, int *height);

/* Replaces the current image by its region (x, y, w, h) resized to dst_w x dst_h
 * (WordPress's resize and crop). */
WM_API int wm_crop_resize(wm_image *img, int x, int y, int w, int h, int dst_w, int dst_h,
                          wm_error *err);

/* Rotates counter-clockwise by angle degrees (WordPress's convention; 90, 180, 270). */
WM_API int wm_rotate(wm_image *img, int angle, wm_error *err);

/* Flips as WP_Image_Editor::flip( $horz, $vert ) (GD and Imagick editors): horz flips
 * across the horizontal axis (top <-> bottom), vert across the vertical axis (left <->
 * right); both is a 180 degrees rotation. */
WM_API int wm_flip(wm_image *img, int horz, int vert, wm_error *err);

/* Saves the current image at path in mime at quality (1..100); writes the result's size. */
WM_API int wm_save(wm_image *img, const char *path, size_t path_len, const char *mime,
                   int quality, wm_size *result, wm_error *err);

/* Makes n sizes from the current image (which it does not change), each in mime at
 * quality. Returns WM_OK when every size was made; otherwise the first failure, with
 * each size's own status in sizes[i].status. */
WM_API int wm_make_sizes(wm_image *img, wm_size *sizes, size_t n, const char *mime,
                         int quality, wm_error *err);

#ifdef __cplusplus
}
#endif

#endif /* WITSPER_MEDIA_H */
