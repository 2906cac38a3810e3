/*
 * api.c - the exported functions of libwitsper (see witsper.h).
 * Only what is marked WITSPER_API here is visible in the shared library.
 */
#include "internal.h"

WITSPER_API const char *witsper_version(void)
{
    return WITSPER_VERSION;
}

WITSPER_API int witsper_abi(void)
{
    return WITSPER_ABI;
}

WITSPER_API int witsper_parse_blocks(const char *doc, size_t len,
                                     witsper_buffer *out,
                                     witsper_error *err)
{
    wsp_limits lim;

    wsp_default_limits(&lim);
    return wsp_parse_blocks_ex(doc, len, out, err, &lim);
}

WITSPER_API void witsper_buffer_free(witsper_buffer *buf)
{
    if (buf == NULL)
        return;
    wsp_free(buf->data);
    buf->data = NULL;
    buf->len = 0;
}
