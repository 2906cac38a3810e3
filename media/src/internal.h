/*
 * libwitsper-media internals shared by the source files (not installed).
 */
#ifndef WITSPER_MEDIA_INTERNAL_H
#define WITSPER_MEDIA_INTERNAL_H

#include <stdint.h>

#include <vips/vips.h>

#include "witsper_media.h"

/* The loaders this library lets libvips run (every other one is blocked). */
typedef enum wm_loader {
    WM_LOAD_JPEG,
    WM_LOAD_PNG,
    WM_LOAD_WEBP,
    WM_LOAD_GIF,
    WM_LOAD_HEIF
} wm_loader;

struct wm_image {
    char *path;         /* NUL-terminated copy */
    int flags;          /* wm_open flags */
    wm_loader loader;
    /* The file's identity at wm_open (device, inode, size, modification time): a decoded
     * image kept from an earlier handle is reused only for the very same file. */
    uint64_t dev, ino, size;
    int64_t mtime, mtime_ns;
    int width, height;  /* stored size from the header */
    int palette_bits;   /* PNG sizes as a palette of this many bits; 0: truecolour (save.c) */
    /* Source mode (cur == NULL): the current image is the file, transformed by a
     * pending flip (left-right, first) then a clockwise rotation rot (0/90/180/270). */
    int rot;
    int flip;
    VipsImage *base;    /* decoded (maybe shrunk on load) sRGB 8-bit, in memory, stored
                         * orientation; kept for later results while it is large enough */
    /* After an operation: the current image, in memory. */
    VipsImage *cur;
};

/* --- errors (error.c) --- */
/* Sets err (may be NULL) to code and a formatted message; returns code. */
int wm__fail(wm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets err to code with "what: <libvips' error buffer>", clears the buffer; returns code. */
int wm__vips_fail(wm_error *err, int code, const char *what);
void wm__ok(wm_error *err);

/* --- init.c --- */
/* WM_OK when libvips is started in this process (starts it with defaults if needed). */
int wm__ready(wm_error *err);
uint64_t wm__max_pixels(void);
uint64_t wm__max_file_bytes(void);

/* --- pipeline.c --- */
/* Converts a decoded image to 8-bit sRGB (or 8-bit grey), with or without alpha. */
int wm__to_srgb8(VipsImage *in, VipsImage **out, wm_error *err);
/* The region (x, y, w, h) of the current-image coordinates of an image that is the
 * current image at scale (in->Xsize / cur_w, in->Ysize / cur_h), resized to exactly
 * dst_w x dst_h with kernel, in memory. Takes the caller's reference to in (also on failure). */
int wm__cut(VipsImage *in, int cur_w, int cur_h, int x, int y, int w, int h, int dst_w,
            int dst_h, VipsKernel kernel, VipsImage **out, wm_error *err);
/* The resampling kernel for the sizes of an image of this loader (see pipeline.c). */
VipsKernel wm__kernel(wm_loader loader);
/* Whether an image of in_w x in_h, standing for the current image of cur_w x cur_h, holds
 * the region (w x h) with at least dst_w x dst_h pixels. */
int wm__large_enough(int in_w, int in_h, int cur_w, int cur_h, int w, int h, int dst_w,
                     int dst_h);
/* The image for a result that needs the region (w x h, current coordinates) at
 * dst_w x dst_h, in current coordinates (a new reference): the current image; or the kept
 * base when large enough; or the base this process kept from the same file (image.c,
 * wm_release_cache); or a new decode, kept as the base (and for the next handle on the
 * same file). WM_OPEN_FULL_DECODE: a lazy pipeline from the decoder, nothing kept. */
int wm__source(wm_image *img, int w, int h, int dst_w, int dst_h, VipsImage **out,
               wm_error *err);
/* For a JPEG, *out = the file decoded at 1/8 scale (libjpeg's DC-only decode: an exact
 * 8 x 8 box average, and ~1/20 of a full decode's CPU) in current coordinates, when that
 * holds the region (w x h) with at least twice dst_w x dst_h pixels; else *out = NULL.
 * Small sizes made from it keep GD's SSIM where libjpeg's 1/2 and 1/4 scaled IDCT (the
 * base for the large sizes) lost 0.004-0.007 (make test-media, an 18 MP dark photo). */
int wm__source_dc(wm_image *img, int w, int h, int dst_w, int dst_h, VipsImage **out,
                  wm_error *err);
void wm__current_size(const wm_image *img, int *w, int *h);

/* --- save.c --- */
/* Encodes in as mime at quality into path (a temporary name, then rename). */
int wm__save(VipsImage *in, const char *path, const char *mime, int quality, int palette_bits,
             uint64_t *bytes, wm_error *err);
/* The bytes of in encoded as the PNG wm__save writes (*len), without writing it. */
int wm__png_bytes(VipsImage *in, int palette_bits, size_t *len);
/* Removes the EXIF and XMP chunks from a WebP file in buf; returns the new length. */
size_t wm__webp_strip(unsigned char *buf, size_t len);
/* Copies a pointer + length path into a NUL-terminated string (NULL on error). */
char *wm__path(const char *path, size_t len, wm_error *err);

#endif
