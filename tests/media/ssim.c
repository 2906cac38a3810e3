/*
 * ssim: how close an editor's output is to a reference made by libvips from the original
 * (make test-media; tests/media/README.md).
 *
 * Usage:
 *   ssim --info ORIGINAL ORIENT       prints "W H[ icc=DESC]": the reference's size (first frame,
 *                                     after orientation ORIENT 1..8)
 *   ssim ORIGINAL ORIENT < JOBS       one line per job "X Y W H PATH" (a rectangle of
 *                                     the oriented original, an output file); prints one
 *                                     line per job: "SSIM WxH" or "ERR message"
 *
 * The reference: the original decoded fully by libvips (first frame), oriented as
 * WordPress orients it (ORIENT is what maybe_exif_rotate() applied: the runner passes it;
 * the mapping is EXIF's, as vips_autorot), converted to 8-bit sRGB (the embedded ICC
 * profile when there is one, libvips' CMYK profile for a CMYK file without one, else
 * vips_colourspace), then the rectangle cropped and resized with lanczos3 (alpha
 * premultiplied) to the output's own size.
 *
 * SSIM (Wang, Bovik, Sheikh, Simoncelli 2004): on the luminance (vips B_W) of both images
 * flattened on white, Gaussian window 11x11 with sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255,
 * the mean over all windows that fit ("valid", no padding). An image smaller than 11 px
 * uses the largest odd window that fits, sigma scaled with it. When the output has an
 * alpha channel, the alpha planes are compared the same way and the result is the lower
 * of the two values. When only the reference has alpha (a JPEG made from a transparent
 * source), both are compared flattened on white.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define WIN_MAX 11

/* After an operation that returned rc and wrote *out: replaces *img by *out (unref the
 * old one); returns 0 when the operation succeeded. (out is passed by address: argument
 * evaluation order is unspecified, so its value is read here, after the call.) */
static int step(VipsImage **img, int rc, VipsImage **out)
{
    if (rc) {
        return -1;
    }
    g_object_unref(*img);
    *img = *out;
    *out = NULL;
    return 0;
}

/* Converts *img to 8-bit sRGB (alpha kept as the last band, 8-bit). */
static int to_srgb(VipsImage **img)
{
    VipsImage *out = NULL, *colour = NULL, *alpha = NULL;
    int has_alpha = vips_image_hasalpha(*img);
    int nb = (*img)->Bands;
    if (has_alpha) {
        if (vips_extract_band(*img, &colour, 0, "n", nb - 1, NULL) ||
            vips_extract_band(*img, &alpha, nb - 1, NULL)) {
            return -1;
        }
    } else {
        colour = *img;
        g_object_ref(colour);
    }
    int rc;
    if (vips_image_get_typeof(colour, VIPS_META_ICC_NAME)) {
        rc = vips_icc_transform(colour, &out, "srgb", "embedded", TRUE, "depth", 8, NULL);
    } else if (colour->Type == VIPS_INTERPRETATION_CMYK) {
        rc = vips_icc_transform(colour, &out, "srgb", "input_profile", "cmyk", "depth", 8, NULL);
    } else {
        rc = vips_colourspace(colour, &out, VIPS_INTERPRETATION_sRGB, NULL);
    }
    g_object_unref(colour);
    if (rc) {
        if (alpha) {
            g_object_unref(alpha);
        }
        return -1;
    }
    VipsImage *u8 = NULL;
    if (vips_cast_uchar(out, &u8, NULL)) {
        g_object_unref(out);
        if (alpha) {
            g_object_unref(alpha);
        }
        return -1;
    }
    g_object_unref(out);
    if (alpha) {
        /* 16-bit alpha: scale to 8 bits. */
        VipsImage *a8 = NULL, *joined = NULL;
        double scale = alpha->BandFmt == VIPS_FORMAT_USHORT ? 1.0 / 257.0 : 1.0;
        rc = vips_linear1(alpha, &a8, scale, 0.0, "uchar", TRUE, NULL);
        g_object_unref(alpha);
        if (rc || vips_bandjoin2(u8, a8, &joined, NULL)) {
            if (a8) {
                g_object_unref(a8);
            }
            g_object_unref(u8);
            return -1;
        }
        g_object_unref(a8);
        g_object_unref(u8);
        u8 = joined;
    }
    g_object_unref(*img);
    *img = u8;
    return 0;
}

/* Loads the first frame of path as 8-bit sRGB[A], oriented by orient (1..8). */
static VipsImage *load(const char *path, int orient)
{
    VipsImage *img = vips_image_new_from_file(path, "access", VIPS_ACCESS_RANDOM, NULL);
    VipsImage *out = NULL;
    if (!img) {
        return NULL;
    }
    if (orient > 1 && orient <= 8) {
        VipsImage *copy = NULL;
        if (step(&img, vips_copy(img, &copy, NULL), &copy)) {
            g_object_unref(img);
            return NULL;
        }
        vips_image_set_int(img, VIPS_META_ORIENTATION, orient);
        if (step(&img, vips_autorot(img, &out, NULL), &out)) {
            g_object_unref(img);
            return NULL;
        }
    }
    if (to_srgb(&img)) {
        g_object_unref(img);
        return NULL;
    }
    out = vips_image_copy_memory(img); /* decode once: every job crops from memory */
    g_object_unref(img);
    return out;
}

/* The reference for one output: region (x, y, w, h) of ref resized to tw x th. */
static VipsImage *reference(VipsImage *ref, int x, int y, int w, int h, int tw, int th)
{
    VipsImage *img = NULL, *out = NULL;
    if (vips_crop(ref, &img, x, y, w, h, NULL)) {
        return NULL;
    }
    int alpha = vips_image_hasalpha(img);
    if (alpha && step(&img, vips_premultiply(img, &out, NULL), &out)) {
        goto fail;
    }
    if (step(&img, vips_resize(img, &out, (double)tw / w, "vscale", (double)th / h, "kernel",
                               VIPS_KERNEL_LANCZOS3, NULL),
             &out)) {
        goto fail;
    }
    if (alpha && step(&img, vips_unpremultiply(img, &out, NULL), &out)) {
        goto fail;
    }
    /* vips_resize rounds its output size: make it exactly tw x th. */
    if ((img->Xsize != tw || img->Ysize != th) &&
        step(&img, vips_embed(img, &out, 0, 0, tw, th, "extend", VIPS_EXTEND_COPY, NULL), &out)) {
        goto fail;
    }
    if (step(&img, vips_cast_uchar(img, &out, NULL), &out)) {
        goto fail;
    }
    return img;
fail:
    g_object_unref(img);
    return NULL;
}

/* Plane 0: luminance of the image flattened on white; plane 1: alpha (255 when none).
 * Returns a malloc'd w*h buffer, NULL on failure. */
static unsigned char *plane(VipsImage *img, int which)
{
    VipsImage *t = NULL, *out = NULL;
    size_t len = 0;
    if (which == 1) {
        if (!vips_image_hasalpha(img)) {
            size_t n = (size_t)img->Xsize * (size_t)img->Ysize;
            unsigned char *p = malloc(n ? n : 1);
            if (p) {
                memset(p, 255, n);
            }
            return p;
        }
        if (vips_extract_band(img, &t, img->Bands - 1, NULL)) {
            return NULL;
        }
    } else {
        t = img;
        g_object_ref(t);
        if (vips_image_hasalpha(t)) {
            double white[3] = {255, 255, 255};
            VipsArrayDouble *bg = vips_array_double_new(white, 3);
            int rc = vips_flatten(t, &out, "background", bg, NULL);
            vips_area_unref(VIPS_AREA(bg));
            if (step(&t, rc, &out)) {
                g_object_unref(t);
                return NULL;
            }
        }
        if (step(&t, vips_colourspace(t, &out, VIPS_INTERPRETATION_B_W, NULL), &out) ||
            step(&t, vips_cast_uchar(t, &out, NULL), &out)) {
            g_object_unref(t);
            return NULL;
        }
        if (t->Bands > 1 && step(&t, vips_extract_band(t, &out, 0, NULL), &out)) {
            g_object_unref(t);
            return NULL;
        }
    }
    size_t n = (size_t)t->Xsize * (size_t)t->Ysize;
    unsigned char *p = vips_image_write_to_memory(t, &len);
    g_object_unref(t);
    if (!p || len != n || n == 0) {
        g_free(p);
        return NULL;
    }
    unsigned char *copy = malloc(n);
    if (copy) {
        memcpy(copy, p, n);
    }
    g_free(p);
    return copy;
}

/* Mean SSIM of two w x h 8-bit planes (see the file comment). */
static double ssim_plane(const unsigned char *a, const unsigned char *b, int w, int h)
{
    int win = WIN_MAX;
    if (w < win || h < win) {
        win = w < h ? w : h;
        if (win % 2 == 0) {
            win--;
        }
    }
    double sigma = 1.5 * win / WIN_MAX, k[WIN_MAX], ksum = 0.0;
    for (int i = 0; i < win; i++) {
        double d = i - (win - 1) / 2.0;
        k[i] = win == 1 ? 1.0 : exp(-d * d / (2.0 * sigma * sigma));
        ksum += k[i];
    }
    for (int i = 0; i < win; i++) {
        k[i] /= ksum;
    }
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    int ow = w - win + 1, oh = h - win + 1;
    /* Ring of win horizontally filtered rows of 5 statistics: a, b, a*a, b*b, a*b. */
    double *ring = malloc(sizeof(double) * 5 * (size_t)win * (size_t)ow);
    if (!ring) {
        return -1.0;
    }
    double total = 0.0;
    for (int y = 0; y < h; y++) {
        double *r = ring + (size_t)(y % win) * 5 * (size_t)ow;
        const unsigned char *ra = a + (size_t)y * (size_t)w, *rb = b + (size_t)y * (size_t)w;
        for (int x = 0; x < ow; x++) {
            double s[5] = {0, 0, 0, 0, 0};
            for (int i = 0; i < win; i++) {
                double va = ra[x + i], vb = rb[x + i];
                s[0] += k[i] * va;
                s[1] += k[i] * vb;
                s[2] += k[i] * va * va;
                s[3] += k[i] * vb * vb;
                s[4] += k[i] * va * vb;
            }
            for (int j = 0; j < 5; j++) {
                r[(size_t)j * (size_t)ow + (size_t)x] = s[j];
            }
        }
        if (y < win - 1) {
            continue;
        }
        int top = y - win + 1; /* window rows top..y */
        for (int x = 0; x < ow; x++) {
            double s[5] = {0, 0, 0, 0, 0};
            for (int i = 0; i < win; i++) {
                const double *rr = ring + (size_t)((top + i) % win) * 5 * (size_t)ow;
                for (int j = 0; j < 5; j++) {
                    s[j] += k[i] * rr[(size_t)j * (size_t)ow + (size_t)x];
                }
            }
            double ma = s[0], mb = s[1];
            double va = s[2] - ma * ma, vb = s[3] - mb * mb, cov = s[4] - ma * mb;
            total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        }
    }
    free(ring);
    return total / ((double)ow * (double)oh);
}

/* References already made (the editors' outputs of one image share rectangles and
 * sizes): key x, y, w, h, tw, th; the image is held in memory. */
#define CACHE_MAX 32
static struct cached {
    int key[6];
    VipsImage *img;
} cache[CACHE_MAX];
static int cache_n;

/* reference() through the cache; returns a new reference to the image, NULL on failure. */
static VipsImage *reference_cached(VipsImage *ref, int x, int y, int w, int h, int tw, int th)
{
    const int key[6] = {x, y, w, h, tw, th};
    for (int i = 0; i < cache_n; i++) {
        if (!memcmp(cache[i].key, key, sizeof key)) {
            g_object_ref(cache[i].img);
            return cache[i].img;
        }
    }
    VipsImage *r = reference(ref, x, y, w, h, tw, th);
    if (!r) {
        return NULL;
    }
    VipsImage *mem = vips_image_copy_memory(r);
    g_object_unref(r);
    if (!mem) {
        return NULL;
    }
    if (cache_n < CACHE_MAX) {
        memcpy(cache[cache_n].key, key, sizeof key);
        cache[cache_n++].img = mem;
        g_object_ref(mem);
    }
    return mem;
}

/* SSIM of the output at path against the region of ref; prints the result line. */
static void job(VipsImage *ref, int x, int y, int w, int h, const char *path)
{
    VipsImage *out = load(path, 1), *r = NULL;
    unsigned char *pa[2] = {NULL, NULL}, *pb[2] = {NULL, NULL};
    if (!out) {
        printf("ERR cannot load %s: %s\n", path, vips_error_buffer());
        goto done;
    }
    if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > ref->Xsize || y + h > ref->Ysize) {
        printf("ERR rectangle %d,%d %dx%d outside the %dx%d reference\n", x, y, w, h, ref->Xsize,
               ref->Ysize);
        goto done;
    }
    r = reference_cached(ref, x, y, w, h, out->Xsize, out->Ysize);
    if (!r) {
        printf("ERR reference: %s\n", vips_error_buffer());
        goto done;
    }
    /* Alpha is compared when the output has it (a JPEG made from a transparent source
     * has none, by design: both sides are then compared flattened on white). */
    int alpha = vips_image_hasalpha(out);
    double v = 2.0;
    for (int p = 0; p <= alpha; p++) {
        pa[p] = plane(r, p);
        pb[p] = plane(out, p);
        if (!pa[p] || !pb[p]) {
            printf("ERR plane: %s\n", vips_error_buffer());
            goto done;
        }
        double s = ssim_plane(pa[p], pb[p], out->Xsize, out->Ysize);
        v = s < v ? s : v;
    }
    printf("%.6f %dx%d\n", v, out->Xsize, out->Ysize);
done:
    for (int p = 0; p < 2; p++) {
        free(pa[p]);
        free(pb[p]);
    }
    if (r) {
        g_object_unref(r);
    }
    if (out) {
        g_object_unref(out);
    }
    vips_error_clear();
    fflush(stdout);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The description ('desc' tag) of the ICC profile embedded in file, as ASCII (v2 text or
 * the first record of v4 mluc, UTF-16BE with non-ASCII as '?'), into out; "" when there
 * is no profile or no readable description. */
static void icc_desc(const char *file, char *out, size_t n)
{
    VipsImage *im = vips_image_new_from_file(file, NULL);
    const void *blob = NULL;
    size_t len = 0, k = 0;

    out[0] = '\0';
    if (im == NULL) {
        vips_error_clear();
        return;
    }
    if (vips_image_get_typeof(im, VIPS_META_ICC_NAME) &&
        vips_image_get_blob(im, VIPS_META_ICC_NAME, &blob, &len) == 0 && len >= 132) {
        const unsigned char *p = blob;
        uint32_t count = be32(p + 128);
        for (uint32_t i = 0; i < count && 132 + (size_t)i * 12 + 12 <= len; i++) {
            const unsigned char *e = p + 132 + (size_t)i * 12;
            uint32_t off = be32(e + 4), size = be32(e + 8);
            if (memcmp(e, "desc", 4) != 0 || off > len || size > len - off || size < 16)
                continue;
            const unsigned char *t = p + off;
            if (memcmp(t, "desc", 4) == 0) {
                uint32_t m = be32(t + 8);
                for (uint32_t j = 0; j < m && 12 + j < size && k + 1 < n && t[12 + j]; j++)
                    out[k++] = (char)(t[12 + j] >= 32 && t[12 + j] < 127 ? t[12 + j] : '?');
            } else if (memcmp(t, "mluc", 4) == 0 && size >= 28) {
                uint32_t m = be32(t + 20), o = be32(t + 24);
                for (uint32_t j = 0; j + 1 < m && o + j + 1 < size && k + 1 < n; j += 2) {
                    unsigned c = (unsigned)t[o + j] << 8 | t[o + j + 1];
                    out[k++] = (char)(c >= 32 && c < 127 ? c : '?');
                }
            }
            break;
        }
    }
    out[k] = '\0';
    g_object_unref(im);
}

int main(int argc, char **argv)
{
    int info = argc == 4 && !strcmp(argv[1], "--info");
    if (!info && argc != 3) {
        fprintf(stderr, "usage: ssim --info ORIGINAL ORIENT | ssim ORIGINAL ORIENT < jobs\n");
        return 2;
    }
    if (VIPS_INIT(argv[0])) {
        fprintf(stderr, "ssim: vips_init failed\n");
        return 1;
    }
    vips_cache_set_max(0);
    const char *orig = argv[1 + info];
    int orient = (int)strtol(argv[2 + info], NULL, 10);
    VipsImage *ref = load(orig, orient);
    if (!ref) {
        printf("ERR cannot load the reference %s: %s\n", orig, vips_error_buffer());
        return 1;
    }
    if (info) {
        char desc[128];
        icc_desc(orig, desc, sizeof desc);
        if (desc[0])
            printf("%d %d icc=%s\n", ref->Xsize, ref->Ysize, desc);
        else
            printf("%d %d\n", ref->Xsize, ref->Ysize);
    } else {
        char line[8192];
        while (fgets(line, sizeof line, stdin)) {
            /* "X Y W H PATH": four integers, then the path to the end of the line. */
            long v[4];
            char *p = line, *end = NULL;
            int ok = 1;
            for (int i = 0; i < 4 && ok; i++) {
                v[i] = strtol(p, &end, 10);
                ok = end != p && *end == ' ' && v[i] >= 0 && v[i] < 1000000;
                p = end + 1;
            }
            line[strcspn(line, "\n")] = '\0';
            if (!ok || !*p) {
                printf("ERR bad job line\n");
                fflush(stdout);
                continue;
            }
            job(ref, (int)v[0], (int)v[1], (int)v[2], (int)v[3], p);
        }
    }
    for (int i = 0; i < cache_n; i++) {
        g_object_unref(cache[i].img);
    }
    g_object_unref(ref);
    vips_shutdown();
    return 0;
}
