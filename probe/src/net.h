/* net.h - one FastCGI exchange over TCP or a unix socket, with deadlines. */
#ifndef FPM_PROBE_NET_H
#define FPM_PROBE_NET_H

#include <stddef.h>

#include "fcgi.h"

enum net_result {
    NET_OK = 0,       /* complete response parsed */
    NET_CONNECT,      /* could not connect (refused, no such socket...) */
    NET_TIMEOUT,      /* connect or response deadline passed */
    NET_IO,           /* send/recv failed, or the peer closed too early */
    NET_PROTOCOL,     /* the bytes are not a valid FastCGI response */
    NET_NOMEM
};

/* Sends `req` (an encoded request) to socket_path (if not NULL) or
 * host:port, and feeds the answer to p (already initialised with its
 * buffers). connect_ms bounds the connection, read_ms the whole exchange
 * after it. On failure err holds a one-line reason. */
enum net_result net_exchange(const char *socket_path, const char *host,
                             int port, int connect_ms, int read_ms,
                             const unsigned char *req, size_t req_len,
                             struct fcgi_parser *p, char *err, size_t elen);

/* Milliseconds on the monotonic clock. */
long long net_now_ms(void);

#endif
