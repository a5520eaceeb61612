/*
 * Listening TCP sockets for the front ends' host connections (the GDB stub,
 * a UART on a socket). These carry outside input only: what arrives goes
 * through the input log (inputlog.h) or the debugger, never straight into
 * the simulation.
 */
#ifndef SIM_HOSTSOCK_H
#define SIM_HOSTSOCK_H

#include <stddef.h>

/* Listen on "PORT" (127.0.0.1) or "HOST:PORT"; returns the socket, or -1
 * with a message naming 'option' and 'spec' in err. */
int hostsock_listen(const char *option, const char *spec, char *err, size_t errlen);
/* Accept one client (blocking unless nonblock); -1 if none. The client
 * socket has TCP_NODELAY and, with nonblock, O_NONBLOCK. */
int hostsock_accept(int listen_fd, int nonblock);

#endif
