/*
 * Pixels: colour conversion to 8-bit sRGB, and the exact crop + resize.
 */
#include <math.h>

#include "internal.h"

/* Takes the reference of *next into *cur (dropping the old one). */
static void step(VipsImage **cur, VipsImage *next)
{
    g_object_unref(*cur);
    *cur = next;
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
        if (vips_icc_transform(t, &next, "srgb", "embedded", TRUE, "depth", 8,
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
    *out = t;
    return WM_OK;

fail:
    g_object_unref(t);
    return wm__vips_fail(err, WM_E_DECODE, "cannot convert the colours to sRGB");
}

int wm__large_enough(int in_w, int in_h, int cur_w, int cur_h, int w, int h, int dst_w,
                     int dst_h)
{
    /* The region in the image: w * in_w / cur_w >= dst_w (and for h), in integers. */
    return (int64_t)w * in_w >= (int64_t)dst_w * cur_w &&
           (int64_t)h * in_h >= (int64_t)dst_h * cur_h;
}

int wm__cut(VipsImage *in, int cur_w, int cur_h, int x, int y, int w, int h, int dst_w,
            int dst_h, VipsImage **out, wm_error *err)
{
    VipsImage *t = in, *next = NULL, *mem;
    double sx = (double)in->Xsize / cur_w, sy = (double)in->Ysize / cur_h;
    double hscale, vscale, ox, oy;
    int left, top, right, bottom, alpha = vips_image_hasalpha(in), cx, cy;

    g_object_ref(t);
    /* The region in this image's pixels; its edges may fall inside a pixel when the image
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
        if (vips_resize(t, &next, hscale, "vscale", vscale, NULL) != 0)
            goto fail;
        step(&t, next);
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
        return wm__vips_fail(err, WM_E_DECODE, "cannot resize the image");
    *out = mem;
    return WM_OK;

fail:
    g_object_unref(t);
    return wm__vips_fail(err, WM_E_DECODE, "cannot resize the image");
}
