/*
 * Handles: wm_open (header only, limits before decoding), the decode with shrink-on-load
 * (kept in the handle for later results), and the operations that replace the current
 * image (wm_crop_resize, wm_rotate, wm_flip) and wm_save.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

static const struct {
    const char *nickname;
    wm_loader loader;
    const char *mime;
} loaders[] = {
    { "jpegload", WM_LOAD_JPEG, "image/jpeg" },
    { "pngload", WM_LOAD_PNG, "image/png" },
    { "webpload", WM_LOAD_WEBP, "image/webp" },
    { "gifload", WM_LOAD_GIF, "image/gif" },
    { "heifload", WM_LOAD_HEIF, "image/heic" }
};

/* WebP scale-on-load only above this many pixels: below, the full decode costs little,
 * and libwebp's scaled decode of small and thin images lost up to 0.01 SSIM against
 * GD's full decode + resample (make test-media, random and thin WebPs). */
#define WM_WEBP_SCALE_MIN_PIXELS INT64_C(4000000)

/* Loads the file: header now, pixels when read. shrink (JPEG, 1/2/4/8) and scale (WebP,
 * 0 < scale <= 1) ask the decoder for a smaller image. */
static int load(const wm_image *img, int shrink, double scale, VipsAccess access,
                VipsImage **out)
{
    switch (img->loader) {
    case WM_LOAD_JPEG:
        return vips_jpegload(img->path, out, "shrink", shrink, "access", access,
                             "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    case WM_LOAD_PNG:
        return vips_pngload(img->path, out, "access", access,
                            "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    case WM_LOAD_WEBP:
        return vips_webpload(img->path, out, "scale", scale, "access", access,
                             "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    case WM_LOAD_GIF:
        return vips_gifload(img->path, out, "access", access,
                            "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    case WM_LOAD_HEIF:
        return vips_heifload(img->path, out, "access", access,
                             "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    }
    return -1;
}

char *wm__path(const char *path, size_t len, wm_error *err)
{
    char *copy;

    if (path == NULL || len == 0 || memchr(path, '\0', len) != NULL) {
        wm__fail(err, WM_E_ARGUMENT, "the path is empty or holds a NUL byte");
        return NULL;
    }
    copy = malloc(len + 1);
    if (copy == NULL) {
        wm__fail(err, WM_E_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(copy, path, len);
    copy[len] = '\0';
    return copy;
}

static int get_int(VipsImage *im, const char *name, int fallback)
{
    int v;

    if (vips_image_get_typeof(im, name) == 0 || vips_image_get_int(im, name, &v) != 0) {
        vips_error_clear();
        return fallback;
    }
    return v;
}

WM_API int wm_open(const char *path, size_t path_len, int flags, wm_image **out,
                   wm_info *info, wm_error *err)
{
    wm_image *img;
    struct stat st;
    VipsImage *hdr = NULL;
    size_t i;
    int rc, pages, orientation;
    uint64_t pixels;

    wm__ok(err);
    if (out == NULL)
        return wm__fail(err, WM_E_ARGUMENT, "out is NULL");
    *out = NULL;
    if ((flags & ~WM_OPEN_FULL_DECODE) != 0)
        return wm__fail(err, WM_E_ARGUMENT, "unknown flags %d", flags);
    if ((rc = wm__ready(err)) != WM_OK)
        return rc;
    img = calloc(1, sizeof *img);
    if (img == NULL)
        return wm__fail(err, WM_E_NOMEM, "out of memory");
    img->flags = flags;
    img->path = wm__path(path, path_len, err);
    if (img->path == NULL) {
        rc = err != NULL ? err->code : WM_E_ARGUMENT;
        goto fail;
    }
    /* The file-size limit, before libvips reads a byte. */
    if (stat(img->path, &st) != 0) {
        rc = wm__fail(err, WM_E_IO, "cannot read %s: %s", img->path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = wm__fail(err, WM_E_IO, "%s is not a regular file", img->path);
        goto fail;
    }
    if ((uint64_t)st.st_size > wm__max_file_bytes()) {
        rc = wm__fail(err, WM_E_TOO_LARGE, "the file has %llu bytes, more than the limit "
                      "of %llu", (unsigned long long)st.st_size,
                      (unsigned long long)wm__max_file_bytes());
        goto fail;
    }
    if (st.st_size == 0) {
        rc = wm__fail(err, WM_E_UNSUPPORTED, "the file is empty");
        goto fail;
    }
    img->dev = (uint64_t)st.st_dev;
    img->ino = (uint64_t)st.st_ino;
    img->size = (uint64_t)st.st_size;
    img->mtime = (int64_t)st.st_mtim.tv_sec;
    img->mtime_ns = (int64_t)st.st_mtim.tv_nsec;
    /* The loader from the content, asking only our loaders (the sniffers of the others,
     * ImageMagick's among them, never run; they are blocked as well). */
    for (i = 0; i < sizeof loaders / sizeof loaders[0]; i++) {
        if (vips_foreign_is_a(loaders[i].nickname, img->path))
            break;
    }
    vips_error_clear();
    if (i == sizeof loaders / sizeof loaders[0]) {
        rc = wm__fail(err, WM_E_UNSUPPORTED,
                      "not a JPEG, PNG, WebP, GIF, HEIF or AVIF file");
        goto fail;
    }
    img->loader = loaders[i].loader;
    if (load(img, 1, 1.0, VIPS_ACCESS_SEQUENTIAL, &hdr) != 0) {
        /* libheif refuses images over its own size limit while reading the header. */
        const char *why = vips_error_buffer();
        rc = wm__vips_fail(err, why != NULL && strstr(why, "Security limit") != NULL
                                    ? WM_E_TOO_LARGE : WM_E_DECODE,
                           "cannot read the image header");
        goto fail;
    }
    img->width = hdr->Xsize;
    img->height = hdr->Ysize;
    /* A two-colour palette PNG (line art, scans): every resampled pixel is a blend of the
     * two colours, which 16 palette entries hold (SSIM 0.986; truecolour wrote 4x the
     * bytes of GD's output, make test-media formats/palette1.png). Other palettes come
     * out truecolour, as from GD (save.c). */
    img->palette_bits = img->loader == WM_LOAD_PNG &&
                        get_int(hdr, "palette-bit-depth", 0) == 1 ? 4 : 0;
    pages = 1;
    if (img->loader == WM_LOAD_GIF || img->loader == WM_LOAD_WEBP)
        pages = get_int(hdr, "n-pages", 1);
    if (pages < 1)
        pages = 1;
    /* The pixel limit, before any pixel is decoded. */
    pixels = (uint64_t)img->width * (uint64_t)img->height * (uint64_t)pages;
    if (img->width <= 0 || img->height <= 0 || pixels > wm__max_pixels()) {
        rc = wm__fail(err, WM_E_TOO_LARGE, "%d x %d pixels x %d frames is more than the "
                      "limit of %llu pixels", img->width, img->height, pages,
                      (unsigned long long)wm__max_pixels());
        goto fail;
    }
    orientation = get_int(hdr, VIPS_META_ORIENTATION, 1);
    if (orientation < 1 || orientation > 8)
        orientation = 1;
    if (info != NULL) {
        const char *mime = loaders[i].mime;
        const char *compression = NULL;
        memset(info, 0, sizeof *info);
        info->width = img->width;
        info->height = img->height;
        info->orientation = orientation;
        info->bands = hdr->Bands;
        info->has_alpha = vips_image_hasalpha(hdr) ? 1 : 0;
        info->pages = pages;
        if (img->loader == WM_LOAD_HEIF &&
            vips_image_get_typeof(hdr, "heif-compression") != 0 &&
            vips_image_get_string(hdr, "heif-compression", &compression) == 0 &&
            strcmp(compression, "av1") == 0)
            mime = "image/avif";
        vips_error_clear();
        snprintf(info->mime, sizeof info->mime, "%s", mime);
    }
    g_object_unref(hdr);
    *out = img;
    return WM_OK;

fail:
    if (hdr != NULL)
        g_object_unref(hdr);
    wm_close(img);
    return rc;
}

WM_API void wm_close(wm_image *img)
{
    if (img == NULL)
        return;
    if (img->base != NULL)
        g_object_unref(img->base);
    if (img->cur != NULL)
        g_object_unref(img->cur);
    free(img->path);
    free(img);
}

void wm__current_size(const wm_image *img, int *w, int *h)
{
    if (img->cur != NULL) {
        *w = img->cur->Xsize;
        *h = img->cur->Ysize;
    } else if (img->rot == 90 || img->rot == 270) {
        *w = img->height;
        *h = img->width;
    } else {
        *w = img->width;
        *h = img->height;
    }
}

WM_API int wm_size_of(const wm_image *img, int *width, int *height)
{
    int w, h;

    if (img == NULL)
        return WM_E_ARGUMENT;
    wm__current_size(img, &w, &h);
    if (width != NULL)
        *width = w;
    if (height != NULL)
        *height = h;
    return WM_OK;
}

/* libjpeg's scaled size: ceil(n / s). */
static int div_up(int n, int s)
{
    return (n + s - 1) / s;
}

/* The file as a lazy, sequential pipeline (header read, no pixel decoded yet) converted
 * to 8-bit sRGB, decoded with shrink-on-load to the smallest size that still has the
 * region w x h (current coordinates) with dst_w x dst_h pixels. */
static int pipeline(const wm_image *img, int w, int h, int dst_w, int dst_h, VipsImage **out,
                    wm_error *err)
{
    VipsImage *raw = NULL;
    int shrink = 1, swap = img->rot == 90 || img->rot == 270;
    int cw = swap ? img->height : img->width, ch = swap ? img->width : img->height;
    double scale = 1.0;
    int attempt;

    if ((img->flags & WM_OPEN_FULL_DECODE) == 0) {
        if (img->loader == WM_LOAD_JPEG) {
            static const int shrinks[] = { 8, 4, 2 };
            size_t i;
            for (i = 0; i < sizeof shrinks / sizeof shrinks[0]; i++) {
                int s = shrinks[i];
                int bw = div_up(swap ? img->height : img->width, s);
                int bh = div_up(swap ? img->width : img->height, s);
                /* Only a shrink that divides both sides: libvips' shrunk JPEG is
                 * floor(side / s) pixels, so with a remainder the last pixels of the
                 * image are dropped and the rest is stretched by side / (s * floor(..))
                 * (a 75 px wide image shrunk by 4 lost 3 columns, stretched 4%). */
                if (img->width % s != 0 || img->height % s != 0)
                    continue;
                if (wm__large_enough(bw, bh, cw, ch, w, h, dst_w, dst_h)) {
                    shrink = s;
                    break;
                }
            }
        } else if (img->loader == WM_LOAD_WEBP &&
                   (int64_t)img->width * img->height > WM_WEBP_SCALE_MIN_PIXELS) {
            /* Twice the smallest scale whose region still has dst pixels (plus one pixel):
             * libwebp's scaled decode to (almost) the final size lost 0.005-0.02 SSIM
             * against GD's full decode + resample (make test-media, thin WebPs); at 2x,
             * the kernel's reduce that follows does the last halving as for other files. */
            double sx = 2.0 * ((double)dst_w + 1.0) / (double)w;
            double sy = 2.0 * ((double)dst_h + 1.0) / (double)h;
            scale = sx > sy ? sx : sy;
            if (scale > 1.0)
                scale = 1.0;
        }
    }
    /* A second attempt at full size if the decoder rounded below what was needed (the
     * header after shrink-on-load says; nothing is decoded yet). */
    for (attempt = 0; attempt < 2; attempt++) {
        int bw, bh;
        if (load(img, shrink, scale, VIPS_ACCESS_SEQUENTIAL, &raw) != 0)
            return wm__vips_fail(err, WM_E_DECODE, "cannot decode the image");
        bw = swap ? raw->Ysize : raw->Xsize;
        bh = swap ? raw->Xsize : raw->Ysize;
        if (wm__large_enough(bw, bh, cw, ch, w, h, dst_w, dst_h) ||
            (shrink == 1 && scale >= 1.0))
            break;
        g_object_unref(raw);
        raw = NULL;
        shrink = 1;
        scale = 1.0;
    }
    if (raw == NULL)
        return wm__fail(err, WM_E_DECODE, "the decoder returned a smaller image than asked");
    {
        int rc = wm__to_srgb8(raw, out, err);
        g_object_unref(raw);
        return rc;
    }
}

/* Decodes the file into a new base in memory (see pipeline()). */
static int decode(const wm_image *img, int w, int h, int dst_w, int dst_h, VipsImage **out,
                  wm_error *err)
{
    VipsImage *lazy = NULL, *mem;
    int rc = pipeline(img, w, h, dst_w, dst_h, &lazy, err);

    if (rc != WM_OK)
        return rc;
    mem = vips_image_copy_memory(lazy);
    g_object_unref(lazy);
    if (mem == NULL)
        return wm__vips_fail(err, WM_E_DECODE, "cannot decode the image");
    *out = mem;
    return WM_OK;
}

/* The base with the pending flip and rotation applied (a new reference). */
static int transform(const wm_image *img, VipsImage *base, VipsImage **out, wm_error *err)
{
    VipsImage *flipped = NULL, *rotated = NULL, *mem;
    static const VipsAngle angles[] = { VIPS_ANGLE_D0, VIPS_ANGLE_D90, VIPS_ANGLE_D180,
                                        VIPS_ANGLE_D270 };

    if (img->rot == 0 && !img->flip) {
        g_object_ref(base);
        *out = base;
        return WM_OK;
    }
    if (img->flip) {
        if (vips_flip(base, &flipped, VIPS_DIRECTION_HORIZONTAL, NULL) != 0)
            return wm__vips_fail(err, WM_E_NOMEM, "cannot flip the image");
    } else {
        g_object_ref(base);
        flipped = base;
    }
    if (img->rot != 0) {
        int rc = vips_rot(flipped, &rotated, angles[img->rot / 90], NULL);
        g_object_unref(flipped);
        if (rc != 0)
            return wm__vips_fail(err, WM_E_NOMEM, "cannot rotate the image");
    } else {
        rotated = flipped;
    }
    mem = vips_image_copy_memory(rotated);
    g_object_unref(rotated);
    if (mem == NULL)
        return wm__vips_fail(err, WM_E_NOMEM, "cannot rotate the image");
    *out = mem;
    return WM_OK;
}

/* The last decoded base of this process, kept when its handle is closed: WordPress opens
 * an upload twice (the "-scaled" copy, then every size from the original, each with its own
 * editor), and the second handle then reuses the first one's decode instead of decoding
 * the file again (a 24 MP JPEG: ~0.25 s CPU). One entry; replaced by the next decode,
 * released by wm_release_cache() (the plugin calls it at the end of each request). */
static struct {
    VipsImage *base;
    uint64_t dev, ino, size;
    int64_t mtime, mtime_ns;
} last;

static void keep_last(const wm_image *img, VipsImage *base)
{
    wm_release_cache();
    g_object_ref(base);
    last.base = base;
    last.dev = img->dev;
    last.ino = img->ino;
    last.size = img->size;
    last.mtime = img->mtime;
    last.mtime_ns = img->mtime_ns;
}

static int same_file_as_last(const wm_image *img)
{
    return last.base != NULL && last.dev == img->dev && last.ino == img->ino &&
           last.size == img->size && last.mtime == img->mtime &&
           last.mtime_ns == img->mtime_ns;
}

WM_API void wm_release_cache(void)
{
    if (last.base != NULL && wm__ready(NULL) == WM_OK)
        g_object_unref(last.base);
    last.base = NULL;
}

int wm__source(wm_image *img, int w, int h, int dst_w, int dst_h, VipsImage **out,
               wm_error *err)
{
    int cw, ch;

    if (img->cur != NULL) {
        g_object_ref(img->cur);
        *out = img->cur;
        return WM_OK;
    }
    wm__current_size(img, &cw, &ch);
    if (img->base != NULL && (img->flags & WM_OPEN_FULL_DECODE) == 0) {
        int swap = img->rot == 90 || img->rot == 270;
        int bw = swap ? img->base->Ysize : img->base->Xsize;
        int bh = swap ? img->base->Xsize : img->base->Ysize;
        if (!wm__large_enough(bw, bh, cw, ch, w, h, dst_w, dst_h)) {
            g_object_unref(img->base);
            img->base = NULL;
        }
    } else if (img->base != NULL) {
        g_object_unref(img->base);
        img->base = NULL;
    }
    if (img->base == NULL && (img->flags & WM_OPEN_FULL_DECODE) == 0 &&
        same_file_as_last(img)) {
        int swap = img->rot == 90 || img->rot == 270;
        int bw = swap ? last.base->Ysize : last.base->Xsize;
        int bh = swap ? last.base->Xsize : last.base->Ysize;
        if (wm__large_enough(bw, bh, cw, ch, w, h, dst_w, dst_h)) {
            g_object_ref(last.base);
            img->base = last.base;
        }
    }
    if (img->base == NULL) {
        /* The naive way (WM_OPEN_FULL_DECODE, make bench-media), one result and no rotation
         * pending: straight from the decoder to the result, no decoded copy in memory. */
        int rc;
        if ((img->flags & WM_OPEN_FULL_DECODE) != 0 && img->rot == 0 && !img->flip)
            return pipeline(img, w, h, dst_w, dst_h, out, err);
        rc = decode(img, w, h, dst_w, dst_h, &img->base, err);
        if (rc != WM_OK)
            return rc;
        if ((img->flags & WM_OPEN_FULL_DECODE) == 0)
            keep_last(img, img->base);
    }
    return transform(img, img->base, out, err);
}

int wm__source_dc(wm_image *img, int w, int h, int dst_w, int dst_h, VipsImage **out,
                  wm_error *err)
{
    VipsImage *raw = NULL, *srgb = NULL, *mem;
    int swap = img->rot == 90 || img->rot == 270, cw, ch, rc;

    *out = NULL;
    if (img->loader != WM_LOAD_JPEG || img->cur != NULL ||
        (img->flags & WM_OPEN_FULL_DECODE) != 0 || img->width % 8 != 0 ||
        img->height % 8 != 0)
        return WM_OK;
    if (img->base != NULL && img->base->Xsize * 8 <= img->width)
        return WM_OK; /* the base is the 1/8 decode already */
    wm__current_size(img, &cw, &ch);
    if (!wm__large_enough((swap ? img->height : img->width) / 8,
                          (swap ? img->width : img->height) / 8, cw, ch, w, h, 2 * dst_w,
                          2 * dst_h))
        return WM_OK;
    if (load(img, 8, 1.0, VIPS_ACCESS_SEQUENTIAL, &raw) != 0)
        return wm__vips_fail(err, WM_E_DECODE, "cannot decode the image");
    rc = wm__to_srgb8(raw, &srgb, err);
    g_object_unref(raw);
    if (rc != WM_OK)
        return rc;
    mem = vips_image_copy_memory(srgb);
    g_object_unref(srgb);
    if (mem == NULL)
        return wm__vips_fail(err, WM_E_DECODE, "cannot decode the image");
    rc = transform(img, mem, out, err);
    g_object_unref(mem);
    return rc;
}

/* Replaces the current image by next (taking its reference); the base is no longer
 * needed once the handle has a current image of its own. */
static void replace(wm_image *img, VipsImage *next)
{
    if (img->cur != NULL)
        g_object_unref(img->cur);
    img->cur = next;
    if (img->base != NULL) {
        g_object_unref(img->base);
        img->base = NULL;
    }
}

static int check_region(const wm_image *img, int x, int y, int w, int h, int dst_w,
                        int dst_h, wm_error *err)
{
    int cw, ch;

    wm__current_size(img, &cw, &ch);
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || x > cw - w || y > ch - h)
        return wm__fail(err, WM_E_ARGUMENT, "the region %d,%d %dx%d is outside the "
                        "%dx%d image", x, y, w, h, cw, ch);
    if (dst_w <= 0 || dst_h <= 0 || dst_w > 65535 || dst_h > 65535 ||
        (uint64_t)dst_w * (uint64_t)dst_h > wm__max_pixels())
        return wm__fail(err, WM_E_ARGUMENT, "the size %dx%d is not allowed", dst_w, dst_h);
    return WM_OK;
}

WM_API int wm_crop_resize(wm_image *img, int x, int y, int w, int h, int dst_w, int dst_h,
                          wm_error *err)
{
    VipsImage *src = NULL, *out = NULL;
    int rc, cw, ch;

    wm__ok(err);
    if (img == NULL)
        return wm__fail(err, WM_E_ARGUMENT, "img is NULL");
    if ((rc = wm__ready(err)) != WM_OK)
        return rc;
    if ((rc = check_region(img, x, y, w, h, dst_w, dst_h, err)) != WM_OK)
        return rc;
    wm__current_size(img, &cw, &ch);
    if ((rc = wm__source(img, w, h, dst_w, dst_h, &src, err)) != WM_OK)
        return rc;
    rc = wm__cut(src, cw, ch, x, y, w, h, dst_w, dst_h, wm__kernel(img->loader), &out, err);
    if (rc != WM_OK)
        return rc;
    replace(img, out);
    return WM_OK;
}

/* An operation on the current image in memory: flip (left-right, first) then rotate
 * clockwise by rot. */
static int apply_now(wm_image *img, int flip, int rot, wm_error *err)
{
    wm_image tmp;
    VipsImage *out = NULL;
    int rc;

    memset(&tmp, 0, sizeof tmp);
    tmp.flip = flip;
    tmp.rot = rot;
    rc = transform(&tmp, img->cur, &out, err);
    if (rc != WM_OK)
        return rc;
    replace(img, out);
    return WM_OK;
}

WM_API int wm_rotate(wm_image *img, int angle, wm_error *err)
{
    int rc, cw;

    wm__ok(err);
    if (img == NULL)
        return wm__fail(err, WM_E_ARGUMENT, "img is NULL");
    if ((rc = wm__ready(err)) != WM_OK)
        return rc;
    if (angle % 90 != 0)
        return wm__fail(err, WM_E_ARGUMENT, "rotation by %d degrees: only multiples of 90",
                        angle);
    /* Counter-clockwise (WordPress, GD) to clockwise (libvips). */
    cw = ((-angle % 360) + 360) % 360;
    if (cw == 0)
        return WM_OK;
    if (img->cur != NULL)
        return apply_now(img, 0, cw, err);
    /* Source mode: remembered, applied to the decoded (smaller) image. */
    img->rot = (img->rot + cw) % 360;
    return WM_OK;
}

WM_API int wm_flip(wm_image *img, int horz, int vert, wm_error *err)
{
    int rc;

    wm__ok(err);
    if (img == NULL)
        return wm__fail(err, WM_E_ARGUMENT, "img is NULL");
    if ((rc = wm__ready(err)) != WM_OK)
        return rc;
    /* WordPress: flip( $horz, $vert ) - $horz flips across the horizontal axis (top <->
     * bottom), $vert across the vertical axis (left <-> right); both is a 180 degrees
     * rotation. With the pending transform R(rot) F^flip (F: left-right first):
     *   left-right L:  L R(r) F^f = R(-r) F^(f^1);   top-bottom = R(180) L. */
    if (!horz && !vert)
        return WM_OK;
    if (img->cur != NULL) {
        if (horz && vert)
            return apply_now(img, 0, 180, err);
        return apply_now(img, 1, horz ? 180 : 0, err);
    }
    if (horz && vert) {
        img->rot = (img->rot + 180) % 360;
    } else {
        img->rot = ((horz ? 180 : 0) - img->rot + 360) % 360;
        img->flip = !img->flip;
    }
    return WM_OK;
}

WM_API int wm_save(wm_image *img, const char *path, size_t path_len, const char *mime,
                   int quality, wm_size *result, wm_error *err)
{
    VipsImage *src = NULL;
    char *copy;
    uint64_t bytes = 0;
    int rc, cw, ch;

    wm__ok(err);
    if (img == NULL || mime == NULL)
        return wm__fail(err, WM_E_ARGUMENT, "img or mime is NULL");
    if ((rc = wm__ready(err)) != WM_OK)
        return rc;
    copy = wm__path(path, path_len, err);
    if (copy == NULL)
        return err != NULL ? err->code : WM_E_ARGUMENT;
    wm__current_size(img, &cw, &ch);
    rc = wm__source(img, cw, ch, cw, ch, &src, err);
    if (rc == WM_OK) {
        rc = wm__save(src, copy, mime, quality, img->palette_bits, &bytes, err);
        g_object_unref(src);
    }
    free(copy);
    if (result != NULL) {
        result->status = rc;
        result->out_w = rc == WM_OK ? cw : 0;
        result->out_h = rc == WM_OK ? ch : 0;
        result->out_bytes = bytes;
    }
    return rc;
}
