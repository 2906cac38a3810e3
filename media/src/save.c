/*
 * Encoding: one libvips saver per output type, metadata and profile stripped, written to
 * a temporary name beside the target and renamed over it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* libvips 8.14's webpsave writes an EXIF chunk (~200 bytes: the fields it keeps, such as
 * the resolution) even with strip set; WordPress's GD editor writes none. Removes the EXIF
 * and XMP chunks of the RIFF container in buf (in place), clears their VP8X flags, and
 * drops the VP8X chunk when nothing is left that needs it (no alpha, ICC, animation: one
 * VP8/VP8L chunk, the simple format GD writes). A buffer that is not a well-formed WebP is
 * left as it is. Returns the new length. */
size_t wm__webp_strip(unsigned char *buf, size_t len)
{
    size_t pos = 12, out = 12, vp8x = 0, chunks = 0;
    int other = 0;

    if (len < 20 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WEBP", 4) != 0 ||
        le32(buf + 4) != len - 8)
        return len;
    /* First pass: validate every chunk (nothing is changed on a malformed file). */
    while (pos < len) {
        uint32_t size;
        size_t whole;
        if (len - pos < 8)
            return len;
        size = le32(buf + pos + 4);
        whole = 8 + (size_t)size + (size & 1);
        if (whole > len - pos)
            return len;
        pos += whole;
    }
    for (pos = 12; pos < len;) {
        uint32_t size = le32(buf + pos + 4);
        size_t whole = 8 + (size_t)size + (size & 1);
        int drop = memcmp(buf + pos, "EXIF", 4) == 0 || memcmp(buf + pos, "XMP ", 4) == 0;
        if (!drop) {
            if (memcmp(buf + pos, "VP8X", 4) == 0 && size >= 10) {
                vp8x = out;
                buf[pos + 8] &= (unsigned char)~0x0c; /* EXIF (0x08), XMP (0x04) */
            } else if (memcmp(buf + pos, "VP8 ", 4) != 0 && memcmp(buf + pos, "VP8L", 4) != 0) {
                other = 1; /* ALPH, ICCP, ANIM, ANMF, ...: VP8X stays */
            }
            memmove(buf + out, buf + pos, whole);
            out += whole;
            chunks++;
        }
        pos += whole;
    }
    if (vp8x != 0 && buf[vp8x + 8] == 0 && !other && chunks == 2) {
        size_t whole = 8 + (size_t)le32(buf + vp8x + 4);
        memmove(buf + vp8x, buf + vp8x + whole, out - vp8x - whole);
        out -= whole;
    }
    put_le32(buf + 4, (uint32_t)(out - 8));
    return out;
}

/* Writes len bytes to the file tmp (write(2): the library imports no stdio writer). */
static int write_file(const char *tmp, const unsigned char *buf, size_t len)
{
    int fd = open(tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
    size_t done = 0;

    if (fd < 0) {
        vips_error("witsper-media", "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            vips_error("witsper-media", "cannot write %s: %s", tmp, strerror(errno));
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    if (close(fd) != 0) {
        vips_error("witsper-media", "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    return 0;
}

/* The alpha band of in (8-bit, last band) at GD's 7-bit precision: GD keeps alpha as
 * 0..127 and its PNG and WebP writers expand it as 255 - (2a + a/64). The alpha plane
 * then compresses as GD's does (7% fewer bytes on a cut-out product photo; make
 * test-media, WebP and PNG with alpha: 1.06-1.19x GD's bytes with 8-bit alpha). */
static int alpha_as_gd(VipsImage *in, VipsImage **out)
{
    unsigned char lut[256];
    VipsImage *map, *colour = NULL, *alpha = NULL, *alpha7 = NULL;
    int a, rc = -1;

    for (a = 0; a < 256; a++) {
        int g = 127 - (a >> 1);
        lut[a] = (unsigned char)(255 - (2 * g + (g >> 6)));
    }
    map = vips_image_new_from_memory_copy(lut, sizeof lut, 256, 1, 1, VIPS_FORMAT_UCHAR);
    if (map == NULL)
        return -1;
    if (vips_extract_band(in, &colour, 0, "n", in->Bands - 1, NULL) == 0 &&
        vips_extract_band(in, &alpha, in->Bands - 1, NULL) == 0 &&
        vips_maplut(alpha, &alpha7, map, NULL) == 0 &&
        vips_bandjoin2(colour, alpha7, out, NULL) == 0)
        rc = 0;
    if (alpha7 != NULL)
        g_object_unref(alpha7);
    if (alpha != NULL)
        g_object_unref(alpha);
    if (colour != NULL)
        g_object_unref(colour);
    g_object_unref(map);
    return rc;
}

/* in as the PNG the sizes are written as, in a new buffer (g_free). */
static int png_buffer(VipsImage *in, int palette_bits, void **buf, size_t *len)
{
    VipsImage *a7 = NULL;
    int rc;

    if (vips_image_hasalpha(in)) {
        if (alpha_as_gd(in, &a7) != 0)
            return -1;
        in = a7;
    }
    if (palette_bits > 0)
        rc = vips_pngsave_buffer(in, buf, len, "compression", 6, "palette", TRUE, "bitdepth",
                                 palette_bits, "dither", 0.0, "strip", TRUE, NULL);
    else
        /* Truecolour, also from a palette source, as WordPress's GD editor writes its
         * resampled sizes: 256 colours of a resampled palette image lost 0.01-0.02 SSIM
         * against GD's output (make test-media, palette PNGs). */
        rc = vips_pngsave_buffer(in, buf, len, "compression", 6, "strip", TRUE, "filter",
                                 VIPS_FOREIGN_PNG_FILTER_ALL, NULL);
    if (a7 != NULL)
        g_object_unref(a7);
    return rc;
}

int wm__png_bytes(VipsImage *in, int palette_bits, size_t *len)
{
    void *buf = NULL;
    int rc = png_buffer(in, palette_bits, &buf, len);

    g_free(buf);
    return rc;
}

/* Writes in (8-bit sRGB or grey, maybe with alpha) into the file tmp. */
static int encode(VipsImage *in, const char *tmp, const char *mime, int q, int palette_bits)
{
    VipsImage *flat = NULL;
    int rc;

    if (strcmp(mime, "image/jpeg") == 0) {
        if (vips_image_hasalpha(in)) {
            /* JPEG has no alpha: on white, as GD's editor does. */
            double white[3] = { 255, 255, 255 };
            VipsArrayDouble *bg = vips_array_double_new(white, in->Bands > 2 ? 3 : 1);
            rc = vips_flatten(in, &flat, "background", bg, NULL);
            vips_area_unref(VIPS_AREA(bg));
            if (rc != 0)
                return rc;
            in = flat;
        }
        /* Chroma subsampling always on, as libjpeg's default in GD. */
        rc = vips_jpegsave(in, tmp, "Q", q, "optimize_coding", TRUE, "strip", TRUE,
                           "subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON, NULL);
    } else if (strcmp(mime, "image/png") == 0) {
        void *buf = NULL;
        size_t len = 0;
        rc = png_buffer(in, palette_bits, &buf, &len);
        if (rc == 0)
            rc = write_file(tmp, buf, len);
        g_free(buf);
    } else if (strcmp(mime, "image/webp") == 0) {
        void *buf = NULL;
        size_t len = 0;
        if (vips_image_hasalpha(in)) {
            if ((rc = alpha_as_gd(in, &flat)) != 0)
                return rc;
            in = flat;
        }
        /* effort 6 (libwebp's method 6; GD uses 4): 2-3% fewer bytes at the same quality,
         * for sizes that are small next to the decode. */
        rc = vips_webpsave_buffer(in, &buf, &len, "Q", q, "effort", 6, "strip", TRUE, NULL);
        if (rc == 0) {
            len = wm__webp_strip(buf, len);
            rc = write_file(tmp, buf, len);
        }
        g_free(buf);
    } else if (strcmp(mime, "image/gif") == 0) {
        /* No dithering; 128 colours up to 300 x 300 pixels, 64 above. GD's GIF writer
         * (its own median-cut quantiser) reached SSIM ~0.88-0.94 on resampled photos;
         * cgif's 256 colours got ~0.98 but 1.06-1.9x GD's bytes; 64 colours gave 0.94 at
         * 0.5-0.9x on large sizes but fell below GD's SSIM on small ones, where 128
         * colours stay under GD's bytes (make test-media, GIFs). */
        int small = (int64_t)in->Xsize * in->Ysize <= INT64_C(90000);
        /* The quantiser's most effort where it is cheap: 2% fewer bytes at 150 x 150. */
        rc = vips_gifsave(in, tmp, "dither", 0.0, "bitdepth", small ? 7 : 6, "effort",
                          small ? 10 : 7, "strip", TRUE, NULL);
    } else if (strcmp(mime, "image/avif") == 0) {
        rc = vips_heifsave(in, tmp, "Q", q, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                           "strip", TRUE, NULL);
    } else {
        rc = 1;
    }
    if (flat != NULL)
        g_object_unref(flat);
    return rc;
}

int wm__save(VipsImage *in, const char *path, const char *mime, int quality, int palette_bits,
             uint64_t *bytes, wm_error *err)
{
    static const char *const mimes[] = { "image/jpeg", "image/png", "image/webp",
                                         "image/gif", "image/avif" };
    size_t i, len = strlen(path);
    char *tmp;
    int fd, rc;
    struct stat st;

    for (i = 0; i < sizeof mimes / sizeof mimes[0]; i++) {
        if (strcmp(mime, mimes[i]) == 0)
            break;
    }
    if (i == sizeof mimes / sizeof mimes[0])
        return wm__fail(err, WM_E_ENCODE, "cannot write %s files", mime);
    if (quality < 1 || quality > 100)
        quality = 82;
    tmp = malloc(len + sizeof ".wm-XXXXXX");
    if (tmp == NULL)
        return wm__fail(err, WM_E_NOMEM, "out of memory");
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".wm-XXXXXX", sizeof ".wm-XXXXXX");
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = wm__fail(err, WM_E_IO, "cannot write beside %s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    (void)fchmod(fd, 0644);
    close(fd);
    if (encode(in, tmp, mime, quality, palette_bits) != 0) {
        rc = wm__vips_fail(err, WM_E_ENCODE, "cannot write the image");
        unlink(tmp);
        free(tmp);
        return rc;
    }
    vips_error_clear();
    if (stat(tmp, &st) != 0 || rename(tmp, path) != 0) {
        rc = wm__fail(err, WM_E_IO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    *bytes = (uint64_t)st.st_size;
    return WM_OK;
}
