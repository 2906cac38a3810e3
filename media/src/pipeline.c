/*
 * Pixels: colour conversion to 8-bit sRGB, and the exact crop + resize.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

/* The resampling kernel for the sizes of an image of this loader (they are written in
 * its own format). A kernel trades sharpness, which SSIM against a lanczos3 reference
 * rewards, for bytes: GD's area-averaging resample is soft, and the sizes may be at most
 * 1.05x GD's bytes with SSIM at least GD's - 0.005 (make test-media, 256 images).
 * Measured there: lanczos3 passed SSIM but wrote 1.05-1.15x GD's bytes (JPEG photos,
 * RGBA and noisy PNGs, WebP); linear fell below GD's SSIM (after JPEG shrink-on-load,
 * thin WebPs); lanczos2 passed JPEG (bytes 1.00x) and WebP but wrote 1.05-1.08x on noisy
 * PNGs, which mitchell passed (0.84x). A PNG with alpha tries both (sizes.c).
 * WM_RESIZE_KERNEL=... at compile time forces one kernel for all (experiments). */
VipsKernel wm__kernel(wm_loader loader)
{
#ifdef WM_RESIZE_KERNEL
    (void)loader;
    return WM_RESIZE_KERNEL;
#else
    return loader == WM_LOAD_PNG ? VIPS_KERNEL_MITCHELL : VIPS_KERNEL_LANCZOS2;
#endif
}

/* 1: horizontal reductions as vertical ones between rotations (see resize()). Off: it
 * runs 31% fewer instructions for a 24 MP upload (callgrind: 3.02 G against 4.40 G) but
 * measured no less CPU time (0.66 s both, best of 5 on the shared 2-core machine: the
 * rotations are memory-bound), so the plain vips_resize path stays the default. */
#ifndef WM_ROTATED_REDUCE
#define WM_ROTATED_REDUCE 0
#endif

/* Takes the reference of *next into *cur (dropping the old one). */
static void step(VipsImage **cur, VipsImage *next)
{
    g_object_unref(*cur);
    *cur = next;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Whether an ICC profile is an RGB profile whose description names sRGB ("sRGB
 * IEC61966-2.1", "sRGB built-in", ...): converting with it would change nothing worth
 * its cost (the pixels are sRGB already), so it is skipped, as GD skips every profile.
 * Reads the 'desc' tag: v2 textDescriptionType (ASCII) or v4 mluc (UTF-16BE). */
static int is_srgb_profile(const unsigned char *p, size_t len)
{
    uint32_t count, i;

    if (len < 132 || memcmp(p + 16, "RGB ", 4) != 0)
        return 0;
    count = be32(p + 128);
    if (count > (len - 132) / 12)
        return 0;
    for (i = 0; i < count; i++) {
        const unsigned char *e = p + 132 + (size_t)i * 12;
        uint32_t off = be32(e + 4), size = be32(e + 8);
        const unsigned char *t;
        if (memcmp(e, "desc", 4) != 0)
            continue;
        if (off > len || size > len - off || size < 12)
            return 0;
        t = p + off;
        if (memcmp(t, "desc", 4) == 0) {
            uint32_t n = be32(t + 8), k;
            if (n > size - 12)
                return 0;
            for (k = 0; k + 4 <= n; k++) {
                if (memcmp(t + 12 + k, "sRGB", 4) == 0)
                    return 1;
            }
        } else if (memcmp(t, "mluc", 4) == 0 && size >= 28) {
            uint32_t n = be32(t + 20), o = be32(t + 24), k;
            if (o > size || n > size - o)
                return 0;
            for (k = 0; k + 8 <= n; k += 2) {
                const unsigned char *c = t + o + k;
                if (c[0] == 0 && c[1] == 's' && c[2] == 0 && c[3] == 'R' && c[4] == 0 &&
                    c[5] == 'G' && c[6] == 0 && c[7] == 'B')
                    return 1;
            }
        }
        return 0;
    }
    return 0;
}

int wm__to_srgb8(VipsImage *in, VipsImage **out, wm_error *err)
{
    VipsImage *t = in, *next = NULL;
    int grey = in->Bands - (vips_image_hasalpha(in) ? 1 : 0) < 3;

    g_object_ref(t);
    /* 16-bit first (libvips shifts to 8 bits; the alpha band is scaled with it). */
    if (t->BandFmt != VIPS_FORMAT_UCHAR && t->BandFmt != VIPS_FORMAT_CHAR &&
        t->Type != VIPS_INTERPRETATION_CMYK) {
        if (vips_colourspace(t, &next, grey ? VIPS_INTERPRETATION_B_W
                                            : VIPS_INTERPRETATION_sRGB, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    /* The embedded profile, when there is one and lcms accepts it; CMYK without one
     * through libvips' default CMYK profile. */
    if (vips_image_get_typeof(t, VIPS_META_ICC_NAME) != 0) {
        const void *icc = NULL;
        size_t icc_len = 0;
        if (!grey && vips_image_get_blob(t, VIPS_META_ICC_NAME, &icc, &icc_len) == 0 &&
            is_srgb_profile(icc, icc_len)) {
            /* sRGB already */
        } else if (vips_icc_transform(t, &next, "srgb", "embedded", TRUE, "depth", 8,
                               NULL) == 0) {
            step(&t, next);
        } else {
            vips_error_clear(); /* a broken profile: treated as sRGB, as GD does */
        }
    } else if (t->Type == VIPS_INTERPRETATION_CMYK) {
        if (vips_icc_transform(t, &next, "srgb", "input_profile", "cmyk", "depth", 8,
                               NULL) != 0)
            goto fail;
        step(&t, next);
    }
    if (grey && t->Type != VIPS_INTERPRETATION_B_W) {
        if (vips_colourspace(t, &next, VIPS_INTERPRETATION_B_W, NULL) != 0)
            goto fail;
        step(&t, next);
    } else if (!grey && t->Type != VIPS_INTERPRETATION_sRGB) {
        if (vips_colourspace(t, &next, VIPS_INTERPRETATION_sRGB, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    if (t->BandFmt != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(t, &next, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    /* The pixels are sRGB now and results carry no metadata: the profile and the metadata
     * blobs are dropped here. Some loaders (libpng's in libvips 8.14) attach the profile
     * without a copy, pointing into the decoder's memory, which is freed with the loader
     * while an image made from it (the in-memory base, a size) may still read it: ASan
     * found pngsave reading a freed profile. */
    if (vips_copy(t, &next, NULL) != 0)
        goto fail;
    step(&t, next);
    {
        static const char *const blobs[] = { VIPS_META_ICC_NAME, VIPS_META_EXIF_NAME,
                                             VIPS_META_XMP_NAME, VIPS_META_IPTC_NAME,
                                             VIPS_META_PHOTOSHOP_NAME };
        size_t i;
        for (i = 0; i < sizeof blobs / sizeof blobs[0]; i++)
            (void)vips_image_remove(t, blobs[i]);
    }
    *out = t;
    return WM_OK;

fail:
    g_object_unref(t);
    return wm__vips_fail(err, WM_E_DECODE, "cannot convert the colours to sRGB");
}

/* Resizes by hscale x vscale. libvips 8.14 reduces vertically with vector code and
 * horizontally with scalar code that costs ~14x more per pixel (callgrind, 3000x2000 ->
 * 2560 wide: reduceh 1.12 G instructions, reducev 0.08 G, a 90 degrees rotation 0.13 G),
 * so for the moderate reductions of the sizes chain (0.5 <= scale < 1, 8-bit) the
 * horizontal reduction is a vertical one between two rotations. Other cases (large
 * reductions, which libvips splits into box shrink + reduce; enlargements) go to
 * vips_resize. The result may differ by a pixel from the exact size (the caller fixes).
 * Takes the caller's reference to in (also on failure). */
static int resize(VipsImage *in, double hscale, double vscale, VipsKernel kernel,
                  VipsImage **out)
{
    VipsImage *t = in, *next = NULL, *mem;

    /* t owns the caller's reference to in. */
    if (!WM_ROTATED_REDUCE || hscale < 0.5 || vscale < 0.5 || hscale > 1.0 ||
        vscale > 1.0 || in->BandFmt != VIPS_FORMAT_UCHAR) {
        int rc = vips_resize(in, out, hscale, "vscale", vscale, "kernel", kernel,
                             NULL);
        g_object_unref(in);
        return rc;
    }
    if (vscale < 1.0) {
        if (vips_reducev(t, &next, 1.0 / vscale, "kernel", kernel, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    if (hscale < 1.0) {
        /* Rotations need random access: the (smaller) vertically reduced image in memory
         * (this also pulls a sequential decoder through once, top to bottom). */
        if ((mem = vips_image_copy_memory(t)) == NULL)
            goto fail;
        step(&t, mem);
        if (vips_rot(t, &next, VIPS_ANGLE_D90, NULL) != 0)
            goto fail;
        step(&t, next);
        if (vips_reducev(t, &next, 1.0 / hscale, "kernel", kernel, NULL) != 0)
            goto fail;
        step(&t, next);
        if ((mem = vips_image_copy_memory(t)) == NULL)
            goto fail;
        step(&t, mem);
        if (vips_rot(t, &next, VIPS_ANGLE_D270, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    *out = t;
    return 0;

fail:
    g_object_unref(t);
    return -1;
}

int wm__large_enough(int in_w, int in_h, int cur_w, int cur_h, int w, int h, int dst_w,
                     int dst_h)
{
    /* The region in the image: w * in_w / cur_w >= dst_w (and for h), in integers. */
    return (int64_t)w * in_w >= (int64_t)dst_w * cur_w &&
           (int64_t)h * in_h >= (int64_t)dst_h * cur_h;
}

int wm__cut(VipsImage *in, int cur_w, int cur_h, int x, int y, int w, int h, int dst_w,
            int dst_h, VipsKernel kernel, VipsImage **out, wm_error *err)
{
    VipsImage *t = in, *next = NULL, *mem;
    double sx = (double)in->Xsize / cur_w, sy = (double)in->Ysize / cur_h;
    double hscale, vscale, ox, oy;
    int left, top, right, bottom, alpha = vips_image_hasalpha(in), cx, cy;

    /* t owns the caller's reference from here (a decoder is freed as soon as its pixels
     * have been read). The region in this image's pixels; its edges may fall inside a pixel when the image
     * is a reduced copy: the enclosing whole pixels are cut and resized at the region's
     * exact scale, then the region's own start is cut from the result. */
    left = (int)floor(x * sx + 1e-9);
    top = (int)floor(y * sy + 1e-9);
    right = (int)ceil((x + w) * sx - 1e-9);
    bottom = (int)ceil((y + h) * sy - 1e-9);
    if (right > in->Xsize)
        right = in->Xsize;
    if (bottom > in->Ysize)
        bottom = in->Ysize;
    if (right <= left)
        right = left + 1;
    if (bottom <= top)
        bottom = top + 1;
    hscale = (double)dst_w / (w * sx);
    vscale = (double)dst_h / (h * sy);
    ox = (x * sx - left) * hscale;
    oy = (y * sy - top) * vscale;
    if (left != 0 || top != 0 || right != in->Xsize || bottom != in->Ysize) {
        if (vips_crop(t, &next, left, top, right - left, bottom - top, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    if (t->Xsize != dst_w || t->Ysize != dst_h) {
        if (alpha) {
            if (vips_premultiply(t, &next, NULL) != 0)
                goto fail;
            step(&t, next);
        }
        if (resize(t, hscale, vscale, kernel, &next) != 0)
            return wm__vips_fail(err, WM_E_DECODE, "cannot decode or resize the image");
        t = next;
        if (alpha) {
            if (vips_unpremultiply(t, &next, NULL) != 0)
                goto fail;
            step(&t, next);
            if (vips_cast_uchar(t, &next, NULL) != 0)
                goto fail;
            step(&t, next);
        }
    }
    /* Exactly dst_w x dst_h from the region's start (rounding in the resize, partial
     * pixels at the edges). */
    cx = (int)lround(ox);
    cy = (int)lround(oy);
    if (cx > t->Xsize - dst_w)
        cx = t->Xsize - dst_w;
    if (cy > t->Ysize - dst_h)
        cy = t->Ysize - dst_h;
    if (cx < 0)
        cx = 0;
    if (cy < 0)
        cy = 0;
    if (cx != 0 || cy != 0 || t->Xsize > dst_w || t->Ysize > dst_h) {
        if (vips_crop(t, &next, cx, cy, t->Xsize - cx < dst_w ? t->Xsize - cx : dst_w,
                      t->Ysize - cy < dst_h ? t->Ysize - cy : dst_h, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    if (t->Xsize < dst_w || t->Ysize < dst_h) {
        if (vips_embed(t, &next, 0, 0, dst_w, dst_h, "extend", VIPS_EXTEND_COPY, NULL) != 0)
            goto fail;
        step(&t, next);
    }
    mem = vips_image_copy_memory(t);
    g_object_unref(t);
    if (mem == NULL)
        return wm__vips_fail(err, WM_E_DECODE, "cannot decode or resize the image");
    *out = mem;
    return WM_OK;

fail:
    g_object_unref(t);
    return wm__vips_fail(err, WM_E_DECODE, "cannot decode or resize the image");
}
