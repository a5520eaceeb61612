/*
 * Shared test bench for the ENC28J60 suites: a machine with one or two
 * chips, a 10 Mbit/s cable (models/net/link.h) to the other chip or to a
 * host port the test controls, and driver-style helpers that reach the chip
 * only through its SPI interface, byte by byte, with chip select framing
 * each command - what a driver on an MCU does. Register names carry their
 * bank in bits 6:5 and a MAC/MII flag in bit 7, the encoding Linux uses.
 *
 * Virtual time passes only in run_us()/run_ns(); SPI traffic itself takes
 * no time here (the firmware tests cover SPI timing on a real controller).
 */
#ifndef TEST_ENC28J60_HARNESS_H
#define TEST_ENC28J60_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/machine.h"
#include "sim/log.h"
#include "models/enc28j60/enc28j60.h"
#include "models/net/link.h"
#include "sim/types.h"

/* register encoding: address | bank << 5 | 0x80 for MAC/MII */
#define B0(a) (a)
#define B1(a) ((a) | 0x20)
#define B2(a) ((a) | 0x40 | 0x80)
#define B3(a) ((a) | 0x60)
#define B3M(a) ((a) | 0x60 | 0x80)
#define COMMON(a) (a)

/* common */
#define EIE 0x1B
#define EIR 0x1C
#define ESTAT 0x1D
#define ECON2 0x1E
#define ECON1 0x1F
/* bank 0 */
#define ERDPTL B0(0x00)
#define EWRPTL B0(0x02)
#define ETXSTL B0(0x04)
#define ETXNDL B0(0x06)
#define ERXSTL B0(0x08)
#define ERXNDL B0(0x0A)
#define ERXRDPTL B0(0x0C)
#define ERXWRPTL B0(0x0E)
#define EDMASTL B0(0x10)
#define EDMANDL B0(0x12)
#define EDMADSTL B0(0x14)
#define EDMACSL B0(0x16)
/* bank 1 */
#define EHT0 B1(0x00)
#define EPMM0 B1(0x08)
#define EPMCSL B1(0x10)
#define EPMOL B1(0x14)
#define ERXFCON B1(0x18)
#define EPKTCNT B1(0x19)
/* bank 2 */
#define MACON1 B2(0x00)
#define MACON3 B2(0x02)
#define MACON4 B2(0x03)
#define MABBIPG B2(0x04)
#define MAIPGL B2(0x06)
#define MAIPGH B2(0x07)
#define MACLCON1 B2(0x08)
#define MACLCON2 B2(0x09)
#define MAMXFLL B2(0x0A)
#define MICMD B2(0x12)
#define MIREGADR B2(0x14)
#define MIWRL B2(0x16)
#define MIWRH B2(0x17)
#define MIRDL B2(0x18)
#define MIRDH B2(0x19)
/* bank 3 */
#define MAADR5 B3M(0x00)
#define MAADR6 B3M(0x01)
#define MAADR3 B3M(0x02)
#define MAADR4 B3M(0x03)
#define MAADR1 B3M(0x04)
#define MAADR2 B3M(0x05)
#define EBSTSD B3(0x06)
#define EBSTCON B3(0x07)
#define EBSTCSL B3(0x08)
#define MISTAT B3M(0x0A)
#define EREVID B3(0x12)
#define ECOCON B3(0x15)
#define EFLOCON B3(0x17)
#define EPAUSL B3(0x18)
/* bits */
#define INTIE 0x80
#define PKTIE 0x40
#define LINKIE 0x10
#define TXIE 0x08
#define TXERIE 0x02
#define RXERIE 0x01
#define PKTIF 0x40
#define DMAIF 0x20
#define LINKIF 0x10
#define TXIF 0x08
#define TXERIF 0x02
#define RXERIF 0x01
#define CLKRDY 0x01
#define TXABRT 0x02
#define RXBUSY 0x04
#define LATECOL 0x10
#define AUTOINC 0x80
#define PKTDEC 0x40
#define PWRSV 0x20
#define VRPS 0x08
#define TXRST 0x80
#define RXRST 0x40
#define DMAST 0x20
#define CSUMEN 0x10
#define TXRTS 0x08
#define RXEN 0x04
/* PHY */
#define PHCON1 0x00
#define PHSTAT1 0x01
#define PHID1 0x02
#define PHID2 0x03
#define PHCON2 0x10
#define PHSTAT2 0x11
#define PHIE 0x12
#define PHIR 0x13
#define PHLCON 0x14

static SIM_UNUSED machine_t *m;
static SIM_UNUSED enc28j60_t *a, *b;
static SIM_UNUSED net_link_t cable;
static SIM_UNUSED net_port_t host;

#define HOST_MAX 64
static SIM_UNUSED struct { uint8_t data[NET_FRAME_MAX]; size_t len; sim_time_t t; } host_rx[HOST_MAX];
static SIM_UNUSED unsigned host_count;
static SIM_UNUSED bool host_echo;   /* send every received frame straight back (external loopback) */

static inline void host_receive(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    (void)owner;
    (void)fcs_ok;
    if (host_count < HOST_MAX) {
        memcpy(host_rx[host_count].data, frame, len);
        host_rx[host_count].len = len;
        host_rx[host_count].t = m->sched.now;
    }
    host_count++;
    if (host_echo)
        net_port_send(&host, frame, len);
}

static inline enc28j60_t *make_chip(const char *name, const char *json)
{
    cJSON *cfg = cJSON_Parse(json ? json : "{}");
    ck_assert_ptr_nonnull(cfg);
    enc28j60_t *e = enc28j60_class.create(m, name, cfg);
    cJSON_Delete(cfg);
    if (!e)
        ck_abort_msg("create %s: %s", name, m->error);
    return e;
}

static SIM_UNUSED unsigned cur_bank[2];
static SIM_UNUSED gpio_net_t int_net[2];
static SIM_UNUSED unsigned int_edges[2];  /* falling edges of each chip's INT pin */

static inline void int_listener(void *opaque, int n, bool level)
{
    (void)opaque;
    if (!level)
        int_edges[n]++;
}

static inline void wire_int(enc28j60_t *e, int n)
{
    gpio_net_init(&int_net[n], n ? "INT_B" : "INT_A", GPIO_PULL_UP);
    gpio_net_attach(&int_net[n], &e->int_pin);
    gpio_net_listen(&int_net[n], int_listener, NULL, n);
    int_edges[n] = 0;
}

static inline unsigned idx(const enc28j60_t *e) { return e == b; }

/* Build a bench: chip "a" with cfg_a; with two_chips, chip "b" (cfg_b) on
 * the other end of the cable, else the host port. Power comes on at t=0. */
static inline void bench(const char *cfg_a, bool two_chips, const char *cfg_b)
{
    log_set_quiet(true);
    m = machine_new(7);
    a = make_chip("a", cfg_a);
    b = two_chips ? make_chip("b", cfg_b) : NULL;
    net_port_init(&host, "host", host_receive, NULL, NULL);
    host_count = 0;
    host_echo = false;
    net_link_init(&cable, "cable", &m->sched, m->seed, &a->port, two_chips ? &b->port : &host);
    wire_int(a, 0);
    if (b)
        wire_int(b, 1);
    enc28j60_class.reset(a, RESET_POWER_ON);
    if (b)
        enc28j60_class.reset(b, RESET_POWER_ON);
    cur_bank[0] = cur_bank[1] = 0;
}

static inline void teardown(void)
{
    enc28j60_class.destroy(a);
    if (b)
        enc28j60_class.destroy(b);
    a = b = NULL;
    machine_free(m);
    log_once_reset();
}

static inline void run_ns(sim_time_t ns) { sched_run_until(&m->sched, m->sched.now + ns); }
static inline void run_us(double us) { run_ns((sim_time_t)(us * 1000.0 + 0.5)); }

/* One SPI command: CS low, the bytes, CS high. */
static inline void cmd(enc28j60_t *e, const uint8_t *out, uint8_t *in, size_t n)
{
    enc28j60_spi_ops.select(e, true);
    for (size_t k = 0; k < n; k++) {
        uint8_t r = (uint8_t)enc28j60_spi_ops.transfer(e, out ? out[k] : 0, 8);
        if (in)
            in[k] = r;
    }
    enc28j60_spi_ops.select(e, false);
}

static inline void op2(enc28j60_t *e, uint8_t opcode, uint8_t v)
{
    uint8_t o[2] = { opcode, v };
    cmd(e, o, NULL, 2);
}

static inline void bank_for(enc28j60_t *e, uint8_t reg)
{
    unsigned want = (reg >> 5) & 3u;
    if ((reg & 0x1F) >= 0x1B || cur_bank[idx(e)] == want)
        return;
    op2(e, 0xA0 | ECON1, 0x03); /* BFC ECON1 BSEL */
    if (want)
        op2(e, 0x80 | ECON1, (uint8_t)want);
    cur_bank[idx(e)] = want;
}

static inline uint8_t rcr(enc28j60_t *e, uint8_t reg)
{
    bank_for(e, reg);
    uint8_t o[3] = { (uint8_t)(reg & 0x1F), 0, 0 }, in[3];
    size_t n = (reg & 0x80) ? 3 : 2;
    cmd(e, o, in, n);
    return in[n - 1];
}

static inline void wcr(enc28j60_t *e, uint8_t reg, uint8_t v) { bank_for(e, reg); op2(e, 0x40 | (reg & 0x1F), v); }
static inline void bfs(enc28j60_t *e, uint8_t reg, uint8_t v) { bank_for(e, reg); op2(e, 0x80 | (reg & 0x1F), v); }
static inline void bfc(enc28j60_t *e, uint8_t reg, uint8_t v) { bank_for(e, reg); op2(e, 0xA0 | (reg & 0x1F), v); }

static inline void wr16(enc28j60_t *e, uint8_t reg, uint16_t v)
{
    wcr(e, reg, (uint8_t)v);
    wcr(e, (uint8_t)(reg + 1), (uint8_t)(v >> 8));
}

static inline uint16_t rd16(enc28j60_t *e, uint8_t reg)
{
    uint8_t lo = rcr(e, reg);
    return (uint16_t)(lo | rcr(e, (uint8_t)(reg + 1)) << 8);
}

static inline void src(enc28j60_t *e)
{
    uint8_t o[2] = { 0xFF, 0xFF }; /* Linux sends the opcode twice */
    cmd(e, o, NULL, 2);
    cur_bank[idx(e)] = 0;
}

static inline void wbm(enc28j60_t *e, const uint8_t *data, size_t n)
{
    enc28j60_spi_ops.select(e, true);
    enc28j60_spi_ops.transfer(e, 0x7A, 8);
    for (size_t k = 0; k < n; k++)
        enc28j60_spi_ops.transfer(e, data[k], 8);
    enc28j60_spi_ops.select(e, false);
}

static inline void rbm(enc28j60_t *e, uint8_t *data, size_t n)
{
    enc28j60_spi_ops.select(e, true);
    enc28j60_spi_ops.transfer(e, 0x3A, 8);
    for (size_t k = 0; k < n; k++)
        data[k] = (uint8_t)enc28j60_spi_ops.transfer(e, 0, 8);
    enc28j60_spi_ops.select(e, false);
}

/* MII: BUSY is polled the way Linux does, with virtual time passing. */
static inline void mii_wait(enc28j60_t *e)
{
    for (int k = 0; k < 1000 && (rcr(e, MISTAT) & 1); k++)
        run_us(1);
    ck_assert_uint_eq(rcr(e, MISTAT) & 1, 0);
}

static inline uint16_t phy_read(enc28j60_t *e, uint8_t reg)
{
    wcr(e, MIREGADR, reg);
    wcr(e, MICMD, 0x01);
    mii_wait(e);
    wcr(e, MICMD, 0x00);
    return rd16(e, MIRDL);
}

static inline void phy_write(enc28j60_t *e, uint8_t reg, uint16_t v)
{
    wcr(e, MIREGADR, reg);
    wr16(e, MIWRL, v);
    mii_wait(e);
}

static const uint8_t mac_a[6] SIM_UNUSED = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0A };
static const uint8_t mac_b[6] SIM_UNUSED = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0B };
static const uint8_t mac_h[6] SIM_UNUSED = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x48 };
static const uint8_t bcast[6] SIM_UNUSED = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

#define RX_END 0x19FF
#define TX_START 0x1A00

static SIM_UNUSED uint16_t next_pkt[2];

/* The datasheet's initialisation (DS39662E section 6): wait for CLKRDY,
 * receive buffer, transmit start, filters, MAC, MAC address, PHY, enable. */
static inline void init_chip(enc28j60_t *e, const uint8_t *mac, bool full_duplex)
{
    for (int k = 0; k < 1000 && !(rcr(e, ESTAT) & CLKRDY); k++)
        run_us(10);
    ck_assert_uint_eq(rcr(e, ESTAT) & CLKRDY, 1);
    wr16(e, ERXSTL, 0x0000);
    wr16(e, ERXNDL, RX_END);
    wr16(e, ERXRDPTL, RX_END);   /* odd (erratum 14) */
    wr16(e, ETXSTL, TX_START);
    next_pkt[idx(e)] = 0;
    wcr(e, ERXFCON, 0xA1);       /* UCEN CRCEN BCEN */
    wcr(e, MACON1, 0x0D);        /* MARXEN RXPAUS TXPAUS */
    wcr(e, MACON3, full_duplex ? 0x33 : 0x32); /* PADCFG0 TXCRCEN FRMLNEN (FULDPX) */
    wcr(e, MACON4, full_duplex ? 0x00 : 0x40);
    wr16(e, MAMXFLL, 1518);
    wcr(e, MABBIPG, full_duplex ? 0x15 : 0x12);
    wcr(e, MAIPGL, 0x12);
    if (!full_duplex)
        wcr(e, MAIPGH, 0x0C);
    wcr(e, MAADR1, mac[0]);
    wcr(e, MAADR2, mac[1]);
    wcr(e, MAADR3, mac[2]);
    wcr(e, MAADR4, mac[3]);
    wcr(e, MAADR5, mac[4]);
    wcr(e, MAADR6, mac[5]);
    phy_write(e, PHCON1, full_duplex ? 0x0100 : 0x0000);
    phy_write(e, PHCON2, full_duplex ? 0x0000 : 0x0100);
    bfs(e, EIE, INTIE | PKTIE);
    bfs(e, ECON1, RXEN);
}

/* Write a frame (destination, source, type, payload) after the control
 * byte at TX_START and request its transmission. */
static inline size_t make_frame(uint8_t *f, const uint8_t *dst, const uint8_t *srcmac, uint16_t type,
                         size_t payload, uint8_t seed)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, srcmac, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    for (size_t k = 0; k < payload; k++)
        f[14 + k] = (uint8_t)(seed + k);
    return 14 + payload;
}

static inline void tx_load(enc28j60_t *e, uint8_t control, const uint8_t *frame, size_t len)
{
    wr16(e, EWRPTL, TX_START);
    wbm(e, &control, 1);
    wbm(e, frame, len);
    wr16(e, ETXNDL, (uint16_t)(TX_START + len));
}

static inline void tx_send(enc28j60_t *e, const uint8_t *frame, size_t len)
{
    tx_load(e, 0x00, frame, len);
    bfs(e, ECON1, TXRTS);
}

static inline void tsv_read(enc28j60_t *e, size_t len, uint8_t tsv[7])
{
    wr16(e, ERDPTL, (uint16_t)(TX_START + len + 1));
    rbm(e, tsv, 7);
}

/* Wait until TXRTS clears (or 'us' pass). Returns true if it did. */
static inline bool tx_wait(enc28j60_t *e, double us)
{
    for (double t = 0; t < us; t += 10) {
        if (!(rcr(e, ECON1) & TXRTS))
            return true;
        run_us(10);
    }
    return !(rcr(e, ECON1) & TXRTS);
}

/* Read the next packet Linux's way: own next-packet pointer, header, data,
 * ERXRDPT = odd(next - 1), PKTDEC. Returns the byte count (with CRC) or -1. */
static inline int rx_read(enc28j60_t *e, uint8_t *buf, size_t max, uint32_t *rsv_out)
{
    if (!rcr(e, EPKTCNT))
        return -1;
    uint16_t at = next_pkt[idx(e)];
    wr16(e, ERDPTL, at);
    uint8_t hdr[6];
    rbm(e, hdr, 6);
    uint16_t next = (uint16_t)(hdr[0] | hdr[1] << 8);
    uint32_t rsv = (uint32_t)hdr[2] | (uint32_t)hdr[3] << 8 | (uint32_t)hdr[4] << 16 |
                   (uint32_t)hdr[5] << 24;
    unsigned count = rsv & 0xFFFF;
    if (rsv_out)
        *rsv_out = rsv;
    rbm(e, buf, count < max ? count : max);
    uint16_t st = rd16(e, ERXSTL), nd = rd16(e, ERXNDL);
    uint16_t rd = (next - 1 < st || next - 1 > nd) ? nd : (uint16_t)(next - 1);
    wr16(e, ERXRDPTL, rd);
    bfs(e, ECON2, PKTDEC);
    next_pkt[idx(e)] = next;
    return (int)count;
}

static inline void host_send(const uint8_t *frame, size_t len)
{
    net_port_send(&host, frame, len);
}

/* Set a control the way a scenario does. */
static inline void control(enc28j60_t *e, const char *name, const char *json)
{
    char full[96], err[160];
    snprintf(full, sizeof full, "%s.%s", e->name, name);
    cJSON *v = cJSON_Parse(json);
    ck_assert_ptr_nonnull(v);
    int r = machine_set_control(m, full, v, err, sizeof err);
    cJSON_Delete(v);
    if (r)
        ck_abort_msg("control %s: %s", full, err);
}

static inline uint64_t probe_hits(enc28j60_t *e, const char *name)
{
    char full[96];
    snprintf(full, sizeof full, "%s.%s", e->name, name);
    sim_probe_t *p = machine_find_probe(m, full);
    ck_assert_msg(p != NULL, "no probe %s", full);
    return p->hits;
}

static inline bool int_low(enc28j60_t *e) { return enc28j60_int_asserted(e); }

#endif
