/*
 * witsper.h - public C API of libwitsper (ABI 1).
 *
 * libwitsper parses WordPress post content into the same block tree as
 * WordPress 6.1's WP_Block_Parser and hands it back as a compact "block
 * plan": 32-bit offsets into the caller's own document (format below).
 *
 * Fork and thread model: the library starts no threads, has no mutable
 * global or static state and no thread-local storage. Every call works
 * only on its arguments and on memory it allocates for that call. It is
 * therefore safe to load in a process that forks afterwards (php-fpm
 * master with ffi.preload) and safe to call from several threads at once
 * on different arguments. It never aborts, exits, prints or keeps a
 * pointer to the caller's memory after returning.
 *
 * Memory: the only memory handed to the caller is witsper_buffer.data,
 * which belongs to the caller after a successful call and must be given
 * back with witsper_buffer_free() (never free() it: the library may use
 * its own allocator). Error messages are static strings, never freed.
 *
 * This is the only hand-written declaration of the API. PHP's FFI runs no
 * preprocessor, so native/gen-ffi.sh generates the macro-free copies it
 * reads from this file (`make -C native ffi-headers`): witsper_ffi.h
 * (installed next to this header; ffi.preload) and the plugin's
 * includes/witsper-ffi-decls.php (FFI::cdef). Macros below are not in
 * them: PHP names the constants itself (Witsper_Block_Parser::PLAN_NULL).
 * native/tests/header-check.sh fails when a generated copy is not current.
 */
#ifndef WITSPER_H
#define WITSPER_H

/* gen-ffi.sh preprocesses this header with WITSPER_FFI_HEADER defined to
 * make the macro-free copy PHP's FFI reads: no #include (FFI knows size_t). */
#ifndef WITSPER_FFI_HEADER
#include <stddef.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Symbols are hidden by default (-fvisibility=hidden); only functions
 * marked WITSPER_API are exported from libwitsper.so. */
#if defined(WITSPER_BUILDING) && defined(__GNUC__)
#define WITSPER_API __attribute__((visibility("default")))
#else
#define WITSPER_API
#endif

/* Library version as a string, also returned by witsper_version(). */
#define WITSPER_VERSION "1.0.0"

/* Offset value that marks an inner block's slot in a plan's piece list
 * (null in innerContent). The same sentinel, under the same name, is
 * "no offset / no index" inside the library; PHP calls it
 * Witsper_Block_Parser::PLAN_NULL. */
#define WITSPER_PLAN_NULL 0xFFFFFFFFu

/* Status codes. WITSPER_OK is 0, every failure is non-zero.
 * WITSPER_ABI is the number witsper_abi() returns for this header;
 * WITSPER_PLAN_FORMAT is word 0 of every block plan (PHP:
 * Witsper_Block_Parser::PLAN_FORMAT). */
typedef enum witsper_status {
    WITSPER_OK = 0,
    WITSPER_E_NOMEM = 1,
    WITSPER_E_ARGUMENT = 2,
    WITSPER_E_TOO_LARGE = 3,
    WITSPER_E_UNSUPPORTED = 4
} witsper_status;

enum witsper_constants {
    WITSPER_ABI = 1,
    WITSPER_PLAN_FORMAT = 1
};

/* Why a call failed. code is a witsper_status; message is a static,
 * constant English sentence (never NULL after a failure, never freed);
 * offset is the byte offset in the input where the problem is (0 when
 * the problem is not about one place, e.g. out of memory). */
typedef struct witsper_error {
    int code;
    const char *message;
    size_t offset;
} witsper_error;

/* A byte buffer owned by the library until witsper_buffer_free(). */
typedef struct witsper_buffer {
    unsigned char *data;
    size_t len;
} witsper_buffer;

/* Returns the library version ("1.0.0"): a static string, never NULL,
 * never freed. Cannot fail. */
WITSPER_API const char *witsper_version(void);

/* Returns the ABI number of the loaded library (WITSPER_ABI == 1).
 * A caller built against another ABI must not call anything else.
 * Cannot fail. */
WITSPER_API int witsper_abi(void);

/*
 * Parses doc[0..len) exactly like WordPress 6.1.9's
 * WP_Block_Parser::parse() and writes the block plan into *out.
 *
 * doc may contain NUL bytes and invalid UTF-8: they are ordinary bytes.
 * doc may be NULL only when len is 0. The library reads doc only during
 * the call and never modifies it.
 *
 * Returns WITSPER_OK (0) and sets *out to a buffer the caller owns and
 * must release with witsper_buffer_free(). err may be NULL; on success
 * it is left untouched.
 *
 * On failure returns the non-zero status, sets *out to {NULL, 0} (when
 * out is not NULL) and fills *err (when err is not NULL):
 *   WITSPER_E_ARGUMENT    out is NULL, or doc is NULL with len > 0.
 *   WITSPER_E_NOMEM       an allocation failed; nothing leaked.
 *   WITSPER_E_TOO_LARGE   len >= 0xFFFFFFFF: plan offsets are 32-bit.
 *   WITSPER_E_UNSUPPORTED WordPress's result for this document depends
 *                         on PCRE's match limit (a block delimiter whose
 *                         regex match needs more work than our bound,
 *                         see docs/native.md); err->offset is where. Use
 *                         WP_Block_Parser for such a document.
 *
 * Time and memory are linear in len plus the plan size, which is itself
 * linear in len. No recursion: nesting depth costs heap, not stack.
 *
 * Block plan: a sequence of uint32 in host byte order
 * (PHP: unpack('L*', FFI::string($buf->data, $buf->len))):
 *   word 0  WITSPER_PLAN_FORMAT (1)
 *   word 1  N, the number of distinct block names
 *   N x 3   (offset, length, has_namespace): the name as written after
 *           "wp:" in doc; when has_namespace is 0, "core/" is prepended.
 *   then one record per block in post-order (a block's inner blocks come
 *   before it; the records left over at the end are the top-level list):
 *     (name_id << 2) | (has_attrs << 1) | is_complex
 *         name_id 0 is a freeform block (blockName null), otherwise the
 *         1-based index into the name table
 *     if has_attrs: attrs_offset, attrs_length: the bytes WordPress
 *         passes to json_decode($json, true); otherwise attrs = array()
 *     if !is_complex: piece_offset, piece_length; length 0 means
 *         innerHTML '' and innerContent [], else both are that string
 *     if is_complex: n_children, n_pieces, then n_pieces pairs
 *         (offset, length); offset WITSPER_PLAN_NULL marks an inner
 *         block (null in innerContent); innerHTML = implode of pieces.
 */
WITSPER_API int witsper_parse_blocks(const char *doc, size_t len,
                                     witsper_buffer *out,
                                     witsper_error *err);

/* Frees buf->data and sets buf to {NULL, 0}. NULL-safe: buf NULL or
 * buf->data NULL is a no-op. Cannot fail. */
WITSPER_API void witsper_buffer_free(witsper_buffer *buf);

#ifdef __cplusplus
}
#endif

#endif /* WITSPER_H */
