/*
 * ENC28J60 buffer engines (DS39662E sections 6-8, 13, 14): the receive ring
 * with its filters, transmit with collisions in half duplex, the DMA (copy
 * and checksum) and the built-in self test.
 *
 * Receive timing: the link hands us a frame when its last bit arrives
 * (sim/netport.h). The frame then takes ENC_RX_LAND_CYCLES to land: the MAC
 * checks the CRC, writes the status vector and bumps EPKTCNT; ESTAT.RXBUSY
 * is set from the last bit until then. Frames that arrive closer together
 * than 10 Mbit/s allows (a faster link) queue up to ENC_RXQ deep, each
 * taking its own wire time. Frames shorter than the 60-byte minimum are
 * padded with zeros as the sending MAC would have.
 *
 * Transmit timing: the preamble starts ENC_TX_START_CYCLES after TXRTS, or
 * after the inter-packet gap MABBIPG gives since the last frame; the frame
 * occupies (8 + length + CRC) byte times; TXIF comes with the last bit. In
 * half duplex a transmit attempt can collide (collision_chance, erratum 13):
 * within the collision window MACLCON2 the MAC jams, backs off by a seeded
 * truncated binary exponential number of 51.2 us slots and retries up to
 * MACLCON1 times; later it is a late collision and the frame is aborted.
 *
 * DMA: a checksum takes one oscillator cycle per byte (the datasheet's BIST
 * section gives 327.68 us for all 8 KiB), a copy two (read and write share
 * the buffer port; not in the datasheet). A copy waits while a transmission
 * is in progress. The source follows the receive-ring wrap, the destination
 * wraps at 0x1FFF only.
 *
 * Not modelled: carrier sense and deferral in half duplex (there is no other
 * station on our cables; deferral never times out), received pause frames,
 * the proprietary header (PHDREN), jabber. BIST random and pattern-shift
 * fills use generators of our own (Microchip does not publish theirs): the
 * checksums agree with the DMA, as the datasheet's procedure expects.
 */
#include <string.h>
#include "enc28j60_regs.h"
#include "sim/log.h"

#define ENC_RX_LAND_CYCLES 32u
#define ENC_TX_START_CYCLES 25u
#define ENC_SLOT_BYTES 64u         /* 512 bit times */
#define ENC_JAM_BYTES 4u
#define ENC_PREAMBLE_BYTES 8u
#define ENC_MIN_FRAME 60u          /* without FCS */
#define ENC_LINK_PULSE_NS SIM_MS(16)
#define ENC_BIST_BYTES ENC_MEM_SIZE

/* ------------------------------------------------------------------------ */
/* ring geometry */

uint16_t enc_erxst(const enc28j60_t *s) { return enc_rd16(s, 0, ENC_ERXSTL) & 0x1FFF; }
uint16_t enc_erxnd(const enc28j60_t *s) { return enc_rd16(s, 0, ENC_ERXNDL) & 0x1FFF; }

/* The next address after 'a' as the hardware and RBM step: ERXND wraps to
 * ERXST, 0x1FFF to 0x0000. */
uint16_t enc_ring_next(const enc28j60_t *s, uint16_t a)
{
    if (a == enc_erxnd(s))
        return enc_erxst(s);
    return (uint16_t)((a + 1) & 0x1FFF);
}

static unsigned ring_size(const enc28j60_t *s)
{
    return (unsigned)((enc_erxnd(s) - enc_erxst(s)) & 0x1FFF) + 1;
}

static bool in_ring(const enc28j60_t *s, uint16_t a)
{
    return (unsigned)((a - enc_erxst(s)) & 0x1FFF) < ring_size(s);
}

/* Bytes the hardware may write from ERXWRPT before reaching ERXRDPT
 * (Microchip's formula: an empty ring offers its size minus one). */
static unsigned ring_free(const enc28j60_t *s, uint16_t rd)
{
    unsigned size = ring_size(s);
    uint16_t st = enc_erxst(s), wr = s->erxwrpt;
    if (!in_ring(s, wr) || !in_ring(s, rd))
        return size - 1;
    unsigned off_w = (unsigned)((wr - st) & 0x1FFF), off_r = (unsigned)((rd - st) & 0x1FFF);
    if (off_w == off_r)
        return size - 1;
    return (off_r + size - off_w) % size - 1;
}

void enc_set_pktcnt(enc28j60_t *s, unsigned count)
{
    uint8_t old = s->regs[1][ENC_EPKTCNT];
    if (count > 255)
        count = 255;
    s->regs[1][ENC_EPKTCNT] = (uint8_t)count;
    if (count)
        s->eir |= ENC_INT_PKT;
    else
        s->eir &= (uint8_t)~ENC_INT_PKT;
    if (count != old) {
        s->pktif_stale = false;
        if (count > old && enc_erratum_draw(s, ENC_ERR_PKTIF)) {
            s->pktif_stale = true;
            enc_erratum_hit(s, ENC_ERR_PKTIF, (uint16_t)count);
        }
    }
    enc_update_irq(s);
}

/* ------------------------------------------------------------------------ */
/* receive filters (DS39662E section 8) */

/* CRC-32 as the hash table filter computes it: the register shifted MSB
 * first from all ones, data bits LSB first, no final inversion; the table
 * index is bits 28:23 (Microchip's SetRXHashTableEntry). */
uint32_t enc_hash_crc(const uint8_t dest[6])
{
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = 0; i < 6; i++)
        for (unsigned b = 0; b < 8; b++) {
            unsigned in = (dest[i] >> b) & 1u;
            unsigned top = crc >> 31;
            crc <<= 1;
            if (top ^ in)
                crc ^= 0x04C11DB7u;
        }
    return crc;
}

uint16_t enc_inet_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t k = 0; k + 1 < n; k += 2)
        sum += (uint32_t)(p[k] << 8 | p[k + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static void our_mac(const enc28j60_t *s, uint8_t mac[6])
{
    mac[0] = s->regs[3][ENC_MAADR1];
    mac[1] = s->regs[3][ENC_MAADR2];
    mac[2] = s->regs[3][ENC_MAADR3];
    mac[3] = s->regs[3][ENC_MAADR4];
    mac[4] = s->regs[3][ENC_MAADR5];
    mac[5] = s->regs[3][ENC_MAADR6];
}

static const uint8_t bcast_addr[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

/* The pattern match filter: the EPMM-selected bytes of the 64-byte window
 * at EPMO, checksummed as the DMA does, against EPMCS. */
static bool pattern_matches(const enc28j60_t *s, const uint8_t *f, size_t len)
{
    unsigned off = enc_rd16(s, 1, ENC_EPMOL) & 0x1FFF;
    if (off + 64u > len + 4u)
        return false;
    uint8_t sel[64];
    size_t n = 0;
    for (unsigned b = 0; b < 64; b++)
        if ((s->regs[1][ENC_EPMM0 + b / 8] >> (b % 8)) & 1u) {
            size_t at = off + b;
            sel[n++] = at < len ? f[at] : 0;
        }
    return enc_inet_checksum(sel, n) == enc_rd16(s, 1, ENC_EPMCSL);
}

static bool magic_packet(const uint8_t *f, size_t len, const uint8_t mac[6])
{
    for (size_t p = 12; p + 102 <= len; p++) {
        if (memcmp(f + p, bcast_addr, 6))
            continue;
        bool all = true;
        for (unsigned r = 0; r < 16 && all; r++)
            all = memcmp(f + p + 6 + 6 * r, mac, 6) == 0;
        if (all)
            return true;
    }
    return false;
}

static bool filters_combine(uint8_t fc, const bool hit[8])
{
    bool any = false, all = true;
    for (unsigned b = 0; b < 8; b++) {
        if (b == 5 || b == 6 || !(fc & (1u << b)))
            continue;
        any |= hit[b];
        all &= hit[b];
    }
    return (fc & ENC_RXF_ANDOR) ? all : any;
}

/* Accept the frame? Returns ENC_RXR_NONE or why not. */
static enum enc_rx_reason filter(enc28j60_t *s, const uint8_t *f, size_t len, bool fcs_ok)
{
    uint8_t fc = s->regs[1][ENC_ERXFCON];
    if ((fc & ENC_RXF_CRCEN) && !fcs_ok)
        return ENC_RXR_CRC;
    uint8_t used = fc & (uint8_t)~(ENC_RXF_ANDOR | ENC_RXF_CRCEN);
    if (!used)
        return ENC_RXR_NONE; /* no filter enabled: promiscuous */
    uint8_t mac[6];
    our_mac(s, mac);
    bool bcast = len >= 6 && !memcmp(f, bcast_addr, 6);
    bool hit[8] = { false };
    hit[0] = bcast;                                     /* BCEN */
    hit[1] = len >= 1 && (f[0] & 1u);                   /* MCEN */
    if (fc & ENC_RXF_HTEN) {                            /* HTEN */
        unsigned idx = len >= 6 ? (enc_hash_crc(f) >> 23) & 0x3Fu : 0;
        hit[2] = len >= 6 && ((s->regs[1][ENC_EHT0 + idx / 8] >> (idx % 8)) & 1u);
    }
    if (fc & ENC_RXF_MPEN)                              /* MPEN */
        hit[3] = len >= 6 && (!memcmp(f, mac, 6) || bcast) && magic_packet(f, len, mac);
    if (fc & ENC_RXF_PMEN)                              /* PMEN */
        hit[4] = pattern_matches(s, f, len);
    hit[7] = len >= 6 && !memcmp(f, mac, 6);            /* UCEN */
    bool accept = filters_combine(fc, hit);
    if ((fc & ENC_RXF_PMEN) && !hit[4] && s->erratum_on[ENC_ERR_PATTERN_MATCH]) {
        bool hit_pm[8];
        memcpy(hit_pm, hit, sizeof hit_pm);
        hit_pm[4] = true;
        if (filters_combine(fc, hit_pm) && !accept && enc_erratum_draw(s, ENC_ERR_PATTERN_MATCH)) {
            enc_erratum_hit(s, ENC_ERR_PATTERN_MATCH, (uint16_t)len);
            accept = true;
        }
    }
    return accept ? ENC_RXR_NONE : ENC_RXR_FILTER;
}

/* ------------------------------------------------------------------------ */
/* receive */

static void rx_lost(enc28j60_t *s, enum enc_rx_reason why, size_t len)
{
    s->stats.rx_dropped++;
    enc_log_event(s, ENC_EV_RX_DROPPED, (uint8_t)why, (uint16_t)len, 0);
    probe_hit(&s->pr_rx_dropped);
}

static uint16_t frame_type(const uint8_t *f, size_t len, bool *vlan)
{
    *vlan = len >= 18 && f[12] == 0x81 && f[13] == 0x00;
    size_t at = *vlan ? 16 : 12;
    return len >= at + 2 ? rd_be16(f + at) : 0;
}

static uint32_t rx_status(const enc28j60_t *s, const uint8_t *f, size_t len, bool fcs_ok)
{
    uint32_t rsv = (uint32_t)(len + 4);
    rsv |= fcs_ok ? ENC_RSV_RX_OK : ENC_RSV_CRC_ERROR;
    bool bcast = len >= 6 && !memcmp(f, bcast_addr, 6);
    if (bcast)
        rsv |= ENC_RSV_BROADCAST;
    else if (len >= 1 && (f[0] & 1u))
        rsv |= ENC_RSV_MULTICAST;
    bool vlan;
    uint16_t type = frame_type(f, len, &vlan);
    if (vlan)
        rsv |= ENC_RSV_VLAN;
    size_t hdr = vlan ? 18 : 14;
    if (type > 1500) {
        rsv |= ENC_RSV_LEN_OUT_OF_RANGE;
    } else if ((s->regs[2][ENC_MACON3] & ENC_MACON3_FRMLNEN) && len >= hdr) {
        size_t data = len - hdr;
        bool padded = len == ENC_MIN_FRAME && type < data;
        if (type != data && !padded)
            rsv |= ENC_RSV_LEN_CHECK_ERROR;
    }
    if (type == 0x8808) {
        rsv |= ENC_RSV_CONTROL;
        uint16_t op = len >= hdr + 2 ? rd_be16(f + hdr) : 0;
        rsv |= op == 0x0001 ? ENC_RSV_PAUSE : ENC_RSV_UNKNOWN_OPCODE;
    }
    return rsv;
}

/* Queue a frame whose last bit arrives now; it lands in the ring after
 * the landing time. */
static void rx_enqueue(enc28j60_t *s, const uint8_t *frame, size_t len, bool fcs_ok)
{
    if (s->rxq_count == ENC_RXQ) {
        log_once(LOG_WARN, "enc28j60", s->log_key + 0x910,
                 "%s: frames arrive faster than 10 Mbit/s; the receiver drops them", s->name);
        rx_lost(s, ENC_RXR_FIFO_FULL, len);
        return;
    }
    size_t stored = len < ENC_MIN_FRAME ? ENC_MIN_FRAME : len;
    sim_time_t wire = enc_cycles(s, (uint64_t)(ENC_PREAMBLE_BYTES + stored + 4) * ENC_BYTE_CYCLES);
    sim_time_t now = s->sched->now;
    sim_time_t end = now;
    if (s->rxq_count && s->rx_wire_free + wire > end)
        end = s->rx_wire_free + wire;
    s->rx_wire_free = end;
    enc_rx_slot_t *slot = &s->rxq[(s->rxq_head + s->rxq_count) % ENC_RXQ];
    slot->start = end > wire ? end - wire : 0;
    slot->end = end;
    slot->len = (uint16_t)stored;
    slot->fcs_ok = fcs_ok;
    memcpy(slot->data, frame, len);
    memset(slot->data + len, 0, stored - len);
    if (s->rxq_count++ == 0)
        sched_at(s->sched, &s->rx_ev, end + enc_cycles(s, ENC_RX_LAND_CYCLES));
    enc_led_activity(s, ENC_ACT_RX, wire);
}

/* A frame from the wire (the link calls this when its last bit arrives). */
void enc_rx_frame(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    enc28j60_t *s = owner;
    if (!s->powered)
        return;
    if (len > NET_FRAME_MAX)
        len = NET_FRAME_MAX;
    if (s->in_reset || !s->osc_ready || (s->econ2 & ENC_ECON2_PWRSV)) {
        rx_lost(s, ENC_RXR_NOT_READY, len);
        return;
    }
    if (!enc_phy_receiving(s) || !enc_phy_link(s)) {
        rx_lost(s, ENC_RXR_NO_LINK, len);
        return;
    }
    if (s->tpin_reversed && enc_erratum_draw(s, ENC_ERR_TPIN_POLARITY)) {
        enc_erratum_hit(s, ENC_ERR_TPIN_POLARITY, (uint16_t)len);
        rx_lost(s, ENC_RXR_POLARITY, len);
        return;
    }
    if (!(s->econ1 & ENC_ECON1_RXEN) || !(s->regs[2][ENC_MACON1] & ENC_MACON1_MARXEN) ||
        (s->econ1 & ENC_ECON1_RXRST)) {
        rx_lost(s, ENC_RXR_DISABLED, len);
        return;
    }
    if (!enc_phy_full_duplex(s)) {
        /* a half-duplex PHY cannot receive while it transmits: what our
         * (full-duplex) link partner sent meanwhile collided */
        sim_time_t wire = enc_cycles(s, (uint64_t)(ENC_PREAMBLE_BYTES + len + 4) * ENC_BYTE_CYCLES);
        sim_time_t start = s->sched->now > wire ? s->sched->now - wire : 0;
        if (s->tx_wire_end > start && s->tx_wire_start < s->sched->now) {
            log_once(LOG_WARN, "enc28j60", s->log_key + 0x911,
                     "%s: half-duplex PHY received while transmitting: the frames collided "
                     "(duplex mismatch with the link partner?)", s->name);
            fcs_ok = false;
            enc_led_activity(s, ENC_ACT_COL, wire);
        }
    }
    rx_enqueue(s, frame, len, fcs_ok);
}

void enc_rx_reset(enc28j60_t *s)
{
    sched_cancel(s->sched, &s->rx_ev);
    s->rxq_count = 0;
    enc_set_pktcnt(s, 0);
}

/* Write 'n' bytes into the ring from 'p' (ring wrap); returns the address after. */
static uint16_t ring_put(enc28j60_t *s, uint16_t p, const uint8_t *data, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        s->mem[p] = data[k];
        p = enc_ring_next(s, p);
    }
    return p;
}

static void rx_commit(enc28j60_t *s, enc_rx_slot_t *slot)
{
    const uint8_t *f = slot->data;
    size_t len = slot->len;
    size_t count = len + 4;
    uint16_t mamxfl = enc_rd16(s, 2, ENC_MAMXFLL);
    if (!(s->regs[2][ENC_MACON3] & ENC_MACON3_HFRMEN) && count > mamxfl) {
        rx_lost(s, ENC_RXR_TOO_LONG, len);
        return;
    }
    enum enc_rx_reason why = filter(s, f, len, slot->fcs_ok);
    bool vlan;
    if (why == ENC_RXR_NONE && frame_type(f, len, &vlan) == 0x8808 &&
        !(s->regs[2][ENC_MACON1] & ENC_MACON1_PASSALL))
        why = ENC_RXR_CONTROL; /* control frames stay in the MAC unless PASSALL */
    if (why != ENC_RXR_NONE) {
        s->stats.rx_filtered++;
        enc_log_event(s, ENC_EV_RX_FILTERED, (uint8_t)why, (uint16_t)len, 0);
        probe_hit(&s->pr_rx_filtered);
        return;
    }
    sim_time_t now = s->sched->now;
    if (s->dma_csum_to > slot->start && s->dma_csum_from < now &&
        enc_erratum_draw(s, ENC_ERR_DMA_CSUM_RX)) {
        enc_erratum_hit(s, ENC_ERR_DMA_CSUM_RX, (uint16_t)len);
        rx_lost(s, ENC_RXR_DMA_ABORT, len);
        return;
    }
    size_t need = 6 + count;
    need += need & 1u; /* the next packet starts on an even address */
    uint16_t rd = enc_rd16(s, 0, ENC_ERXRDPTL) & 0x1FFF;
    unsigned free_bytes = ring_free(s, rd);
    enum enc_rx_reason full = ENC_RXR_NONE;
    bool clobber = false;
    if (s->regs[1][ENC_EPKTCNT] == 255)
        full = ENC_RXR_COUNT_FULL;
    else if (need > free_bytes) {
        /* erratum 14: with an even ERXRDPT the protection is a word short */
        if (!(rd & 1u) && need <= free_bytes + 2u && in_ring(s, rd) &&
            enc_erratum_draw(s, ENC_ERR_RXRDPT_EVEN))
            clobber = true;
        else
            full = ENC_RXR_RING_FULL;
    }
    if (full != ENC_RXR_NONE) {
        s->eir |= ENC_INT_RXER;
        s->stats.rx_overflows++;
        s->stats.rx_dropped++;
        s->rx_drop_seen = true;
        enc_log_event(s, ENC_EV_RX_OVERFLOW, (uint8_t)full, (uint16_t)len, s->erxwrpt);
        probe_hit(&s->pr_rx_overflow);
        probe_hit(&s->pr_rx_dropped);
        enc_update_irq(s);
        return;
    }
    if (!in_ring(s, s->erxwrpt))
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x912,
                 "%s: the hardware write pointer 0x%04x is outside the ring 0x%04x-0x%04x: "
                 "packets land outside it", s->name, s->erxwrpt, enc_erxst(s), enc_erxnd(s));
    uint16_t start = s->erxwrpt, next = start;
    for (size_t k = 0; k < need; k++)
        next = enc_ring_next(s, next);
    uint32_t rsv = rx_status(s, f, len, slot->fcs_ok);
    if (s->rx_drop_seen)
        rsv |= ENC_RSV_LONG_DROP;
    s->rx_drop_seen = false;
    uint8_t hdr[6];
    wr_le16(hdr, next);
    wr_le32(hdr + 2, rsv);
    uint8_t fcs[4];
    uint32_t crc = net_crc32(f, len);
    wr_le32(fcs, slot->fcs_ok ? crc : crc ^ 0x00000080u);
    uint16_t p = ring_put(s, start, hdr, sizeof hdr);
    p = ring_put(s, p, f, len);
    ring_put(s, p, fcs, sizeof fcs);
    if (clobber)
        enc_erratum_hit(s, ENC_ERR_RXRDPT_EVEN, rd);
    s->erxwrpt = next;
    s->stats.rx_frames++;
    s->stats.rx_bytes += len;
    enc_log_event(s, ENC_EV_RX_OK, 0, (uint16_t)len, start);
    probe_hit(&s->pr_rx_frame);
    enc_set_pktcnt(s, s->regs[1][ENC_EPKTCNT] + 1u);
}

void enc_rx_commit_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!s->rxq_count)
        return;
    enc_rx_slot_t *slot = &s->rxq[s->rxq_head];
    rx_commit(s, slot);
    s->rxq_head = (s->rxq_head + 1) % ENC_RXQ;
    s->rxq_count--;
    if (s->rxq_count)
        sched_at(s->sched, &s->rx_ev, s->rxq[s->rxq_head].end + enc_cycles(s, ENC_RX_LAND_CYCLES));
    enc_update_irq(s);
}

/* ------------------------------------------------------------------------ */
/* transmit */

static bool mac_full_duplex(const enc28j60_t *s)
{
    return s->regs[2][ENC_MACON3] & ENC_MACON3_FULDPX;
}

static sim_time_t ipg_time(const enc28j60_t *s)
{
    unsigned nibbles = (s->regs[2][ENC_MABBIPG] & 0x7F) + (mac_full_duplex(s) ? 3u : 6u);
    return enc_cycles(s, nibbles * (ENC_BYTE_CYCLES / 2));
}

static void write_tsv(enc28j60_t *s)
{
    uint64_t tsv = s->tsv | ((uint64_t)(s->tx_attempt & 0xF) << ENC_TSV_COLL_SHIFT) |
                   ((uint64_t)(s->tx_wire_total & 0xFFFF) << ENC_TSV_WIRE_SHIFT);
    for (unsigned k = 0; k < 7; k++)
        s->mem[(s->tx_end + 1 + k) & 0x1FFF] = (uint8_t)(tsv >> (8 * k));
}

static void tx_finish(enc28j60_t *s, bool ok, enum enc_tx_abort_reason why)
{
    sched_cancel(s->sched, &s->tx_ev);
    s->tx_busy = false;
    s->tx_wire_end = s->sched->now < s->tx_wire_end ? s->sched->now : s->tx_wire_end;
    s->last_tx_end = s->sched->now;
    if (ok)
        s->tsv |= ENC_TSV_DONE;
    write_tsv(s);
    s->econ1 &= (uint8_t)~ENC_ECON1_TXRTS;
    s->eir |= ENC_INT_TX;
    if (ok) {
        s->stats.tx_frames++;
        s->stats.tx_bytes += s->tx_len;
        enc_log_event(s, ENC_EV_TX_DONE, 0, s->tx_len, s->tx_start);
        probe_hit(&s->pr_tx_done);
    } else {
        s->eir |= ENC_INT_TXER;
        s->estat |= ENC_ESTAT_TXABRT;
        s->tx_error_since_reset = true;
        s->stats.tx_aborts++;
        enc_log_event(s, ENC_EV_TX_ABORT, (uint8_t)why, s->tx_len, s->tx_start);
        probe_hit(&s->pr_tx_abort);
        if ((why == ENC_TXA_LATE_COLL || why == ENC_TXA_EXCESS_COLL) &&
            enc_erratum_draw(s, ENC_ERR_TX_ABORT_STALL))
            s->tx_stalled = true; /* shows on the next TXRTS */
    }
    enc_update_irq(s);
    if (s->dma_waits_tx)
        enc_dma_start(s);
}

/* Build the frame to send from the buffer: control byte at ETXST, frame
 * bytes ETXST+1..ETXND, padding and CRC per the control byte or MACON3. */
static void tx_prepare(enc28j60_t *s)
{
    s->tx_start = enc_rd16(s, 0, ENC_ETXSTL) & 0x1FFF;
    s->tx_end = enc_rd16(s, 0, ENC_ETXNDL) & 0x1FFF;
    if (s->tx_end < s->tx_start)
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x920,
                 "%s: ETXND 0x%04x below ETXST 0x%04x: the frame wraps through 0x1FFF", s->name,
                 s->tx_end, s->tx_start);
    size_t len = (size_t)((s->tx_end - s->tx_start) & 0x1FFF);
    uint8_t ctrl = s->mem[s->tx_start];
    uint8_t mac3 = s->regs[2][ENC_MACON3];
    unsigned padcfg;
    bool crc, huge;
    if (ctrl & ENC_PPC_POVERRIDE) {
        huge = ctrl & ENC_PPC_PHUGEEN;
        crc = ctrl & ENC_PPC_PCRCEN;
        padcfg = (ctrl & ENC_PPC_PPADEN) ? 1u : 0u;
        if (padcfg)
            crc = true;
    } else {
        huge = mac3 & ENC_MACON3_HFRMEN;
        padcfg = mac3 >> ENC_MACON3_PADCFG_SHIFT;
        crc = mac3 & ENC_MACON3_TXCRCEN;
        if ((padcfg & 1u) && !crc) {
            log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x921,
                     "%s: MACON3 pads frames but TXCRCEN is clear (the datasheet requires it; a CRC "
                     "is appended)", s->name);
            crc = true;
        }
    }
    size_t room = sizeof s->tx_frame - 4;
    if (len > room) {
        log_once(LOG_UNIMP, "enc28j60", s->log_key + 0x924,
                 "%s: a %zu-byte frame is longer than the links carry; sent cut to %zu bytes",
                 s->name, len, room);
        len = room;
    }
    for (size_t k = 0; k < len; k++)
        s->tx_frame[k] = s->mem[(s->tx_start + 1 + k) & 0x1FFF];
    bool vlan;
    uint16_t type = frame_type(s->tx_frame, len, &vlan);
    size_t min = 0;
    if (padcfg & 1u)
        min = (padcfg == 3 || padcfg == 7 || (padcfg == 5 && vlan)) ? 64 : 60;
    while (len < min)
        s->tx_frame[len++] = 0;
    size_t on_wire = len + (crc ? 4 : 0);
    s->tsv = (uint64_t)(on_wire & 0xFFFF);
    if (len >= 6 && !memcmp(s->tx_frame, bcast_addr, 6))
        s->tsv |= ENC_TSV_BROADCAST;
    else if (len >= 1 && (s->tx_frame[0] & 1u))
        s->tsv |= ENC_TSV_MULTICAST;
    if (vlan)
        s->tsv |= ENC_TSV_VLAN;
    if (type > 1500)
        s->tsv |= ENC_TSV_LEN_OUT_OF_RANGE;
    else if ((mac3 & ENC_MACON3_FRMLNEN) && len >= 14 && type != len - 14 && !(min && type < len - 14))
        s->tsv |= ENC_TSV_LEN_CHECK_ERROR;
    if (type == 0x8808) {
        s->tsv |= ENC_TSV_CONTROL;
        if (len >= 16 && rd_be16(s->tx_frame + 14) == 0x0001)
            s->tsv |= ENC_TSV_PAUSE;
    }
    s->tx_payload = (uint16_t)len;
    if (!crc) {
        /* the host supplied the FCS: the MAC checks it and sends it as is */
        if (len >= 4) {
            s->tx_payload = (uint16_t)(len - 4);
            if (net_crc32(s->tx_frame, len - 4) != rd_le32(s->tx_frame + len - 4)) {
                s->tsv |= ENC_TSV_CRC_ERROR;
                log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x922,
                         "%s: frame sent with TXCRCEN off and a wrong FCS (TSV reports it; the "
                         "link carries it as good)", s->name);
            }
        }
    } else {
        wr_le32(s->tx_frame + len, net_crc32(s->tx_frame, len));
    }
    s->tx_len = (uint16_t)on_wire;
    uint16_t mamxfl = enc_rd16(s, 2, ENC_MAMXFLL);
    s->tx_giant = !huge && on_wire > mamxfl;
    if (s->tx_giant) {
        /* the MAC sends MAMXFL bytes, then aborts */
        s->tsv |= ENC_TSV_GIANT;
        s->tx_len = mamxfl;
    }
}

/* The first link pulse of the partner at or after 't'. */
static sim_time_t next_link_pulse(const enc28j60_t *s, sim_time_t t)
{
    sim_time_t period = enc_cycles(s, ENC_LINK_PULSE_NS / 40u);
    sim_time_t phase = s->link_pulse_phase % period;
    if (t <= phase)
        return phase;
    sim_time_t k = (t - phase + period - 1) / period;
    return phase + k * period;
}

static void tx_schedule_attempt(enc28j60_t *s, sim_time_t at)
{
    s->tx_coll_at = -2;
    sched_at(s->sched, &s->tx_ev, at);
}

/* A frame we send returns to our own receiver (PHY loopback). */
static void tx_loop_back(enc28j60_t *s, enum enc_erratum e)
{
    bool ok = true;
    if (enc_erratum_draw(s, e)) {
        enc_erratum_hit(s, e, s->tx_start);
        ok = false;
    }
    if (!(s->econ1 & ENC_ECON1_RXEN) || !(s->regs[2][ENC_MACON1] & ENC_MACON1_MARXEN) ||
        (s->econ1 & ENC_ECON1_RXRST)) {
        rx_lost(s, ENC_RXR_DISABLED, s->tx_payload);
        return;
    }
    rx_enqueue(s, s->tx_frame, s->tx_payload, ok);
}

static void tx_attempt_start(enc28j60_t *s)
{
    sim_time_t now = s->sched->now;
    unsigned bytes = ENC_PREAMBLE_BYTES + s->tx_len;
    sim_time_t byte_ns = enc_cycles(s, ENC_BYTE_CYCLES);
    sim_time_t dur = enc_cycles(s, (uint64_t)bytes * ENC_BYTE_CYCLES);
    int coll = -1;
    s->tx_coll_link_pulse = false;
    if (!mac_full_duplex(s)) {
        if (s->collision_chance > 0 && rng_chance(&s->rng, s->collision_chance))
            coll = (int)rng_below(&s->rng, bytes);
        if (s->erratum_on[ENC_ERR_LINK_PULSE_COLL] && s->cable_up) {
            sim_time_t pulse = next_link_pulse(s, now);
            if (pulse < now + dur && enc_erratum_draw(s, ENC_ERR_LINK_PULSE_COLL)) {
                int at = (int)((pulse - now) / byte_ns);
                if (coll < 0 || at < coll) {
                    coll = at;
                    s->tx_coll_link_pulse = true;
                }
            }
        }
    }
    s->tx_wire_start = now;
    if (coll >= 0) {
        s->tx_coll_at = coll;
        s->tx_wire_end = now + enc_cycles(s, (uint64_t)(coll + ENC_JAM_BYTES) * ENC_BYTE_CYCLES);
        sched_at(s->sched, &s->tx_ev, s->tx_wire_end);
        enc_led_activity(s, ENC_ACT_TX | ENC_ACT_COL, s->tx_wire_end - now);
        return;
    }
    s->tx_coll_at = -1;
    s->tx_wire_end = now + dur;
    sched_at(s->sched, &s->tx_ev, s->tx_wire_end);
    enc_led_activity(s, ENC_ACT_TX, dur);
    uint16_t phcon1 = s->phy[ENC_PHCON1], phcon2 = s->phy[ENC_PHCON2];
    bool loop = phcon1 & ENC_PHCON1_PLOOPBK;
    bool to_wire = !loop && !(phcon2 & ENC_PHCON2_TXDIS) && enc_phy_receiving(s);
    /* a giant is cut short: the partner sees a fragment with a bad CRC and
     * drops it, so nothing reaches the link */
    if (to_wire && !s->tx_giant)
        net_port_send(&s->port, s->tx_frame, s->tx_payload);
}

static void tx_attempt_end(enc28j60_t *s)
{
    uint16_t phcon1 = s->phy[ENC_PHCON1], phcon2 = s->phy[ENC_PHCON2];
    if (s->tx_coll_at < 0) {
        s->tx_wire_total += ENC_PREAMBLE_BYTES + s->tx_len;
        if (s->tx_giant) {
            tx_finish(s, false, ENC_TXA_GIANT);
            return;
        }
        if (phcon1 & ENC_PHCON1_PLOOPBK)
            tx_loop_back(s, ENC_ERR_FD_LOOPBACK);
        else if (!(phcon1 & ENC_PHCON1_PDPXMD) && !(phcon2 & ENC_PHCON2_HDLDIS))
            tx_loop_back(s, ENC_ERR_HD_LOOPBACK);
        tx_finish(s, true, ENC_TXA_COUNT);
        return;
    }
    /* a collision: the attempt ended with the jam */
    unsigned at = (unsigned)s->tx_coll_at;
    s->tx_wire_total += at + ENC_JAM_BYTES;
    s->tx_attempt++;
    s->stats.tx_collisions++;
    enc_log_event(s, ENC_EV_TX_COLLISION, (uint8_t)s->tx_attempt, s->tx_len, (uint16_t)at);
    probe_hit(&s->pr_tx_collision);
    if (s->tx_coll_link_pulse)
        enc_erratum_hit(s, ENC_ERR_LINK_PULSE_COLL, (uint16_t)at);
    unsigned colwin = s->regs[2][ENC_MACLCON2] & 0x3F;
    if (at > colwin + ENC_PREAMBLE_BYTES) {
        s->tsv |= ENC_TSV_LATE_COLL;
        if (enc_erratum_draw(s, ENC_ERR_LATECOL))
            enc_erratum_hit(s, ENC_ERR_LATECOL, (uint16_t)at);
        else
            s->estat |= ENC_ESTAT_LATECOL;
        tx_finish(s, false, ENC_TXA_LATE_COLL);
        return;
    }
    if (s->tx_attempt > (s->regs[2][ENC_MACLCON1] & 0x0Fu)) {
        s->tsv |= ENC_TSV_EXCESS_COLL;
        tx_finish(s, false, ENC_TXA_EXCESS_COLL);
        return;
    }
    uint64_t slots = 0;
    if (!(s->regs[2][ENC_MACON4] & ENC_MACON4_NOBKOFF)) {
        unsigned k = s->tx_attempt < 10 ? s->tx_attempt : 10;
        slots = rng_below(&s->rng, 1ull << k);
    }
    tx_schedule_attempt(s, s->sched->now + ipg_time(s) +
                           enc_cycles(s, slots * ENC_SLOT_BYTES * ENC_BYTE_CYCLES));
}

void enc_tx_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!s->tx_busy)
        return;
    if (s->tx_coll_at == -2)
        tx_attempt_start(s);
    else
        tx_attempt_end(s);
}

/* TXRTS went from 0 to 1. */
void enc_tx_request(enc28j60_t *s)
{
    if (s->tx_busy)
        return;
    if (!enc_mac_ready(s)) {
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x923,
                 "%s: TXRTS set before the chip is ready (it starts when the clock runs)", s->name);
        return;
    }
    if (s->tx_stalled) {
        /* erratum 12: the transmit logic hangs until TXRST is pulsed */
        enc_log_event(s, ENC_EV_TX_STALLED, 0, 0, s->tx_start);
        enc_erratum_hit(s, ENC_ERR_TX_ABORT_STALL, s->tx_start);
        return;
    }
    probe_hit(&s->pr_tx_start);
    s->tx_busy = true;
    s->tx_attempt = 0;
    s->tx_wire_total = 0;
    s->estat &= (uint8_t)~(ENC_ESTAT_TXABRT | ENC_ESTAT_LATECOL);
    tx_prepare(s);
    sim_time_t at = s->sched->now + enc_cycles(s, ENC_TX_START_CYCLES);
    sim_time_t gap = s->last_tx_end + ipg_time(s);
    if (s->last_tx_end && gap > at)
        at = gap;
    tx_schedule_attempt(s, at);
}

/* The host cleared TXRTS. */
void enc_tx_cancel(enc28j60_t *s)
{
    if (!s->tx_busy)
        return;
    log_msg(LOG_TRACE, "enc28j60", "%s: transmission cancelled by clearing TXRTS", s->name);
    tx_finish(s, false, ENC_TXA_CANCELLED);
}

/* ECON1.TXRST set (the transmitter is held in reset) or cleared. */
void enc_tx_reset_changed(enc28j60_t *s, bool asserted)
{
    if (asserted) {
        if (s->tx_busy) {
            sched_cancel(s->sched, &s->tx_ev);
            s->tx_busy = false;
            s->tx_wire_end = s->sched->now < s->tx_wire_end ? s->sched->now : s->tx_wire_end;
            enc_log_event(s, ENC_EV_TX_ABORT, ENC_TXA_RESET, s->tx_len, s->tx_start);
        }
        s->econ1 &= (uint8_t)~ENC_ECON1_TXRTS;
        return;
    }
    s->tx_stalled = false;
    if (s->tx_error_since_reset && enc_erratum_draw(s, ENC_ERR_TX_ABORT_STALL)) {
        /* "clearing TXRST may cause a new transmit error interrupt event" */
        s->eir |= ENC_INT_TXER;
        enc_erratum_hit(s, ENC_ERR_TX_ABORT_STALL, s->tx_start);
    }
    s->tx_error_since_reset = false;
    enc_update_irq(s);
    if (s->dma_waits_tx)
        enc_dma_start(s);
}

/* ------------------------------------------------------------------------ */
/* DMA */

static unsigned dma_length(const enc28j60_t *s)
{
    uint16_t src = enc_rd16(s, 0, ENC_EDMASTL) & 0x1FFF, end = enc_rd16(s, 0, ENC_EDMANDL) & 0x1FFF;
    unsigned n = 1;
    for (uint16_t p = src; p != end && n < ENC_MEM_SIZE; p = enc_ring_next(s, p))
        n++;
    return n;
}

void enc_dma_start(enc28j60_t *s)
{
    if (s->dma_busy)
        return;
    bool csum = s->econ1 & ENC_ECON1_CSUMEN;
    if (!csum && s->tx_busy) {
        /* a copy waits for the transmission to end */
        s->dma_waits_tx = true;
        return;
    }
    s->dma_waits_tx = false;
    if (!s->osc_ready)
        return; /* starts when the clock runs (ready event) */
    unsigned n = dma_length(s);
    if (n == ENC_MEM_SIZE && (enc_rd16(s, 0, ENC_EDMANDL) & 0x1FFF) !=
                                 ((enc_rd16(s, 0, ENC_EDMASTL) - 1u) & 0x1FFF))
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x930,
                 "%s: DMA end 0x%04x is never reached from its start 0x%04x: the whole buffer "
                 "is used", s->name, enc_rd16(s, 0, ENC_EDMANDL) & 0x1FFF,
                 enc_rd16(s, 0, ENC_EDMASTL) & 0x1FFF);
    s->dma_busy = true;
    sim_time_t t = enc_cycles(s, (uint64_t)n * (csum ? 1u : 2u));
    if (csum) {
        s->dma_csum_from = s->sched->now;
        s->dma_csum_to = s->sched->now + t;
    }
    sched_after(s->sched, &s->dma_ev, t);
}

void enc_dma_cancel(enc28j60_t *s)
{
    sched_cancel(s->sched, &s->dma_ev);
    if (s->dma_busy && (s->econ1 & ENC_ECON1_CSUMEN) && s->dma_csum_to > s->sched->now)
        s->dma_csum_to = s->sched->now;
    s->dma_busy = s->dma_waits_tx = false;
    s->eir |= ENC_INT_DMA;
    enc_update_irq(s);
}

void enc_dma_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!s->dma_busy)
        return;
    s->dma_busy = false;
    uint16_t src = enc_rd16(s, 0, ENC_EDMASTL) & 0x1FFF;
    unsigned n = dma_length(s);
    bool csum = s->econ1 & ENC_ECON1_CSUMEN;
    uint16_t p = src;
    if (csum) {
        /* RFC 1071: big-endian words, an odd last byte padded with 0 */
        uint32_t sum = 0;
        for (unsigned k = 0; k < n; k++, p = enc_ring_next(s, p))
            sum += (k & 1u) ? s->mem[p] : (uint32_t)s->mem[p] << 8;
        while (sum >> 16)
            sum = (sum & 0xFFFF) + (sum >> 16);
        uint16_t cs = (uint16_t)~sum;
        s->regs[0][ENC_EDMACSL] = (uint8_t)cs;
        s->regs[0][ENC_EDMACSL + 1] = (uint8_t)(cs >> 8);
    } else {
        uint16_t dst = enc_rd16(s, 0, ENC_EDMADSTL) & 0x1FFF;
        for (unsigned k = 0; k < n; k++, p = enc_ring_next(s, p)) {
            s->mem[dst] = s->mem[p];
            dst = (uint16_t)((dst + 1) & 0x1FFF);
        }
    }
    s->econ1 &= (uint8_t)~ENC_ECON1_DMAST;
    s->eir |= ENC_INT_DMA;
    s->stats.dma_ops++;
    enc_log_event(s, ENC_EV_DMA_DONE, csum, (uint16_t)n, src);
    enc_update_irq(s);
}

/* ------------------------------------------------------------------------ */
/* built-in self test */

void enc_bist_start(enc28j60_t *s)
{
    uint8_t con = s->regs[3][ENC_EBSTCON];
    if (!(con & ENC_EBSTCON_TME)) {
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x940,
                 "%s: EBSTCON.BISTST set without TME: the self test does not start", s->name);
        s->regs[3][ENC_EBSTCON] &= (uint8_t)~ENC_EBSTCON_BISTST;
        return;
    }
    if (((con >> ENC_EBSTCON_TMSEL_SHIFT) & 3u) == 3u) {
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x941,
                 "%s: EBSTCON.TMSEL 11 is reserved: the self test does not start", s->name);
        s->regs[3][ENC_EBSTCON] &= (uint8_t)~ENC_EBSTCON_BISTST;
        return;
    }
    s->bist_busy = true;
    sched_after(s->sched, &s->bist_ev, enc_cycles(s, ENC_BIST_BYTES));
}

void enc_bist_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!s->bist_busy)
        return;
    s->bist_busy = false;
    uint8_t con = s->regs[3][ENC_EBSTCON];
    unsigned tmsel = (con >> ENC_EBSTCON_TMSEL_SHIFT) & 3u;
    uint8_t seed = s->regs[3][ENC_EBSTSD];
    unsigned shift = (con >> ENC_EBSTCON_PSV_SHIFT) & 7u;
    for (unsigned a = 0; a < ENC_MEM_SIZE; a++) {
        switch (tmsel) {
        case 1: /* address fill */
            s->mem[a] = (uint8_t)a;
            break;
        case 0: /* random fill: an 8-bit Galois LFSR (0 stays 0, as the datasheet warns) */
            s->mem[a] = seed;
            seed = (uint8_t)((seed >> 1) ^ ((seed & 1u) ? 0xB8u : 0u));
            break;
        default: /* pattern shift fill: the seed rotated by PSV each byte */
            s->mem[a] = seed;
            seed = (uint8_t)((seed << shift) | (seed >> ((8u - shift) & 7u)));
            break;
        }
    }
    if (tmsel == 0)
        s->regs[3][ENC_EBSTSD] = seed;
    uint16_t cs = enc_inet_checksum(s->mem, ENC_MEM_SIZE);
    s->regs[3][ENC_EBSTCSL] = (uint8_t)cs;
    s->regs[3][ENC_EBSTCSH] = (uint8_t)(cs >> 8);
    s->regs[3][ENC_EBSTCON] &= (uint8_t)~ENC_EBSTCON_BISTST;
    enc_log_event(s, ENC_EV_BIST_DONE, (uint8_t)tmsel, 0, cs);
}
