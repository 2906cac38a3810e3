/* fcgi.h - FastCGI record encoder and response parser for fpm-probe.
 *
 * Everything here is pure: bytes in, bytes or a parsed result out, no I/O,
 * no allocation (the caller owns every buffer), no globals. That is what lets
 * the same code run in the probe, the unit tests and the libFuzzer target.
 */
#ifndef FPM_PROBE_FCGI_H
#define FPM_PROBE_FCGI_H

#include <stddef.h>
#include <stdint.h>

#define FCGI_VERSION_1 1
#define FCGI_HEADER_LEN 8
#define FCGI_MAX_CONTENT 65535u

enum fcgi_type {
    FCGI_BEGIN_REQUEST = 1,
    FCGI_ABORT_REQUEST = 2,
    FCGI_END_REQUEST = 3,
    FCGI_PARAMS = 4,
    FCGI_STDIN = 5,
    FCGI_STDOUT = 6,
    FCGI_STDERR = 7,
    FCGI_DATA = 8,
    FCGI_GET_VALUES = 9,
    FCGI_GET_VALUES_RESULT = 10,
    FCGI_UNKNOWN_TYPE = 11
};

#define FCGI_RESPONDER 1

/* protocolStatus of END_REQUEST */
enum fcgi_protocol_status {
    FCGI_REQUEST_COMPLETE = 0,
    FCGI_CANT_MPX_CONN = 1,
    FCGI_OVERLOADED = 2,
    FCGI_UNKNOWN_ROLE = 3
};

/* Parser errors (fcgi_parser.error). Each has a constant message from
 * fcgi_strerror(); fcgi_parser.error_offset is the stream offset. */
enum fcgi_error {
    FCGI_OK = 0,
    FCGI_E_VERSION,      /* record header with version != 1 */
    FCGI_E_END_LENGTH,   /* END_REQUEST whose body is shorter than 8 bytes */
    FCGI_E_UNKNOWN_TYPE, /* server answered UNKNOWN_TYPE: it did not get us */
    FCGI_E_TRUNCATED,    /* stream ended before END_REQUEST */
    FCGI_E_PROTOCOL      /* END_REQUEST with protocolStatus != COMPLETE */
};

struct fcgi_param {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/* Bytes needed to encode one name-value pair (1 or 4 byte lengths). Returns
 * 0 when a length does not fit the protocol's 31 bits. */
size_t fcgi_param_size(const struct fcgi_param *p);

/* Encodes a whole request for request id `id`: BEGIN_REQUEST (RESPONDER, no
 * KEEP_CONN), the PARAMS stream, an empty PARAMS, the STDIN stream and an
 * empty STDIN. Like snprintf: returns the number of bytes the request needs
 * and writes them only if that is <= cap (out may be NULL when cap is 0).
 * Returns 0 if a parameter is too long for the protocol. */
size_t fcgi_encode_request(unsigned char *out, size_t cap, uint16_t id,
                           const struct fcgi_param *params, size_t nparams,
                           const unsigned char *in, size_t in_len);

/* Decodes one name-value pair from data[0..len). Returns the bytes consumed,
 * or 0 if the pair is incomplete or malformed. The result points into data. */
size_t fcgi_decode_param(const unsigned char *data, size_t len,
                         struct fcgi_param *out);

/* Incremental response parser. The caller provides the buffers where STDOUT
 * and STDERR content is kept; content beyond a buffer's capacity is counted
 * and dropped, so memory stays bounded whatever the peer sends. */
struct fcgi_parser {
    /* set by the caller before fcgi_parser_init */
    uint16_t request_id;
    unsigned char *out;     /* STDOUT kept here */
    size_t out_cap;
    unsigned char *err;     /* STDERR kept here (may be NULL, cap 0) */
    size_t err_cap;

    /* results */
    size_t out_len;         /* bytes kept in out */
    size_t out_total;       /* STDOUT bytes seen (may exceed out_cap) */
    size_t err_len;
    size_t err_total;
    int done;               /* END_REQUEST for our id seen */
    uint32_t app_status;
    int protocol_status;
    enum fcgi_error error;  /* first error; the parser stops there */
    size_t error_offset;    /* stream offset of the record that failed */
    size_t records;         /* records parsed (all ids, all types) */
    size_t ignored;         /* records of other ids or types we do not use */
    size_t trailing;        /* bytes after END_REQUEST (ignored) */

    /* internal state */
    size_t offset;          /* stream offset of the next byte */
    size_t rec_offset;      /* stream offset of the current record */
    unsigned char hdr[FCGI_HEADER_LEN];
    size_t hdr_len;
    int type;
    uint16_t id;
    size_t content_left;
    size_t padding_left;
    unsigned char end_body[8];
    size_t end_len;
};

/* Sets the result and state fields; keeps request_id and the buffers. */
void fcgi_parser_init(struct fcgi_parser *p);

/* Consumes len bytes. Returns 1 once the response is complete (END_REQUEST
 * for our id), -1 on an error (p->error), 0 when more bytes are needed. Safe
 * to call again after 1 or -1 (further bytes are counted, not parsed). */
int fcgi_parser_feed(struct fcgi_parser *p, const unsigned char *data,
                     size_t len);

/* Call at end of stream: returns 0 if the response was complete, else -1
 * with p->error set (FCGI_E_TRUNCATED unless an earlier error). */
int fcgi_parser_finish(struct fcgi_parser *p);

/* One-call form: parses a whole captured stream. Returns what
 * fcgi_parser_finish returns. */
int fcgi_parse_response(struct fcgi_parser *p, const unsigned char *data,
                        size_t len);

const char *fcgi_strerror(enum fcgi_error e);

/* The CGI response inside STDOUT: header lines, an empty line, the body. */
struct cgi_response {
    int status;                   /* from "Status: NNN", else 200 */
    const unsigned char *headers; /* header block, without the empty line */
    size_t headers_len;
    const unsigned char *body;
    size_t body_len;
};

/* Splits data[0..len) into headers and body. Accepts CRLF or LF line ends.
 * Returns 0 on success, -1 if there is no empty line ending the headers or a
 * Status header is not a 3-digit code in 100..599. */
int cgi_parse(const unsigned char *data, size_t len, struct cgi_response *r);

/* Finds header `name` (case-insensitive). Returns 1 and sets *value and
 * *value_len (leading/trailing blanks removed) if present, else 0. */
int cgi_header(const struct cgi_response *r, const char *name,
               const unsigned char **value, size_t *value_len);

#endif
