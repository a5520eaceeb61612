/*
 * The wiring between libslirp 4.7 and the simulator, shared by the update
 * server (restricted, no host sockets) and the live host (host sockets).
 *
 * - slirp's only clock is the virtual clock plus SLIRP_GLUE_CLOCK_OFFSET
 *   (slirp treats a millisecond clock of 0 as "no delayed ACK pending").
 * - Frames slirp emits are copied to the owner's queue and never sent from
 *   inside a slirp call (slirp is not re-entrant); the owner sends them.
 * - IPv6 is off, so slirp creates no timer (its router-advertisement timer is
 *   random); the timer callbacks exist because the API needs them.
 * - slirp_glue_poll() runs slirp's due timers and, in live mode, waits up to
 *   'wait_ms' of host time for its host sockets; slirp_glue_fill() returns the
 *   deadline slirp asks for (ms) and collects the sockets to wait on.
 * - slirp's log domain is filtered into our trace log: the server-side close
 *   path logs a GLib critical by design (libslirp fact sheet, pitfall 4).
 */
#ifndef MODELS_NET_SLIRP_GLUE_H
#define MODELS_NET_SLIRP_GLUE_H

#include <poll.h>
#include "sim/sched.h"
#include "pkt.h"

#define SLIRP_GLUE_CLOCK_OFFSET SIM_S(1)
#define SLIRP_GLUE_MAX_FDS 64

struct Slirp;
struct SlirpConfig;

typedef struct slirp_glue {
    sched_t *sched;
    pkt_frame_t *q;            /* the owner's output queue */
    unsigned *qn, qmax;
    uint64_t dropped;          /* frames slirp emitted with the queue full */
    struct pollfd fds[SLIRP_GLUE_MAX_FDS];
    unsigned nfds;
    bool fds_overflow;
} slirp_glue_t;

void slirp_glue_init(slirp_glue_t *g, sched_t *sched, pkt_frame_t *q, unsigned *qn, unsigned qmax);
/* The IPv4 network slirp serves (host byte order). */
typedef struct slirp_glue_net {
    uint32_t net, mask, host, dhcp_start, dns;
    bool restricted;            /* true: no host sockets at all */
    const char *domain;         /* DHCP domain name, or NULL */
} slirp_glue_net_t;

/* slirp_new() (config version 4, IPv4 only) with our callbacks, then one
 * poll to sync slirp's clock. NULL if slirp refuses the configuration. */
struct Slirp *slirp_glue_new(slirp_glue_t *g, const slirp_glue_net_t *net);
/* Run slirp's timers; with host sockets, first wait up to wait_ms (0: no wait). */
void slirp_glue_poll(slirp_glue_t *g, struct Slirp *slirp, int wait_ms);
/* slirp's next deadline in ms (at most 1000), and the sockets it waits on. */
uint32_t slirp_glue_fill(slirp_glue_t *g, struct Slirp *slirp);

#endif
