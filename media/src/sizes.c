/*
 * wm_make_sizes: many sizes from one decode. The sizes are made largest first; each one
 * from the last full-frame size made (the whole current image resized, not a crop) when
 * it still holds the size's region with enough pixels, else from the decoded source.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct order {
    size_t index;
    int64_t area;
} order;

static int by_area_desc(const void *a, const void *b)
{
    const order *x = a, *y = b;

    if (x->area != y->area)
        return x->area > y->area ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

static int check_size(const wm_size *s, int cw, int ch, wm_error *err)
{
    if (s->src_x < 0 || s->src_y < 0 || s->src_w <= 0 || s->src_h <= 0 ||
        s->src_x > cw - s->src_w || s->src_y > ch - s->src_h)
        return wm__fail(err, WM_E_ARGUMENT, "the region %d,%d %dx%d is outside the %dx%d "
                        "image", s->src_x, s->src_y, s->src_w, s->src_h, cw, ch);
    if (s->dst_w <= 0 || s->dst_h <= 0 || s->dst_w > 65535 || s->dst_h > 65535 ||
        (uint64_t)s->dst_w * (uint64_t)s->dst_h > wm__max_pixels())
        return wm__fail(err, WM_E_ARGUMENT, "the size %dx%d is not allowed", s->dst_w,
                        s->dst_h);
    if (s->path == NULL || s->path_len == 0)
        return wm__fail(err, WM_E_ARGUMENT, "a size has no path");
    return WM_OK;
}

/* The kernel for this job's sizes (pipeline.c). PNG sizes with alpha: mitchell or
 * lanczos2, whichever writes the smallest size (s) in fewer bytes. Both keep GD's SSIM;
 * which is smaller depends on the picture: mitchell on noisy or photographic alpha PNGs
 * (lanczos2 1.05-1.07x GD's bytes), lanczos2 where the picture is the alpha edge itself,
 * handwriting or a logo on transparency (mitchell 1.10x: its wider support leaves faint
 * alpha around every stroke). The trial costs two small resizes and encodes. */
static VipsKernel choose_kernel(wm_image *img, VipsImage *src, int cw, int ch,
                                const wm_size *s, const char *mime)
{
    static const VipsKernel tried[] = { VIPS_KERNEL_MITCHELL, VIPS_KERNEL_LANCZOS2 };
    VipsKernel best = wm__kernel(img->loader);
    VipsImage *proxy = NULL;
    size_t i, best_len = 0;

    /* WM_OPEN_FULL_DECODE: src may be the decoder itself, which reads once. */
    if (img->loader != WM_LOAD_PNG || strcmp(mime, "image/png") != 0 ||
        (img->flags & WM_OPEN_FULL_DECODE) != 0 || !vips_image_hasalpha(src) ||
        wm__kernel(img->loader) != VIPS_KERNEL_MITCHELL)
        return best;
    {
        /* The trial runs on a box-shrunk copy that still has twice the size's pixels:
         * from the whole decode it cost more than the sizes themselves (3 MP RGBA PNG). */
        double fx = (double)s->src_w * src->Xsize / cw / s->dst_w;
        double fy = (double)s->src_h * src->Ysize / ch / s->dst_h;
        int f = (int)floor((fx < fy ? fx : fy) / 2.0);
        VipsImage *shrunk = NULL;
        if (f >= 2) {
            if (vips_shrink(src, &shrunk, (double)f, (double)f, NULL) != 0) {
                vips_error_clear();
                return best;
            }
            proxy = vips_image_copy_memory(shrunk);
            g_object_unref(shrunk);
            if (proxy == NULL) {
                vips_error_clear();
                return best;
            }
            src = proxy;
        }
    }
    for (i = 0; i < sizeof tried / sizeof tried[0]; i++) {
        VipsImage *out = NULL;
        wm_error ignored;
        size_t len = 0;
        g_object_ref(src); /* wm__cut takes a reference */
        if (wm__cut(src, cw, ch, s->src_x, s->src_y, s->src_w, s->src_h, s->dst_w, s->dst_h,
                    tried[i], &out, &ignored) != WM_OK)
            break;
        if (wm__png_bytes(out, img->palette_bits, &len) == 0 && (i == 0 || len < best_len)) {
            best = tried[i];
            best_len = len;
        }
        g_object_unref(out);
    }
    if (proxy != NULL)
        g_object_unref(proxy);
    vips_error_clear();
    return best;
}

WM_API int wm_make_sizes(wm_image *img, wm_size *sizes, size_t n, const char *mime,
                         int quality, wm_error *err)
{
    order *ord = NULL;
    VipsImage **made = NULL; /* full-frame results, largest first; made[0] the source */
    VipsImage *dc = NULL;     /* a JPEG's 1/8 decode, for the small sizes (image.c) */
    size_t i, nmade = 0;
    int cw, ch, rc, first = WM_OK, dc_tried = 0, base_read = 0;
    VipsKernel kernel;
    wm_error one;

    wm__ok(err);
    if (img == NULL || mime == NULL || (sizes == NULL && n > 0))
        return wm__fail(err, WM_E_ARGUMENT, "img, sizes or mime is NULL");
    if ((rc = wm__ready(err)) != WM_OK)
        return rc;
    if (n == 0)
        return WM_OK;
    wm__current_size(img, &cw, &ch);
    for (i = 0; i < n; i++) {
        sizes[i].status = WM_E_ARGUMENT;
        sizes[i].out_w = sizes[i].out_h = 0;
        sizes[i].out_bytes = 0;
    }
    for (i = 0; i < n; i++) {
        rc = check_size(&sizes[i], cw, ch, err);
        if (rc != WM_OK)
            return rc;
    }
    ord = calloc(n, sizeof *ord);
    made = calloc(n + 1, sizeof(VipsImage *));
    if (ord == NULL || made == NULL) {
        free(ord);
        free(made);
        return wm__fail(err, WM_E_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        ord[i].index = i;
        ord[i].area = (int64_t)sizes[i].dst_w * sizes[i].dst_h;
    }
    /* One decode, large enough for the largest scale (dst / region) in each direction. */
    {
        int64_t rx = 0, ry = 0; /* scale as dst/src, compared by cross products */
        int64_t bx = 1, by = 1;
        for (i = 0; i < n; i++) {
            if ((int64_t)sizes[i].dst_w * bx > rx * sizes[i].src_w) {
                rx = sizes[i].dst_w;
                bx = sizes[i].src_w;
            }
            if ((int64_t)sizes[i].dst_h * by > ry * sizes[i].src_h) {
                ry = sizes[i].dst_h;
                by = sizes[i].src_h;
            }
        }
        /* A region of bx x by pixels that must become rx x ry. */
        rc = wm__source(img, (int)bx, (int)by, (int)rx, (int)ry, &made[0], err);
    }
    if (rc != WM_OK) {
        for (i = 0; i < n; i++)
            sizes[i].status = rc;
        free(ord);
        free(made);
        return rc;
    }
    nmade = 1;
    qsort(ord, n, sizeof *ord, by_area_desc);
    kernel = n > 0 ? choose_kernel(img, made[0], cw, ch, &sizes[ord[n - 1].index], mime)
                   : wm__kernel(img->loader);
    for (i = 0; i < n; i++) {
        wm_size *s = &sizes[ord[i].index];
        VipsImage *from = made[0], *out = NULL;
        char *path;
        uint64_t bytes = 0;
        size_t k;
        int full = s->src_x == 0 && s->src_y == 0 && s->src_w == cw && s->src_h == ch;

        /* The newest full-frame image with at least twice the pixels needed in each
         * direction, else the source. Each resample softens: a chain of one size from
         * the next larger (2048, 1536, 1024, 768, 300 px) lost SSIM against GD's single
         * resample from the original (make test-media, an 18 MP photo's medium size);
         * at 2x the chain is at most half as long. */
        for (k = nmade; k-- > 1;) {
            if (wm__large_enough(made[k]->Xsize, made[k]->Ysize, cw, ch, s->src_w,
                                 s->src_h, 2 * s->dst_w, 2 * s->dst_h)) {
                from = made[k];
                break;
            }
        }
        if (k == 0) {
            /* Not from the chain: from the JPEG's 1/8 decode when it is large enough. */
            if (dc == NULL && !dc_tried) {
                dc_tried = 1;
                if (wm__source_dc(img, s->src_w, s->src_h, s->dst_w, s->dst_h, &dc, &one) !=
                    WM_OK)
                    dc = NULL; /* the base serves */
            }
            if (dc != NULL && wm__large_enough(dc->Xsize, dc->Ysize, cw, ch, s->src_w,
                                               s->src_h, 2 * s->dst_w, 2 * s->dst_h))
                from = dc;
        }
        if (from == made[0] && base_read && (img->flags & WM_OPEN_FULL_DECODE) != 0) {
            /* The naive mode's source is the decoder, which reads once: decode again. */
            g_object_unref(made[0]);
            made[0] = NULL;
            rc = wm__source(img, s->src_w, s->src_h, s->dst_w, s->dst_h, &made[0], &one);
            if (rc != WM_OK) {
                s->status = rc;
                if (first == WM_OK) {
                    first = rc;
                    if (err != NULL)
                        *err = one;
                }
                break;
            }
            from = made[0];
        }
        if (from == made[0])
            base_read = 1;
        path = wm__path(s->path, s->path_len, &one);
        if (path != NULL)
            g_object_ref(from); /* wm__cut takes a reference; made[] keeps its own */
        rc = path == NULL ? one.code
                          : wm__cut(from, cw, ch, s->src_x, s->src_y, s->src_w, s->src_h,
                                    s->dst_w, s->dst_h, kernel, &out, &one);
        if (rc == WM_OK) {
            rc = wm__save(out, path, mime, quality, img->palette_bits, &bytes, &one);
            if (full) {
                /* Sizes come largest first: the newest full-frame image is the smallest;
                 * the ones between it and the source are let go (memory). */
                while (nmade > 1)
                    g_object_unref(made[--nmade]);
                made[nmade++] = out;
            } else {
                g_object_unref(out);
            }
        }
        free(path);
        s->status = rc;
        if (rc == WM_OK) {
            s->out_w = s->dst_w;
            s->out_h = s->dst_h;
            s->out_bytes = bytes;
        } else if (first == WM_OK) {
            first = rc;
            if (err != NULL)
                *err = one;
        }
    }
    for (i = 0; i < nmade; i++) {
        if (made[i] != NULL)
            g_object_unref(made[i]);
    }
    if (dc != NULL)
        g_object_unref(dc);
    free(ord);
    free(made);
    return first;
}
