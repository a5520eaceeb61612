/*
 * Drivers nobody here wrote, against the model: the register sequences of
 * the Linux driver (drivers/net/ethernet/microchip/enc28j60.c), the Zephyr
 * driver (drivers/ethernet/eth_enc28j60.c) and the RIOT driver
 * (drivers/enc28j60/enc28j60.c), re-expressed here step by step from their
 * sources: initialisation, the interrupt handler driven by falling edges of
 * the INT pin, transmit and receive. A host on the cable sends and
 * receives frames; each driver must converge without timeouts on a B7 chip
 * with its default errata (except where a driver lacks a workaround: that
 * test shows what the missing workaround costs).
 */
#include "test_enc28j60_harness.h"

typedef void (*isr_fn)(enc28j60_t *e);

/* Advance time in steps of 'step' us; run the ISR after each falling edge
 * of INT (an edge-triggered interrupt, as all three drivers configure). */
static unsigned isr_seen[2];

static void run_with_irq(enc28j60_t *e, double us, double step, isr_fn isr)
{
    for (double t = 0; t < us; t += step) {
        while (int_edges[idx(e)] != isr_seen[idx(e)]) {
            isr_seen[idx(e)] = int_edges[idx(e)];
            isr(e);
        }
        run_us(step);
    }
}

static uint8_t rx_frames[32][1600];
static size_t rx_lens[32];
static unsigned rx_n;

static void got_frame(const uint8_t *f, size_t len)
{
    if (rx_n < 32) {
        memcpy(rx_frames[rx_n], f, len);
        rx_lens[rx_n] = len;
    }
    rx_n++;
}

/* ------------------------------------------------------------------------ */
/* Linux */

#define L_RXEND 0x19FF
#define L_TXSTART 0x1A00
static uint16_t l_next;
static unsigned l_tx_retry, l_tx_errors, l_rx_errors, l_timeouts;

static bool l_poll_ready(enc28j60_t *e, uint8_t reg, uint8_t mask, uint8_t val)
{
    for (int k = 0; k < 2000; k++) { /* 20 ms */
        if ((rcr(e, reg) & mask) == val)
            return true;
        run_us(10);
    }
    l_timeouts++;
    return false;
}

static void l_phy_write(enc28j60_t *e, uint8_t reg, uint16_t v)
{
    wcr(e, MIREGADR, reg);
    wr16(e, MIWRL, v);
    l_poll_ready(e, MISTAT, 1, 0);
}

static uint16_t l_phy_read(enc28j60_t *e, uint8_t reg)
{
    wcr(e, MIREGADR, reg);
    wcr(e, MICMD, 0x01);
    l_poll_ready(e, MISTAT, 1, 0);
    wcr(e, MICMD, 0x00);
    return rd16(e, MIRDL);
}

static uint16_t l_erxrdpt(uint16_t next)
{
    return (next - 1 < 0 || next - 1 > L_RXEND) ? L_RXEND : (uint16_t)(next - 1);
}

static void l_lowpower(enc28j60_t *e, bool low)
{
    if (low) {
        bfc(e, ECON1, RXEN);
        l_poll_ready(e, ESTAT, RXBUSY, 0);
        l_poll_ready(e, ECON1, TXRTS, 0);
        bfs(e, ECON2, PWRSV);
    } else {
        bfc(e, ECON2, PWRSV);
        l_poll_ready(e, ESTAT, CLKRDY, CLKRDY);
    }
}

static bool l_hw_init(enc28j60_t *e)
{
    src(e);          /* 0xFF 0xFF */
    run_us(2000);    /* errata: CLKRDY unreliable, wait */
    wcr(e, ECON1, 0x00);
    cur_bank[idx(e)] = 0;
    wcr(e, ECON2, AUTOINC | VRPS);
    l_next = 0;
    wr16(e, ERXSTL, 0);
    wr16(e, ERXRDPTL, l_erxrdpt(0));
    wr16(e, ERXNDL, L_RXEND);
    wr16(e, ETXSTL, L_TXSTART);
    wr16(e, ETXNDL, 0x1FFF);
    uint8_t rev = rcr(e, EREVID);
    if (rev == 0x00 || rev == 0xFF)
        return false;
    wcr(e, ERXFCON, 0xA1);
    wcr(e, MACON1, 0x0D);
    wcr(e, MACON3, 0x33);
    wcr(e, MAIPGL, 0x12);
    wcr(e, MABBIPG, 0x15);
    wr16(e, MAMXFLL, 1518);
    l_phy_write(e, PHLCON, 0x3476);
    l_phy_write(e, PHCON1, 0x0100);
    l_phy_write(e, PHCON2, 0x0000);
    return true;
}

static void l_set_mac(enc28j60_t *e, const uint8_t *mac)
{
    /* Linux's names are the old ones: its "MAADR5" is address 0x04 */
    wcr(e, MAADR1, mac[0]);
    wcr(e, MAADR2, mac[1]);
    wcr(e, MAADR3, mac[2]);
    wcr(e, MAADR4, mac[3]);
    wcr(e, MAADR5, mac[4]);
    wcr(e, MAADR6, mac[5]);
}

static void l_hw_rx(enc28j60_t *e)
{
    ck_assert_uint_le(l_next, L_RXEND);
    uint8_t rsv[6], buf[1600];
    wr16(e, ERDPTL, l_next);
    rbm(e, rsv, 6);
    uint16_t next = (uint16_t)(rsv[0] | rsv[1] << 8);
    unsigned len = (unsigned)(rsv[2] | rsv[3] << 8);
    uint16_t stat = (uint16_t)(rsv[4] | rsv[5] << 8);
    if (!(stat & 0x80) || len > 1518) {
        l_rx_errors++;
    } else {
        uint16_t start = (uint16_t)(l_next + 6 > L_RXEND ? l_next + 6 - (L_RXEND + 1) : l_next + 6);
        wr16(e, ERDPTL, start);
        rbm(e, buf, len);
        got_frame(buf, len);
    }
    wr16(e, ERXRDPTL, l_erxrdpt(next));
    l_next = next;
    bfs(e, ECON2, PKTDEC);
}

static void l_irq(enc28j60_t *e)
{
    bfc(e, EIE, INTIE);
    int loop;
    do {
        loop = 0;
        uint8_t f = rcr(e, EIR);
        if (f & DMAIF) {
            loop++;
            bfc(e, EIR, DMAIF);
        }
        if (f & LINKIF) {
            loop++;
            l_phy_read(e, PHSTAT2);
            l_phy_read(e, PHIR);
        }
        if ((f & TXIF) && !(f & TXERIF)) {
            loop++;
            l_tx_retry = 0;
            if (rcr(e, ESTAT) & TXABRT)
                l_tx_errors++;
            bfc(e, ECON1, TXRTS);
            bfc(e, EIR, TXIF);
        }
        if (f & TXERIF) {
            loop++;
            uint8_t tsv[7];
            bfc(e, ECON1, TXRTS);
            wr16(e, ERDPTL, (uint16_t)(rd16(e, ETXNDL) + 1));
            rbm(e, tsv, 7);
            bfs(e, ECON1, TXRST);
            bfc(e, ECON1, TXRST);
            wr16(e, ETXSTL, L_TXSTART);
            wr16(e, ETXNDL, 0x1FFF);
            if ((tsv[3] & 0x20) && l_tx_retry++ < 16) {
                bfs(e, ECON1, TXRTS);
            } else {
                l_tx_errors++;
            }
            bfc(e, EIR, TXERIF | TXIF);
        }
        if (f & RXERIF) {
            loop++;
            bfc(e, EIR, RXERIF);
        }
        int pk = rcr(e, EPKTCNT);
        if (pk) {
            loop++;
            while (pk-- > 0)
                l_hw_rx(e);
        }
    } while (loop);
    bfs(e, EIE, INTIE);
}

static void l_hw_tx(enc28j60_t *e, const uint8_t *frame, size_t len)
{
    wr16(e, EWRPTL, L_TXSTART);
    wr16(e, ETXNDL, (uint16_t)(L_TXSTART + len));
    uint8_t ctrl = 0;
    wbm(e, &ctrl, 1);
    wbm(e, frame, len);
    bfs(e, ECON1, TXRTS);
}

static void linux_open(enc28j60_t *e)
{
    /* probe */
    ck_assert(l_hw_init(e));
    l_set_mac(e, mac_a);
    l_lowpower(e, true);
    run_us(5000);
    /* ifconfig up: enc28j60_net_open */
    l_lowpower(e, false);
    wcr(e, EIE, 0x00);
    bfc(e, ECON1, RXEN);
    ck_assert(l_hw_init(e));
    l_set_mac(e, mac_a);
    l_phy_write(e, PHIE, 0x0012);
    bfc(e, EIR, DMAIF | LINKIF | TXIF | TXERIF | RXERIF | PKTIF);
    wcr(e, EIE, INTIE | PKTIE | LINKIE | TXIE | TXERIE | RXERIE);
    bfs(e, ECON1, RXEN);
    ck_assert_uint_eq(l_phy_read(e, PHSTAT2) & 0x0400, 0x0400);
}

START_TEST(linux_driver_sequences)
{
    bench("{}", false, NULL);
    isr_seen[0] = 0;
    rx_n = l_tx_errors = l_rx_errors = l_timeouts = 0;
    linux_open(a);
    /* the host sends five unicast frames and a broadcast */
    uint8_t f[1600];
    size_t lens[6];
    for (int k = 0; k < 6; k++) {
        lens[k] = make_frame(f, k == 5 ? bcast : mac_a, mac_h, 0x0800, 100 + 200 * k, (uint8_t)k);
        host_send(f, lens[k]);
    }
    run_with_irq(a, 8000, 5, l_irq);
    ck_assert_uint_eq(rx_n, 6);
    for (int k = 0; k < 6; k++) {
        make_frame(f, k == 5 ? bcast : mac_a, mac_h, 0x0800, 100 + 200 * k, (uint8_t)k);
        ck_assert_uint_eq(rx_lens[k], lens[k] + 4);  /* Linux keeps the CRC */
        ck_assert_int_eq(memcmp(rx_frames[k], f, lens[k]), 0);
    }
    /* three transmissions, each completed through TXIF */
    for (int k = 0; k < 3; k++) {
        size_t n = make_frame(f, mac_h, mac_a, 0x0800, 300, (uint8_t)(0x40 + k));
        l_hw_tx(a, f, n);
        run_with_irq(a, 1000, 5, l_irq);
        ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, 0);
    }
    ck_assert_uint_eq(host_count, 3);
    ck_assert_uint_eq(host_rx[2].len, 314);
    /* the cable goes and comes back: LINKIF, PHIR read clears it */
    net_link_params_t p = cable.p;
    p.up = false;
    net_link_set_params(&cable, &p);
    run_with_irq(a, 100, 5, l_irq);
    ck_assert(!int_low(a));
    p.up = true;
    net_link_set_params(&cable, &p);
    run_with_irq(a, 100, 5, l_irq);
    ck_assert_uint_eq(rcr(a, EIR) & LINKIF, 0);
    /* a flood while the handler is late: RXERIF, then everything consistent */
    uint8_t big[1514];
    size_t nb = make_frame(big, mac_a, mac_h, 0x0800, 1500, 9);
    for (int k = 0; k < 10; k++)
        host_send(big, nb);
    run_us(13000);
    ck_assert_uint_eq(rcr(a, EIR) & RXERIF, RXERIF);
    unsigned before = rx_n;
    run_with_irq(a, 100, 5, l_irq);
    l_irq(a);
    ck_assert_uint_eq(rx_n - before, 4);  /* 0x1A00 bytes hold four frames of 6 + 1518 */
    ck_assert_uint_eq(rcr(a, EPKTCNT), 0);
    ck_assert_uint_eq(rcr(a, EIR) & RXERIF, 0);
    ck_assert_uint_eq(l_rx_errors + l_tx_errors + l_timeouts, 0);
}
END_TEST

START_TEST(linux_half_duplex_late_collision_retry)
{
    /* B7 in half duplex: link pulses give late collisions (erratum 13).
     * Linux's TXERIF handler resets the transmit logic, then re-runs
     * nolock_txfifo_init(), which sets ETXND to the end of the buffer, and
     * only then retransmits: the retry sends 0x1A00..0x1FFF (1535 bytes),
     * longer than MAMXFL, and aborts as a giant, and its status vector
     * lands at 0x2000 & 0x1FFF = 0x0000, in the receive ring. */
    bench("{ \"errata\": { \"link_pulse_collision\": 1 } }", false, NULL);
    isr_seen[0] = 0;
    rx_n = l_tx_errors = l_rx_errors = l_timeouts = 0;
    linux_open(a);
    wcr(a, MACON3, 0x32);
    wcr(a, MACON4, 0x40);
    wr16(a, MAIPGL, 0x0C12);
    wcr(a, MABBIPG, 0x12);
    l_phy_write(a, PHCON1, 0x0000);
    l_phy_write(a, PHCON2, 0x0100);
    uint8_t f[1514];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 1500, 1);
    for (int k = 0; k < 30; k++) {
        l_hw_tx(a, f, n);
        run_with_irq(a, 3000, 5, l_irq);
        ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, 0);
    }
    uint64_t late = enc28j60_erratum_hits(a, ENC_ERR_LINK_PULSE_COLL);
    ck_assert_uint_ge(late, 1);
    ck_assert_uint_eq(host_count, 30 - late);
    ck_assert_uint_eq(l_tx_errors, late);
    uint8_t tsv[7];
    enc28j60_buffer(a, 0x0000, tsv, 7);
    ck_assert_uint_eq(tsv[3] & 0x40, 0x40); /* giant */
    ck_assert_uint_eq(l_timeouts, 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Zephyr */

#define Z_RXEND 0x0BFF
#define Z_TXSTART 0x0C00

/* Zephyr selects banks by reading ECON1 and writing it back */
static void z_bank(enc28j60_t *e, unsigned bank)
{
    uint8_t o[2] = { ECON1, 0 }, in[2];
    cmd(e, o, in, 2);
    op2(e, 0x40 | ECON1, (uint8_t)((in[1] & 0xFC) | bank));
    cur_bank[idx(e)] = bank;
}

static void z_phy_write(enc28j60_t *e, uint8_t reg, uint16_t v)
{
    z_bank(e, 2);
    wcr(e, MIREGADR, reg);
    wcr(e, MIWRL, (uint8_t)v);
    wcr(e, MIWRH, (uint8_t)(v >> 8));
    z_bank(e, 3);
    do
        run_us(11);
    while (rcr(e, MISTAT) & 1);
}

static void zephyr_init(enc28j60_t *e)
{
    uint8_t srcop = 0xFF;
    cmd(e, &srcop, NULL, 1);
    cur_bank[idx(e)] = 0;
    run_us(11); /* "Errata B7/2" */
    z_bank(e, 0);
    wcr(e, ERXSTL, 0x00);
    wcr(e, ERXSTL + 1, 0x00);
    wcr(e, ERXRDPTL, 0x00);
    wcr(e, ERXRDPTL + 1, 0x00);
    wcr(e, ERXNDL, Z_RXEND & 0xFF);
    wcr(e, ERXNDL + 1, Z_RXEND >> 8);
    wcr(e, ETXSTL, Z_TXSTART & 0xFF);
    wcr(e, ETXSTL + 1, Z_TXSTART >> 8);
    wcr(e, ETXNDL, 0xFF);
    wcr(e, ETXNDL + 1, 0x11);
    wcr(e, ERDPTL, 0);
    wcr(e, ERDPTL + 1, 0);
    wcr(e, EWRPTL, Z_TXSTART & 0xFF);
    wcr(e, EWRPTL + 1, Z_TXSTART >> 8);
    z_bank(e, 1);
    wcr(e, ERXFCON, 0xA3);
    do
        run_us(11);
    while (!(rcr(e, ESTAT) & CLKRDY));
    z_bank(e, 2);
    wcr(e, MACON1, rcr(e, MACON1) | 0x0D);
    wcr(e, MACON3, 0x33);
    wcr(e, MAIPGL, 0x12);
    wcr(e, MAIPGH, 0x0C);
    wcr(e, MABBIPG, 0x15);
    z_bank(e, 3);
    wcr(e, MAADR1, mac_a[0]);
    wcr(e, MAADR2, mac_a[1]);
    wcr(e, MAADR3, mac_a[2]);
    wcr(e, MAADR4, mac_a[3]);
    wcr(e, MAADR5, mac_a[4]);
    wcr(e, MAADR6, mac_a[5]);
    z_phy_write(e, PHCON1, 0x0100);
    z_phy_write(e, PHCON2, 0x0000);
    bfs(e, EIE, INTIE);
    bfs(e, EIE, PKTIE);
    bfs(e, EIE, LINKIE);
    z_phy_write(e, PHIE, 0x0012);
    bfs(e, ECON1, RXEN);
}

static bool z_tx(enc28j60_t *e, const uint8_t *frame, size_t len)
{
    bfs(e, ECON1, TXRST);
    bfc(e, ECON1, TXRST);
    z_bank(e, 0);
    wr16(e, EWRPTL, Z_TXSTART);
    wr16(e, ETXSTL, Z_TXSTART);
    uint8_t ctrl = 0;
    wbm(e, &ctrl, 1);
    wbm(e, frame, len);
    wr16(e, ETXNDL, (uint16_t)(Z_TXSTART + len));
    bfs(e, ECON1, TXRTS);
    do
        run_us(11);
    while (!(rcr(e, EIR) & TXIF));
    return !(rcr(e, ESTAT) & TXABRT);
}

static void z_rx(enc28j60_t *e)
{
    z_bank(e, 1);
    uint8_t count = rcr(e, EPKTCNT);
    while (count) {
        z_bank(e, 0);
        uint16_t rd = rd16(e, ERXRDPTL);
        wr16(e, ERDPTL, rd);
        uint8_t nx[2], rsv[4], crc[4], pad, buf[1600];
        rbm(e, nx, 2);
        rbm(e, rsv, 4);
        unsigned len = (unsigned)(rsv[0] | rsv[1] << 8) - 4;
        rbm(e, buf, len);
        rbm(e, crc, 4);
        if ((len + 4) & 1)
            rbm(e, &pad, 1);
        got_frame(buf, len);
        uint16_t next = (uint16_t)(nx[0] | nx[1] << 8);
        wr16(e, ERXRDPTL, next);  /* even: the errata workaround is commented out */
        bfs(e, ECON2, PKTDEC);
        z_bank(e, 1);
        count = rcr(e, EPKTCNT);
    }
    bfc(e, EIR, PKTIF | RXERIF);
}

/* Zephyr's thread: wakes on each INT edge, reads EIR once */
static void z_isr(enc28j60_t *e)
{
    uint8_t eir = rcr(e, EIR);
    if (eir & PKTIF) {
        z_rx(e);
    } else if (eir & LINKIF) {
        uint16_t v;
        wcr(e, MIREGADR, PHIR);
        wcr(e, MICMD, 1);
        run_us(11);
        wcr(e, MICMD, 0);
        v = rd16(e, MIRDL);
        (void)v;
    }
}

START_TEST(zephyr_driver_sequences)
{
    /* Zephyr lacks the 1 ms wait after SRC (erratum 2) and decides on PKTIF
     * (erratum 6): silicon free of those two */
    bench("{ \"errata\": { \"src_clkrdy\": false, \"pktif_unreliable\": false } }", false, NULL);
    rx_n = 0;
    isr_seen[0] = 0;
    run_us(300);
    zephyr_init(a);
    ck_assert_uint_eq(rcr(a, MACON1), 0x0D);
    uint8_t f[1600];
    for (int k = 0; k < 8; k++) {
        size_t n = make_frame(f, k & 1 ? bcast : mac_a, mac_h, 0x0800, 46 + 150 * k, (uint8_t)k);
        host_send(f, n);
    }
    run_with_irq(a, 10000, 5, z_isr);
    ck_assert_uint_eq(rx_n, 8);
    for (int k = 0; k < 8; k++) {
        size_t n = make_frame(f, k & 1 ? bcast : mac_a, mac_h, 0x0800, 46 + 150 * k, (uint8_t)k);
        ck_assert_uint_eq(rx_lens[k], n);
        ck_assert_int_eq(memcmp(rx_frames[k], f, n), 0);
    }
    for (int k = 0; k < 3; k++) {
        size_t n = make_frame(f, mac_h, mac_a, 0x0800, 200, (uint8_t)k);
        ck_assert(z_tx(a, f, n));
        run_us(500);
    }
    ck_assert_uint_eq(host_count, 3);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, 0);
}
END_TEST

START_TEST(zephyr_on_b7_loses_its_mac_setup)
{
    /* the real B7: CLKRDY stays set through SRC, Zephyr writes the MAC at
     * once and those writes are lost (erratum 2) */
    bench("{ \"errata\": { \"pktif_unreliable\": false } }", false, NULL);
    rx_n = 0;
    isr_seen[0] = 0;
    run_us(300);
    zephyr_init(a);
    ck_assert_uint_ne(rcr(a, MACON1), 0x0D);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_with_irq(a, 500, 5, z_isr);
    ck_assert_uint_eq(rx_n, 0);
    ck_assert_uint_gt(enc28j60_erratum_hits(a, ENC_ERR_SRC_CLKRDY), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* RIOT */

#define R_TXSTART 0x1800
#define R_RXEND 0x17FF
#define R_NEXT_TO_ERXRDPT(n) ((n) == 0 || (n) - 1 > R_RXEND ? R_RXEND : (n) - 1)
#define R_ERXRDPT_TO_NEXT(e) ((e) >= R_RXEND ? 0 : (e) + 1)
static gpio_net_t r_rst;
static gpio_pin_t r_rst_drv;

static uint16_t r_phy_read(enc28j60_t *e, uint8_t reg)
{
    wcr(e, MIREGADR, reg);
    wcr(e, MICMD, 0x01);
    wcr(e, MICMD, 0x00);
    while (rcr(e, MISTAT) & 1)
        run_us(1);
    return rd16(e, MIRDL);
}

static void r_phy_write(enc28j60_t *e, uint8_t reg, uint16_t v)
{
    wcr(e, MIREGADR, reg);
    wcr(e, MIWRL, (uint8_t)v);
    wcr(e, MIWRH, (uint8_t)(v >> 8));
    while (rcr(e, MISTAT) & 1)
        run_us(1);
}

static void riot_init(enc28j60_t *e)
{
    gpio_net_init(&r_rst, "RST", GPIO_PULL_UP);
    gpio_pin_init(&r_rst_drv, "PB10");
    gpio_net_attach(&r_rst, &r_rst_drv);
    endpoint_t *ep = machine_find_endpoint(m, "a.reset");
    gpio_net_listen(&r_rst, ep->listen_fn, ep->listen_opaque, ep->listen_n);
    gpio_pin_set(&r_rst_drv, false);
    run_us(1000);
    gpio_pin_set(&r_rst_drv, true);
    cur_bank[idx(e)] = 0;
    int tries = 0;
    while (!(rcr(e, ESTAT) & CLKRDY)) {
        ck_assert_int_lt(tries++, 1000);
        run_us(1);
    }
    wcr(e, ECOCON, 0x00);
    wr16(e, ERXSTL, 0);
    wr16(e, ERXNDL, R_RXEND);
    wr16(e, ERXRDPTL, R_NEXT_TO_ERXRDPT(0));
    wr16(e, ETXSTL, R_TXSTART);
    wr16(e, ETXNDL, 0x1FFF);
    wcr(e, ERXFCON, 0x00);
    wcr(e, MACON1, 0x0D);
    wcr(e, MACON3, 0x33);
    wcr(e, MACON4, 0x40);
    wcr(e, MABBIPG, 0x15);
    wcr(e, MAIPGL, 0x12);
    /* RIOT writes the address byte-reversed against the datasheet (it
     * runs promiscuous, so the chip's unicast filter never looks) */
    wcr(e, MAADR6, mac_a[0]);
    wcr(e, MAADR5, mac_a[1]);
    wcr(e, MAADR4, mac_a[2]);
    wcr(e, MAADR3, mac_a[3]);
    wcr(e, MAADR2, mac_a[4]);
    wcr(e, MAADR1, mac_a[5]);
    r_phy_write(e, PHCON1, 0x0100);
    r_phy_write(e, PHIE, 0x0012);
    bfs(e, ECON2, AUTOINC);
    bfc(e, EIR, LINKIF | PKTIF | RXERIF | TXIF | TXERIF);
    bfs(e, EIE, INTIE | LINKIE | PKTIE | RXERIE | TXIE | TXERIE);
    bfs(e, ECON1, RXEN);
}

static int r_recv(enc28j60_t *e, uint8_t *buf, size_t max)
{
    uint16_t rd = rd16(e, ERXRDPTL);
    wr16(e, ERDPTL, R_ERXRDPT_TO_NEXT(rd));
    uint8_t head[6];
    rbm(e, head, 6);
    uint16_t next = (uint16_t)(head[0] | head[1] << 8);
    uint16_t size = (uint16_t)((head[2] | head[3] << 8) - 4);
    if (buf) {
        if (size <= max)
            rbm(e, buf, size);
        wr16(e, ERXRDPTL, R_NEXT_TO_ERXRDPT(next));
        bfs(e, ECON2, PKTDEC);
    }
    return size;
}

static unsigned r_tx_done;

static void r_isr(enc28j60_t *e)
{
    bfc(e, EIE, INTIE);
    int loop;
    do {
        loop = 0;
        uint8_t eir = rcr(e, EIR);
        if (eir & LINKIF) {
            loop++;
            r_phy_read(e, PHIR);
            r_phy_read(e, PHSTAT2);
        }
        int pkts = rcr(e, EPKTCNT);
        if (pkts)
            loop++;
        while (pkts-- > 0) {
            uint8_t buf[1600];
            int size = r_recv(e, NULL, 0); /* netdev asks for the size first */
            ck_assert_int_eq(r_recv(e, buf, sizeof buf), size);
            got_frame(buf, (size_t)size);
        }
        if (eir & RXERIF) {
            loop++;
            bfc(e, EIR, RXERIF);
        }
        if (eir & TXIF) {
            loop++;
            r_tx_done++;
            bfc(e, EIR, TXIF);
        }
        if (eir & TXERIF) {
            loop++;
            bfc(e, EIR, TXERIF);
        }
    } while (loop);
    bfs(e, EIE, INTIE);
}

static sim_time_t r_tx_time;

static int r_send(enc28j60_t *e, const uint8_t *frame, size_t len)
{
    if (rcr(e, ECON1) & TXRTS) {
        if (m->sched.now - r_tx_time > SIM_US(2 * 1230)) {
            bfs(e, ECON1, TXRST);
            bfc(e, ECON1, TXRST);
        } else {
            return -1;
        }
    }
    wr16(e, ETXSTL, R_TXSTART);
    wr16(e, EWRPTL, R_TXSTART);
    uint8_t ctrl = 0;
    wbm(e, &ctrl, 1);
    wbm(e, frame, len);
    wr16(e, ETXNDL, (uint16_t)(rd16(e, EWRPTL) - 1));
    bfs(e, ECON1, TXRTS);
    r_tx_time = m->sched.now;
    return (int)len;
}

START_TEST(riot_driver_sequences)
{
    bench("{}", false, NULL);
    rx_n = r_tx_done = 0;
    isr_seen[0] = 0;
    riot_init(a);
    uint8_t f[1600];
    static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x55 };
    for (int k = 0; k < 8; k++) {
        size_t n = make_frame(f, k == 3 ? other : mac_a, mac_h, 0x0800, 46 + 170 * k, (uint8_t)k);
        host_send(f, n);
    }
    run_with_irq(a, 10000, 5, r_isr);
    ck_assert_uint_eq(rx_n, 8); /* promiscuous: the frame for someone else too */
    for (int k = 0; k < 8; k++) {
        size_t n = make_frame(f, k == 3 ? other : mac_a, mac_h, 0x0800, 46 + 170 * k, (uint8_t)k);
        ck_assert_uint_eq(rx_lens[k], n);
        ck_assert_int_eq(memcmp(rx_frames[k], f, n), 0);
    }
    for (int k = 0; k < 4; k++) {
        size_t n = make_frame(f, mac_h, mac_a, 0x0800, 400, (uint8_t)k);
        ck_assert_int_eq(r_send(a, f, n), (int)n);
        ck_assert_int_eq(r_send(a, f, n), -1); /* busy */
        run_with_irq(a, 600, 5, r_isr);
    }
    ck_assert_uint_eq(r_tx_done, 4);
    ck_assert_uint_eq(host_count, 4);
    ck_assert_uint_eq(host_rx[3].len, 414);
    /* the cable: link down and up through LINKIF */
    net_link_params_t p = cable.p;
    p.up = false;
    net_link_set_params(&cable, &p);
    run_with_irq(a, 100, 5, r_isr);
    ck_assert_uint_eq(r_phy_read(a, PHSTAT2) & 0x0400, 0);
    p.up = true;
    net_link_set_params(&cable, &p);
    run_with_irq(a, 100, 5, r_isr);
    ck_assert_uint_eq(rcr(a, EIR) & LINKIF, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("enc28j60 drivers");
    TCase *tc = tcase_create("drivers");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, linux_driver_sequences);
    tcase_add_test(tc, linux_half_duplex_late_collision_retry);
    tcase_add_test(tc, zephyr_driver_sequences);
    tcase_add_test(tc, zephyr_on_b7_loses_its_mac_setup);
    tcase_add_test(tc, riot_driver_sequences);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
