/*
 * ENC28J60 driven through its SPI interface byte by byte, as a driver does
 * (the bench is in test_enc28j60_harness.h): reset values of every
 * register, the instruction set and chip-select framing, read-only and
 * clear-on-write bits, buffer pointers and their wrap rules, the receive
 * ring (wrap-around, overflow under a burst, EPKTCNT saturation), each
 * receive filter, transmit (padding, CRC, control byte, status vector,
 * giant abort, collisions in half duplex), DMA and BIST, power save, the
 * PHY through MII, the link-change interrupt, LEDs, the INT pin, resets by
 * SRC and by the RESET pin, oscillator drift, bad driver input, and the
 * introspection accessors. Timing arithmetic is in the comments.
 */
#include "test_enc28j60_harness.h"

/* The errata that draw symptoms at random are off here (their own suite
 * tests them), so these tests see the datasheet's behaviour. */
#define QUIET_ERRATA "\"errata\": { \"led_autopolarity\": false, \"pktif_unreliable\": false, " \
    "\"latecol_unreliable\": false, \"link_pulse_collision\": false, \"tx_abort_stall\": false, " \
    "\"pattern_match_extra\": false }"
#define ECON1_BSEL_MASK 0x03u
static void setup_one(void) { bench("{ " QUIET_ERRATA " }", false, NULL); }
static void setup_two(void)
{
    bench("{ " QUIET_ERRATA " }", true, "{ \"revision\": \"B5\", " QUIET_ERRATA " }");
}

/* ------------------------------------------------------------------------ */

START_TEST(clkrdy_after_power_on)
{
    /* OST: 7500 cycles of 25 MHz = 300 us */
    run_us(299.9);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, 0);
    /* MAC registers are not reachable before the clock runs */
    wcr(a, MACLCON1, 0x05);
    run_us(0.2);
    ck_assert_uint_eq(rcr(a, ESTAT), CLKRDY);
    ck_assert_uint_eq(rcr(a, MACLCON1), 0x0F);
}
END_TEST

START_TEST(reset_values_of_every_register)
{
    static const struct { uint8_t reg; uint8_t value; } expect[] = {
        { B0(0x00), 0xFA }, { B0(0x01), 0x05 }, { B0(0x02), 0 }, { B0(0x03), 0 },
        { B0(0x04), 0 }, { B0(0x05), 0 }, { B0(0x06), 0 }, { B0(0x07), 0 },
        { B0(0x08), 0xFA }, { B0(0x09), 0x05 }, { B0(0x0A), 0xFF }, { B0(0x0B), 0x1F },
        { B0(0x0C), 0xFA }, { B0(0x0D), 0x05 }, { B0(0x0E), 0 }, { B0(0x0F), 0 },
        { B0(0x10), 0 }, { B0(0x11), 0 }, { B0(0x12), 0 }, { B0(0x13), 0 },
        { B0(0x14), 0 }, { B0(0x15), 0 }, { B0(0x16), 0 }, { B0(0x17), 0 },
        { B1(0x00), 0 }, { B1(0x07), 0 }, { B1(0x08), 0 }, { B1(0x0F), 0 }, { B1(0x10), 0 },
        { B1(0x11), 0 }, { B1(0x14), 0 }, { B1(0x15), 0 }, { B1(0x18), 0xA1 }, { B1(0x19), 0 },
        { B2(0x00), 0 }, { B2(0x02), 0 }, { B2(0x03), 0 }, { B2(0x04), 0 }, { B2(0x06), 0 },
        { B2(0x07), 0 }, { B2(0x08), 0x0F }, { B2(0x09), 0x37 }, { B2(0x0A), 0x00 },
        { B2(0x0B), 0x06 }, { B2(0x12), 0 }, { B2(0x14), 0 }, { B2(0x16), 0 }, { B2(0x17), 0 },
        { B2(0x18), 0 }, { B2(0x19), 0 },
        { B3M(0x00), 0 }, { B3M(0x01), 0 }, { B3M(0x02), 0 }, { B3M(0x03), 0 }, { B3M(0x04), 0 },
        { B3M(0x05), 0 }, { B3(0x06), 0 }, { B3(0x07), 0 }, { B3(0x08), 0 }, { B3(0x09), 0 },
        { B3M(0x0A), 0 }, { B3(0x12), 0x06 }, { B3(0x15), 0x04 }, { B3(0x17), 0 },
        { B3(0x18), 0x00 }, { B3(0x19), 0x10 },
        { EIE, 0 }, { EIR, 0 }, { ESTAT, CLKRDY }, { ECON2, AUTOINC },
    };
    run_us(300);
    ck_assert_uint_eq(rcr(a, ECON1), 0);
    for (unsigned k = 0; k < ARRAY_SIZE(expect); k++)
        ck_assert_msg(rcr(a, expect[k].reg) == expect[k].value, "register 0x%02x reads 0x%02x, not 0x%02x",
                      expect[k].reg, rcr(a, expect[k].reg), expect[k].value);
    /* the PHY: PHSTAT1.LLSTAT reads 0 once after reset, then follows the link */
    ck_assert_uint_eq(phy_read(a, PHCON1), 0x0000);
    ck_assert_uint_eq(phy_read(a, PHSTAT1), 0x1800);
    ck_assert_uint_eq(phy_read(a, PHSTAT1), 0x1804);
    ck_assert_uint_eq(phy_read(a, PHID1), 0x0083);
    ck_assert_uint_eq(phy_read(a, PHID2), 0x1400);
    ck_assert_uint_eq(phy_read(a, PHCON2), 0x0000);
    ck_assert_uint_eq(phy_read(a, PHSTAT2), 0x0400);
    ck_assert_uint_eq(phy_read(a, PHIE), 0x0000);
    ck_assert_uint_eq(phy_read(a, PHIR), 0x0000);
    ck_assert_uint_eq(phy_read(a, PHLCON), 0x3422);
}
END_TEST

START_TEST(spi_instruction_set_and_framing)
{
    run_us(300);
    /* ETH register: data in the 2nd byte; MAC register: a dummy byte first */
    uint8_t o[3] = { 0x1E, 0, 0 }, in[3];
    cmd(a, o, in, 2);
    ck_assert_uint_eq(in[1], AUTOINC);
    bank_for(a, MACLCON1);
    o[0] = 0x08;
    cmd(a, o, in, 3);
    ck_assert_uint_eq(in[1], 0x00);
    ck_assert_uint_eq(in[2], 0x0F);
    /* a command ends with CS: WCR with an extra byte writes once, logs once */
    unsigned errs = log_count(LOG_GUEST_ERROR);
    bank_for(a, EPMM0);
    uint8_t w[3] = { 0x40 | 0x08, 0x5A, 0xA5 };
    cmd(a, w, NULL, 3);
    ck_assert_uint_eq(rcr(a, EPMM0), 0x5A);
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 1);
    cmd(a, w, NULL, 3);
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 1);
    /* BFS and BFC on an ETH register */
    bfs(a, EPMM0, 0x01);
    ck_assert_uint_eq(rcr(a, EPMM0), 0x5B);
    bfc(a, EPMM0, 0x0F);
    ck_assert_uint_eq(rcr(a, EPMM0), 0x50);
    /* BFS on a MAC register: done as a read-modify-write (EtherCard does this) */
    bfs(a, MACON3, 0x32);
    ck_assert_uint_eq(rcr(a, MACON3), 0x32);
    /* undefined opcodes are ignored until CS rises */
    static const uint8_t bad[] = { 0xC0, 0xDF, 0x20, 0x3B, 0x60, 0x7B, 0xE0, 0xFE };
    for (unsigned k = 0; k < ARRAY_SIZE(bad); k++) {
        uint8_t bo[3] = { bad[k], 0x5A, 0x5A };
        cmd(a, bo, in, 3);
        ck_assert_uint_eq(in[1], 0);
    }
    ck_assert_uint_eq(rcr(a, EPMM0), 0x50);
    ck_assert_uint_eq(rcr(a, ECON2), AUTOINC);
    /* SRC may be followed by more bytes (Linux sends 0xFF twice): it acts when CS rises */
    src(a);
    ck_assert_uint_eq(probe_hits(a, "chip_reset"), 2);
}
END_TEST

START_TEST(read_only_and_clear_on_write_bits)
{
    run_us(300);
    /* EIR: TXIF etc. cannot be set by the host, only cleared */
    bfs(a, EIR, 0x7B);
    ck_assert_uint_eq(rcr(a, EIR), 0);
    a->eir = TXIF | TXERIF | DMAIF | RXERIF;
    bfc(a, EIR, TXIF);
    ck_assert_uint_eq(rcr(a, EIR), TXERIF | DMAIF | RXERIF);
    wcr(a, EIR, ~(uint8_t)DMAIF);   /* writing 0 clears, 1 keeps */
    ck_assert_uint_eq(rcr(a, EIR), TXERIF | RXERIF);
    wcr(a, EIR, 0);
    ck_assert_uint_eq(rcr(a, EIR), 0);
    /* ESTAT: CLKRDY and RXBUSY read-only, TXABRT host-cleared */
    a->estat |= TXABRT;
    wcr(a, ESTAT, 0xFF);
    ck_assert_uint_eq(rcr(a, ESTAT), CLKRDY | TXABRT);
    bfc(a, ESTAT, TXABRT | CLKRDY);
    ck_assert_uint_eq(rcr(a, ESTAT), CLKRDY);
    /* read-only registers ignore writes (and the write is logged) */
    unsigned errs = log_count(LOG_GUEST_ERROR);
    wcr(a, EPKTCNT, 5);
    wcr(a, ERXWRPTL, 5);
    wcr(a, EREVID, 1);
    wcr(a, MISTAT, 1);
    wcr(a, MIRDL, 1);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 0);
    ck_assert_uint_eq(rcr(a, ERXWRPTL), 0);
    ck_assert_uint_eq(rcr(a, EREVID), 0x06);
    ck_assert_uint_eq(rcr(a, MISTAT), 0);
    ck_assert_uint_eq(rcr(a, MIRDL), 0);
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 5);
    /* PKTDEC reads back 0; unimplemented bits read 0 */
    bfs(a, ECON2, PKTDEC);
    ck_assert_uint_eq(rcr(a, ECON2), AUTOINC);
    wcr(a, MACON1, 0xFF);
    ck_assert_uint_eq(rcr(a, MACON1), 0x0F);
    wcr(a, MACON4, 0xFF);
    ck_assert_uint_eq(rcr(a, MACON4), 0x70);
    wcr(a, MABBIPG, 0xFF);
    ck_assert_uint_eq(rcr(a, MABBIPG), 0x7F);
    wcr(a, ECOCON, 0xFF);
    ck_assert_uint_eq(rcr(a, ECOCON), 0x07);
    /* EFLOCON.FULDPXS mirrors MACON3.FULDPX */
    wcr(a, MACON3, 0x33);
    ck_assert_uint_eq(rcr(a, EFLOCON) & 0x04, 0x04);
}
END_TEST

START_TEST(buffer_pointers_and_wrap)
{
    run_us(300);
    wr16(a, ERXSTL, 0x0000);
    wr16(a, ERXNDL, 0x0FFF);
    /* WBM never wraps at the ring end */
    wr16(a, EWRPTL, 0x0FFE);
    uint8_t d[4] = { 1, 2, 3, 4 };
    wbm(a, d, 4);
    ck_assert_uint_eq(rd16(a, EWRPTL), 0x1002);
    /* RBM wraps from ERXND to ERXST */
    wr16(a, ERDPTL, 0x0FFE);
    uint8_t r[4];
    rbm(a, r, 4);
    ck_assert_uint_eq(r[0], 1);
    ck_assert_uint_eq(r[1], 2);
    ck_assert_uint_eq(rd16(a, ERDPTL), 0x0002);
    /* outside the ring RBM runs on and wraps only at 0x1FFF */
    wr16(a, ERDPTL, 0x1FFF);
    rbm(a, r, 2);
    ck_assert_uint_eq(rd16(a, ERDPTL), 0x0001);
    /* AUTOINC off: the pointer stays */
    bfc(a, ECON2, AUTOINC);
    wr16(a, ERDPTL, 0x1000);
    rbm(a, r, 3);
    ck_assert_uint_eq(r[0], 3);
    ck_assert_uint_eq(r[2], 3);
    ck_assert_uint_eq(rd16(a, ERDPTL), 0x1000);
    /* pointers keep 13 bits; the overflow is logged once */
    unsigned errs = log_count(LOG_GUEST_ERROR);
    wcr(a, ERDPTL + 1, 0xFF);
    wcr(a, ERDPTL + 1, 0xE5);
    ck_assert_uint_eq(rcr(a, ERDPTL + 1), 0x05);
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 1);
    /* ERXRDPT takes the low byte with the high byte */
    wr16(a, ERXRDPTL, 0x0123);
    wcr(a, ERXRDPTL, 0x45);
    ck_assert_uint_eq(rd16(a, ERXRDPTL), 0x0123);
    wcr(a, ERXRDPTL + 1, 0x06);
    ck_assert_uint_eq(rd16(a, ERXRDPTL), 0x0645);
    /* writing ERXST/ERXND reloads ERXWRPT with ERXST */
    wr16(a, ERXSTL, 0x0000);
    ck_assert_uint_eq(rd16(a, ERXWRPTL), 0x0000);
}
END_TEST

/* ------------------------------------------------------------------------ */

START_TEST(frame_loopback_between_two_chips)
{
    init_chip(a, mac_a, true);
    init_chip(b, mac_b, true);
    bfs(b, EIE, PKTIE);
    uint8_t f[64];
    size_t n = make_frame(f, mac_b, mac_a, 0x0800, 20, 1);
    ck_assert_uint_eq(n, 34);
    sim_time_t t0 = m->sched.now;
    tx_send(a, f, n);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, TXRTS);
    /* start after 1 us, then (8 preamble + 60 padded + 4 CRC) * 0.8 us = 57.6 us */
    run_ns(t0 + 1000 + 57600 - 1 - m->sched.now);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, TXRTS);
    run_ns(1);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, 0);
    ck_assert_uint_eq(rcr(a, EIR) & (TXIF | TXERIF), TXIF);
    /* the status vector after ETXND */
    uint8_t tsv[7];
    tsv_read(a, n, tsv);
    ck_assert_uint_eq(tsv[0] | tsv[1] << 8, 64);    /* bytes with padding and CRC */
    ck_assert_uint_eq(tsv[2] & 0x0F, 0);            /* no collisions */
    ck_assert_uint_eq(tsv[2] & 0x80, 0x80);         /* done */
    ck_assert_uint_eq(tsv[4] | tsv[5] << 8, 72);    /* bytes on the wire */
    /* b: the frame's last bit arrives 57.6 us after it started plus the
     * cable's 5 us, then lands 32 cycles (1.28 us) later */
    ck_assert_uint_eq(rcr(b, EPKTCNT), 0);
    run_ns(t0 + 1000 + 57600 + 5000 + 1280 - 1 - m->sched.now);
    ck_assert_uint_eq(rcr(b, EPKTCNT), 0);
    ck_assert_uint_eq(rcr(b, ESTAT) & RXBUSY, RXBUSY);
    run_ns(1);
    ck_assert_uint_eq(rcr(b, EPKTCNT), 1);
    ck_assert_uint_eq(rcr(b, EIR) & PKTIF, PKTIF);
    ck_assert(int_low(b));
    uint8_t got[128];
    uint32_t rsv;
    int count = rx_read(b, got, sizeof got, &rsv);
    ck_assert_int_eq(count, 64);
    ck_assert_uint_eq(next_pkt[1], 70); /* 6 + 64, even */
    ck_assert_uint_eq(rsv & (1u << 23), 1u << 23);   /* received OK */
    ck_assert_uint_eq(rsv & (1u << 22), 1u << 22);   /* type field > 1500 */
    ck_assert_int_eq(memcmp(got, f, n), 0);
    ck_assert_uint_eq(got[40], 0);                   /* padding */
    ck_assert_uint_eq(rd_le32(got + 60), net_crc32(got, 60));
    ck_assert_uint_eq(rcr(b, EPKTCNT), 0);
    ck_assert_uint_eq(rcr(b, EIR) & PKTIF, 0);
    ck_assert(!int_low(b));
    ck_assert_uint_eq(probe_hits(a, "tx_done"), 1);
    ck_assert_uint_eq(probe_hits(b, "rx_frame"), 1);
}
END_TEST

START_TEST(ring_wrap_around)
{
    init_chip(a, mac_a, true);
    /* a small ring 0x0000-0x00FF: three 64-byte frames (70 bytes each) wrap */
    wr16(a, ERXSTL, 0x0000);
    wr16(a, ERXNDL, 0x00FF);
    wr16(a, ERXRDPTL, 0x00FF);
    next_pkt[0] = 0;
    uint8_t f[64], got[128];
    for (int k = 0; k < 6; k++) {
        size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, (uint8_t)(k * 16));
        host_send(f, n);
        run_us(100);
        uint32_t rsv;
        uint16_t at = next_pkt[0];
        int count = rx_read(a, got, sizeof got, &rsv);
        ck_assert_int_eq(count, 64);
        ck_assert_int_eq(memcmp(got, f, n), 0);
        ck_assert_uint_eq(next_pkt[0], (at + 70) % 0x100);
        ck_assert_uint_lt(next_pkt[0], 0x100);
    }
    ck_assert_uint_eq(rd16(a, ERXWRPTL), (6 * 70) % 0x100);
}
END_TEST

START_TEST(overflow_under_a_burst)
{
    init_chip(a, mac_a, true);
    bfs(a, EIE, RXERIE);
    uint8_t f[1514];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 1000, 3);
    /* 0x1A00 bytes of ring hold 6 frames of 6 + 1018 bytes; the link queues
     * the burst at 10 Mbit/s */
    for (int k = 0; k < 12; k++)
        host_send(f, n);
    run_us(12 * 850 + 100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 6);
    ck_assert_uint_eq(rcr(a, EIR) & RXERIF, RXERIF);
    ck_assert(int_low(a));
    ck_assert_uint_eq(probe_hits(a, "rx_overflow"), 6);
    ck_assert_uint_eq(probe_hits(a, "rx_dropped"), 6);
    /* ERXWRPT did not move for the lost frames */
    ck_assert_uint_eq(rd16(a, ERXWRPTL), 6 * 1024);
    /* the driver empties the ring and reception goes on; the next stored
     * frame's status vector reports the drops (bit 16) */
    uint8_t got[1600];
    uint32_t rsv;
    for (int k = 0; k < 6; k++)
        ck_assert_int_eq(rx_read(a, got, sizeof got, &rsv), 1018);
    bfc(a, EIR, RXERIF);
    host_send(f, n);
    run_us(900);
    ck_assert_int_eq(rx_read(a, got, sizeof got, &rsv), 1018);
    ck_assert_uint_eq(rsv & (1u << 16), 1u << 16);
}
END_TEST

START_TEST(packet_count_saturates_at_255)
{
    init_chip(a, mac_a, true);
    /* the driver frees the space (ERXRDPT) but never sets PKTDEC */
    uint8_t f[60];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    for (int k = 0; k < 256; k++) {
        host_send(f, n);
        run_us(70);
        uint16_t wr = rd16(a, ERXWRPTL);
        wr16(a, ERXRDPTL, wr == 0 ? RX_END : (uint16_t)(wr - 1));
    }
    ck_assert_uint_eq(rcr(a, EPKTCNT), 255);
    ck_assert_uint_eq(rcr(a, EIR) & RXERIF, RXERIF);
    ck_assert_uint_eq(probe_hits(a, "rx_overflow"), 1);
    bfs(a, ECON2, PKTDEC);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 254);
}
END_TEST

/* ------------------------------------------------------------------------ */

static int deliver_and_count(const uint8_t *f, size_t n, bool good_fcs)
{
    uint8_t before = rcr(a, EPKTCNT);
    if (good_fcs) {
        host_send(f, n);
    } else {
        cable.p.corrupt_ppm = 1000000;
        host_send(f, n);
        run_us(200);
        cable.p.corrupt_ppm = 0;
    }
    run_us(200);
    return rcr(a, EPKTCNT) - before;
}

START_TEST(receive_filters)
{
    init_chip(a, mac_a, true);
    uint8_t f[200];
    static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x77 };
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5E, 0x00, 0x00, 0x01 };
    size_t n;
    /* reset filter UCEN | CRCEN | BCEN */
    n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    n = make_frame(f, other, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
    n = make_frame(f, bcast, mac_h, 0x0806, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    n = make_frame(f, mcast, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
    /* CRCEN: a corrupted frame is dropped ... */
    n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, false), 0);
    /* ... or stored with the CRC error bit when CRCEN is off */
    wcr(a, ERXFCON, 0x00);
    ck_assert_int_eq(deliver_and_count(f, n, false), 1);
    uint8_t got[128];
    uint32_t rsv;
    while (rcr(a, EPKTCNT) > 1)
        rx_read(a, got, sizeof got, &rsv);
    rx_read(a, got, sizeof got, &rsv);
    ck_assert_uint_eq(rsv & ((1u << 20) | (1u << 23)), 1u << 20);
    /* MCEN (broadcast is a multicast too) */
    wcr(a, ERXFCON, 0x02);
    n = make_frame(f, mcast, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
    /* HTEN: the bit the CRC of the destination selects */
    wcr(a, ERXFCON, 0x04);
    n = make_frame(f, mcast, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
    /* the table index of 01:00:5E:00:00:01 by Microchip's procedure */
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < 6; i++)
        for (int bit = 0; bit < 8; bit++) {
            unsigned in = (mcast[i] >> bit) & 1u, top = crc >> 31;
            crc <<= 1;
            if (top ^ in)
                crc ^= 0x04C11DB7u;
        }
    unsigned hidx = (crc >> 23) & 0x3F;
    bfs(a, (uint8_t)(EHT0 + hidx / 8), (uint8_t)(1u << (hidx % 8)));
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    /* promiscuous: no filter enabled */
    wcr(a, ERXFCON, 0x00);
    n = make_frame(f, other, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    /* AND mode: unicast AND broadcast can never both hold */
    wcr(a, ERXFCON, 0xC1);
    n = make_frame(f, bcast, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
    n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
    wcr(a, ERXFCON, 0xC0);  /* AND with UCEN alone */
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    /* Magic Packet: 6 x FF then 16 x our address */
    wcr(a, ERXFCON, 0x08);
    n = make_frame(f, bcast, mac_h, 0x0842, 120, 0);
    memset(f + 20, 0xFF, 6);
    for (int r = 0; r < 16; r++)
        memcpy(f + 26 + 6 * r, mac_a, 6);
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    f[26 + 6 * 15] ^= 1;
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
}
END_TEST

START_TEST(pattern_match_with_dma_checksum)
{
    init_chip(a, mac_a, true);
    /* as Microchip's MACSetPMFilter: write the selected pattern bytes,
     * checksum them with the DMA, load EPMCS/EPMM/EPMO */
    control(a, "erratum.pattern_match_extra", "false");
    uint8_t f[64];
    size_t n = make_frame(f, bcast, mac_h, 0x0806, 46, 0x30);
    /* window at offset 0, mask: bytes 0-5 (destination) and 12-13 (type) */
    uint8_t sel[8];
    memcpy(sel, f, 6);
    sel[6] = f[12];
    sel[7] = f[13];
    wr16(a, EWRPTL, 0x1C00);
    wbm(a, sel, 8);
    wr16(a, EDMASTL, 0x1C00);
    wr16(a, EDMANDL, 0x1C07);
    bfs(a, ECON1, DMAST | CSUMEN);
    run_us(1);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, 0);
    bfc(a, ECON1, CSUMEN);
    wcr(a, EPMCSL, rcr(a, EDMACSL));
    wcr(a, EPMCSL + 1, rcr(a, EDMACSL + 1));
    wcr(a, EPMM0, 0x3F);
    wcr(a, EPMM0 + 1, 0x30);
    wr16(a, EPMOL, 0);
    wcr(a, ERXFCON, 0x10 | 0x20);
    ck_assert_int_eq(deliver_and_count(f, n, true), 1);
    f[13] = 0x00; /* another type: no match */
    ck_assert_int_eq(deliver_and_count(f, n, true), 0);
}
END_TEST

/* ------------------------------------------------------------------------ */

START_TEST(transmit_padding_crc_and_control_byte)
{
    init_chip(a, mac_a, true);
    uint8_t f[1600];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 10, 7);
    /* MACON3 PADCFG 001 + TXCRCEN: padded to 60, CRC appended */
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    ck_assert_uint_eq(host_count, 0);
    run_us(20);
    ck_assert_uint_eq(host_count, 1);
    ck_assert_uint_eq(host_rx[0].len, 60);
    ck_assert_int_eq(memcmp(host_rx[0].data, f, n), 0);
    /* PADCFG 011: 64 bytes before the CRC */
    wcr(a, MACON3, 0x73);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    run_us(20);
    ck_assert_uint_eq(host_rx[1].len, 64);
    /* PADCFG 101: VLAN frames to 64, others to 60 */
    wcr(a, MACON3, 0xB3);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    run_us(20);
    ck_assert_uint_eq(host_rx[2].len, 60);
    uint8_t v[32];
    memcpy(v, f, 12);
    v[12] = 0x81; v[13] = 0x00; v[14] = 0; v[15] = 5; v[16] = 0x08; v[17] = 0;
    tx_send(a, v, 18);
    ck_assert(tx_wait(a, 200));
    run_us(20);
    ck_assert_uint_eq(host_rx[3].len, 64);
    /* control byte POVERRIDE without PCRCEN/PPADEN: the host supplies the FCS */
    wcr(a, MACON3, 0x33);
    size_t m60 = make_frame(f, mac_h, mac_a, 0x0800, 46, 9);
    wr_le32(f + m60, net_crc32(f, m60));
    tx_load(a, 0x01, f, m60 + 4);
    bfs(a, ECON1, TXRTS);
    ck_assert(tx_wait(a, 200));
    run_us(20);
    ck_assert_uint_eq(host_rx[4].len, 60);
    uint8_t tsv[7];
    tsv_read(a, m60 + 4, tsv);
    ck_assert_uint_eq(tsv[0] | tsv[1] << 8, 64);
    ck_assert_uint_eq(tsv[2] & 0x10, 0); /* FCS correct */
    /* a frame longer than MAMXFL aborts once MAMXFL bytes are out:
     * 1 us + (8 + 100) * 0.8 us; TXERIF, TXABRT, TSV giant; nothing arrives */
    wr16(a, MAMXFLL, 100);
    n = make_frame(f, mac_h, mac_a, 0x0800, 200, 0);
    bfc(a, EIR, TXIF | TXERIF);
    unsigned before = host_count;
    tx_send(a, f, n);
    run_us(87.3);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, TXRTS);
    run_us(0.1);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, 0);
    run_us(20);
    ck_assert_uint_eq(host_count, before);
    ck_assert_uint_eq(rcr(a, EIR) & (TXIF | TXERIF), TXIF | TXERIF);
    ck_assert_uint_eq(rcr(a, ESTAT) & TXABRT, TXABRT);
    tsv_read(a, n, tsv);
    ck_assert_uint_eq(tsv[3] & 0x40, 0x40);
    ck_assert_uint_eq(tsv[2] & 0x80, 0);
    /* HFRMEN lets it through */
    bfs(a, MACON3, 0x04);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 400));
    ck_assert_uint_eq(rcr(a, ESTAT) & TXABRT, 0);
    /* the host cancels a transmission by clearing TXRTS */
    bfc(a, EIR, TXIF | TXERIF);
    tx_send(a, f, n);
    run_us(50);
    bfc(a, ECON1, TXRTS);
    ck_assert_uint_eq(rcr(a, EIR) & TXIF, TXIF);
    ck_assert_uint_eq(rcr(a, ESTAT) & TXABRT, TXABRT);
}
END_TEST

START_TEST(back_to_back_gap)
{
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 46, 0);
    sim_time_t t0 = m->sched.now;
    tx_send(a, f, n);
    /* done at t0 + 1 + 57.6 us; the next TXRTS at once waits for the gap:
     * MABBIPG 0x15 in full duplex is 0x15 + 3 = 24 nibbles = 9.6 us */
    run_ns(t0 + 58600 - m->sched.now);
    ck_assert_uint_eq(rcr(a, ECON1) & TXRTS, 0);
    sim_time_t end1 = a->last_tx_end;
    ck_assert_uint_eq(end1, t0 + 58600);
    tx_send(a, f, n);
    run_us(100);
    ck_assert_uint_eq(a->tx_wire_start - end1, 9600);
}
END_TEST

START_TEST(half_duplex_collisions_and_backoff)
{
    init_chip(a, mac_a, false);
    uint8_t f[64], tsv[7];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 46, 0);
    /* every attempt collides: RETMAX (15) retries, then an excessive-collision abort */
    control(a, "collision_chance", "1");
    wcr(a, MACLCON2, 63);
    bfs(a, EIE, INTIE | TXIE | TXERIE);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 1000000));
    ck_assert_uint_eq(rcr(a, EIR) & (TXIF | TXERIF), TXIF | TXERIF);
    tsv_read(a, n, tsv);
    ck_assert_uint_eq(tsv[2] & 0x0F, 0);         /* 16 attempts: the 4-bit count wraps */
    ck_assert_uint_eq(tsv[3] & 0x10, 0x10);      /* excessive collisions */
    ck_assert_uint_eq(probe_hits(a, "tx_collision"), 16);
    ck_assert_uint_eq(host_count, 0);
    /* a late collision: beyond the collision window, no retry */
    wcr(a, MACLCON2, 0);
    bfc(a, EIR, TXIF | TXERIF);
    unsigned late = 0;
    for (int k = 0; k < 20 && !late; k++) {
        tx_send(a, f, n);
        ck_assert(tx_wait(a, 1000000));
        tsv_read(a, n, tsv);
        late = tsv[3] & 0x20;
    }
    ck_assert_uint_ne(late, 0);
    ck_assert_uint_eq(rcr(a, ESTAT) & LATECOL, LATECOL); /* erratum 15 not in play: set */
    /* no more collisions: the frame goes out, the TSV counts bytes on the wire */
    control(a, "collision_chance", "0");
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 1000));
    tsv_read(a, n, tsv);
    ck_assert_uint_eq(tsv[2] & 0x80, 0x80);
}
END_TEST

/* ------------------------------------------------------------------------ */

START_TEST(dma_copy_checksum_and_bist)
{
    init_chip(a, mac_a, true);
    /* copy 0x19FE..0x0001 (the source wraps at ERXND) to 0x1C00 */
    uint8_t d[4] = { 0xA0, 0xA1, 0xA2, 0xA3 };
    wr16(a, EWRPTL, 0x19FE);
    wbm(a, d, 2);
    wr16(a, EWRPTL, 0x0000);
    wbm(a, d + 2, 2);
    wr16(a, EDMASTL, 0x19FE);
    wr16(a, EDMANDL, 0x0001);
    wr16(a, EDMADSTL, 0x1C00);
    bfs(a, EIE, DMAIF | INTIE);
    bfs(a, ECON1, DMAST);
    /* 4 bytes at 2 cycles each = 320 ns */
    run_ns(319);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, DMAST);
    run_ns(1);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, 0);
    ck_assert_uint_eq(rcr(a, EIR) & DMAIF, DMAIF);
    ck_assert(int_low(a));
    uint8_t r[4];
    wr16(a, ERDPTL, 0x1C00);
    rbm(a, r, 4);
    ck_assert_int_eq(memcmp(r, d, 4), 0);
    bfc(a, EIR, DMAIF);
    /* BIST address fill and a DMA checksum over all 8 KiB: both F807h */
    wr16(a, EDMASTL, 0x0000);
    wr16(a, EDMANDL, 0x1FFF);
    wr16(a, ERXNDL, 0x1FFF);
    wcr(a, EBSTCON, 0x04 | 0x02 | 0x01);   /* address fill, TME, BISTST */
    ck_assert_uint_eq(rcr(a, EBSTCON) & 1, 1);
    bfs(a, ECON1, DMAST | CSUMEN);
    /* 8192 bytes at one cycle each: 327.68 us */
    run_us(327.6);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, DMAST);
    run_us(0.1);
    ck_assert_uint_eq(rcr(a, EBSTCON) & 1, 0);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, 0);
    ck_assert_uint_eq(rd16(a, EDMACSL), 0xF807);
    ck_assert_uint_eq(rd16(a, EBSTCSL), 0xF807);
    /* random fill: BIST and DMA agree */
    wcr(a, EBSTCON, 0x02);
    wcr(a, EBSTSD, 0x5A);
    wcr(a, EBSTCON, 0x10 | 0x02 | 0x01);
    bfs(a, ECON1, DMAST | CSUMEN);
    run_us(400);
    ck_assert_uint_eq(rd16(a, EDMACSL), rd16(a, EBSTCSL));
    ck_assert_uint_ne(rd16(a, EDMACSL), 0xF807);
}
END_TEST

START_TEST(dma_copy_waits_for_transmission)
{
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 46, 0);
    tx_send(a, f, n);
    wr16(a, EDMASTL, 0x0000);
    wr16(a, EDMANDL, 0x0003);
    wr16(a, EDMADSTL, 0x1C00);
    bfs(a, ECON1, DMAST);
    run_us(10);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, DMAST);
    ck_assert(tx_wait(a, 100));
    run_us(1);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, 0);
}
END_TEST

START_TEST(power_save)
{
    init_chip(a, mac_a, true);
    bfc(a, ECON1, RXEN);
    bfs(a, ECON2, VRPS);
    bfs(a, ECON2, PWRSV);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, 0);
    ck_assert_uint_eq(rcr(a, ECON2), AUTOINC | PWRSV | VRPS);
    /* MAC/MII registers are off, ETH registers and the buffer work */
    wcr(a, MAADR1, 0x55);
    wcr(a, EPMM0, 0x66);
    ck_assert_uint_eq(rcr(a, EPMM0), 0x66);
    uint8_t d = 0x77, r;
    wr16(a, EWRPTL, 0x1000);
    wbm(a, &d, 1);
    wr16(a, ERDPTL, 0x1000);
    rbm(a, &r, 1);
    ck_assert_uint_eq(r, 0x77);
    /* frames are not received */
    bfs(a, ECON1, RXEN);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 0);
    /* leaving: CLKRDY 300 us later */
    bfc(a, ECON2, PWRSV);
    run_us(299);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, 0);
    run_us(1);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, CLKRDY);
    ck_assert_uint_eq(rcr(a, MAADR1), mac_a[0]);
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 1);
}
END_TEST

/* ------------------------------------------------------------------------ */

START_TEST(phy_through_mii)
{
    run_us(300);
    /* MISTAT.BUSY for 10.24 us after MIIRD */
    wcr(a, MIREGADR, PHID1);
    wcr(a, MICMD, 0x01);
    ck_assert_uint_eq(rcr(a, MISTAT) & 1, 1);
    run_ns(10239);
    ck_assert_uint_eq(rcr(a, MISTAT) & 1, 1);
    run_ns(1);
    ck_assert_uint_eq(rcr(a, MISTAT) & 1, 0);
    wcr(a, MICMD, 0);
    ck_assert_uint_eq(rd16(a, MIRDL), 0x0083);
    /* RIOT clears MIIRD at once: the read still completes */
    wcr(a, MIREGADR, PHID2);
    wcr(a, MICMD, 0x01);
    wcr(a, MICMD, 0x00);
    run_us(10.24);
    ck_assert_uint_eq(rd16(a, MIRDL), 0x1400);
    /* a write: the register changes when BUSY clears */
    wcr(a, MIREGADR, PHLCON);
    wr16(a, MIWRL, 0x3476);
    ck_assert_uint_eq(rcr(a, MISTAT) & 1, 1);
    ck_assert_uint_eq(enc28j60_phy_peek(a, PHLCON), 0x3422);
    run_us(10.24);
    ck_assert_uint_eq(enc28j60_phy_peek(a, PHLCON), 0x3476);
    /* starting an MII operation while BUSY is refused (and logged) */
    wcr(a, MIREGADR, PHCON2);
    wr16(a, MIWRL, 0x0100);
    wcr(a, MIREGADR, PHLCON);
    wr16(a, MIWRL, 0x3422);
    run_us(11);
    ck_assert_uint_eq(enc28j60_phy_peek(a, PHCON2), 0x0100);
    ck_assert_uint_eq(enc28j60_phy_peek(a, PHLCON), 0x3476);
    /* scan: NVALID until the first read, then MIRD follows the register */
    wcr(a, MIREGADR, PHSTAT2);
    wcr(a, MICMD, 0x02);
    ck_assert_uint_eq(rcr(a, MISTAT) & 0x06, 0x06);
    run_us(10.24);
    ck_assert_uint_eq(rcr(a, MISTAT) & 0x06, 0x02);
    ck_assert_uint_eq(rd16(a, MIRDL) & 0x0400, 0x0400);
    net_link_params_t p = cable.p;
    p.up = false;
    net_link_set_params(&cable, &p);
    run_us(20.5);
    ck_assert_uint_eq(rd16(a, MIRDL) & 0x0400, 0);
    wcr(a, MICMD, 0x00);
    run_us(11);
    ck_assert_uint_eq(rcr(a, MISTAT), 0);
}
END_TEST

START_TEST(link_change_interrupt_and_latching_status)
{
    init_chip(a, mac_a, true);
    phy_write(a, PHIE, 0x0012);
    bfs(a, EIE, INTIE | LINKIE);
    ck_assert_uint_eq(phy_read(a, PHSTAT1) & 0x0004, 0);      /* latched low since reset */
    ck_assert_uint_eq(phy_read(a, PHSTAT1) & 0x0004, 0x0004);
    ck_assert(!int_low(a));
    net_link_params_t p = cable.p;
    p.up = false;
    net_link_set_params(&cable, &p);
    ck_assert_uint_eq(rcr(a, EIR) & LINKIF, LINKIF);
    ck_assert(int_low(a));
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0400, 0);
    /* the cable comes back before the driver looks: LLSTAT still says it went down */
    p.up = true;
    net_link_set_params(&cable, &p);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0400, 0x0400);
    ck_assert_uint_eq(phy_read(a, PHSTAT1) & 0x0004, 0);
    ck_assert_uint_eq(phy_read(a, PHSTAT1) & 0x0004, 0x0004);
    /* reading PHIR clears PLNKIF, PGIF and LINKIF: INT is released */
    ck_assert_uint_eq(phy_read(a, PHIR), 0x0014);
    ck_assert_uint_eq(rcr(a, EIR) & LINKIF, 0);
    ck_assert(!int_low(a));
    ck_assert_uint_eq(probe_hits(a, "link_change"), 3); /* up after power-on, down, up */
    /* without PGEIE the flag is recorded but no interrupt */
    phy_write(a, PHIE, 0x0010);
    p.up = false;
    net_link_set_params(&cable, &p);
    ck_assert_uint_eq(rcr(a, EIR) & LINKIF, 0);
    /* the link delay control: up only after it */
    control(a, "link_delay_ms", "50");
    p.up = true;
    net_link_set_params(&cable, &p);
    run_us(49000);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0400, 0);
    run_us(1000);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0400, 0x0400);
}
END_TEST

START_TEST(leds)
{
    init_chip(a, mac_a, true);
    /* reset PHLCON 0x3422: LEDA link, LEDB receive activity stretched by 40 ms */
    ck_assert(enc28j60_led(a, 0));
    ck_assert(!enc28j60_led(a, 1));
    ck_assert(gpio_pin_level(&a->leda_pin));
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    host_send(f, n);
    run_us(70);
    ck_assert(enc28j60_led(a, 1));
    run_us(39000);
    ck_assert(enc28j60_led(a, 1));
    run_us(2000);
    ck_assert(!enc28j60_led(a, 1));
    /* on / off / blink */
    phy_write(a, PHLCON, 0x3890);
    ck_assert(enc28j60_led(a, 0));
    ck_assert(!enc28j60_led(a, 1));
    phy_write(a, PHLCON, 0x3BA0);
    bool seen[2] = { false, false };
    for (int k = 0; k < 40; k++) {
        run_us(25000);
        seen[enc28j60_led(a, 0)] = true;
    }
    ck_assert(seen[0] && seen[1]);
    /* duplex */
    phy_write(a, PHLCON, 0x3550);
    ck_assert(enc28j60_led(a, 0));
    /* the cable goes: the link LED goes dark */
    phy_write(a, PHLCON, 0x3422);
    net_link_params_t p = cable.p;
    p.up = false;
    net_link_set_params(&cable, &p);
    ck_assert(!enc28j60_led(a, 0));
}
END_TEST

START_TEST(int_pin_level_and_intie)
{
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0);
    host_send(f, n);
    run_us(70);
    ck_assert(int_low(a));
    ck_assert_uint_eq(rcr(a, ESTAT) & 0x80, 0x80);
    /* the ISR clears INTIE: the pin is released, ESTAT.INT still shows the flag */
    bfc(a, EIE, INTIE);
    ck_assert(!int_low(a));
    ck_assert_uint_eq(rcr(a, ESTAT) & 0x80, 0x80);
    /* setting INTIE again with the flag pending pulls it low again (a new edge) */
    bfs(a, EIE, INTIE);
    ck_assert(int_low(a));
    bfc(a, EIE, PKTIE);
    ck_assert(!int_low(a));
    ck_assert_uint_eq(rcr(a, ESTAT) & 0x80, 0);
}
END_TEST

/* ------------------------------------------------------------------------ */

START_TEST(reset_by_src)
{
    init_chip(a, mac_a, true);
    wcr(a, ECOCON, 0x01);
    uint8_t d = 0x99;
    wr16(a, EWRPTL, 0x1234);
    wbm(a, &d, 1);
    src(a);
    ck_assert_uint_eq(probe_hits(a, "chip_reset"), 2);
    run_us(1000); /* erratum 2: wait 1 ms */
    ck_assert_uint_eq(rcr(a, ERXFCON), 0xA1);
    ck_assert_uint_eq(rd16(a, ERXNDL), 0x1FFF);
    ck_assert_uint_eq(rcr(a, MACON1), 0);
    ck_assert_uint_eq(rcr(a, ECON1) & ~ECON1_BSEL_MASK, 0);
    ck_assert_uint_eq(rcr(a, ECOCON), 0x01);      /* kept through SRC */
    wr16(a, ERDPTL, 0x1234);
    uint8_t r;
    rbm(a, &r, 1);
    ck_assert_uint_eq(r, 0x99);                   /* the buffer keeps its contents */
    ck_assert_uint_eq(phy_read(a, PHCON1), 0);
}
END_TEST

START_TEST(reset_by_pin)
{
    gpio_net_t rst;
    gpio_net_init(&rst, "rst", GPIO_PULL_UP);
    gpio_pin_t drv;
    gpio_pin_init(&drv, "drv");
    gpio_net_attach(&rst, &drv);
    endpoint_t *ep = machine_find_endpoint(m, "a.reset");
    ck_assert_ptr_nonnull(ep);
    gpio_net_listen(&rst, ep->listen_fn, ep->listen_opaque, ep->listen_n);
    init_chip(a, mac_a, true);
    wcr(a, ERXFCON, 0x00);
    /* held low: SO floats, the chip answers nothing */
    gpio_pin_set(&drv, false);
    run_us(1000);
    uint8_t o[2] = { 0x1D, 0 }, in[2];
    cmd(a, o, in, 2);
    ck_assert_uint_eq(in[1], 0xFF);
    /* released: registers reset, CLKRDY 300 us later (no erratum 2 here) */
    gpio_pin_set(&drv, true);
    cur_bank[0] = 0;
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, 0);
    run_us(300);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, CLKRDY);
    ck_assert_uint_eq(rcr(a, ERXFCON), 0xA1);
    /* a pulse shorter than 400 ns is logged */
    unsigned errs = log_count(LOG_GUEST_ERROR);
    gpio_pin_set(&drv, false);
    run_ns(100);
    gpio_pin_set(&drv, true);
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 1);
}
END_TEST

START_TEST(oscillator_drift)
{
    /* 1000 ppm slow: every interval 1/0.999 times as long; set before power-on */
    control(a, "osc_ppm", "-1000");
    enc28j60_class.reset(a, RESET_POWER_ON);
    sim_time_t t0 = m->sched.now;
    run_ns(t0 + 300300 - 1 - m->sched.now);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, 0);
    run_ns(1);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, CLKRDY);
    /* start-up: 7500 cycles of 40.04004 ns = 300300.3 -> 300300 ns;
     * MII: 256 cycles = 10250.25 -> 10250 ns */
    wcr(a, MIREGADR, PHID1);
    wcr(a, MICMD, 1);
    run_ns(10249);
    ck_assert_uint_eq(rcr(a, MISTAT) & 1, 1);
    run_ns(1);
    ck_assert_uint_eq(rcr(a, MISTAT) & 1, 0);
    /* CLKOUT follows: 25 MHz * 0.999 / 4 at the reset ECOCON */
    ck_assert_uint_eq(clock_hz(&a->clkout), 25ull * 999000u / 4u);
}
END_TEST

START_TEST(bad_driver_input_logged_once)
{
    run_us(300);
    unsigned errs = log_count(LOG_GUEST_ERROR);
    uint8_t o[2] = { 0xC5, 0x00 };
    for (int k = 0; k < 3; k++)
        cmd(a, o, NULL, 2);
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 1);
    /* unimplemented registers read 0, writes are ignored */
    for (int k = 0; k < 3; k++) {
        wcr(a, B0(0x18), 0x12);
        ck_assert_uint_eq(rcr(a, B0(0x18)), 0);
    }
    ck_assert_uint_eq(log_count(LOG_GUEST_ERROR), errs + 3);
    ck_assert_uint_eq(rcr(a, B3(0x0B)), 0);
    ck_assert_uint_eq(rcr(a, B2(0x0D)), 0);
    ck_assert_uint_eq(probe_hits(a, "bad_input") >= 3, 1);
    enc_event_t ev[ENC_EVENT_LOG];
    unsigned n = enc28j60_events(a, ev, ENC_EVENT_LOG);
    bool seen = false;
    for (unsigned k = 0; k < n; k++)
        seen |= ev[k].kind == ENC_EV_BAD_COMMAND && ev[k].detail == ENC_BAD_OPCODE;
    ck_assert(seen);
}
END_TEST

START_TEST(introspection)
{
    init_chip(a, mac_a, true);
    enc_reg_view_t v[128];
    unsigned n = enc28j60_dump(a, v, 128);
    ck_assert_uint_ge(n, 80);
    bool found = false;
    for (unsigned k = 0; k < n; k++)
        if (!strcmp(v[k].name, "ERXFCON")) {
            found = true;
            ck_assert_uint_eq(v[k].value, 0xA1);
            ck_assert_uint_eq(v[k].bank, 1);
        }
    ck_assert(found);
    ck_assert_str_eq(enc28j60_reg_name(3, 0x12), "EREVID");
    ck_assert_str_eq(enc28j60_phy_name(0x14), "PHLCON");
    uint8_t f[64], buf[64];
    size_t len = make_frame(f, mac_a, mac_h, 0x0800, 46, 5);
    host_send(f, len);
    run_us(100);
    enc28j60_buffer(a, 6, buf, len);
    ck_assert_int_eq(memcmp(buf, f, len), 0);
    enc_event_t ev[ENC_EVENT_LOG];
    unsigned ne = enc28j60_events(a, ev, ENC_EVENT_LOG);
    char text[96];
    enc28j60_event_text(&ev[ne - 1], text, sizeof text);
    ck_assert_str_eq(text, "rx: 60 bytes at 0x0000");
    /* peeking has no side effects */
    a->phy[PHIR] = 0x0014;
    ck_assert_uint_eq(enc28j60_phy_peek(a, PHIR), 0x0014);
    ck_assert_uint_eq(enc28j60_phy_peek(a, PHIR), 0x0014);
    ck_assert_uint_eq(enc28j60_stats(a)->rx_frames, 1);
    /* every control and probe a scenario may use exists */
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "a.erratum.rxrdpt_even"));
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "a.erratum.rxrdpt_even.chance"));
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "a.erratum.rxrdpt_even.hit"));
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "a.osc_ppm"));
    ck_assert_ptr_nonnull(machine_find_probe(m, "a.rx_overflow"));
    ck_assert_ptr_nonnull(machine_find_probe(m, "a.tx_done"));
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "a.clkout"));
    char err[128];
    cJSON *bad = cJSON_Parse("2");
    ck_assert_int_eq(machine_set_control(m, "a.erratum.rxrdpt_even", bad, err, sizeof err), -1);
    cJSON_Delete(bad);
}
END_TEST

START_TEST(clock_out)
{
    run_us(300);
    static const struct { uint8_t code; uint64_t hz; } cases[] = {
        { 0, 0 }, { 1, 25000000 }, { 2, 12500000 }, { 3, 8333333 }, { 4, 6250000 }, { 5, 3125000 },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(cases); k++) {
        wcr(a, ECOCON, cases[k].code);
        ck_assert_uint_eq(clock_hz(&a->clkout), cases[k].hz);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("enc28j60");
    TCase *one = tcase_create("chip");
    tcase_add_checked_fixture(one, setup_one, teardown);
    tcase_add_test(one, clkrdy_after_power_on);
    tcase_add_test(one, reset_values_of_every_register);
    tcase_add_test(one, spi_instruction_set_and_framing);
    tcase_add_test(one, read_only_and_clear_on_write_bits);
    tcase_add_test(one, buffer_pointers_and_wrap);
    tcase_add_test(one, ring_wrap_around);
    tcase_add_test(one, overflow_under_a_burst);
    tcase_add_test(one, packet_count_saturates_at_255);
    tcase_add_test(one, receive_filters);
    tcase_add_test(one, pattern_match_with_dma_checksum);
    tcase_add_test(one, transmit_padding_crc_and_control_byte);
    tcase_add_test(one, back_to_back_gap);
    tcase_add_test(one, half_duplex_collisions_and_backoff);
    tcase_add_test(one, dma_copy_checksum_and_bist);
    tcase_add_test(one, dma_copy_waits_for_transmission);
    tcase_add_test(one, power_save);
    tcase_add_test(one, phy_through_mii);
    tcase_add_test(one, link_change_interrupt_and_latching_status);
    tcase_add_test(one, leds);
    tcase_add_test(one, int_pin_level_and_intie);
    tcase_add_test(one, reset_by_src);
    tcase_add_test(one, reset_by_pin);
    tcase_add_test(one, oscillator_drift);
    tcase_add_test(one, bad_driver_input_logged_once);
    tcase_add_test(one, introspection);
    tcase_add_test(one, clock_out);
    suite_add_tcase(s, one);
    TCase *two = tcase_create("two chips");
    tcase_add_checked_fixture(two, setup_two, teardown);
    tcase_add_test(two, frame_loopback_between_two_chips);
    suite_add_tcase(s, two);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
