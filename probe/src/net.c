/* net.c - sockets with poll()-based deadlines; the only I/O the probe does
 * towards php-fpm. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

long long net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(long long deadline)
{
    long long left = deadline - net_now_ms();
    if (left <= 0)
        return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* Waits until fd is ready for `events` or the deadline passes.
 * Returns 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        struct pollfd pfd;
        int ms = remaining(deadline), r;
        if (ms == 0)
            return 0;
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        r = poll(&pfd, 1, ms);
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* Non-blocking connect bounded by the deadline. */
static enum net_result connect_fd(int fd, const struct sockaddr *sa,
                                  socklen_t salen, long long deadline,
                                  char *err, size_t elen)
{
    int soerr = 0, r;
    socklen_t sl = sizeof soerr;
    if (connect(fd, sa, salen) == 0)
        return NET_OK;
    if (errno != EINPROGRESS && errno != EINTR && errno != EAGAIN) {
        snprintf(err, elen, "connect: %s", strerror(errno));
        return NET_CONNECT;
    }
    r = wait_fd(fd, POLLOUT, deadline);
    if (r == 0) {
        snprintf(err, elen, "connect: timed out");
        return NET_TIMEOUT;
    }
    if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
        snprintf(err, elen, "connect: %s", strerror(errno));
        return NET_CONNECT;
    }
    if (soerr != 0) {
        snprintf(err, elen, "connect: %s", strerror(soerr));
        return NET_CONNECT;
    }
    return NET_OK;
}

static int nonblocking_socket(int family)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int open_conn(const char *socket_path, const char *host, int port,
                     long long deadline, enum net_result *res, char *err,
                     size_t elen)
{
    if (socket_path != NULL) {
        struct sockaddr_un sun;
        size_t n = strlen(socket_path);
        int fd;
        if (n >= sizeof sun.sun_path) {
            snprintf(err, elen, "socket path too long");
            *res = NET_CONNECT;
            return -1;
        }
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, socket_path, n + 1);
        fd = nonblocking_socket(AF_UNIX);
        if (fd < 0) {
            snprintf(err, elen, "socket: %s", strerror(errno));
            *res = NET_CONNECT;
            return -1;
        }
        *res = connect_fd(fd, (struct sockaddr *)&sun, sizeof sun, deadline,
                          err, elen);
        if (*res != NET_OK) {
            close(fd);
            return -1;
        }
        return fd;
    } else {
        struct addrinfo hints, *ai = NULL, *it;
        char portstr[8];
        int fd = -1, r;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        snprintf(portstr, sizeof portstr, "%d", port);
        r = getaddrinfo(host, portstr, &hints, &ai);
        if (r != 0) {
            snprintf(err, elen, "resolve %s: %s", host, gai_strerror(r));
            *res = NET_CONNECT;
            return -1;
        }
        *res = NET_CONNECT;
        for (it = ai; it != NULL; it = it->ai_next) {
            fd = nonblocking_socket(it->ai_family);
            if (fd < 0) {
                snprintf(err, elen, "socket: %s", strerror(errno));
                continue;
            }
            *res = connect_fd(fd, it->ai_addr, it->ai_addrlen, deadline, err,
                              elen);
            if (*res == NET_OK)
                break;
            close(fd);
            fd = -1;
            if (*res == NET_TIMEOUT)
                break;
        }
        freeaddrinfo(ai);
        return fd;
    }
}

enum net_result net_exchange(const char *socket_path, const char *host,
                             int port, int connect_ms, int read_ms,
                             const unsigned char *req, size_t req_len,
                             struct fcgi_parser *p, char *err, size_t elen)
{
    enum net_result res;
    unsigned char buf[16384];
    long long deadline = net_now_ms() + connect_ms;
    size_t sent = 0;
    int fd, r;

    fd = open_conn(socket_path, host, port, deadline, &res, err, elen);
    if (fd < 0)
        return res;
    deadline = net_now_ms() + read_ms;

    while (sent < req_len) {
        ssize_t n = send(fd, req + sent, req_len - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            r = wait_fd(fd, POLLOUT, deadline);
            if (r == 0) {
                snprintf(err, elen, "send: timed out");
                close(fd);
                return NET_TIMEOUT;
            }
            if (r > 0)
                continue;
        }
        snprintf(err, elen, "send: %s", strerror(errno));
        close(fd);
        return NET_IO;
    }

    for (;;) {
        ssize_t n;
        r = wait_fd(fd, POLLIN, deadline);
        if (r == 0) {
            snprintf(err, elen, "no complete answer within %d ms", read_ms);
            close(fd);
            return NET_TIMEOUT;
        }
        if (r < 0) {
            snprintf(err, elen, "poll: %s", strerror(errno));
            close(fd);
            return NET_IO;
        }
        n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            snprintf(err, elen, "recv: %s", strerror(errno));
            close(fd);
            return NET_IO;
        }
        if (n == 0)
            break;
        r = fcgi_parser_feed(p, buf, (size_t)n);
        if (r != 0)
            break;
    }
    close(fd);
    if (fcgi_parser_finish(p) < 0) {
        snprintf(err, elen, "bad FastCGI answer at byte %zu: %s",
                 p->error_offset, fcgi_strerror(p->error));
        return p->error == FCGI_E_TRUNCATED ? NET_IO : NET_PROTOCOL;
    }
    return NET_OK;
}
