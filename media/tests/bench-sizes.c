/*
 * make -C media bench: WordPress's upload work on one JPEG through libwitsper-media, in
 * this process, with its CPU time and peak RSS over the process's baseline after wm_init.
 *   bench-sizes FILE [wp|one|naive]
 *   wp     (default) as wp_create_image_subsizes(): the big image scaled to 2560 and saved
 *          (-scaled), then the default sizes from the scaled image on the same handle
 *          (150x150 crop, 300, 768, 1024, 1536, 2048 wide)
 *   one    the scaled image and every size in one wm_make_sizes call from the file
 *   naive  as wp, opened with WM_OPEN_FULL_DECODE (no shrink-on-load)
 * Not a test: prints the figures (run each mode in its own process: peak RSS is a
 * high-water mark).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "witsper_media.h"

static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* The scaled size (big_image_size_threshold 2560) and WordPress's default sizes of it. */
static void set_size(wm_size *s, int x, int y, int w, int h, int dw, int dh, const char *dir,
                     const char *name, char *buf, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->src_x = x;
    s->src_y = y;
    s->src_w = w;
    s->src_h = h;
    s->dst_w = dw;
    s->dst_h = dh;
    snprintf(buf, cap, "%s/%s", dir, name);
    s->path = buf;
    s->path_len = strlen(buf);
}

int main(int argc, char **argv)
{
    const char *file, *mode;
    char dir[] = "/tmp/wm-bench-XXXXXX", paths[8][512];
    wm_image *img = NULL;
    wm_info info;
    wm_error err;
    wm_size sizes[8];
    double c0, c1;
    long rss0, rss1;
    int rc, sw, sh, i;
    size_t n;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [wp|one|naive]\n", argv[0]);
        return 2;
    }
    file = argv[1];
    mode = argc > 2 ? argv[2] : "wp";
    if (mkdtemp(dir) == NULL || wm_init(NULL, &err) != WM_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    rss0 = peak_kb();
    c0 = cpu_s();
    rc = wm_open(file, strlen(file), strcmp(mode, "naive") == 0 ? WM_OPEN_FULL_DECODE : 0,
                 &img, &info, &err);
    if (rc != WM_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    /* wp_constrain_dimensions( w, h, 2560, 2560 ). */
    if (info.width >= info.height) {
        sw = 2560;
        sh = (int)((double)info.height * 2560 / info.width + 0.5);
    } else {
        sh = 2560;
        sw = (int)((double)info.width * 2560 / info.height + 0.5);
    }
    if (strcmp(mode, "one") == 0) {
        /* Everything from the file: the sizes' regions are the scaled image's, mapped to
         * the original (WordPress's arithmetic would be done in PHP). */
        double f = (double)info.width / sw;
        int cs = sw < sh ? sw : sh;
        set_size(&sizes[0], 0, 0, info.width, info.height, sw, sh, dir, "scaled.jpg",
                 paths[0], sizeof paths[0]);
        set_size(&sizes[1], (int)((sw - cs) / 2.0 * f), (int)((sh - cs) / 2.0 * f),
                 (int)(cs * f), (int)(cs * f), 150, 150, dir, "150.jpg", paths[1],
                 sizeof paths[1]);
        n = 2;
    } else {
        snprintf(paths[7], sizeof paths[7], "%s/scaled.jpg", dir);
        rc = wm_crop_resize(img, 0, 0, info.width, info.height, sw, sh, &err);
        if (rc == WM_OK)
            rc = wm_save(img, paths[7], strlen(paths[7]), "image/jpeg", 82, NULL, &err);
        if (rc != WM_OK) {
            fprintf(stderr, "scaled: %s\n", err.message);
            return 1;
        }
        {
            int cs = sw < sh ? sw : sh;
            set_size(&sizes[0], (sw - cs) / 2, (sh - cs) / 2, cs, cs, 150, 150, dir,
                     "150.jpg", paths[0], sizeof paths[0]);
        }
        n = 1;
    }
    {
        static const int widths[] = { 300, 768, 1024, 1536, 2048 };
        int base_w = strcmp(mode, "one") == 0 ? info.width : sw;
        int base_h = strcmp(mode, "one") == 0 ? info.height : sh;
        for (i = 0; i < 5; i++) {
            char name[32];
            snprintf(name, sizeof name, "%d.jpg", widths[i]);
            set_size(&sizes[n], 0, 0, base_w, base_h, widths[i],
                     (int)((double)sh * widths[i] / sw + 0.5), dir, name, paths[n],
                     sizeof paths[n]);
            n++;
        }
    }
    rc = wm_make_sizes(img, sizes, n, "image/jpeg", 82, &err);
    c1 = cpu_s();
    rss1 = peak_kb();
    wm_close(img);
    if (rc != WM_OK) {
        fprintf(stderr, "sizes: %s\n", err.message);
        return 1;
    }
    printf("%s mode=%s %dx%d: cpu %.3f s, peak RSS +%.1f MB (baseline %.1f MB), "
           "threads 1, libvips %s\n", file, mode, info.width, info.height, c1 - c0,
           (double)(rss1 - rss0) / 1024.0, (double)rss0 / 1024.0, wm_vips_version());
    for (i = 0; i < (int)n; i++)
        printf("  %dx%d %llu bytes\n", sizes[i].out_w, sizes[i].out_h,
               (unsigned long long)sizes[i].out_bytes);
    for (i = 0; i < 8; i++)
        unlink(paths[i]);
    rmdir(dir);
    return 0;
}
