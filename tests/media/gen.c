/*
 * gen: writes the generated images of `make test-media` (tests/media/README.md) and their
 * manifest. Deterministic: the pixels of every image follow from the seed and the image's
 * index only (splitmix64, no libc rand, no clock); the encoders are Debian's libvips ones.
 *
 * Usage: gen OUTDIR [SEED]     (SEED default 12)
 * Writes OUTDIR/<category>/<name>.<ext> and OUTDIR/manifest.tsv with one line per image:
 *   relative-path <TAB> category <TAB> description
 * Exit: 0 every image written, 1 any failure (named on stderr).
 *
 * The pictures are synthetic "photos": smooth gradients, random ellipses and rectangles,
 * thin lines and a little noise, so that a wrong orientation, crop offset, colour
 * conversion or resampler shows up in SSIM; every channel carries different content.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <vips/vips.h>

enum kind {
    K_JPEG,        /* param: orientation 1..8 (0: no EXIF) */
    K_JPEG_PROG,   /* progressive JPEG */
    K_JPEG_Q50,    /* JPEG at quality 50 */
    K_JPEG_GREY,   /* one-band JPEG */
    K_CMYK,        /* param: 1 with the CMYK ICC profile embedded, 0 without */
    K_PNG,         /* param: bands 1..4 (2 and 4 have alpha) */
    K_PNG16,       /* param: bands 1, 3 or 4; 16 bits per sample */
    K_PNG_PAL,     /* param: bit depth 1, 2, 4, 8 (negative: with alpha) */
    K_GIF,         /* param: frames (1: static) */
    K_WEBP,        /* param: 0 lossy, 1 lossless, 2 lossy alpha, 3 lossless alpha */
    K_HEIC         /* param: 0 RGB, 1 with alpha */
};

static const char *const kind_ext[] = {"jpg", "jpg", "jpg", "jpg", "jpg", "png",
                                       "png", "png", "gif", "webp", "heic"};

typedef struct gen {
    const char *outdir;
    uint64_t seed;
    FILE *manifest;
    int index;
    int failed;
} gen;

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform double in [0, 1). */
static double rnd(uint64_t *s) { return (double)(splitmix64(s) >> 11) / 9007199254740992.0; }

static uint8_t clamp8(double v)
{
    if (v < 0.0) {
        return 0;
    }
    if (v > 255.0) {
        return 255;
    }
    return (uint8_t)(v + 0.5);
}

/* Paints w x h pixels of `bands` 16-bit samples (0..65535) into px. Bands 2 and 4 carry
 * an alpha channel: opaque, a transparent ellipse, a partly transparent band, a
 * transparent border. */
static void paint(uint16_t *px, int w, int h, int bands, uint64_t seed)
{
    uint64_t s = seed;
    int colour_bands = (bands == 2 || bands == 4) ? bands - 1 : bands;
    double fx = 2.0 + 6.0 * rnd(&s), fy = 2.0 + 6.0 * rnd(&s), ph = 6.28 * rnd(&s);
    size_t n = (size_t)w * (size_t)h;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double u = (w > 1) ? (double)x / (w - 1) : 0.0, v = (h > 1) ? (double)y / (h - 1) : 0.0;
            double c[3] = {40.0 + 170.0 * u, 40.0 + 170.0 * v,
                           128.0 + 90.0 * sin(fx * u * 3.1416 + fy * v * 3.1416 + ph)};
            uint16_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * (size_t)bands;
            for (int b = 0; b < colour_bands; b++) {
                double g = colour_bands == 1 ? (c[0] + c[1] + c[2]) / 3.0 : c[b];
                p[b] = (uint16_t)(g * 257.0);
            }
        }
    }
    /* Shapes: 14 ellipses or rectangles, relative to each axis (thin images get thin ones). */
    for (int k = 0; k < 14; k++) {
        int ellipse = rnd(&s) < 0.5;
        double cx = rnd(&s) * w, cy = rnd(&s) * h;
        double rx = (0.04 + 0.2 * rnd(&s)) * w + 1.0, ry = (0.04 + 0.2 * rnd(&s)) * h + 1.0;
        uint16_t col[3] = {(uint16_t)(rnd(&s) * 65535.0), (uint16_t)(rnd(&s) * 65535.0),
                           (uint16_t)(rnd(&s) * 65535.0)};
        int x0 = (int)fmax(0.0, cx - rx), x1 = (int)fmin(w - 1.0, cx + rx);
        int y0 = (int)fmax(0.0, cy - ry), y1 = (int)fmin(h - 1.0, cy + ry);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = (x - cx) / rx, dy = (y - cy) / ry;
                if (ellipse && dx * dx + dy * dy > 1.0) {
                    continue;
                }
                uint16_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * (size_t)bands;
                for (int b = 0; b < colour_bands; b++) {
                    p[b] = colour_bands == 1 ? (uint16_t)((col[0] + col[1] + col[2]) / 3) : col[b];
                }
            }
        }
    }
    /* Thin lines (detail a resampler must keep), 2 px wide, random slopes. */
    for (int k = 0; k < 6; k++) {
        double x0 = rnd(&s) * w, y0 = rnd(&s) * h, x1 = rnd(&s) * w, y1 = rnd(&s) * h;
        uint16_t g = rnd(&s) < 0.5 ? 0 : 65535;
        int steps = (int)(fabs(x1 - x0) + fabs(y1 - y0)) + 1;
        for (int i = 0; i <= steps; i++) {
            double t = (double)i / steps;
            int x = (int)(x0 + t * (x1 - x0)), y = (int)(y0 + t * (y1 - y0));
            for (int d = 0; d < 2; d++) {
                if (x + d >= w || y >= h) {
                    continue;
                }
                uint16_t *p = px + ((size_t)y * (size_t)w + (size_t)(x + d)) * (size_t)bands;
                for (int b = 0; b < colour_bands; b++) {
                    p[b] = g;
                }
            }
        }
    }
    /* Noise: +-6 (in 8-bit units) plus random low bits, which only 16-bit output keeps. */
    for (size_t i = 0; i < n; i++) {
        for (int b = 0; b < colour_bands; b++) {
            uint16_t *p = px + i * (size_t)bands + (size_t)b;
            double val = *p + (rnd(&s) - 0.5) * 12.0 * 257.0;
            *p = (uint16_t)fmin(65535.0, fmax(0.0, val));
        }
    }
    if (colour_bands == bands) {
        return;
    }
    double hx = rnd(&s) * w, hy = rnd(&s) * h, hr = 0.15 * (w < h ? w : h) + 1.0;
    int border = (w < h ? w : h) / 20;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double a = 65535.0;
            int edge = x < border || y < border || x >= w - border || y >= h - border;
            if (edge || (x - hx) * (x - hx) + (y - hy) * (y - hy) < hr * hr) {
                a = 0.0;
            } else if (y > h / 2 && y < h / 2 + h / 6 + 1) {
                a = 65535.0 * (double)x / w;
            }
            px[((size_t)y * (size_t)w + (size_t)x) * (size_t)bands + (size_t)colour_bands] = (uint16_t)a;
        }
    }
}

/* A new 8- or 16-bit image of the painted pixels (caller unrefs), NULL on failure. */
static VipsImage *make_image(int w, int h, int bands, int bits16, uint64_t seed)
{
    size_t n = (size_t)w * (size_t)h * (size_t)bands;
    uint16_t *px = malloc(n * sizeof *px);
    if (!px) {
        return NULL;
    }
    paint(px, w, h, bands, seed);
    VipsImage *img;
    if (bits16) {
        img = vips_image_new_from_memory_copy(px, n * sizeof *px, w, h, bands, VIPS_FORMAT_USHORT);
        if (img) {
            img->Type = bands <= 2 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_RGB16;
        }
    } else {
        uint8_t *b8 = malloc(n);
        if (!b8) {
            free(px);
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            b8[i] = clamp8(px[i] / 257.0);
        }
        img = vips_image_new_from_memory_copy(b8, n, w, h, bands, VIPS_FORMAT_UCHAR);
        if (img) {
            img->Type = bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
        }
        free(b8);
    }
    free(px);
    return img;
}

/* An animated image: frames stacked vertically, each painted from its own seed. */
static VipsImage *make_frames(int w, int h, int frames, uint64_t seed)
{
    VipsImage **f = calloc((size_t)frames, sizeof(VipsImage *));
    VipsImage *out = NULL;
    if (!f) {
        return NULL;
    }
    int ok = 1;
    for (int i = 0; i < frames && ok; i++) {
        f[i] = make_image(w, h, 3, 0, seed + (uint64_t)i * 7919u);
        ok = f[i] != NULL;
    }
    if (ok && !vips_arrayjoin(f, &out, frames, "across", 1, NULL)) {
        vips_image_set_int(out, "page-height", h);
        int *delay = malloc((size_t)frames * sizeof *delay);
        if (delay) {
            for (int i = 0; i < frames; i++) {
                delay[i] = 100;
            }
            vips_image_set_array_int(out, "delay", delay, frames);
            free(delay);
        }
        vips_image_set_int(out, "loop", 0);
    }
    for (int i = 0; i < frames; i++) {
        if (f[i]) {
            g_object_unref(f[i]);
        }
    }
    free(f);
    return out;
}

static int save(VipsImage *img, enum kind k, int param, const char *path)
{
    VipsImage *t = NULL;
    int rc;
    switch (k) {
    case K_JPEG:
        if (param > 0) {
            vips_image_set_int(img, "orientation", param); /* jpegsave writes it into EXIF */
        }
        return vips_jpegsave(img, path, "Q", 90, NULL);
    case K_JPEG_PROG:
        return vips_jpegsave(img, path, "Q", 85, "interlace", TRUE, NULL);
    case K_JPEG_Q50:
        return vips_jpegsave(img, path, "Q", 50, NULL);
    case K_JPEG_GREY:
        return vips_jpegsave(img, path, "Q", 90, NULL);
    case K_CMYK:
        /* libvips' built-in CMYK profile; without param the profile is removed again. */
        if (vips_icc_export(img, &t, "output_profile", "cmyk", NULL)) {
            return -1;
        }
        if (!param) {
            vips_image_remove(t, VIPS_META_ICC_NAME);
        }
        rc = vips_jpegsave(t, path, "Q", 90, NULL);
        g_object_unref(t);
        return rc;
    case K_PNG:
        return vips_pngsave(img, path, "compression", 1, NULL);
    case K_PNG16:
        return vips_pngsave(img, path, "compression", 1, "bitdepth", 16, NULL);
    case K_PNG_PAL:
        return vips_pngsave(img, path, "compression", 1, "palette", TRUE, "bitdepth",
                            abs(param), NULL);
    case K_GIF:
        return vips_gifsave(img, path, "effort", 1, "dither", 0.0, NULL);
    case K_WEBP:
        return vips_webpsave(img, path, "Q", 80, "lossless", param == 1 || param == 3, NULL);
    case K_HEIC:
        return vips_heifsave(img, path, "Q", 60, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                             NULL);
    }
    return -1;
}

static int bands_of(enum kind k, int param)
{
    switch (k) {
    case K_JPEG_GREY:
        return 1;
    case K_PNG:
    case K_PNG16:
        return param;
    case K_PNG_PAL:
        return param < 0 ? 4 : 3;
    case K_WEBP:
        return param >= 2 ? 4 : 3;
    case K_HEIC:
        return param ? 4 : 3;
    default:
        return 3;
    }
}

static void mkdirs(const char *dir, const char *sub)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    if (mkdir(p, 0755) && errno != EEXIST) {
        fprintf(stderr, "gen: mkdir %s: %s\n", p, strerror(errno));
    }
}

/* Writes one image; name without extension; desc goes to the manifest. */
static void emit(gen *g, const char *cat, const char *name, int w, int h, enum kind k, int param,
                 const char *desc)
{
    char rel[512], path[4096];
    uint64_t seed = g->seed * UINT64_C(1000003) + (uint64_t)g->index++;
    snprintf(rel, sizeof rel, "%s/%s.%s", cat, name, kind_ext[k]);
    snprintf(path, sizeof path, "%s/%s", g->outdir, rel);
    mkdirs(g->outdir, cat);
    clock_t t0 = clock();
    VipsImage *img = (k == K_GIF && param > 1) ? make_frames(w, h, param, seed)
                                               : make_image(w, h, bands_of(k, param),
                                                            k == K_PNG16, seed);
    if (!img || save(img, k, param, path)) {
        fprintf(stderr, "gen: %s: %s\n", rel, vips_error_buffer());
        vips_error_clear();
        g->failed++;
    } else {
        fprintf(g->manifest, "%s\t%s\t%dx%d %s\n", rel, cat, w, h, desc);
    }
    if (getenv("GEN_TIMES")) {
        fprintf(stderr, "%.3f s CPU %s\n", (double)(clock() - t0) / CLOCKS_PER_SEC, rel);
    }
    if (img) {
        g_object_unref(img);
    }
}

static void gen_all(gen *g, int heic)
{
    char name[128], desc[128];
    /* 1. All 8 EXIF orientations, landscape and portrait; three above the threshold. */
    for (int o = 1; o <= 8; o++) {
        snprintf(name, sizeof name, "landscape_o%d", o);
        snprintf(desc, sizeof desc, "JPEG EXIF orientation %d", o);
        emit(g, "orientation", name, 1200, 800, K_JPEG, o, desc);
        snprintf(name, sizeof name, "portrait_o%d", o);
        emit(g, "orientation", name, 800, 1200, K_JPEG, o, desc);
    }
    emit(g, "orientation", "big_o6", 3000, 2000, K_JPEG, 6, "JPEG orientation 6, scaled");
    emit(g, "orientation", "big_o8", 2000, 3000, K_JPEG, 8, "JPEG orientation 8, scaled");
    emit(g, "orientation", "big_o3", 3000, 2000, K_JPEG, 3, "JPEG orientation 3, scaled");

    /* 2. Aspect ratios 1:20 .. 20:1 (long side 1500) in JPEG, PNG and lossy WebP. */
    static const int ratio[][2] = {{1, 20}, {1, 16}, {1, 12}, {1, 10}, {1, 8}, {1, 6}, {1, 5},
                                   {1, 4},  {1, 3},  {1, 2},  {2, 3},  {3, 4}, {1, 1}, {4, 3},
                                   {3, 2},  {2, 1},  {3, 1},  {4, 1},  {5, 1}, {6, 1}, {8, 1},
                                   {10, 1}, {12, 1}, {16, 1}, {20, 1}};
    for (size_t i = 0; i < sizeof ratio / sizeof ratio[0]; i++) {
        int a = ratio[i][0], b = ratio[i][1];
        int w = a >= b ? 1500 : 1500 * a / b, h = a >= b ? 1500 * b / a : 1500;
        snprintf(desc, sizeof desc, "aspect %d:%d", a, b);
        snprintf(name, sizeof name, "ratio_%d-%d", a, b);
        emit(g, "aspect", name, w, h, K_JPEG, 0, desc);
        emit(g, "aspect", name, w, h, K_PNG, 3, desc);
        emit(g, "aspect", name, w, h, K_WEBP, 0, desc);
    }

    /* 3. big_image_size_threshold (2560) edges. */
    for (int n = 2559; n <= 2561; n++) {
        snprintf(desc, sizeof desc, "threshold edge %d", n);
        snprintf(name, sizeof name, "w%d", n);
        emit(g, "threshold", name, n, 1600, K_JPEG, 0, desc);
        snprintf(name, sizeof name, "h%d", n);
        emit(g, "threshold", name, 1600, n, K_JPEG, 0, desc);
        snprintf(name, sizeof name, "sq%d", n);
        emit(g, "threshold", name, n, n, K_JPEG, 0, desc);
    }
    emit(g, "threshold", "png_w2561", 2561, 1600, K_PNG, 3, "PNG over the threshold: not scaled");
    emit(g, "threshold", "png_h2561", 1600, 2561, K_PNG, 3, "PNG over the threshold: not scaled");
    emit(g, "threshold", "webp_w2561", 2561, 1600, K_WEBP, 0, "WebP over the threshold");
    emit(g, "threshold", "gif_w2561", 2561, 1000, K_GIF, 1, "GIF over the threshold");
    emit(g, "threshold", "o6_stored1600x2561", 1600, 2561, K_JPEG, 6, "orientation 6, scaled");
    emit(g, "threshold", "o6_stored2561x1600", 2561, 1600, K_JPEG, 6, "orientation 6, scaled");

    /* 4. Formats. */
    emit(g, "formats", "cmyk_icc", 1000, 700, K_CMYK, 1, "CMYK JPEG, CMYK profile");
    emit(g, "formats", "cmyk_icc_big", 2600, 1800, K_CMYK, 1, "CMYK JPEG, profile, scaled");
    emit(g, "formats", "cmyk_noicc", 1000, 700, K_CMYK, 0, "CMYK JPEG, no profile");
    emit(g, "formats", "grey", 900, 600, K_JPEG_GREY, 0, "greyscale JPEG");
    emit(g, "formats", "grey", 900, 600, K_PNG, 1, "greyscale PNG");
    emit(g, "formats", "grey_alpha", 900, 600, K_PNG, 2, "greyscale+alpha PNG");
    emit(g, "formats", "rgb16", 1200, 800, K_PNG16, 3, "16-bit RGB PNG");
    emit(g, "formats", "rgba16", 1200, 800, K_PNG16, 4, "16-bit RGBA PNG");
    emit(g, "formats", "grey16", 800, 600, K_PNG16, 1, "16-bit grey PNG");
    emit(g, "formats", "rgba_1200", 1200, 800, K_PNG, 4, "RGBA PNG");
    emit(g, "formats", "rgba_400", 400, 300, K_PNG, 4, "RGBA PNG");
    emit(g, "formats", "rgba_2000", 2000, 1000, K_PNG, 4, "RGBA PNG");
    emit(g, "formats", "palette8", 1000, 700, K_PNG_PAL, 8, "palette PNG 8-bit");
    emit(g, "formats", "palette8_alpha", 1000, 700, K_PNG_PAL, -8, "palette PNG 8-bit, alpha");
    emit(g, "formats", "palette4", 800, 600, K_PNG_PAL, 4, "palette PNG 4-bit");
    emit(g, "formats", "palette2", 900, 600, K_PNG_PAL, 2, "palette PNG 2-bit");
    emit(g, "formats", "palette1", 600, 400, K_PNG_PAL, 1, "palette PNG 1-bit");
    emit(g, "formats", "static_800", 800, 600, K_GIF, 1, "GIF");
    emit(g, "formats", "static_1000", 1000, 400, K_GIF, 1, "GIF");
    emit(g, "formats", "anim6_400", 400, 300, K_GIF, 6, "animated GIF, 6 frames");
    emit(g, "formats", "anim10_160", 160, 160, K_GIF, 10, "animated GIF, 10 frames");
    emit(g, "formats", "anim3_1200", 1200, 800, K_GIF, 3, "animated GIF, 3 frames");
    emit(g, "formats", "lossy_1200", 1200, 800, K_WEBP, 0, "WebP lossy");
    emit(g, "formats", "lossy_600", 600, 400, K_WEBP, 0, "WebP lossy");
    emit(g, "formats", "lossless_1200", 1200, 800, K_WEBP, 1, "WebP lossless");
    emit(g, "formats", "lossless_600", 600, 400, K_WEBP, 1, "WebP lossless");
    emit(g, "formats", "lossy_alpha", 1200, 800, K_WEBP, 2, "WebP lossy with alpha");
    emit(g, "formats", "lossless_alpha", 800, 600, K_WEBP, 3, "WebP lossless with alpha");
    if (heic) {
        /* x265 costs ~2.5 s CPU per MP here: small ones, and one over the threshold. */
        emit(g, "formats", "heic_640", 640, 480, K_HEIC, 0, "HEIC (HEVC)");
        emit(g, "formats", "heic_480x640", 480, 640, K_HEIC, 0, "HEIC (HEVC)");
        emit(g, "formats", "heic_2600", 2600, 600, K_HEIC, 0, "HEIC (HEVC), scaled");
        emit(g, "formats", "heic_alpha", 400, 300, K_HEIC, 1, "HEIC (HEVC) with alpha");
    }
    emit(g, "formats", "progressive", 1600, 1200, K_JPEG_PROG, 0, "progressive JPEG");
    emit(g, "formats", "q50", 1200, 800, K_JPEG_Q50, 0, "JPEG quality 50");
    static const struct {
        int w, h;
        enum kind k;
    } small[] = {{1, 1, K_JPEG},       {1, 1, K_PNG},       {10, 10, K_JPEG},
                 {150, 150, K_JPEG},   {151, 151, K_JPEG},  {300, 300, K_PNG},
                 {299, 150, K_JPEG},   {768, 500, K_JPEG},  {1024, 1024, K_JPEG},
                 {1536, 1536, K_PNG},  {2048, 2048, K_JPEG}};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        snprintf(name, sizeof name, "edge_%dx%d", small[i].w, small[i].h);
        emit(g, "sizes", name, small[i].w, small[i].h, small[i].k, small[i].k == K_PNG ? 3 : 0,
             "at or near a WordPress size");
    }

    /* 5. Random sizes and formats (the seed decides), JPEGs with a random orientation
     * (no GIF here: its quantiser is slow, and GIFs are covered above). */
    uint64_t s = g->seed ^ UINT64_C(0x5eed);
    for (int i = 0; i < 50; i++) {
        int w = 64 + (int)(rnd(&s) * 2300), h = 64 + (int)(rnd(&s) * 2300);
        int f = (int)(rnd(&s) * 4), o = 1 + (int)(rnd(&s) * 8);
        enum kind k = f == 1 ? K_PNG : f == 2 ? K_WEBP : K_JPEG;
        int param = k == K_JPEG ? o : k == K_PNG ? 3 + (int)(rnd(&s) * 2) : 0;
        snprintf(name, sizeof name, "random_%02d", i);
        snprintf(desc, sizeof desc, "random %s param %d", kind_ext[k], param);
        emit(g, "random", name, w, h, k, param, desc);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen OUTDIR [SEED]\n");
        return 2;
    }
    if (VIPS_INIT(argv[0])) {
        fprintf(stderr, "gen: vips_init failed\n");
        return 1;
    }
    gen g = {.outdir = argv[1], .seed = argc == 3 ? strtoull(argv[2], NULL, 10) : 12};
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.tsv", g.outdir);
    g.manifest = fopen(path, "w");
    if (!g.manifest) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        return 1;
    }
    /* HEIC needs heifsave and an HEVC encoder in libheif (x265): without them the
     * generated HEICs are left out, said on stdout, and only the corpus HEICs are used. */
    int heic = 0;
    VipsImage *probe = NULL, *probe8 = NULL;
    if (!vips_black(&probe, 16, 16, "bands", 3, NULL) && !vips_cast_uchar(probe, &probe8, NULL)) {
        void *buf = NULL;
        size_t len = 0;
        heic = !vips_heifsave_buffer(probe8, &buf, &len, "compression",
                                     VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, NULL);
        g_free(buf);
        vips_error_clear();
    }
    if (probe8) {
        g_object_unref(probe8);
    }
    if (probe) {
        g_object_unref(probe);
    }
    if (!heic) {
        printf("gen: NOTE no HEVC encoder (vips heifsave): no generated HEIC, only the corpus HEICs\n");
    }
    gen_all(&g, heic);
    fclose(g.manifest);
    printf("gen: %d images (%d failed) in %s, seed %" PRIu64 "\n", g.index - g.failed, g.failed,
           g.outdir, g.seed);
    vips_shutdown();
    return g.failed ? 1 : 0;
}
