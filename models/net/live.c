/*
 * Live host: slirp NAT or TAP, paced to host time, recorded; or the replay
 * of such a recording (see live.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "live.h"
#include "sim/log.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define RECORD_FORMAT "glitchbox-live"
#define RECORD_VERSION 1

static const char *const backend_names[] = { [LIVE_SLIRP] = "slirp", [LIVE_TAP] = "tap" };

void live_default_config(live_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->backend = LIVE_SLIRP;
    c->net_addr = PKT_IP(10, 0, 2, 0);
    c->net_mask = PKT_IP(255, 255, 255, 0);
    c->host_addr = PKT_IP(10, 0, 2, 2);
    c->dns_addr = PKT_IP(10, 0, 2, 3);
    c->dhcp_start = PKT_IP(10, 0, 2, 15);
    c->tick_ns = SIM_MS(1);
}

/* Host monotonic time: live mode only (see live.h). */
static sim_time_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (sim_time_t)ts.tv_sec * 1000000000ull + (sim_time_t)ts.tv_nsec;
}

/* ---- record file ---- */

static void rec_frame(live_host_t *h, bool in, const uint8_t *f, size_t len)
{
    if (!h->rec)
        return;
    fprintf(h->rec, "%s  {\"t\": %llu, \"%s\": \"", h->rec_first ? "" : ",\n",
            (unsigned long long)h->sched->now, in ? "in" : "out");
    for (size_t k = 0; k < len; k++)
        fprintf(h->rec, "%02x", f[k]);
    fputs("\"}", h->rec);
    h->rec_first = false;
}

static int hexnib(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int load_record(live_host_t *h, const cJSON *j, const char *origin, char *err, size_t errlen)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "version");
    const cJSON *be = cJSON_GetObjectItemCaseSensitive(j, "backend");
    const cJSON *tick = cJSON_GetObjectItemCaseSensitive(j, "tick_ns");
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(j, "frames");
    if (!cJSON_IsObject(j) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, RECORD_FORMAT)) {
        snprintf(err, errlen, "%s: not a live record (\"format\": \"%s\" expected)", origin,
                 RECORD_FORMAT);
        return -1;
    }
    if (!cJSON_IsNumber(ver) || ver->valuedouble != RECORD_VERSION) {
        snprintf(err, errlen, "%s: version: only version %d is known", origin, RECORD_VERSION);
        return -1;
    }
    if (!cJSON_IsNumber(tick) || tick->valuedouble < 1000 || tick->valuedouble > 1e9) {
        snprintf(err, errlen, "%s: tick_ns: expected a tick from 1000 to 1e9 ns", origin);
        return -1;
    }
    if (!cJSON_IsArray(frames)) {
        snprintf(err, errlen, "%s: frames: expected an array (is the record truncated?)", origin);
        return -1;
    }
    if (cJSON_IsString(be) && !strcmp(be->valuestring, "tap"))
        h->cfg.backend = LIVE_TAP;
    h->cfg.tick_ns = (sim_time_t)tick->valuedouble;
    size_t n = (size_t)cJSON_GetArraySize(frames);
    h->frames = calloc(n ? n : 1, sizeof *h->frames);
    if (!h->frames) {
        snprintf(err, errlen, "%s: out of memory", origin);
        return -1;
    }
    sim_time_t last = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, frames) {
        size_t idx = h->nframes;
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "t");
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(f, "in");
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(f, "out");
        const cJSON *hex = in ? in : out;
        if (!cJSON_IsNumber(t) || t->valuedouble < 0 || (sim_time_t)t->valuedouble < last) {
            snprintf(err, errlen, "%s: frames[%zu].t: expected a virtual time in ns, not before "
                     "the previous frame's", origin, idx);
            return -1;
        }
        size_t hl = cJSON_IsString(hex) ? strlen(hex->valuestring) : 0;
        if (!hl || (hl & 1) || hl / 2 > NET_FRAME_MAX || (in && out)) {
            snprintf(err, errlen, "%s: frames[%zu]: expected \"in\" or \"out\" with a frame in "
                     "hex (1 to %d bytes)", origin, idx, NET_FRAME_MAX);
            return -1;
        }
        live_rec_frame_t *r = &h->frames[h->nframes++];
        r->t = last = (sim_time_t)t->valuedouble;
        r->in = in != NULL;
        r->len = (uint16_t)(hl / 2);
        if (!(r->data = malloc(r->len))) {
            snprintf(err, errlen, "%s: out of memory", origin);
            return -1;
        }
        for (size_t k = 0; k < r->len; k++) {
            int hi = hexnib(hex->valuestring[2 * k]), lo = hexnib(hex->valuestring[2 * k + 1]);
            if (hi < 0 || lo < 0) {
                snprintf(err, errlen, "%s: frames[%zu]: '%c%c' is not hex", origin, idx,
                         hex->valuestring[2 * k], hex->valuestring[2 * k + 1]);
                return -1;
            }
            r->data[k] = (uint8_t)(hi << 4 | lo);
        }
    }
    return 0;
}

static int load_record_file(live_host_t *h, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "live replay %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    for (size_t n; text && (n = fread(text + len, 1, cap - len, fp)) > 0;) {
        len += n;
        if (len == cap) {
            char *nt = realloc(text, 2 * cap + 1);
            if (!nt) {
                free(text);
                text = NULL;
                break;
            }
            text = nt;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!text) {
        snprintf(err, errlen, "live replay %s: out of memory", path);
        return -1;
    }
    text[len] = 0;
    cJSON *j = cJSON_Parse(text);
    free(text);
    char origin[300];
    snprintf(origin, sizeof origin, "live replay %s", path);
    if (!j) {
        snprintf(err, errlen, "%s: not valid JSON (is the record truncated?)", origin);
        return -1;
    }
    int r = load_record(h, j, origin, err, errlen);
    cJSON_Delete(j);
    return r;
}

/* ---- NAT of the forwarded addresses (slirp backend) ---- */

static uint32_t mapped_ip(const live_host_t *h, const live_forward_t *f)
{
    /* slirp reaches the host's loopback through its gateway address */
    return f->host_ip == PKT_IP(127, 0, 0, 1) ? h->cfg.host_addr : f->host_ip;
}

static const live_forward_t *forward_for(const live_host_t *h, uint32_t ip, int port)
{
    for (unsigned k = 0; k < h->cfg.nfwd; k++)
        if (h->cfg.fwd[k].guest_ip == ip && (port < 0 || h->cfg.fwd[k].guest_port == port))
            return &h->cfg.fwd[k];
    return NULL;
}

static void queue_to_device(live_host_t *h, const uint8_t *f, size_t len)
{
    if (h->txq_n == LIVE_QUEUE || len > NET_FRAME_MAX)
        return;
    memcpy(h->txq[h->txq_n].data, f, len);
    h->txq[h->txq_n++].len = (uint16_t)len;
}

/* Returns true if the frame goes on to slirp (possibly rewritten). */
static bool nat_ingress(live_host_t *h, pkt_frame_t *fr)
{
    pkt_arp_t a;
    if (pkt_parse_arp(fr->data, fr->len, &a)) {
        if (a.op != 1 || !forward_for(h, a.tpa, -1))
            return true;
        uint8_t mac[6], r[PKT_ETH_MIN];
        pkt_slirp_mac(mac, a.tpa);
        queue_to_device(h, r, pkt_build_arp(r, a.sha, mac, 2, mac, a.tpa, a.sha, a.spa));
        /* slirp learns the device's MAC from a gratuitous ARP */
        size_t n = pkt_build_arp(r, pkt_broadcast, a.sha, 1, a.sha, a.spa, a.sha, a.spa);
        slirp_input(h->slirp, r, (int)n);
        return false;
    }
    pkt_ipv4_t ip;
    if (!pkt_parse_ipv4(fr->data, fr->len, &ip) || !forward_for(h, ip.dst, -1))
        return true;
    pkt_icmp_t c;
    if (pkt_parse_icmp(&ip, &c)) {
        if (c.type == ICMP_ECHO_REQUEST) {
            uint8_t mac[6], r[PKT_ETH_MAX];
            pkt_slirp_mac(mac, ip.dst);
            queue_to_device(h, r, pkt_build_icmp(r, fr->data + 6, mac, ip.dst, ip.src, h->ip_id++,
                                                 ICMP_ECHO_REPLY, 0, c.body, c.body_len));
        }
        return false;
    }
    pkt_tcp_t t;
    const live_forward_t *f;
    if (!pkt_parse_tcp(&ip, &t) || !(f = forward_for(h, ip.dst, t.dport)))
        return false; /* nothing else is forwarded */
    unsigned k;
    for (k = 0; k < LIVE_NAT_ENTRIES; k++)
        if (h->nat[k].used && h->nat[k].dev_ip == ip.src && h->nat[k].dev_port == t.sport)
            break;
    if (k == LIVE_NAT_ENTRIES) {
        k = h->nat_next++ % LIVE_NAT_ENTRIES;
        h->nat[k].used = true;
        h->nat[k].dev_ip = ip.src;
        h->nat[k].dev_port = t.sport;
    }
    h->nat[k].fwd = (uint8_t)(f - h->cfg.fwd);
    uint8_t *iph = fr->data + PKT_ETH_HLEN;
    wr_be32(iph + 16, mapped_ip(h, f));
    wr_be16(iph + ip.hlen + 2, f->host_port);
    pkt_fix_checksums(fr->data, fr->len);
    h->stats.nat_rewrites++;
    return true;
}

static void nat_egress(live_host_t *h, pkt_frame_t *fr)
{
    pkt_ipv4_t ip;
    pkt_tcp_t t;
    if (!h->cfg.nfwd || !pkt_parse_ipv4(fr->data, fr->len, &ip) || !pkt_parse_tcp(&ip, &t))
        return;
    for (unsigned k = 0; k < LIVE_NAT_ENTRIES; k++) {
        const live_forward_t *f = &h->cfg.fwd[h->nat[k].fwd];
        if (!h->nat[k].used || h->nat[k].dev_ip != ip.dst || h->nat[k].dev_port != t.dport ||
            ip.src != mapped_ip(h, f) || t.sport != f->host_port)
            continue;
        uint8_t *iph = fr->data + PKT_ETH_HLEN;
        wr_be32(iph + 12, f->guest_ip);
        wr_be16(iph + ip.hlen, f->guest_port);
        pkt_slirp_mac(fr->data + 6, f->guest_ip);
        pkt_fix_checksums(fr->data, fr->len);
        h->stats.nat_rewrites++;
        return;
    }
}

/* ---- ticks ---- */

static void send_to_device(live_host_t *h)
{
    for (unsigned k = 0; k < h->txq_n; k++) {
        pkt_frame_t *fr = &h->txq[k];
        if (h->cfg.backend == LIVE_SLIRP)
            nat_egress(h, fr);
        if (fr->len < PKT_ETH_MIN) {
            memset(fr->data + fr->len, 0, PKT_ETH_MIN - fr->len);
            fr->len = PKT_ETH_MIN;
        }
        rec_frame(h, true, fr->data, fr->len);
        h->stats.frames_in++;
        net_port_send(&h->port, fr->data, fr->len);
    }
    h->txq_n = 0;
}

/* How long to wait for host time to catch up with virtual time, in ms. */
static int pace_ms(live_host_t *h)
{
    sim_time_t virt = h->sched->now - h->virt_start;
    sim_time_t wall = host_now_ns() - h->wall_start_ns;
    if (virt <= wall)
        return 0;
    h->stats.waits++;
    return (int)((virt - wall + 999999) / 1000000);
}

static void live_tick(live_host_t *h)
{
    int wait = pace_ms(h);
    if (h->cfg.backend == LIVE_SLIRP) {
        slirp_glue_poll(&h->glue, h->slirp, wait);
    } else if (wait) {
        struct pollfd p = { .fd = h->tap_fd, .events = POLLIN };
        poll(&p, 1, wait);
    }
    for (unsigned k = 0; k < h->rxq_n; k++) {
        pkt_frame_t *fr = &h->rxq[k];
        rec_frame(h, false, fr->data, fr->len);
        h->stats.frames_out++;
        if (h->cfg.backend == LIVE_TAP) {
            if (write(h->tap_fd, fr->data, fr->len) < 0)
                log_once(LOG_WARN, "live", 1, "live: writing to TAP %s failed: %s",
                         h->tap_ifname, strerror(errno));
        } else if (nat_ingress(h, fr)) {
            slirp_input(h->slirp, fr->data, fr->len);
        }
    }
    h->rxq_n = 0;
    if (h->cfg.backend == LIVE_TAP) {
        uint8_t buf[NET_FRAME_MAX + 64];
        ssize_t n;
        while (h->txq_n < LIVE_QUEUE && (n = read(h->tap_fd, buf, sizeof buf)) > 0)
            if ((size_t)n <= NET_FRAME_MAX)
                queue_to_device(h, buf, (size_t)n);
    }
    send_to_device(h);
    if (h->cfg.backend == LIVE_SLIRP)
        slirp_glue_fill(&h->glue, h->slirp);
    if (h->rec)
        fflush(h->rec);
}

static void diverge(live_host_t *h, const char *what)
{
    if (h->diverged)
        return;
    h->diverged = true;
    h->diverged_at = h->sched->now;
    log_msg(LOG_WARN, "live", "live replay: the run diverged from the recording at %.9f s (%s)",
            (double)h->sched->now / 1e9, what);
}

static void replay_tick(live_host_t *h)
{
    sim_time_t now = h->sched->now;
    for (unsigned k = 0; k < h->rxq_n; k++) {
        const pkt_frame_t *fr = &h->rxq[k];
        h->stats.frames_out++;
        if (h->diverged)
            continue;
        if (h->next_frame < h->nframes && h->frames[h->next_frame].in &&
            h->frames[h->next_frame].t < now)
            diverge(h, "a recorded frame was not delivered");
        const live_rec_frame_t *r = h->next_frame < h->nframes ? &h->frames[h->next_frame] : NULL;
        if (!r || r->in || r->t != now || r->len != fr->len || memcmp(r->data, fr->data, fr->len)) {
            diverge(h, "the device sent a frame that differs from the recorded one");
            continue;
        }
        h->next_frame++;
        h->stats.replay_out++;
    }
    h->rxq_n = 0;
    while (!h->diverged && h->next_frame < h->nframes && h->frames[h->next_frame].t <= now) {
        const live_rec_frame_t *r = &h->frames[h->next_frame];
        if (!r->in) {
            diverge(h, "the device did not send a recorded frame");
            break;
        }
        if (r->t < now) {
            diverge(h, "a recorded frame fell between ticks");
            break;
        }
        h->next_frame++;
        h->stats.replay_in++;
        h->stats.frames_in++;
        net_port_send(&h->port, r->data, r->len);
    }
}

static void tick(void *opaque)
{
    live_host_t *h = opaque;
    h->stats.ticks++;
    if (h->replay)
        replay_tick(h);
    else
        live_tick(h);
    sched_at(h->sched, &h->tick_ev, h->sched->now + h->cfg.tick_ns);
}

static void port_receive(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    live_host_t *h = owner;
    if (!fcs_ok)
        return; /* the host NIC's CRC check */
    if (h->rxq_n == LIVE_QUEUE || len > NET_FRAME_MAX) {
        h->stats.rx_overflow++;
        return;
    }
    memcpy(h->rxq[h->rxq_n].data, frame, len);
    h->rxq[h->rxq_n++].len = (uint16_t)len;
}

/* ---- setup ---- */

static int open_tap(live_host_t *h, char *err, size_t errlen)
{
    h->tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (h->tap_fd < 0) {
        snprintf(err, errlen, "live: TAP: /dev/net/tun: %s (this host has no TUN/TAP device)",
                 strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", h->cfg.tap_name);
    if (ioctl(h->tap_fd, TUNSETIFF, &ifr) < 0) {
        snprintf(err, errlen, "live: TAP '%s': %s (needs CAP_NET_ADMIN, or a persistent TAP "
                 "owned by you: ip tuntap add mode tap user $USER)", h->cfg.tap_name,
                 strerror(errno));
        close(h->tap_fd);
        h->tap_fd = -1;
        return -1;
    }
    snprintf(h->tap_ifname, sizeof h->tap_ifname, "%s", ifr.ifr_name);
    return 0;
}

static int open_slirp(live_host_t *h, char *err, size_t errlen)
{
    const live_config_t *c = &h->cfg;
    slirp_glue_init(&h->glue, h->sched, h->txq, &h->txq_n, LIVE_QUEUE);
    slirp_glue_net_t sn = { c->net_addr, c->net_mask, c->host_addr, c->dhcp_start, c->dns_addr,
                            false, NULL };
    h->slirp = slirp_glue_new(&h->glue, &sn);
    if (!h->slirp) {
        snprintf(err, errlen, "live: libslirp refused its configuration");
        return -1;
    }
    h->txq_n = 0;
    return 0;
}

int live_init(live_host_t *h, sched_t *sched, const live_config_t *c, char *err, size_t errlen)
{
    memset(h, 0, sizeof *h);
    h->cfg = *c;
    h->sched = sched;
    h->tap_fd = -1;
    h->rec_first = true;
    net_port_init(&h->port, "live", port_receive, NULL, h);
    sched_event_init(&h->tick_ev, "live.tick", tick, h);
    h->replay = c->replay_path || c->replay_json;
    if (!h->cfg.tick_ns)
        h->cfg.tick_ns = SIM_MS(1);
    if (h->replay) {
        if (c->replay_json ? load_record(h, c->replay_json, "live replay", err, errlen)
                           : load_record_file(h, c->replay_path, err, errlen)) {
            live_free(h);
            return -1;
        }
    } else {
        if (c->backend == LIVE_TAP ? open_tap(h, err, errlen) : open_slirp(h, err, errlen)) {
            live_free(h);
            return -1;
        }
        if (c->record_path) {
            if (!(h->rec = fopen(c->record_path, "w"))) {
                snprintf(err, errlen, "live record %s: %s", c->record_path, strerror(errno));
                live_free(h);
                return -1;
            }
            fprintf(h->rec, "{\"format\": \"%s\", \"version\": %d, \"backend\": \"%s\", "
                    "\"tick_ns\": %llu,\n \"frames\": [\n", RECORD_FORMAT, RECORD_VERSION,
                    backend_names[c->backend], (unsigned long long)h->cfg.tick_ns);
        }
        h->wall_start_ns = host_now_ns();
        h->virt_start = sched->now;
    }
    sched_at(sched, &h->tick_ev, sched->now + h->cfg.tick_ns);
    return 0;
}

void live_free(live_host_t *h)
{
    if (h->sched)
        sched_cancel(h->sched, &h->tick_ev);
    if (h->rec) {
        fputs("\n ]}\n", h->rec);
        fclose(h->rec);
        h->rec = NULL;
    }
    if (h->slirp)
        slirp_cleanup(h->slirp);
    h->slirp = NULL;
    if (h->tap_fd >= 0)
        close(h->tap_fd);
    h->tap_fd = -1;
    for (size_t k = 0; k < h->nframes; k++)
        free(h->frames[k].data);
    free(h->frames);
    h->frames = NULL;
    h->nframes = 0;
}
