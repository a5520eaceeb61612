#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "hostsock.h"

int hostsock_listen(const char *option, const char *spec, char *err, size_t errlen)
{
    const char *colon = strrchr(spec, ':');
    char host[256] = "127.0.0.1";
    const char *port = spec;
    if (colon) {
        size_t hl = (size_t)(colon - spec);
        if (hl >= sizeof host) {
            snprintf(err, errlen, "%s %s: host name too long", option, spec);
            return -1;
        }
        memcpy(host, spec, hl);
        host[hl] = 0;
        port = colon + 1;
    }
    char *pe;
    long pn = strtol(port, &pe, 10);
    if (*pe || pn < 0 || pn > 65535 || pe == port) {
        snprintf(err, errlen, "%s %s: expected PORT or HOST:PORT", option, spec);
        return -1;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "%s %s: %s", option, spec, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 1)) {
        snprintf(err, errlen, "%s %s: %s", option, spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int hostsock_accept(int listen_fd, int nonblock)
{
    if (listen_fd < 0)
        return -1;
    if (nonblock)
        fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    else
        fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) & ~O_NONBLOCK);
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (nonblock)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}
