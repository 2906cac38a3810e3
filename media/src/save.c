/*
 * Encoding: one libvips saver per output type, metadata and profile stripped, written to
 * a temporary name beside the target and renamed over it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Writes in (8-bit sRGB or grey, maybe with alpha) into the file tmp. */
static int encode(VipsImage *in, const char *tmp, const char *mime, int q, int palette)
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
        if (palette)
            /* No dithering, as GD's imagetruecolortopalette( $img, false, n ). */
            rc = vips_pngsave(in, tmp, "compression", 6, "palette", TRUE, "dither", 0.0,
                              "strip", TRUE, "filter", VIPS_FOREIGN_PNG_FILTER_NONE, NULL);
        else
            rc = vips_pngsave(in, tmp, "compression", 6, "strip", TRUE,
                              "filter", VIPS_FOREIGN_PNG_FILTER_ALL, NULL);
    } else if (strcmp(mime, "image/webp") == 0) {
        rc = vips_webpsave(in, tmp, "Q", q, "strip", TRUE, NULL);
    } else if (strcmp(mime, "image/gif") == 0) {
        /* No dithering, as GD's GIF writer (dithered GIFs were 1.1-1.9x GD's bytes). */
        rc = vips_gifsave(in, tmp, "dither", 0.0, "strip", TRUE, NULL);
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

int wm__save(VipsImage *in, const char *path, const char *mime, int quality, int palette,
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
    if (encode(in, tmp, mime, quality, palette) != 0) {
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
