/*
 * Starting libvips once per process, and the process guard: libvips' thread pool and
 * GObject state do not survive fork(), so every call checks that it runs in the process
 * that started libvips.
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_MAX_PIXELS 100000000u
#define DEFAULT_MAX_FILE_BYTES (256u * 1024u * 1024u)

/* The state of this process's libvips: set once by wm_init. */
static pid_t init_pid;            /* 0: never started */
static int init_status = WM_OK;   /* WM_E_INIT when vips_init failed */
static char init_message[WM_MESSAGE_MAX];
static uint64_t max_pixels = DEFAULT_MAX_PIXELS;
static uint64_t max_file_bytes = DEFAULT_MAX_FILE_BYTES;

/* The loaders allowed to run: libvips' file loaders, by nickname. */
static const char *const allowed_loaders[] = {
    "jpegload", "pngload", "webpload", "gifload", "heifload"
};

/* libvips reports problems through the error buffer as well; its GLib warnings would go
 * to the worker's stderr: they are dropped. */
static void quiet(const char *domain, GLogLevelFlags level, const char *message,
                  gpointer data)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)data;
}

static int start(const wm_config *cfg)
{
    int threads = 1;
    size_t i;

    if (cfg != NULL) {
        if (cfg->threads > 0)
            threads = cfg->threads;
        if (cfg->max_pixels > 0)
            max_pixels = cfg->max_pixels;
        if (cfg->max_file_bytes > 0)
            max_file_bytes = cfg->max_file_bytes;
    }
    g_log_set_handler("VIPS", (GLogLevelFlags)(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                                               G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG),
                      quiet, NULL);
    if (vips_init("witsper") != 0) {
        const char *buf = vips_error_buffer();
        snprintf(init_message, sizeof init_message, "libvips did not start: %s",
                 buf != NULL && buf[0] != '\0' ? buf : "no reason given");
        vips_error_clear();
        return WM_E_INIT;
    }
    /* No operation cache: every call decodes what it needs and frees it. */
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_concurrency_set(threads);
    /* Loaders: none but ours. Untrusted ones first (magick, pdf, svg, ...), then every
     * loader, then ours back on (vips_operation_block_set acts on a class and its
     * subclasses). */
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (i = 0; i < sizeof allowed_loaders / sizeof allowed_loaders[0]; i++) {
        GType type = vips_type_find("VipsOperation", allowed_loaders[i]);
        if (type != 0)
            vips_operation_block_set(g_type_name(type), FALSE);
    }
    return WM_OK;
}

WM_API int wm_init(const wm_config *cfg, wm_error *err)
{
    pid_t me = getpid();

    wm__ok(err);
    if (init_pid != 0) {
        if (init_pid != me)
            return wm__ready(err);
        if (init_status != WM_OK)
            return wm__fail(err, init_status, "%s", init_message);
        return WM_OK;
    }
    init_pid = me;
    init_status = start(cfg);
    if (init_status != WM_OK)
        return wm__fail(err, init_status, "%s", init_message);
    return WM_OK;
}

int wm__ready(wm_error *err)
{
    pid_t me = getpid();

    if (init_pid == 0)
        return wm_init(NULL, err);
    if (init_pid != me)
        return wm__fail(err, WM_E_INIT,
                        "libvips was started in process %ld and cannot be used in "
                        "process %ld (a fork after wm_init): open the library in the "
                        "process that uses it", (long)init_pid, (long)me);
    if (init_status != WM_OK)
        return wm__fail(err, init_status, "%s", init_message);
    return WM_OK;
}

uint64_t wm__max_pixels(void)
{
    return max_pixels;
}

uint64_t wm__max_file_bytes(void)
{
    return max_file_bytes;
}

WM_API int64_t wm_init_pid(void)
{
    return (int64_t)init_pid;
}

WM_API const char *wm_version(void)
{
    return WITSPER_MEDIA_VERSION;
}

WM_API const char *wm_vips_version(void)
{
    return vips_version_string();
}

WM_API int wm_abi(void)
{
    return WITSPER_MEDIA_ABI;
}

/* Whether this libvips can write AVIF: heifsave exists and its AV1 encoder works (the
 * libheif plugin may be missing); tried once on a tiny image. */
static int can_write_avif(void)
{
    static int known = -1;
    VipsImage *t = NULL;
    void *buf = NULL;
    size_t len = 0;

    if (known >= 0)
        return known;
    known = 0;
    if (vips_type_find("VipsOperation", "heifsave_buffer") == 0)
        return known;
    if (vips_black(&t, 16, 16, "bands", 3, NULL) == 0 &&
        vips_heifsave_buffer(t, &buf, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                             NULL) == 0 && len > 0)
        known = 1;
    vips_error_clear();
    g_free(buf);
    if (t != NULL)
        g_object_unref(t);
    return known;
}

WM_API size_t wm_savable(char *out, size_t cap)
{
    static const struct { const char *op; const char *mime; } savers[] = {
        { "jpegsave", "image/jpeg" }, { "pngsave", "image/png" },
        { "webpsave", "image/webp" }, { "gifsave", "image/gif" },
        { "heifsave", "image/avif" }
    };
    size_t i, len = 0;

    if (out == NULL || cap == 0)
        return 0;
    out[0] = '\0';
    if (wm__ready(NULL) != WM_OK)
        return 0;
    for (i = 0; i < sizeof savers / sizeof savers[0]; i++) {
        size_t n = strlen(savers[i].mime);
        if (vips_type_find("VipsOperation", savers[i].op) == 0)
            continue;
        if (strcmp(savers[i].mime, "image/avif") == 0 && !can_write_avif())
            continue;
        if (len + (len > 0) + n + 1 > cap)
            break;
        if (len > 0)
            out[len++] = ' ';
        memcpy(out + len, savers[i].mime, n + 1);
        len += n;
    }
    return len;
}
