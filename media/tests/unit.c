/*
 * libwitsper-media unit tests (tests/lib/check.h): the media corpus, generated images,
 * exact sizes, rotate/flip semantics, blocked loaders, the fork guard and the limits.
 * Usage: unit CORPUS_DIR       (run by tests/run-check.sh, make -C media check)
 *        unit --limits DIR     (a child run: wm_init with small limits; see test_limits)
 * The test program reads results back with libvips itself (it links it), after wm_init
 * has blocked every loader but the library's.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vips/vips.h>

#include "check.h"
#include "witsper_media.h"

static char tmpdir[256];
static const char *corpus;
static const char *self_exe;

/* ---- helpers ---- */

static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long max_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static int open_file(const char *path, int flags, wm_image **img, wm_info *info,
                     wm_error *err)
{
    return wm_open(path, strlen(path), flags, img, info, err);
}

/* A header read of a result file (through libvips: jpeg/png/webp/gif/heif are allowed). */
static VipsImage *read_back(const char *path)
{
    VipsImage *im = vips_image_new_from_file(path, NULL);

    if (im == NULL)
        vips_error_clear();
    return im;
}

static int file_dims(const char *path, int *w, int *h, int *bands)
{
    VipsImage *im = read_back(path);

    if (im == NULL)
        return -1;
    *w = im->Xsize;
    *h = im->Ysize;
    if (bands != NULL)
        *bands = im->Bands;
    g_object_unref(im);
    return 0;
}

/* Writes a generated image (vips operation output) to path; 0 on success. */
static int write_image(VipsImage *im, const char *path)
{
    int rc = vips_image_write_to_file(im, path, NULL);

    if (rc != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, vips_error_buffer());
        vips_error_clear();
    }
    return rc;
}

/* A w x h RGB test picture with structure (a gradient plus a grid), as a JPEG or PNG. */
static int make_picture(const char *path, int w, int h)
{
    VipsImage *x = NULL, *r = NULL, *g = NULL, *b = NULL, *rgb = NULL, *u = NULL;
    VipsImage *bands[3];
    int rc = -1;

    if (vips_xyz(&x, w, h, NULL) != 0)
        goto out;
    /* r = x * 255 / w, g = y * 255 / h, b = checker of 16 px. */
    {
        VipsImage *xs = NULL, *ys = NULL, *cx = NULL, *cy = NULL, *c = NULL;
        if (vips_extract_band(x, &xs, 0, NULL) != 0 || vips_extract_band(x, &ys, 1, NULL) != 0)
            goto out;
        vips_linear1(xs, &r, 255.0 / w, 0, NULL);
        vips_linear1(ys, &g, 255.0 / h, 0, NULL);
        vips_remainder_const1(xs, &cx, 32, NULL);
        vips_remainder_const1(ys, &cy, 32, NULL);
        vips_add(cx, cy, &c, NULL);
        vips_linear1(c, &b, 4.0, 0, NULL);
        g_object_unref(xs);
        g_object_unref(ys);
        g_object_unref(cx);
        g_object_unref(cy);
        g_object_unref(c);
    }
    bands[0] = r;
    bands[1] = g;
    bands[2] = b;
    if (r == NULL || g == NULL || b == NULL || vips_bandjoin(bands, &rgb, 3, NULL) != 0 ||
        vips_cast_uchar(rgb, &u, NULL) != 0)
        goto out;
    u->Type = VIPS_INTERPRETATION_sRGB;
    rc = write_image(u, path);
out:
    vips_error_clear();
    if (x) g_object_unref(x);
    if (r) g_object_unref(r);
    if (g) g_object_unref(g);
    if (b) g_object_unref(b);
    if (rgb) g_object_unref(rgb);
    if (u) g_object_unref(u);
    return rc;
}

/* Mean absolute difference of two images' pixels (same size and bands), or -1. */
static double mean_diff(VipsImage *a, VipsImage *b)
{
    VipsImage *d = NULL, *abs_d = NULL;
    double m = -1;

    if (a->Xsize != b->Xsize || a->Ysize != b->Ysize || a->Bands != b->Bands)
        return -1;
    if (vips_subtract(a, b, &d, NULL) == 0 && vips_abs(d, &abs_d, NULL) == 0 &&
        vips_avg(abs_d, &m, NULL) == 0) {
        /* m set */
    } else {
        m = -1;
    }
    vips_error_clear();
    if (d) g_object_unref(d);
    if (abs_d) g_object_unref(abs_d);
    return m;
}

static double file_diff(const char *pa, const char *pb)
{
    VipsImage *a = read_back(pa), *b = read_back(pb);
    double m = -1;

    if (a != NULL && b != NULL)
        m = mean_diff(a, b);
    if (a) g_object_unref(a);
    if (b) g_object_unref(b);
    return m;
}

/* Runs argv (PATH lookup) in a child process: stdout and stderr into out (NUL-terminated,
 * may be NULL: discarded). Returns the exit status, 127 when it cannot run, -1 on signal. */
static int run_prog(char *const argv[], char *out, size_t cap)
{
    int fds[2], status = 0;
    pid_t pid;
    size_t len = 0;

    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char buf[512];
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        if (out != NULL && len + 1 < cap) {
            size_t take = (size_t)n < cap - 1 - len ? (size_t)n : cap - 1 - len;
            memcpy(out + len, buf, take);
            len += take;
        }
    }
    close(fds[0]);
    if (out != NULL && cap > 0)
        out[len] = '\0';
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* ---- basics ---- */

static void test_basics(void)
{
    wm_config cfg = { 1, 0, 0 };
    wm_error err;
    char buf[256];
    size_t n;

    INT_EQ(wm_abi(), WITSPER_MEDIA_ABI, "wm_abi");
    STR_EQ(wm_version(), WITSPER_MEDIA_VERSION, "wm_version");
    INT_EQ(wm_init_pid(), 0, "wm_init_pid before wm_init");
    INT_EQ(wm_init(&cfg, &err), WM_OK, "wm_init");
    INT_EQ(wm_init_pid(), getpid(), "wm_init_pid is this process");
    INT_EQ(wm_init(NULL, &err), WM_OK, "wm_init again");
    OK(strncmp(wm_vips_version(), "8.", 2) == 0, "wm_vips_version is libvips 8.x");
    INT_EQ(vips_concurrency_get(), 1, "threads default 1");
    INT_EQ(vips_cache_get_max(), 0, "operation cache off");
    INT_EQ((long long)vips_cache_get_max_mem(), 0, "operation cache memory 0");
    n = wm_savable(buf, sizeof buf);
    INT_EQ(n, strlen(buf), "wm_savable returns the length");
    OK(strstr(buf, "image/jpeg") && strstr(buf, "image/png") && strstr(buf, "image/webp") &&
       strstr(buf, "image/gif"), "wm_savable: jpeg png webp gif");
    printf("savable: %s\n", buf);
    n = wm_savable(buf, 12);
    STR_EQ(buf, "image/jpeg", "wm_savable truncates at whole types");
    INT_EQ(n, 10, "wm_savable truncated length");
    INT_EQ(wm_savable(buf, 0), 0, "wm_savable cap 0");
}

/* ---- arguments and errors ---- */

static void test_errors(void)
{
    wm_image *img = (wm_image *)&img;
    wm_info info;
    wm_error err;
    char path[512], dir[512];

    INT_EQ(wm_open(NULL, 0, 0, &img, &info, &err), WM_E_ARGUMENT, "NULL path");
    OK(img == NULL, "*out is NULL after a failure");
    OK(err.message[0] != '\0', "a failure has a message");
    INT_EQ(wm_open("a\0b", 3, 0, &img, &info, &err), WM_E_ARGUMENT, "path with NUL");
    INT_EQ(wm_open("x.jpg", 5, 0, NULL, &info, &err), WM_E_ARGUMENT, "NULL out");
    INT_EQ(wm_open("x.jpg", 5, 8, &img, &info, &err), WM_E_ARGUMENT, "unknown flag");
    tmp_path(path, sizeof path, "does-not-exist.jpg");
    INT_EQ(open_file(path, 0, &img, &info, &err), WM_E_IO, "missing file");
    OK(strstr(err.message, "does-not-exist.jpg") != NULL, "the message names the file");
    INT_EQ(open_file(tmpdir, 0, &img, &info, &err), WM_E_IO, "a directory");
    wm_close(NULL);

    tmp_path(path, sizeof path, "err.png");
    if (make_picture(path, 40, 30) != 0) {
        OK(0, "cannot make err.png");
        return;
    }
    INT_EQ(open_file(path, 0, &img, &info, &err), WM_OK, "open err.png");
    if (img == NULL)
        return;
    INT_EQ(wm_crop_resize(img, 0, 0, 41, 30, 10, 10, &err), WM_E_ARGUMENT, "region too wide");
    INT_EQ(wm_crop_resize(img, -1, 0, 10, 10, 10, 10, &err), WM_E_ARGUMENT, "negative x");
    INT_EQ(wm_crop_resize(img, 0, 0, 10, 10, 0, 10, &err), WM_E_ARGUMENT, "dst_w 0");
    INT_EQ(wm_rotate(img, 45, &err), WM_E_ARGUMENT, "rotate 45");
    INT_EQ(wm_save(img, path, strlen(path), "image/bmp", 80, NULL, &err), WM_E_ENCODE,
           "save as bmp");
    snprintf(dir, sizeof dir, "%s/no/such/dir/x.jpg", tmpdir);
    INT_EQ(wm_save(img, dir, strlen(dir), "image/jpeg", 80, NULL, &err), WM_E_IO,
           "save into a missing directory");
    {
        wm_size s;
        memset(&s, 0, sizeof s);
        s.src_w = 40;
        s.src_h = 31;
        s.dst_w = 10;
        s.dst_h = 10;
        s.path = path;
        s.path_len = strlen(path);
        INT_EQ(wm_make_sizes(img, &s, 1, "image/png", 80, &err), WM_E_ARGUMENT,
               "make_sizes: region outside");
    }
    INT_EQ(wm_make_sizes(img, NULL, 0, "image/png", 80, &err), WM_OK, "make_sizes n=0");
    wm_close(img);
}

/* ---- the corpus ---- */

typedef struct corpus_stats {
    int files;
    int ok;
} corpus_stats;

static corpus_stats cstats;

/* The expected outcome of one corpus file from its folder and name. */
static int expect_for(const char *rel)
{
    if (strncmp(rel, "corrupt/", 8) == 0)
        return strcmp(rel, "corrupt/png-named-as.jpg") == 0 ? WM_OK : -1;
    if (strncmp(rel, "dimensions/stress_", 18) == 0)
        return WM_E_TOO_LARGE;
    return WM_OK;
}

static const char *mime_for(const char *rel)
{
    static const struct { const char *prefix; const char *mime; } m[] = {
        { "formats/avif/", "image/avif" }, { "formats/heic/", "image/heic" },
        { "formats/png/", "image/png" }, { "formats/webp/", "image/webp" },
        { "formats/gif/", "image/gif" }, { "formats/jpeg/", "image/jpeg" },
        { "photos/", "image/jpeg" }, { "orientation/", "image/jpeg" },
        { "corrupt/png-named-as.jpg", "image/png" }
    };
    size_t i;

    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        if (strncmp(rel, m[i].prefix, strlen(m[i].prefix)) == 0)
            return m[i].mime;
    }
    return NULL;
}

/* Opens one file and makes one small size (the decode): the pair's status. */
static int open_and_decode(const char *path, wm_info *info, wm_error *err, int *out_w,
                           int *out_h)
{
    wm_image *img = NULL;
    int rc = open_file(path, 0, &img, info, err);
    char out[512];
    wm_size s;

    if (rc != WM_OK)
        return rc;
    memset(&s, 0, sizeof s);
    wm_size_of(img, &s.src_w, &s.src_h);
    s.dst_w = s.src_w > 64 ? 64 : s.src_w;
    s.dst_h = (int)((int64_t)s.src_h * s.dst_w / s.src_w);
    if (s.dst_h < 1)
        s.dst_h = 1;
    tmp_path(out, sizeof out, "corpus-out.png");
    s.path = out;
    s.path_len = strlen(out);
    rc = wm_make_sizes(img, &s, 1, "image/png", 82, err);
    *out_w = s.out_w;
    *out_h = s.out_h;
    wm_close(img);
    return rc;
}

static int corpus_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    const char *rel = path + strlen(corpus) + 1;
    int want, rc, ow = 0, oh = 0;
    wm_info info;
    wm_error err;
    double t0, ms;
    char what[600];

    (void)st;
    (void)ftw;
    if (type != FTW_F || strstr(rel, ".md") != NULL)
        return 0;
    cstats.files++;
    want = expect_for(rel);
    memset(&info, 0, sizeof info);
    memset(&err, 0, sizeof err);
    t0 = cpu_ms();
    rc = open_and_decode(path, &info, &err, &ow, &oh);
    ms = cpu_ms() - t0;
    if (want == -1) {
        snprintf(what, sizeof what, "%s: DECODE/UNSUPPORTED/IO, got %d (%s)", rel, rc,
                 err.message);
        check_at(rc == WM_E_DECODE || rc == WM_E_UNSUPPORTED || rc == WM_E_IO, __FILE__,
                 __LINE__, what, NULL);
        check_at(err.message[0] != '\0' && err.code == rc, __FILE__, __LINE__,
                 "a corrupt file's error has its code and a message", rel);
    } else {
        snprintf(what, sizeof what, "%s: want status %d, got %d (%s)", rel, want, rc,
                 err.message);
        check_at(rc == want, __FILE__, __LINE__, what, NULL);
    }
    if (want != WM_OK) {
        /* Rejections are cheap: CPU time, not wall time (the machine is shared). */
        printf("cpu %7.1f ms  status %d  %s: %s\n", ms, rc, rel, err.message);
#ifndef __SANITIZE_ADDRESS__
        check_at(ms < 100.0, __FILE__, __LINE__, "a rejected file costs < 100 ms CPU", rel);
#endif
    }
    if (rc == WM_OK) {
        const char *mime = mime_for(rel);
        cstats.ok++;
        check_at(info.width > 0 && info.height > 0 && info.orientation >= 1 &&
                 info.orientation <= 8 && info.pages >= 1 && info.bands >= 1, __FILE__,
                 __LINE__, "wm_info is filled", rel);
        if (mime != NULL)
            check_at(strcmp(info.mime, mime) == 0, __FILE__, __LINE__,
                     "the mime type from the content", rel);
        check_at(ow == (info.width > 64 ? 64 : info.width) && oh >= 1, __FILE__, __LINE__,
                 "the decoded size", rel);
        if (strstr(rel, "animated") != NULL)
            check_at(info.pages > 1, __FILE__, __LINE__, "animated: pages > 1", rel);
        if (strstr(rel, "alpha") != NULL || strstr(rel, "rgba") != NULL)
            check_at(info.has_alpha == 1, __FILE__, __LINE__, "has_alpha", rel);
    }
    return 0;
}

static void test_corpus(void)
{
    struct stat st;
    static const char *const bombs[] = {
        "dimensions/stress_65536x65536_png-bomb.png",
        "dimensions/stress_20000x14000_grey_synthetic.jpg",
        "dimensions/stress_17000x17000_synthetic.avif"
    };
    size_t i;
    long rss0;

    if (corpus == NULL || stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
        OK(0, "the media corpus is missing (WITSPER_MEDIA_CORPUS, default "
              "../shared/corpus/media from the repository root): the corpus tests did "
              "not run");
        fprintf(stderr, "  corpus path: %s\n", corpus ? corpus : "(none)");
        corpus = NULL;
        return;
    }
    /* The bombs first, while the process is small: rejected from the header. */
    rss0 = max_rss_kb();
    for (i = 0; i < sizeof bombs / sizeof bombs[0]; i++) {
        char path[1024];
        wm_image *img = NULL;
        wm_info info;
        wm_error err;
        double t0 = cpu_ms(), ms;
        snprintf(path, sizeof path, "%s/%s", corpus, bombs[i]);
        INT_EQ(open_file(path, 0, &img, &info, &err), WM_E_TOO_LARGE, bombs[i]);
        ms = cpu_ms() - t0;
        printf("cpu %7.1f ms  bomb %s: %s\n", ms, bombs[i], err.message);
        wm_close(img);
    }
    printf("peak RSS growth over the bombs: %ld kB\n", max_rss_kb() - rss0);
    OK(max_rss_kb() - rss0 < 20L * 1024, "the bombs grow the peak RSS by < 20 MB");

    memset(&cstats, 0, sizeof cstats);
    OK(nftw(corpus, corpus_file, 8, FTW_PHYS) == 0, "walk the corpus");
    printf("corpus: %d files, %d open and decode\n", cstats.files, cstats.ok);
    OK(cstats.files >= 60, "the corpus has its files (>= 60)");
}

/* ---- orientation ---- */

/* WordPress's WP_Image_Editor::maybe_exif_rotate() on the handle. */
static int exif_rotate(wm_image *img, int orientation, wm_error *err)
{
    switch (orientation) {
    case 2: return wm_flip(img, 0, 1, err);
    case 3: return wm_flip(img, 1, 1, err);
    case 4: return wm_flip(img, 1, 0, err);
    case 5: {
        int rc = wm_rotate(img, 90, err);
        return rc != WM_OK ? rc : wm_flip(img, 1, 0, err);
    }
    case 6: return wm_rotate(img, 270, err);
    case 7: {
        int rc = wm_rotate(img, 90, err);
        return rc != WM_OK ? rc : wm_flip(img, 0, 1, err);
    }
    case 8: return wm_rotate(img, 90, err);
    default: return WM_OK;
    }
}

/* The file, upright (maybe_exif_rotate), at 90 x 60 (or 60 x 90) as PNG; materialise:
 * 1 = full-size copy first (operations on pixels), 0 = transform pending on the file
 * (wm_crop_resize), 2 = transform pending (wm_make_sizes). */
static int upright_small(const char *in, int materialise, const char *out, int *orient)
{
    wm_image *img = NULL;
    wm_info info;
    wm_error err;
    int w, h, rc = open_file(in, 0, &img, &info, &err);

    if (rc != WM_OK)
        return rc;
    *orient = info.orientation;
    if (materialise == 1)
        rc = wm_crop_resize(img, 0, 0, info.width, info.height, info.width, info.height,
                            &err);
    if (rc == WM_OK)
        rc = exif_rotate(img, info.orientation, &err);
    if (rc == WM_OK && materialise == 2) {
        /* wm_make_sizes with the rotation pending on the decoded image. */
        wm_size s;
        memset(&s, 0, sizeof s);
        wm_size_of(img, &s.src_w, &s.src_h);
        s.dst_w = s.src_w > s.src_h ? 90 : 60;
        s.dst_h = s.src_w > s.src_h ? 60 : 90;
        s.path = out;
        s.path_len = strlen(out);
        rc = wm_make_sizes(img, &s, 1, "image/png", 90, &err);
        wm_close(img);
        return rc;
    }
    if (rc == WM_OK) {
        wm_size_of(img, &w, &h);
        rc = wm_crop_resize(img, 0, 0, w, h, w > h ? 90 : 60, w > h ? 60 : 90, &err);
    }
    if (rc == WM_OK)
        rc = wm_save(img, out, strlen(out), "image/png", 90, NULL, &err);
    wm_close(img);
    return rc;
}

static void test_orientation(void)
{
    static const char *const kinds[] = { "Landscape", "Portrait" };
    size_t k;
    int n, m;

    if (corpus == NULL)
        return;
    for (k = 0; k < 2; k++) {
        char ref[512], refpath[1024];
        int o;
        snprintf(refpath, sizeof refpath, "%s/orientation/%s_1.jpg", corpus, kinds[k]);
        tmp_path(ref, sizeof ref, "ref.png");
        INT_EQ(upright_small(refpath, 0, ref, &o), WM_OK, "reference upright");
        for (n = 0; n <= 8; n++) {
            char in[1024], out[512], what[128];
            int orient = -1;
            snprintf(in, sizeof in, "%s/orientation/%s_%d.jpg", corpus, kinds[k], n);
            for (m = 0; m < 3; m++) {
                static const char *const how[] = { "pending", "pixels", "make_sizes" };
                double d;
                snprintf(out, sizeof out, "%s/up-%d.png", tmpdir, m);
                snprintf(what, sizeof what, "%s_%d (%s)", kinds[k], n, how[m]);
                INT_EQ(upright_small(in, m, out, &orient), WM_OK, what);
                INT_EQ(orient, n == 0 ? 1 : n, "orientation from the header");
                d = file_diff(out, ref);
                if (!(d >= 0 && d < 8.0))
                    fprintf(stderr, "  %s: mean difference to upright %.2f\n", what, d);
                check_at(d >= 0 && d < 8.0, __FILE__, __LINE__,
                         "upright after maybe_exif_rotate", what);
            }
        }
        /* The comparison can fail: orientation 6 left as stored is not upright. */
        {
            char in[1024], out[512];
            wm_image *img = NULL;
            wm_info info;
            wm_error err;
            snprintf(in, sizeof in, "%s/orientation/%s_3.jpg", corpus, kinds[k]);
            tmp_path(out, sizeof out, "not-upright.png");
            if (open_file(in, 0, &img, &info, &err) == WM_OK &&
                wm_crop_resize(img, 0, 0, info.width, info.height,
                               info.width > info.height ? 90 : 60,
                               info.width > info.height ? 60 : 90, &err) == WM_OK &&
                wm_save(img, out, strlen(out), "image/png", 90, NULL, &err) == WM_OK) {
                double d = file_diff(out, ref);
                check_at(d > 15.0, __FILE__, __LINE__, "orientation 3 not rotated differs",
                         kinds[k]);
            } else {
                OK(0, "orientation 3 unrotated could not be made");
            }
            wm_close(img);
        }
    }
}

/* ---- rotate / flip on a generated 2 x 3 image ---- */

#define GW 2
#define GH 3

typedef struct grid {
    int w, h;
    int px[GW * GH]; /* pixel ids */
} grid;

static grid grid_rotate(const grid *g, int ccw)
{
    grid r;
    int x, y;

    ccw = ((ccw % 360) + 360) % 360;
    r.w = ccw == 180 ? g->w : g->h;
    r.h = ccw == 180 ? g->h : g->w;
    for (y = 0; y < r.h; y++) {
        for (x = 0; x < r.w; x++) {
            int sx, sy;
            if (ccw == 90) { sx = g->w - 1 - y; sy = x; }
            else if (ccw == 270) { sx = y; sy = g->h - 1 - x; }
            else { sx = g->w - 1 - x; sy = g->h - 1 - y; }
            r.px[y * r.w + x] = g->px[sy * g->w + sx];
        }
    }
    return r;
}

static grid grid_flip(const grid *g, int horz, int vert)
{
    grid r = *g;
    int x, y;

    for (y = 0; y < g->h; y++) {
        for (x = 0; x < g->w; x++) {
            int sx = vert ? g->w - 1 - x : x, sy = horz ? g->h - 1 - y : y;
            r.px[y * g->w + x] = g->px[sy * g->w + sx];
        }
    }
    return r;
}

/* Pixel id i is the colour (40 * i, 255 - 40 * i, 20 * i). */
static int write_grid(const char *path)
{
    unsigned char buf[GW * GH * 3];
    VipsImage *im;
    size_t i;
    int rc;

    for (i = 0; i < (size_t)GW * GH; i++) {
        buf[i * 3] = (unsigned char)(40 * i);
        buf[i * 3 + 1] = (unsigned char)(255 - 40 * i);
        buf[i * 3 + 2] = (unsigned char)(20 * i);
    }
    im = vips_image_new_from_memory_copy(buf, sizeof buf, GW, GH, 3, VIPS_FORMAT_UCHAR);
    if (im == NULL)
        return -1;
    im->Type = VIPS_INTERPRETATION_sRGB;
    rc = write_image(im, path);
    g_object_unref(im);
    return rc;
}

/* Whether the PNG at path holds grid g (pixel ids as write_grid's colours). */
static int grid_matches(const char *path, const grid *g)
{
    VipsImage *im = read_back(path), *mem = NULL;
    const unsigned char *p;
    int x, y, ok = 1;

    if (im == NULL)
        return 0;
    if (im->Xsize != g->w || im->Ysize != g->h || im->Bands != 3 ||
        (mem = vips_image_copy_memory(im)) == NULL) {
        g_object_unref(im);
        vips_error_clear();
        return 0;
    }
    for (y = 0; y < g->h && ok; y++) {
        for (x = 0; x < g->w; x++) {
            int id = g->px[y * g->w + x];
            p = (const unsigned char *)vips_image_get_data(mem) +
                (size_t)y * (size_t)VIPS_IMAGE_SIZEOF_LINE(mem) + (size_t)x * 3;
            if (p[0] != 40 * id || p[1] != 255 - 40 * id || p[2] != 20 * id) {
                ok = 0;
                break;
            }
        }
    }
    g_object_unref(mem);
    g_object_unref(im);
    return ok;
}

static void test_rotate_flip(void)
{
    char src[512], out[512], what[160];
    grid g0;
    int i, seq, mode;
    /* Operation sequences: op 1..3 = rotate 90/180/270 ccw, 4 = flip(1,0), 5 = flip(0,1),
     * 6 = flip(1,1). */
    static const int seqs[][4] = {
        { 1 }, { 2 }, { 3 }, { 4 }, { 5 }, { 6 }, { 1, 4 }, { 1, 5 }, { 3, 4 }, { 4, 1 },
        { 5, 3 }, { 4, 5 }, { 1, 1 }, { 1, 4, 3, 5 }, { 5, 1, 4, 2 }, { 6, 3, 4 }
    };

    g0.w = GW;
    g0.h = GH;
    for (i = 0; i < GW * GH; i++)
        g0.px[i] = i;
    tmp_path(src, sizeof src, "grid.png");
    tmp_path(out, sizeof out, "grid-out.png");
    if (write_grid(src) != 0) {
        OK(0, "cannot write grid.png");
        return;
    }
    /* The checks can fail: an unchanged image is not its rotation. */
    {
        grid r = grid_rotate(&g0, 90);
        OK(!grid_matches(src, &r), "the grid check tells a rotation from none");
        OK(grid_matches(src, &g0), "the grid check reads the grid");
    }
    /* Corners by hand: rotate(90) is counter-clockwise: top-right goes to top-left. */
    {
        grid r = grid_rotate(&g0, 90);
        INT_EQ(r.w, 3, "rotated width");
        INT_EQ(r.px[0], 1, "ccw: new top-left is old top-right");
        INT_EQ(r.px[2], 5, "ccw: new top-right is old bottom-right");
        INT_EQ(r.px[3], 0, "ccw: new bottom-left is old top-left");
        r = grid_flip(&g0, 1, 0);
        INT_EQ(r.px[0], 4, "flip(horz): new top-left is old bottom-left");
        r = grid_flip(&g0, 0, 1);
        INT_EQ(r.px[0], 1, "flip(vert): new top-left is old top-right");
    }
    for (mode = 0; mode < 2; mode++) {
        for (seq = 0; seq < (int)(sizeof seqs / sizeof seqs[0]); seq++) {
            wm_image *img = NULL;
            wm_info info;
            wm_error err;
            grid want = g0;
            int rc = open_file(src, 0, &img, &info, &err), k, w, h;
            if (rc == WM_OK && mode == 1) /* operations on pixels in memory */
                rc = wm_crop_resize(img, 0, 0, GW, GH, GW, GH, &err);
            for (k = 0; k < 4 && seqs[seq][k] != 0 && rc == WM_OK; k++) {
                int op = seqs[seq][k];
                if (op <= 3) {
                    rc = wm_rotate(img, 90 * op, &err);
                    want = grid_rotate(&want, 90 * op);
                } else {
                    int hz = op == 4 || op == 6, vt = op == 5 || op == 6;
                    rc = wm_flip(img, hz, vt, &err);
                    want = grid_flip(&want, hz, vt);
                }
            }
            snprintf(what, sizeof what, "sequence %d (%s)", seq,
                     mode ? "pixels" : "pending");
            if (rc == WM_OK) {
                wm_size_of(img, &w, &h);
                check_at(w == want.w && h == want.h, __FILE__, __LINE__, "wm_size_of", what);
                rc = wm_save(img, out, strlen(out), "image/png", 90, NULL, &err);
            }
            check_at(rc == WM_OK, __FILE__, __LINE__, "operations", what);
            check_at(rc == WM_OK && grid_matches(out, &want), __FILE__, __LINE__,
                     "pixels after the operations", what);
            wm_close(img);
        }
    }
    /* Negative and large angles: -90 is 270, 450 is 90. */
    {
        wm_image *img = NULL;
        wm_info info;
        wm_error err;
        grid want = grid_rotate(&g0, 270);
        OK(open_file(src, 0, &img, &info, &err) == WM_OK &&
           wm_rotate(img, -90, &err) == WM_OK &&
           wm_save(img, out, strlen(out), "image/png", 90, NULL, &err) == WM_OK &&
           grid_matches(out, &want), "rotate(-90) == rotate(270)");
        wm_close(img);
        want = grid_rotate(&g0, 90);
        img = NULL;
        OK(open_file(src, 0, &img, &info, &err) == WM_OK &&
           wm_rotate(img, 450, &err) == WM_OK &&
           wm_save(img, out, strlen(out), "image/png", 90, NULL, &err) == WM_OK &&
           grid_matches(out, &want), "rotate(450) == rotate(90)");
        wm_close(img);
    }
}

/* ---- exact sizes ---- */

typedef struct rect {
    int x, y, w, h, dw, dh;
} rect;

/* WordPress-like rectangles for a w x h image: scaled to fit boxes, centre crops. */
static size_t rects_for(int w, int h, rect *r, size_t cap)
{
    static const int boxes[][3] = { /* max w, max h, crop */
        { 150, 150, 1 }, { 300, 300, 0 }, { 768, 0, 0 }, { 1024, 1024, 0 },
        { 1536, 1536, 0 }, { 2048, 2048, 0 }, { 2560, 2560, 0 }, { 100, 300, 1 },
        { 1, 1, 1 }, { 33, 7, 1 }
    };
    size_t i, n = 0;

    for (i = 0; i < sizeof boxes / sizeof boxes[0] && n < cap; i++) {
        int mw = boxes[i][0], mh = boxes[i][1], crop = boxes[i][2];
        rect q = { 0, 0, w, h, 0, 0 };
        if (crop) {
            /* The largest centred region of the box's aspect. */
            double ar = (double)mw / mh;
            if ((double)w / h > ar) {
                q.w = (int)(h * ar + 0.5);
                q.x = (w - q.w) / 2;
            } else {
                q.h = (int)(w / ar + 0.5);
                q.y = (h - q.h) / 2;
            }
            if (q.w < 1) q.w = 1;
            if (q.h < 1) q.h = 1;
            q.dw = mw < q.w ? mw : q.w;
            q.dh = mh < q.h ? mh : q.h;
        } else {
            double s = 1.0, sw = (double)mw / w, sh = mh > 0 ? (double)mh / h : 1e9;
            s = sw < sh ? sw : sh;
            if (s >= 1.0)
                continue; /* WordPress does not upscale */
            q.dw = (int)(w * s + 0.5);
            q.dh = (int)(h * s + 0.5);
            if (q.dw < 1) q.dw = 1;
            if (q.dh < 1) q.dh = 1;
        }
        r[n++] = q;
    }
    return n;
}

static void test_sizes_flags(const char *src, int jpeg, int reference, int flags)
{
    wm_image *img = NULL;
    wm_info info;
    wm_error err;
    rect r[16];
    wm_size sz[16];
    char paths[16][512], one[512], what[700];
    size_t n, i;
    int rc;
    const char *mime = jpeg ? "image/jpeg" : "image/png";
    const char *ext = jpeg ? "jpg" : "png";

    if (open_file(src, flags, &img, &info, &err) != WM_OK) {
        check_at(0, __FILE__, __LINE__, "open for sizes", src);
        return;
    }
    n = rects_for(info.width, info.height, r, 16);
    memset(sz, 0, sizeof sz);
    for (i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/size-%zu.%s", tmpdir, i, ext);
        sz[i].src_x = r[i].x;
        sz[i].src_y = r[i].y;
        sz[i].src_w = r[i].w;
        sz[i].src_h = r[i].h;
        sz[i].dst_w = r[i].dw;
        sz[i].dst_h = r[i].dh;
        sz[i].path = paths[i];
        sz[i].path_len = strlen(paths[i]);
    }
    rc = wm_make_sizes(img, sz, n, mime, 82, &err);
    snprintf(what, sizeof what, "%s: make_sizes (%s)", src, err.message);
    check_at(rc == WM_OK, __FILE__, __LINE__, what, NULL);
    {
        int cw, ch;
        wm_size_of(img, &cw, &ch);
        check_at(cw == info.width && ch == info.height, __FILE__, __LINE__,
                 "make_sizes leaves the image", src);
    }
    wm_close(img);
    for (i = 0; i < n; i++) {
        int fw = 0, fh = 0;
        wm_image *one_img = NULL;
        snprintf(what, sizeof what, "%s: %d,%d %dx%d -> %dx%d", src, r[i].x, r[i].y, r[i].w,
                 r[i].h, r[i].dw, r[i].dh);
        check_at(sz[i].status == WM_OK && sz[i].out_w == r[i].dw && sz[i].out_h == r[i].dh &&
                 sz[i].out_bytes > 0, __FILE__, __LINE__, "make_sizes result", what);
        check_at(file_dims(paths[i], &fw, &fh, NULL) == 0 && fw == r[i].dw && fh == r[i].dh,
                 __FILE__, __LINE__, "make_sizes file dims", what);
        if (!reference)
            continue;
        /* The same size by wm_crop_resize + wm_save on a fresh handle (full decode). */
        snprintf(one, sizeof one, "%s/one-%zu.%s", tmpdir, i, ext);
        rc = open_file(src, i == 0 ? WM_OPEN_FULL_DECODE : 0, &one_img, &info, &err);
        if (rc == WM_OK)
            rc = wm_crop_resize(one_img, r[i].x, r[i].y, r[i].w, r[i].h, r[i].dw, r[i].dh,
                                &err);
        if (rc == WM_OK) {
            wm_size res;
            memset(&res, 0, sizeof res);
            rc = wm_save(one_img, one, strlen(one), mime, 82, &res, &err);
            check_at(rc == WM_OK && res.out_w == r[i].dw && res.out_h == r[i].dh &&
                     res.out_bytes > 0, __FILE__, __LINE__, "wm_save result", what);
        }
        check_at(rc == WM_OK && file_dims(one, &fw, &fh, NULL) == 0 && fw == r[i].dw &&
                 fh == r[i].dh, __FILE__, __LINE__, "crop_resize file dims", what);
        /* Chaining stays close to the one-step result (detailed images differ by a few
         * levels from sharpness alone; a wrong region or colour by tens). */
        if (rc == WM_OK && r[i].dw >= 16 && r[i].dh >= 16) {
            double d = file_diff(paths[i], one);
            if (!(d >= 0 && d < 12.0))
                fprintf(stderr, "  %s: mean difference %.2f\n", what, d);
            check_at(d >= 0 && d < 12.0, __FILE__, __LINE__,
                     "make_sizes close to the one-step result", what);
        }
        wm_close(one_img);
    }
}

static void test_sizes_on(const char *src, int jpeg, int reference)
{
    test_sizes_flags(src, jpeg, reference, 0);
}

static void test_sizes(void)
{
    /* width, height, PNG (else JPEG), compare each size with its one-step result */
    static const int dims[][4] = {
        { 2559, 1700, 0, 1 }, { 2560, 1700, 0, 1 }, { 2561, 1700, 0, 1 }, { 1700, 2561, 0, 1 },
        { 4000, 200, 0, 1 }, { 200, 4000, 1, 1 }, { 151, 151, 1, 1 },
        /* aspect ratios 20:1 .. 1:20, sizes only */
        { 2000, 100, 0, 0 }, { 1500, 150, 0, 0 }, { 1000, 200, 1, 0 }, { 900, 450, 0, 0 },
        { 450, 900, 0, 0 }, { 200, 1000, 0, 0 }, { 150, 1500, 1, 0 }, { 100, 2000, 0, 0 },
        { 3001, 2001, 0, 0 }, { 2561, 2561, 0, 0 }
    };
    size_t i;
    char path[512];

    for (i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        int jpeg = !dims[i][2];
        snprintf(path, sizeof path, "%s/gen-%dx%d.%s", tmpdir, dims[i][0], dims[i][1],
                 jpeg ? "jpg" : "png");
        if (make_picture(path, dims[i][0], dims[i][1]) != 0) {
            check_at(0, __FILE__, __LINE__, "cannot generate", path);
            continue;
        }
        {
            double t0 = cpu_ms();
            test_sizes_on(path, jpeg, dims[i][3]);
            printf("  sizes of %s: %.0f ms CPU\n", path + strlen(tmpdir) + 1, cpu_ms() - t0);
        }
    }
    if (corpus != NULL) {
        snprintf(path, sizeof path, "%s/photos/moto_g9plus_16mp_empty_gps.jpg", corpus);
        test_sizes_on(path, 1, 1);
        snprintf(path, sizeof path, "%s/dimensions/wide_10920x1226_constructed-from-real-pano.jpg",
                 corpus);
        test_sizes_on(path, 1, 0);
        snprintf(path, sizeof path, "%s/dimensions/tall_1328x11952_constructed-from-cc0-photo.jpg",
                 corpus);
        test_sizes_on(path, 1, 0);
        /* A PNG with alpha: its kernel is chosen by a trial on the smallest size (sizes.c),
         * also with the naive full decode, whose source reads only once (no trial). */
        snprintf(path, sizeof path, "%s/formats/png/rgba_blackbug_handwriting.png", corpus);
        test_sizes_on(path, 0, 1);
        test_sizes_flags(path, 0, 0, WM_OPEN_FULL_DECODE);
    }
}

/* The WordPress upload order: one size per call, ascending (make_subsize). The decoded
 * image is kept and reused while it is large enough: proven by moving the file away
 * after a decode (a reuse still works, a new decode cannot read the file). */
static void test_ascending_calls(void)
{
    static const int widths[] = { 150, 300, 768, 1024, 1536, 2048 };
    /* JPEG shrink-on-load of 6000 x 4000: 150 and 300 from 1/8 (750 px), 768 and 1024
     * from 1/4 (1500 px), 1536 and 2048 from 1/2 (3000 px). */
    static const int decodes[] = { 1, 0, 1, 0, 1, 0 };
    wm_image *img = NULL;
    wm_info info;
    wm_error err;
    char orig[1024], src[512], away[512], out[512];
    size_t i;

    if (corpus == NULL)
        return;
    snprintf(orig, sizeof orig, "%s/photos/craft-beer_24mp_progressive_noexif.jpg", corpus);
    tmp_path(src, sizeof src, "asc-src.jpg");
    tmp_path(away, sizeof away, "asc-away.jpg");
    if (link(orig, src) != 0 && symlink(orig, src) != 0) {
        OK(0, "cannot link the source");
        return;
    }
    if (open_file(src, 0, &img, &info, &err) != WM_OK) {
        OK(0, "open craft-beer");
        return;
    }
    for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        wm_size s;
        int fw = 0, fh = 0, rc;
        char what[64];
        memset(&s, 0, sizeof s);
        s.src_w = info.width;
        s.src_h = info.height;
        s.dst_w = widths[i];
        s.dst_h = (int)((int64_t)info.height * widths[i] / info.width);
        snprintf(out, sizeof out, "%s/asc-%zu.jpg", tmpdir, i);
        s.path = out;
        s.path_len = strlen(out);
        snprintf(what, sizeof what, "width %d", widths[i]);
        if (!decodes[i]) {
            /* The file is away: only the kept decoded image can serve this size. */
            OK(rename(src, away) == 0, "move the source away");
            rc = wm_make_sizes(img, &s, 1, "image/jpeg", 82, &err);
            check_at(rc == WM_OK, __FILE__, __LINE__, "reused the decoded image", what);
            OK(rename(away, src) == 0, "move the source back");
        } else {
            rc = wm_make_sizes(img, &s, 1, "image/jpeg", 82, &err);
            check_at(rc == WM_OK, __FILE__, __LINE__, "ascending size", what);
        }
        check_at(file_dims(out, &fw, &fh, NULL) == 0 && fw == s.dst_w && fh == s.dst_h,
                 __FILE__, __LINE__, "ascending size dims", what);
    }
    /* The check can fail: a size larger than the kept image needs the file. */
    {
        wm_size s;
        memset(&s, 0, sizeof s);
        s.src_w = info.width;
        s.src_h = info.height;
        s.dst_w = 3500;
        s.dst_h = 2333;
        s.path = out;
        s.path_len = strlen(out);
        OK(rename(src, away) == 0, "move the source away");
        OK(wm_make_sizes(img, &s, 1, "image/jpeg", 82, &err) != WM_OK,
           "a larger size needs a new decode (the file is away: fails)");
        OK(rename(away, src) == 0, "move the source back");
    }
    wm_close(img);
}

/* WordPress's upload opens the file twice: one handle makes the "-scaled" copy, a second
 * one every size. The second reuses the first one's decode (the process keeps the last
 * decoded image of an unchanged file until wm_release_cache): proven by moving the file
 * away once the second handle is open; after wm_release_cache the same fails. */
static void test_across_handles(void)
{
    wm_image *img = NULL;
    wm_info info;
    wm_error err;
    wm_size s;
    char orig[1024], src[512], away[512], out[512];
    int pass;

    if (corpus == NULL)
        return;
    snprintf(orig, sizeof orig, "%s/photos/craft-beer_24mp_progressive_noexif.jpg", corpus);
    tmp_path(src, sizeof src, "cross-src.jpg");
    tmp_path(away, sizeof away, "cross-away.jpg");
    if (link(orig, src) != 0 && symlink(orig, src) != 0) {
        OK(0, "cannot link the source");
        return;
    }
    snprintf(out, sizeof out, "%s/cross-scaled.jpg", tmpdir);
    if (open_file(src, 0, &img, &info, &err) != WM_OK) {
        OK(0, "open craft-beer");
        return;
    }
    OK(wm_crop_resize(img, 0, 0, info.width, info.height, 2560, 1707, &err) == WM_OK &&
       wm_save(img, out, strlen(out), "image/jpeg", 82, NULL, &err) == WM_OK,
       "first handle: the -scaled copy");
    wm_close(img);
    for (pass = 0; pass < 2; pass++) {
        img = NULL;
        if (open_file(src, 0, &img, &info, &err) != WM_OK) {
            OK(0, "open craft-beer again");
            return;
        }
        memset(&s, 0, sizeof s);
        s.src_w = info.width;
        s.src_h = info.height;
        s.dst_w = 2048;
        s.dst_h = 1365;
        s.path = out;
        s.path_len = strlen(out);
        OK(rename(src, away) == 0, "move the source away");
        if (pass == 0)
            OK(wm_make_sizes(img, &s, 1, "image/jpeg", 82, &err) == WM_OK,
               "second handle on the same file: the first one's decode is reused");
        else
            OK(wm_make_sizes(img, &s, 1, "image/jpeg", 82, &err) != WM_OK,
               "after wm_release_cache: nothing kept (the file is away: fails)");
        OK(rename(away, src) == 0, "move the source back");
        wm_close(img);
        wm_release_cache();
    }
}

/* ---- colour, alpha, palette, animation, metadata ---- */

static void save_small(const char *rel, const char *mime, const char *ext, VipsImage **back,
                       int orient_rotate)
{
    char src[1024], out[512];
    wm_image *img = NULL;
    wm_info info;
    wm_error err;
    int rc, w, h;

    *back = NULL;
    snprintf(src, sizeof src, "%s/%s", corpus, rel);
    snprintf(out, sizeof out, "%s/small.%s", tmpdir, ext);
    rc = open_file(src, 0, &img, &info, &err);
    if (rc == WM_OK && orient_rotate)
        rc = exif_rotate(img, info.orientation, &err);
    if (rc == WM_OK) {
        wm_size_of(img, &w, &h);
        rc = wm_crop_resize(img, 0, 0, w, h, w > 300 ? 300 : w,
                            w > 300 ? (int)((int64_t)h * 300 / w) : h, &err);
    }
    if (rc == WM_OK)
        rc = wm_save(img, out, strlen(out), mime, 82, NULL, &err);
    wm_close(img);
    check_at(rc == WM_OK, __FILE__, __LINE__, "small copy", rel);
    if (rc == WM_OK)
        *back = read_back(out);
}

/* The RIFF chunk names of a WebP file, concatenated ("VP8 ", "VP8XALPHVP8 ", ...). */
static void webp_chunks(const char *path, char *out, size_t cap)
{
    unsigned char b[1 << 16];
    size_t n, pos = 12, o = 0;
    FILE *f = fopen(path, "rb");

    out[0] = '\0';
    if (f == NULL)
        return;
    n = fread(b, 1, sizeof b, f);
    fclose(f);
    while (n >= 20 && pos + 8 <= n && o + 5 <= cap) {
        uint32_t size = (uint32_t)b[pos + 4] | (uint32_t)b[pos + 5] << 8 |
                        (uint32_t)b[pos + 6] << 16 | (uint32_t)b[pos + 7] << 24;
        memcpy(out + o, b + pos, 4);
        o += 4;
        out[o] = '\0';
        pos += 8 + (size_t)size + (size & 1);
    }
}

static int has_field(VipsImage *im, const char *name)
{
    return vips_image_get_typeof(im, name) != 0;
}

static void test_colour(void)
{
    VipsImage *im;

    if (corpus == NULL)
        return;
    save_small("formats/jpeg/cmyk_no-icc.jpg", "image/jpeg", "jpg", &im, 0);
    OK(im != NULL && im->Bands == 3 && im->Type == VIPS_INTERPRETATION_sRGB,
       "CMYK without profile -> sRGB JPEG");
    if (im) g_object_unref(im);
    save_small("formats/jpeg/cmyk_swop-icc_product.jpg", "image/jpeg", "jpg", &im, 0);
    OK(im != NULL && im->Bands == 3 && !has_field(im, VIPS_META_ICC_NAME),
       "CMYK with profile -> sRGB JPEG without a profile");
    if (im) g_object_unref(im);
    save_small("formats/jpeg/adobe-rgb-1998_canon5d2_progressive.jpg", "image/jpeg", "jpg",
               &im, 0);
    OK(im != NULL && !has_field(im, VIPS_META_ICC_NAME) && !has_field(im, VIPS_META_EXIF_NAME)
       && !has_field(im, VIPS_META_XMP_NAME), "metadata and profile stripped");
    if (im) g_object_unref(im);
    save_small("formats/jpeg/grayscale_gray-gamma-icc_concert.jpg", "image/jpeg", "jpg", &im,
               0);
    OK(im != NULL && im->Bands == 1, "grey stays grey");
    if (im) g_object_unref(im);
    save_small("formats/png/16bit-rgba_product-cutout.png", "image/png", "png", &im, 0);
    OK(im != NULL && im->Bands == 4 && im->BandFmt == VIPS_FORMAT_UCHAR,
       "16-bit RGBA PNG -> 8-bit RGBA PNG");
    if (im) g_object_unref(im);
    save_small("formats/png/16bit-rgba_product-cutout.png", "image/jpeg", "jpg", &im, 0);
    OK(im != NULL && im->Bands == 3, "RGBA -> JPEG flattened to 3 bands");
    if (im) {
        double px[3] = { 0, 0, 0 };
        double *v = NULL;
        int nv = 0;
        /* The cut-out's corner is transparent: white in the JPEG. */
        if (vips_getpoint(im, &v, &nv, 0, 0, NULL) == 0 && nv == 3) {
            px[0] = v[0];
            px[1] = v[1];
            px[2] = v[2];
        }
        g_free(v);
        vips_error_clear();
        OK(px[0] > 245 && px[1] > 245 && px[2] > 245, "transparent -> white in JPEG");
        g_object_unref(im);
    }
    save_small("formats/png/palette-256_from-cc0-photo.png", "image/png", "png", &im, 0);
    OK(im != NULL && !has_field(im, "palette-bit-depth") && im->Bands >= 3,
       "palette PNG -> truecolour PNG (as GD's editor)");
    if (im) g_object_unref(im);
    save_small("formats/png/rgba_blackbug_handwriting.png", "image/png", "png", &im, 0);
    OK(im != NULL && !has_field(im, "palette-bit-depth") && im->Bands == 4,
       "truecolour RGBA PNG -> truecolour RGBA PNG");
    if (im) g_object_unref(im);
    save_small("formats/webp/lossy-alpha_product-cutout.webp", "image/webp", "webp", &im, 0);
    OK(im != NULL && im->Bands == 4, "WebP alpha kept");
    if (im) g_object_unref(im);
    {
        /* libvips 8.14 adds an EXIF chunk despite strip; the library removes it. */
        char chunks[64], path[512];
        snprintf(path, sizeof path, "%s/small.webp", tmpdir);
        webp_chunks(path, chunks, sizeof chunks);
        OK(strstr(chunks, "VP8X") != NULL && strstr(chunks, "EXIF") == NULL &&
               strstr(chunks, "XMP ") == NULL, "WebP with alpha: VP8X kept, no EXIF/XMP chunk");
        save_small("formats/jpeg/adobe-rgb-1998_canon5d2_progressive.jpg", "image/webp", "webp",
                   &im, 0);
        webp_chunks(path, chunks, sizeof chunks);
        OK(im != NULL && strcmp(chunks, "VP8 ") == 0,
           "WebP from a JPEG with EXIF/XMP: the simple format, one VP8 chunk");
        if (im) g_object_unref(im);
    }
    save_small("formats/gif/animated_rotating-squares_cc0.gif", "image/gif", "gif", &im, 0);
    {
        int pages = 0;
        if (im != NULL && (!has_field(im, "n-pages") ||
                           vips_image_get_int(im, "n-pages", &pages) != 0))
            pages = 1;
        vips_error_clear();
        OK(im != NULL && pages == 1, "animated GIF -> first frame");
    }
    if (im) g_object_unref(im);
    save_small("formats/heic/iphonexs_orient6.heic", "image/jpeg", "jpg", &im, 1);
    OK(im != NULL && im->Xsize < im->Ysize, "HEIC (irot applied by libheif) -> portrait JPEG");
    if (im) g_object_unref(im);
    save_small("formats/webp/lossless_exif-orient6_samsung.webp", "image/jpeg", "jpg", &im, 1);
    OK(im != NULL && im->Xsize < im->Ysize, "WebP orientation 6 -> portrait after rotate");
    if (im) g_object_unref(im);
    {
        char buf[256];
        wm_savable(buf, sizeof buf);
        if (strstr(buf, "image/avif") != NULL) {
            save_small("formats/avif/alpha_product-cutout.avif", "image/avif", "avif", &im, 0);
            OK(im != NULL && im->Bands == 4, "AVIF out with alpha");
            if (im) g_object_unref(im);
        }
    }
}

/* ---- blocked loaders ---- */

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int rc;

    if (f == NULL)
        return -1;
    rc = fputs(text, f) < 0 ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static void test_blocked(void)
{
    static const struct { const char *name; const char *text; } files[] = {
        { "x.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
                   "<rect width=\"10\" height=\"10\" fill=\"red\"/></svg>\n" },
        { "x.pdf", "%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                   "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                   "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
                   "trailer<</Root 1 0 R>>\n%%EOF\n" },
        { "x.ppm", "P3\n2 2\n255\n255 0 0 0 255 0 0 0 255 255 255 255\n" },
        { "x.mat", "2 2\n1 2\n3 4\n" },
        { "x.csv", "1,2\n3,4\n" },
        { "x.jpg", "P3\n2 2\n255\n255 0 0 0 255 0 0 0 255 255 255 255\n" } /* PPM as .jpg */
    };
    char path[512];
    size_t i;
    char *version[] = { "vipsheader", "--version", NULL };
    int have_cli = run_prog(version, NULL, 0) == 0;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        wm_image *img = NULL;
        wm_info info;
        wm_error err;
        int rc;
        tmp_path(path, sizeof path, files[i].name);
        if (write_text(path, files[i].text) != 0) {
            check_at(0, __FILE__, __LINE__, "cannot write", path);
            continue;
        }
        rc = open_file(path, 0, &img, &info, &err);
        check_at(rc == WM_E_UNSUPPORTED, __FILE__, __LINE__, "blocked format refused",
                 files[i].name);
        wm_close(img);
    }
    /* A BMP (ImageMagick's loader): 2 x 2, 24 bits, written by hand. */
    {
        static const unsigned char bmp[70] = {
            'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
            40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0,
            0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 255, 0, 255, 0, 0, 0, 255, 0, 0, 255, 255, 255, 0, 0
        };
        wm_image *img = NULL;
        wm_info info;
        wm_error err;
        FILE *f;
        tmp_path(path, sizeof path, "x.bmp");
        f = fopen(path, "wb");
        OK(f != NULL && fwrite(bmp, 1, sizeof bmp, f) == sizeof bmp && fclose(f) == 0,
           "write x.bmp");
        OK(open_file(path, 0, &img, &info, &err) == WM_E_UNSUPPORTED,
           "blocked format refused: x.bmp");
        wm_close(img);
    }
    /* A .v (libvips' own format) and a TIFF, written by libvips. */
    {
        static const char *const names[] = { "x.v", "x.tif" };
        VipsImage *b = NULL;
        if (vips_black(&b, 8, 8, "bands", 3, NULL) != 0) {
            OK(0, "vips_black");
            return;
        }
        for (i = 0; i < 2; i++) {
            wm_image *img = NULL;
            wm_info info;
            wm_error err;
            tmp_path(path, sizeof path, names[i]);
            if (write_image(b, path) != 0) {
                check_at(0, __FILE__, __LINE__, "cannot write", path);
                continue;
            }
            check_at(open_file(path, 0, &img, &info, &err) == WM_E_UNSUPPORTED, __FILE__,
                     __LINE__, "blocked format refused", names[i]);
            wm_close(img);
        }
        g_object_unref(b);
    }
    /* The files are real images: libvips' own CLI (another process, nothing blocked)
     * reads them, so the refusals above come from the block list. */
    if (have_cli) {
        static const char *const readable[] = { "x.svg", "x.pdf", "x.ppm", "x.v", "x.tif",
                                                "x.bmp", "x.mat", "x.csv" };
        for (i = 0; i < sizeof readable / sizeof readable[0]; i++) {
            char *argv[] = { "vipsheader", path, NULL };
            tmp_path(path, sizeof path, readable[i]);
            check_at(run_prog(argv, NULL, 0) == 0, __FILE__, __LINE__,
                     "vipsheader reads it (not blocked)", readable[i]);
        }
    } else {
        OK(0, "vipsheader (libvips-tools, installed by .ci/run) is missing: the blocked "
              "files were not proven to be real images");
    }
}

/* ---- fork ---- */

static void test_fork(void)
{
    pid_t parent = getpid(), child;
    int status = 0;
    char path[1024];

    if (corpus == NULL)
        return;
    snprintf(path, sizeof path, "%s/dimensions/tiny_50x50.jpg", corpus);
    fflush(NULL);
    child = fork();
    if (child < 0) {
        OK(0, "fork failed");
        return;
    }
    if (child == 0) {
        /* Exit codes: bit per failed expectation. No libvips call here. */
        wm_image *img = NULL;
        wm_info info;
        wm_error err;
        int bad = 0;
        char buf[64];
        if (open_file(path, 0, &img, &info, &err) != WM_E_INIT || img != NULL)
            bad |= 1;
        if (strstr(err.message, "fork") == NULL)
            bad |= 2;
        if (wm_init(NULL, &err) != WM_E_INIT)
            bad |= 4;
        if (wm_init_pid() != (int64_t)parent)
            bad |= 8;
        if (wm_savable(buf, sizeof buf) != 0)
            bad |= 16;
        _exit(bad);
    }
    if (waitpid(child, &status, 0) != child) {
        OK(0, "waitpid");
        return;
    }
    OK(WIFEXITED(status), "the forked child returned cleanly (no signal)");
    INT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
           "child: WM_E_INIT with a message for open and init, init pid is the parent's");
    /* The parent still works. */
    {
        wm_image *img = NULL;
        wm_info info;
        wm_error err;
        INT_EQ(open_file(path, 0, &img, &info, &err), WM_OK, "parent works after the fork");
        wm_close(img);
    }
}

/* ---- limits (a child process started with small limits) ---- */

static int limits_child(const char *dir)
{
    wm_config cfg = { 2, 3000, 100000 };
    wm_error err;
    char path[512];
    wm_image *img = NULL;
    wm_info info;

    snprintf(tmpdir, sizeof tmpdir, "%s", dir);
    INT_EQ(wm_init(&cfg, &err), WM_OK, "wm_init with limits");
    INT_EQ(vips_concurrency_get(), 2, "threads from the config");
    tmp_path(path, sizeof path, "lim-50.png");
    INT_EQ(open_file(path, 0, &img, &info, &err), WM_OK, "2500 px under a 3000 px limit");
    wm_close(img);
    img = NULL;
    tmp_path(path, sizeof path, "lim-60.png");
    INT_EQ(open_file(path, 0, &img, &info, &err), WM_E_TOO_LARGE, "3600 px over the limit");
    OK(strstr(err.message, "3000") != NULL, "the message says the pixel limit");
    tmp_path(path, sizeof path, "lim-big.png");
    INT_EQ(open_file(path, 0, &img, &info, &err), WM_E_TOO_LARGE, "file over 100000 bytes");
    OK(strstr(err.message, "100000") != NULL, "the message says the file-size limit");
    return check_summary("limits child");
}

/* A 50 x 50 PNG followed by 200,000 bytes (decoders ignore them; the size check not). */
static int make_big_file(const char *path)
{
    FILE *f;
    static const char zeros[1000];
    int i, rc = 0;

    if (make_picture(path, 50, 50) != 0 || (f = fopen(path, "a")) == NULL)
        return -1;
    for (i = 0; i < 200; i++) {
        if (fwrite(zeros, 1, sizeof zeros, f) != sizeof zeros)
            rc = -1;
    }
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static void test_limits(void)
{
    char p50[512], p60[512], pbig[512], out[4096], exe[512], flag[] = "--limits";
    char *argv[] = { exe, flag, tmpdir, NULL };
    const char *line;
    long passed = -1, failed = -1;
    int rc;

    tmp_path(p50, sizeof p50, "lim-50.png");
    tmp_path(p60, sizeof p60, "lim-60.png");
    tmp_path(pbig, sizeof pbig, "lim-big.png");
    if (make_picture(p50, 50, 50) != 0 || make_picture(p60, 60, 60) != 0 ||
        make_big_file(pbig) != 0) {
        OK(0, "cannot make the limit images");
        return;
    }
    snprintf(exe, sizeof exe, "%s", self_exe);
    rc = run_prog(argv, out, sizeof out);
    fputs(out, stdout);
    line = strstr(out, "limits child: ");
    if (line != NULL) {
        char *end;
        passed = strtol(line + 14, &end, 10);
        if (strncmp(end, " passed, ", 9) == 0)
            failed = strtol(end + 9, &end, 10);
    }
    OK(rc == 0 && failed == 0 && passed >= 7, "limits child: all passed");
}

/* ---- main ---- */

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    int rc;

    self_exe = argv[0];
    if (argc == 3 && strcmp(argv[1], "--limits") == 0)
        return limits_child(argv[2]);
    corpus = argc > 1 ? argv[1] : getenv("WITSPER_MEDIA_CORPUS");
    snprintf(tmpdir, sizeof tmpdir, "%s/wm-unit-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        return 2;
    }
    {
        static const struct { const char *name; void (*fn)(void); } parts[] = {
            { "basics", test_basics }, { "corpus", test_corpus }, { "errors", test_errors },
            { "rotate/flip", test_rotate_flip }, { "orientation", test_orientation },
            { "sizes", test_sizes }, { "ascending calls", test_ascending_calls },
            { "across handles", test_across_handles },
            { "colour", test_colour }, { "blocked loaders", test_blocked },
            { "fork", test_fork }, { "limits", test_limits }
        };
        size_t i;
        for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            double t0 = cpu_ms();
            parts[i].fn();
            printf("part %-16s %8.0f ms CPU\n", parts[i].name, cpu_ms() - t0);
        }
    }
    rc = check_summary("media unit");
    nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return rc;
}
