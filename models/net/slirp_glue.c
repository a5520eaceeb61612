/* libslirp wiring (see slirp_glue.h). */
#include <arpa/inet.h>
#include <glib.h>
#include <slirp/libslirp.h>
#include <string.h>
#include "slirp_glue.h"
#include "sim/log.h"

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    slirp_glue_t *g = opaque;
    if (len > NET_FRAME_MAX || *g->qn == g->qmax) {
        g->dropped++; /* TCP retransmits */
        return (ssize_t)len;
    }
    memcpy(g->q[*g->qn].data, buf, len);
    g->q[*g->qn].len = (uint16_t)len;
    (*g->qn)++;
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    log_msg(LOG_TRACE, "slirp", "%s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    slirp_glue_t *g = opaque;
    return (int64_t)(g->sched->now + SLIRP_GLUE_CLOCK_OFFSET);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    (void)id; (void)cb_opaque; (void)opaque;
    static int no_timer;
    return &no_timer;
}
static void cb_timer_free(void *timer, void *opaque) { (void)timer; (void)opaque; }
static void cb_timer_mod(void *timer, int64_t expire, void *opaque)
{
    (void)timer; (void)expire; (void)opaque;
}
static void cb_register_poll_fd(int fd, void *opaque) { (void)fd; (void)opaque; }
static void cb_unregister_poll_fd(int fd, void *opaque) { (void)fd; (void)opaque; }
static void cb_notify(void *opaque) { (void)opaque; }

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static void log_filter(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain; (void)level; (void)data;
    log_msg(LOG_TRACE, "slirp", "%s", msg);
}

static int to_poll_events(int ev)
{
    int e = 0;
    if (ev & SLIRP_POLL_IN) e |= POLLIN;
    if (ev & SLIRP_POLL_OUT) e |= POLLOUT;
    if (ev & SLIRP_POLL_PRI) e |= POLLPRI;
    return e;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    slirp_glue_t *g = opaque;
    if (g->nfds == SLIRP_GLUE_MAX_FDS) {
        g->fds_overflow = true;
        return -1;
    }
    g->fds[g->nfds].fd = fd;
    g->fds[g->nfds].events = (short)to_poll_events(events);
    g->fds[g->nfds].revents = 0;
    return (int)g->nfds++;
}

static int cb_get_revents(int idx, void *opaque)
{
    slirp_glue_t *g = opaque;
    if (idx < 0 || (unsigned)idx >= g->nfds)
        return 0;
    short r = g->fds[idx].revents;
    int e = 0;
    if (r & POLLIN) e |= SLIRP_POLL_IN;
    if (r & POLLOUT) e |= SLIRP_POLL_OUT;
    if (r & POLLPRI) e |= SLIRP_POLL_PRI;
    if (r & (POLLERR | POLLNVAL)) e |= SLIRP_POLL_ERR;
    if (r & POLLHUP) e |= SLIRP_POLL_HUP;
    return e;
}

void slirp_glue_init(slirp_glue_t *g, sched_t *sched, pkt_frame_t *q, unsigned *qn, unsigned qmax)
{
    memset(g, 0, sizeof *g);
    g->sched = sched;
    g->q = q;
    g->qn = qn;
    g->qmax = qmax;
}

static struct in_addr in4(uint32_t host_order)
{
    struct in_addr a;
    a.s_addr = htonl(host_order);
    return a;
}

Slirp *slirp_glue_new(slirp_glue_t *g, const slirp_glue_net_t *n)
{
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 4;
    cfg.restricted = n->restricted;
    cfg.in_enabled = true;
    cfg.vnetwork = in4(n->net);
    cfg.vnetmask = in4(n->mask);
    cfg.vhost = in4(n->host);
    cfg.vdhcp_start = in4(n->dhcp_start);
    cfg.vnameserver = in4(n->dns);
    cfg.vhostname = "device";
    cfg.vdomainname = n->domain;
    /* restricted: no DNS forwarding and no host loopback behind the gateway */
    cfg.disable_dns = n->restricted;
    cfg.disable_host_loopback = n->restricted;
    g_log_set_handler("Slirp", G_LOG_LEVEL_MASK, log_filter, NULL);
    Slirp *s = slirp_new(&cfg, &callbacks, g);
    if (s) /* syncs slirp's process-wide millisecond clock with ours */
        slirp_pollfds_poll(s, 0, cb_get_revents, g);
    return s;
}

void slirp_glue_poll(slirp_glue_t *g, Slirp *slirp, int wait_ms)
{
    int err = 0;
    if (g->nfds || wait_ms > 0) {
        int r = poll(g->fds, g->nfds, wait_ms);
        if (r < 0) {
            err = 1;
            for (unsigned k = 0; k < g->nfds; k++)
                g->fds[k].revents = 0;
        }
    }
    slirp_pollfds_poll(slirp, err, cb_get_revents, g);
    g->nfds = 0;
}

uint32_t slirp_glue_fill(slirp_glue_t *g, Slirp *slirp)
{
    uint32_t timeout = 1000;
    g->nfds = 0;
    slirp_pollfds_fill(slirp, &timeout, cb_add_poll, g);
    return timeout;
}
