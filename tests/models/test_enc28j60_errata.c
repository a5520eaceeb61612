/*
 * The ENC28J60 silicon errata (DS80349C), one pair of tests each: the
 * symptom when a driver lacks the workaround, and the documented
 * workaround curing it. Where the sheet says "may", the erratum's chance is
 * set to 1 so the symptom shows every time. Then the revision table: which
 * EREVID each revision reports and which errata it switches on, board
 * overrides and run-time controls.
 */
#include "test_enc28j60_harness.h"

static void chip(const char *json)
{
    bench(json, false, NULL);
}

static uint64_t hits(enum enc_erratum e)
{
    return enc28j60_erratum_hits(a, e);
}

/* --- 1: slow asynchronous SPI clock (B1, B4) ---------------------------- */

static int mac_address_mismatches(void)
{
    static const uint8_t regs[6] = { MAADR1, MAADR2, MAADR3, MAADR4, MAADR5, MAADR6 };
    int bad = 0;
    for (int round = 0; round < 20; round++)
        for (int k = 0; k < 6; k++) {
            uint8_t v = (uint8_t)(0x11 * (k + 1) + round);
            wcr(a, regs[k], v);
            bad += rcr(a, regs[k]) != v;
        }
    return bad;
}

START_TEST(e01_slow_spi_clock_corrupts_mac_registers)
{
    chip("{ \"revision\": \"B4\", \"spi_sck_hz\": 4000000, \"errata\": { \"spi_slow_clock\": 1 } }");
    run_us(300);
    ck_assert_int_gt(mac_address_mismatches(), 0);
    ck_assert_uint_gt(hits(ENC_ERR_SPI_SLOW_CLOCK), 0);
}
END_TEST

START_TEST(e01_fix_spi_clock_at_8_mhz_or_more)
{
    chip("{ \"revision\": \"B4\", \"spi_sck_hz\": 10000000, \"errata\": { \"spi_slow_clock\": 1 } }");
    run_us(300);
    ck_assert_int_eq(mac_address_mismatches(), 0);
    ck_assert_uint_eq(hits(ENC_ERR_SPI_SLOW_CLOCK), 0);
}
END_TEST

/* --- 2: CLKRDY after SRC ------------------------------------------------ */

START_TEST(e02_src_clkrdy_stays_set_and_early_writes_are_lost)
{
    chip("{}");
    run_us(300);
    src(a);
    /* CLKRDY still reads 1 right after the reset: polling it proves nothing */
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, CLKRDY);
    run_us(11); /* Zephyr's wait */
    wcr(a, MACON1, 0x0D);
    run_us(2000);
    ck_assert_uint_eq(rcr(a, MACON1), 0x00);
    ck_assert_uint_gt(hits(ENC_ERR_SRC_CLKRDY), 0);
}
END_TEST

START_TEST(e02_fix_wait_1ms_after_src)
{
    chip("{}");
    run_us(300);
    src(a);
    run_us(1000);
    wcr(a, MACON1, 0x0D);
    ck_assert_uint_eq(rcr(a, MACON1), 0x0D);
    ck_assert_uint_eq(hits(ENC_ERR_SRC_CLKRDY), 0);
    /* silicon without the erratum clears CLKRDY and runs the start-up timer */
    control(a, "erratum.src_clkrdy", "false");
    src(a);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, 0);
    run_us(300);
    ck_assert_uint_eq(rcr(a, ESTAT) & CLKRDY, CLKRDY);
}
END_TEST

/* --- 4: CLKOUT in power save -------------------------------------------- */

START_TEST(e04_clkout_stops_in_power_save)
{
    chip("{}");
    run_us(300);
    wcr(a, ECOCON, 0x01);
    ck_assert_uint_eq(clock_hz(&a->clkout), 25000000);
    bfs(a, ECON2, PWRSV);
    ck_assert_uint_eq(clock_hz(&a->clkout), 0);
    ck_assert_uint_eq(hits(ENC_ERR_CLKOUT_POWER_SAVE), 1);
}
END_TEST

START_TEST(e04_fix_clkout_returns_after_power_save)
{
    chip("{}");
    run_us(300);
    wcr(a, ECOCON, 0x01);
    bfs(a, ECON2, PWRSV);
    bfc(a, ECON2, PWRSV);
    ck_assert_uint_eq(clock_hz(&a->clkout), 25000000);
    /* the datasheet's behaviour: CLKOUT keeps running through power save */
    control(a, "erratum.clkout_power_save", "false");
    bfs(a, ECON2, PWRSV);
    ck_assert_uint_eq(clock_hz(&a->clkout), 25000000);
}
END_TEST

/* --- 5: receive buffer must start at 0000h ------------------------------ */

START_TEST(e05_ring_not_at_zero_loses_the_write_pointer)
{
    chip("{ \"errata\": { \"erxwrpt_zero\": 1 } }");
    init_chip(a, mac_a, true);
    wr16(a, ETXSTL, 0x0000);
    wr16(a, ERXSTL, 0x1000);
    wr16(a, ERXNDL, 0x1FFF);
    wr16(a, ERXRDPTL, 0x1FFF);
    ck_assert_uint_eq(rd16(a, ERXWRPTL), 0x0000);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    /* the packet landed at 0x0000, in the transmit area, not at ERXST */
    uint8_t mem[6];
    enc28j60_buffer(a, 6, mem, 6);
    ck_assert_int_eq(memcmp(mem, mac_a, 6), 0);
    enc28j60_buffer(a, 0x1006, mem, 6);
    ck_assert_int_ne(memcmp(mem, mac_a, 6), 0);
    ck_assert_uint_gt(hits(ENC_ERR_ERXWRPT_ZERO), 0);
}
END_TEST

START_TEST(e05_fix_ring_at_zero)
{
    chip("{ \"errata\": { \"erxwrpt_zero\": 1 } }");
    init_chip(a, mac_a, true); /* ring 0x0000-0x19FF */
    uint8_t f[64], got[80];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    ck_assert_int_eq(rx_read(a, got, sizeof got, NULL), 64);
    ck_assert_int_eq(memcmp(got, f, n), 0);
}
END_TEST

/* --- 6: PKTIF unreliable -------------------------------------------------- */

START_TEST(e06_pktif_misses_a_packet)
{
    chip("{ \"errata\": { \"pktif_unreliable\": 1 } }");
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    /* a driver deciding on EIR.PKTIF finds nothing, although the INT pin fired */
    ck_assert_uint_eq(rcr(a, EIR) & PKTIF, 0);
    ck_assert(int_low(a));
    ck_assert_uint_eq(hits(ENC_ERR_PKTIF), 1);
}
END_TEST

START_TEST(e06_fix_poll_epktcnt)
{
    chip("{ \"errata\": { \"pktif_unreliable\": 1 } }");
    init_chip(a, mac_a, true);
    uint8_t f[64], got[80];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 1);
    ck_assert_int_eq(rx_read(a, got, sizeof got, NULL), 64);
    ck_assert(!int_low(a));
}
END_TEST

/* --- 7: TPIN polarity ----------------------------------------------------- */

START_TEST(e07_reversed_pair_loses_frames)
{
    chip("{ \"tpin_reversed\": true, \"errata\": { \"tpin_polarity\": 1 } }");
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 0);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0020, 0); /* PLRITY does not say so */
    ck_assert_uint_eq(hits(ENC_ERR_TPIN_POLARITY), 1);
}
END_TEST

START_TEST(e07_fix_wire_the_pair_correctly)
{
    chip("{ \"tpin_reversed\": true, \"errata\": { \"tpin_polarity\": 1 } }");
    init_chip(a, mac_a, true);
    control(a, "tpin_reversed", "false");
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 1);
    /* silicon without the erratum corrects the polarity and reports it */
    control(a, "tpin_reversed", "true");
    control(a, "erratum.tpin_polarity", "false");
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 2);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0020, 0x0020);
}
END_TEST

/* --- 9: half-duplex loopback --------------------------------------------- */

static void half_duplex_promiscuous(uint16_t phcon2)
{
    chip("{ \"errata\": { \"hd_loopback\": 1, \"link_pulse_collision\": false } }");
    init_chip(a, mac_a, false);
    phy_write(a, PHCON2, phcon2);
    wcr(a, ERXFCON, 0x00); /* everything, bad CRCs too */
    uint8_t f[64];
    size_t n = make_frame(f, bcast, mac_a, 0x0806, 46, 1);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    run_us(10);
}

START_TEST(e09_half_duplex_loopback_returns_corrupted_frames)
{
    half_duplex_promiscuous(0x0000);
    uint8_t got[80];
    uint32_t rsv;
    ck_assert_int_eq(rx_read(a, got, sizeof got, &rsv), 64);
    ck_assert_uint_eq(rsv & (1u << 20), 1u << 20); /* CRC error */
    ck_assert_uint_eq(hits(ENC_ERR_HD_LOOPBACK), 1);
}
END_TEST

START_TEST(e09_fix_set_hdldis)
{
    half_duplex_promiscuous(0x0100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 0);
    ck_assert_uint_eq(host_count, 1);
}
END_TEST

/* --- 10: full-duplex loopback (PLOOPBK) ------------------------------------ */

START_TEST(e10_phy_loopback_corrupts_frames)
{
    chip("{ \"errata\": { \"fd_loopback\": 1 } }");
    init_chip(a, mac_a, true);
    phy_write(a, PHCON1, 0x4100); /* PLOOPBK, PDPXMD */
    wcr(a, ERXFCON, 0x00);
    uint8_t f[64], got[80];
    size_t n = make_frame(f, mac_a, mac_a, 0x0800, 46, 1);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    run_us(10);
    uint32_t rsv;
    ck_assert_int_eq(rx_read(a, got, sizeof got, &rsv), 64);
    ck_assert_uint_eq(rsv & (1u << 20), 1u << 20);
    ck_assert_uint_eq(host_count, 0); /* nothing on the wire */
    ck_assert_uint_eq(hits(ENC_ERR_FD_LOOPBACK), 1);
}
END_TEST

START_TEST(e10_fix_external_loopback)
{
    chip("{ \"errata\": { \"fd_loopback\": 1 } }");
    init_chip(a, mac_a, true);
    host_echo = true; /* a loopback plug on the cable */
    uint8_t f[64], got[80];
    size_t n = make_frame(f, mac_a, mac_a, 0x0800, 46, 1);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    run_us(100);
    uint32_t rsv;
    ck_assert_int_eq(rx_read(a, got, sizeof got, &rsv), 64);
    ck_assert_uint_eq(rsv & (1u << 23), 1u << 23);
    ck_assert_int_eq(memcmp(got, f, n), 0);
}
END_TEST

/* --- 11: LED mode 1110 ------------------------------------------------------ */

START_TEST(e11_duplex_collision_led_mode_stays_dark)
{
    chip("{}");
    init_chip(a, mac_a, true);
    phy_write(a, PHLCON, 0x3E22);
    ck_assert(!enc28j60_led(a, 0));
    ck_assert_uint_eq(hits(ENC_ERR_LED_DUPLEX_COLL), 1);
}
END_TEST

START_TEST(e11_fix_use_the_duplex_mode)
{
    chip("{}");
    init_chip(a, mac_a, true);
    phy_write(a, PHLCON, 0x3522);
    ck_assert(enc28j60_led(a, 0));
    control(a, "erratum.led_duplex_collision", "false");
    phy_write(a, PHLCON, 0x3E22);
    ck_assert(enc28j60_led(a, 0));
}
END_TEST

/* --- 12: transmit logic stalls after an abort ------------------------------ */

static void abort_one_transmission(uint8_t *f, size_t *n)
{
    chip("{ \"errata\": { \"tx_abort_stall\": 1, \"link_pulse_collision\": false } }");
    init_chip(a, mac_a, false);
    *n = make_frame(f, mac_h, mac_a, 0x0800, 46, 1);
    control(a, "collision_chance", "1");
    tx_send(a, f, *n);
    ck_assert(tx_wait(a, 1000000));
    ck_assert_uint_eq(rcr(a, EIR) & TXERIF, TXERIF);
    control(a, "collision_chance", "0");
}

START_TEST(e12_next_transmission_never_completes)
{
    uint8_t f[64];
    size_t n;
    abort_one_transmission(f, &n);
    bfc(a, EIR, TXIF | TXERIF);
    tx_send(a, f, n);
    ck_assert(!tx_wait(a, 10000));
    ck_assert_uint_eq(rcr(a, EIR) & TXIF, 0);
    ck_assert_uint_eq(host_count, 0);
    ck_assert_uint_eq(hits(ENC_ERR_TX_ABORT_STALL), 1);
}
END_TEST

START_TEST(e12_fix_pulse_txrst_then_clear_txerif)
{
    uint8_t f[64];
    size_t n;
    abort_one_transmission(f, &n);
    bfs(a, ECON1, TXRST);
    bfc(a, ECON1, TXRST);
    /* clearing TXRST raised a new TXERIF: clear it after the reset */
    ck_assert_uint_eq(rcr(a, EIR) & TXERIF, TXERIF);
    bfc(a, EIR, TXIF | TXERIF);
    tx_send(a, f, n);
    ck_assert(tx_wait(a, 200));
    ck_assert_uint_eq(rcr(a, EIR) & (TXIF | TXERIF), TXIF);
    run_us(10);
    ck_assert_uint_eq(host_count, 1);
}
END_TEST

/* --- 13: link pulses taken for collisions (B5, B7) -------------------------- */

static bool send_big_until_late_collision(uint8_t *f, size_t n)
{
    uint8_t tsv[7];
    for (int k = 0; k < 100; k++) {
        bfc(a, EIR, TXIF | TXERIF);
        tx_send(a, f, n);
        ck_assert(tx_wait(a, 100000));
        tsv_read(a, n, tsv);
        if (tsv[3] & 0x20)
            return true;
    }
    return false;
}

START_TEST(e13_link_pulse_aborts_with_a_late_collision)
{
    chip("{ \"errata\": { \"link_pulse_collision\": 1, \"tx_abort_stall\": false } }");
    init_chip(a, mac_a, false);
    uint8_t f[1514];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 1500, 1);
    ck_assert(send_big_until_late_collision(f, n));
    ck_assert_uint_eq(rcr(a, EIR) & TXERIF, TXERIF);
    ck_assert_uint_ge(hits(ENC_ERR_LINK_PULSE_COLL), 1);
    ck_assert_uint_lt(host_count, 100);
}
END_TEST

START_TEST(e13_fix_retransmit_on_late_collision)
{
    chip("{ \"errata\": { \"link_pulse_collision\": 1 } }");
    init_chip(a, mac_a, false);
    wcr(a, MACLCON2, 63);
    uint8_t f[1514], tsv[7];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 1500, 1);
    ck_assert(send_big_until_late_collision(f, n));
    unsigned before = host_count;
    /* Linux's TXERIF handler: reset the transmit logic and send again (<= 16 times) */
    int tries = 0;
    do {
        bfs(a, ECON1, TXRST);
        bfc(a, ECON1, TXRST);
        bfc(a, EIR, TXIF | TXERIF);
        bfs(a, ECON1, TXRTS);
        ck_assert(tx_wait(a, 100000));
        tsv_read(a, n, tsv);
    } while ((tsv[3] & 0x20) && ++tries < 16);
    ck_assert_uint_eq(tsv[2] & 0x80, 0x80);
    run_us(10);
    ck_assert_uint_eq(host_count, before + 1);
}
END_TEST

/* --- 14: even ERXRDPT --------------------------------------------------------- */

/* Ring 0x00-0xFF; three 60-byte frames (70 bytes each) at 0, 70, 140. The
 * driver has read the first and frees up to 'rd'; then a 106-byte frame
 * (6 + 110 = 116 bytes) arrives: exactly the distance from the write
 * pointer (210) to an even ERXRDPT of 70. */
static void fill_ring_to_the_read_pointer(bool odd)
{
    chip("{ \"errata\": { \"rxrdpt_even\": 1 } }");
    init_chip(a, mac_a, true);
    wr16(a, ERXSTL, 0x0000);
    wr16(a, ERXNDL, 0x00FF);
    wr16(a, ERXRDPTL, 0x00FF);
    uint8_t f[128];
    for (int k = 0; k < 3; k++) {
        size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, (uint8_t)(0x10 * k));
        host_send(f, n);
    }
    run_us(300);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 3);
    /* the first packet is done with; packet 1 starts at 70 */
    wr16(a, ERXRDPTL, odd ? 69 : 70);
    bfs(a, ECON2, PKTDEC);
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 92, 0x77);
    host_send(f, n);
    run_us(200);
    n = make_frame(f, mac_a, mac_h, 0x0800, 46, 0x99);
    host_send(f, n);
    run_us(200);
}

START_TEST(e14_even_rxrdpt_overwrites_an_unread_packet)
{
    fill_ring_to_the_read_pointer(false);
    /* the write pointer caught up with ERXRDPT: the ring looked empty and
     * the last frame landed on top of packet 1 */
    uint8_t hdr[6], data[20];
    enc28j60_buffer(a, 70, hdr, 6);
    enc28j60_buffer(a, 76 + 14, data, 1);
    ck_assert_uint_eq(data[0], 0x99); /* packet 1's payload is gone */
    ck_assert_uint_ge(hits(ENC_ERR_RXRDPT_EVEN), 1);
    ck_assert_uint_eq(rcr(a, EIR) & RXERIF, 0);
}
END_TEST

START_TEST(e14_fix_write_rxrdpt_odd)
{
    fill_ring_to_the_read_pointer(true);
    /* one byte short: the 106-byte frame is dropped (RXERIF), packet 1 is intact */
    uint8_t data[1];
    enc28j60_buffer(a, 76 + 14, data, 1);
    ck_assert_uint_eq(data[0], 0x10);
    ck_assert_uint_eq(rcr(a, EIR) & RXERIF, RXERIF);
    ck_assert_uint_eq(hits(ENC_ERR_RXRDPT_EVEN), 0);
}
END_TEST

/* --- 15: LATECOL unreliable ------------------------------------------------- */

static void late_collision(void)
{
    chip("{ \"errata\": { \"latecol_unreliable\": 1, \"link_pulse_collision\": false, "
         "\"tx_abort_stall\": false } }");
    init_chip(a, mac_a, false);
    wcr(a, MACLCON2, 0);
    control(a, "collision_chance", "1");
    uint8_t f[64], tsv[7];
    size_t n = make_frame(f, mac_h, mac_a, 0x0800, 46, 1);
    for (int k = 0; k < 20; k++) {
        bfc(a, EIR, TXIF | TXERIF);
        tx_send(a, f, n);
        ck_assert(tx_wait(a, 1000000));
        tsv_read(a, n, tsv);
        if (tsv[3] & 0x20)
            return;
    }
    ck_abort_msg("no late collision");
}

START_TEST(e15_latecol_not_set)
{
    late_collision();
    ck_assert_uint_eq(rcr(a, EIR) & TXERIF, TXERIF);
    ck_assert_uint_eq(rcr(a, ESTAT) & LATECOL, 0);
    ck_assert_uint_ge(hits(ENC_ERR_LATECOL), 1);
}
END_TEST

START_TEST(e15_fix_read_the_transmit_status_vector)
{
    late_collision();
    uint8_t tsv[7];
    tsv_read(a, 60, tsv);
    ck_assert_uint_eq(tsv[3] & 0x20, 0x20); /* bit 29: late collision */
    /* silicon without the erratum sets LATECOL on the next late collision */
    control(a, "erratum.latecol_unreliable", "false");
    tsv[3] = 0;
    for (int k = 0; k < 20 && !(tsv[3] & 0x20); k++) {
        bfc(a, EIR, TXIF | TXERIF);
        bfs(a, ECON1, TXRTS);
        ck_assert(tx_wait(a, 1000000));
        tsv_read(a, 60, tsv);
    }
    ck_assert_uint_eq(tsv[3] & 0x20, 0x20);
    ck_assert_uint_eq(rcr(a, ESTAT) & LATECOL, LATECOL);
}
END_TEST

/* --- 16: LED auto-polarity --------------------------------------------------- */

START_TEST(e16_duplex_comes_up_wrong)
{
    chip("{ \"duplex_strap\": \"half\", \"errata\": { \"led_autopolarity\": 1 } }");
    run_us(300);
    ck_assert_uint_eq(phy_read(a, PHCON1) & 0x0100, 0x0100);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0200, 0x0200);
    ck_assert_uint_eq(hits(ENC_ERR_LED_AUTOPOLARITY), 1);
}
END_TEST

START_TEST(e16_fix_write_pdpxmd)
{
    chip("{ \"duplex_strap\": \"half\", \"errata\": { \"led_autopolarity\": 1 } }");
    run_us(300);
    phy_write(a, PHCON1, 0x0000);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0200, 0);
    phy_write(a, PHCON1, 0x0100);
    ck_assert_uint_eq(phy_read(a, PHSTAT2) & 0x0200, 0x0200);
}
END_TEST

/* --- 17: DMA checksum aborts a frame being received --------------------------- */

START_TEST(e17_dma_checksum_loses_the_incoming_frame)
{
    chip("{ \"errata\": { \"dma_checksum_rx\": 1 } }");
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);   /* lands about 64 us from now */
    wr16(a, EDMASTL, 0x0000);
    wr16(a, EDMANDL, 0x1FFF);
    bfs(a, ECON1, DMAST | CSUMEN); /* 327.68 us */
    run_us(400);
    ck_assert_uint_eq(rcr(a, ECON1) & DMAST, 0);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 0);
    ck_assert_uint_eq(hits(ENC_ERR_DMA_CSUM_RX), 1);
    ck_assert_uint_eq(probe_hits(a, "rx_dropped"), 1);
}
END_TEST

START_TEST(e17_fix_checksum_in_software)
{
    chip("{ \"errata\": { \"dma_checksum_rx\": 1 } }");
    init_chip(a, mac_a, true);
    uint8_t f[64];
    size_t n = make_frame(f, mac_a, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    /* read the bytes and sum them on the MCU instead */
    uint8_t buf[256];
    wr16(a, ERDPTL, 0x1A00);
    rbm(a, buf, sizeof buf);
    run_us(400);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 1);
    /* a DMA copy does not abort reception either */
    wr16(a, EDMASTL, 0x1A00);
    wr16(a, EDMANDL, 0x1AFF);
    wr16(a, EDMADSTL, 0x1C00);
    host_send(f, n);
    bfs(a, ECON1, DMAST);
    run_us(400);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 2);
}
END_TEST

/* --- 18: pattern match lets extra frames through ------------------------------- */

static void pattern_for_broadcast(void)
{
    init_chip(a, mac_a, true);
    /* bytes 0-5 of the window at offset 0: the broadcast destination */
    uint8_t sel[6];
    memcpy(sel, bcast, 6);
    uint32_t sum = 0;
    for (int k = 0; k < 6; k += 2)
        sum += (uint32_t)(sel[k] << 8 | sel[k + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    uint16_t cs = (uint16_t)~sum;
    wr16(a, EPMCSL, cs);
    wcr(a, EPMM0, 0x3F);
    wr16(a, EPMOL, 0);
    wcr(a, ERXFCON, 0x10 | 0x20); /* PMEN, CRCEN */
}

START_TEST(e18_pattern_filter_accepts_a_frame_that_does_not_match)
{
    chip("{ \"errata\": { \"pattern_match_extra\": 1 } }");
    pattern_for_broadcast();
    uint8_t f[64];
    static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x33 };
    size_t n = make_frame(f, other, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    run_us(100);
    ck_assert_uint_eq(rcr(a, EPKTCNT), 1);
    ck_assert_uint_eq(hits(ENC_ERR_PATTERN_MATCH), 1);
}
END_TEST

START_TEST(e18_fix_check_the_pattern_in_software)
{
    chip("{ \"errata\": { \"pattern_match_extra\": 1 } }");
    pattern_for_broadcast();
    uint8_t f[64], got[80];
    static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x33 };
    size_t n = make_frame(f, other, mac_h, 0x0800, 46, 1);
    host_send(f, n);
    n = make_frame(f, bcast, mac_h, 0x0806, 46, 2);
    host_send(f, n);
    run_us(200);
    /* the driver keeps only frames whose selected bytes give EPMCS */
    int kept = 0;
    while (rcr(a, EPKTCNT)) {
        ck_assert_int_eq(rx_read(a, got, sizeof got, NULL), 64);
        uint32_t sum = 0;
        for (int k = 0; k < 6; k += 2)
            sum += (uint32_t)(got[k] << 8 | got[k + 1]);
        while (sum >> 16)
            sum = (sum & 0xFFFF) + (sum >> 16);
        kept += (uint16_t)~sum == rd16(a, EPMCSL);
    }
    ck_assert_int_eq(kept, 1);
}
END_TEST

/* --- 19: SRC in power save ------------------------------------------------------ */

START_TEST(e19_src_ignored_in_power_save)
{
    chip("{}");
    run_us(300);
    wcr(a, ERXFCON, 0x00);
    bfs(a, ECON2, PWRSV);
    src(a);
    ck_assert_uint_eq(rcr(a, ERXFCON), 0x00);
    ck_assert_uint_eq(rcr(a, ECON2) & PWRSV, PWRSV);
    ck_assert_uint_eq(hits(ENC_ERR_SRC_POWER_SAVE), 1);
}
END_TEST

START_TEST(e19_fix_leave_power_save_first)
{
    chip("{}");
    run_us(300);
    wcr(a, ERXFCON, 0x00);
    bfs(a, ECON2, PWRSV);
    bfc(a, ECON2, PWRSV);
    for (int k = 0; k < 100 && !(rcr(a, ESTAT) & CLKRDY); k++)
        run_us(10);
    src(a);
    run_us(1000);
    ck_assert_uint_eq(rcr(a, ERXFCON), 0xA1);
}
END_TEST

/* --- revisions, board settings, controls --------------------------------------- */

START_TEST(revision_erevid_and_errata_sets)
{
    static const struct { const char *rev; uint8_t id; bool slow_spi, link_pulse; } revs[] = {
        { "B1", 0x02, true, false }, { "B4", 0x04, true, false },
        { "B5", 0x05, false, true }, { "B7", 0x06, false, true },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(revs); k++) {
        char json[64];
        snprintf(json, sizeof json, "{ \"revision\": \"%s\" }", revs[k].rev);
        chip(json);
        run_us(300);
        ck_assert_uint_eq(rcr(a, EREVID), revs[k].id);
        ck_assert_int_eq(enc28j60_erratum_enabled(a, ENC_ERR_SPI_SLOW_CLOCK), revs[k].slow_spi);
        ck_assert_int_eq(enc28j60_erratum_enabled(a, ENC_ERR_LINK_PULSE_COLL), revs[k].link_pulse);
        for (unsigned e = 0; e < ENC_ERR_COUNT; e++)
            if (e != ENC_ERR_SPI_SLOW_CLOCK && e != ENC_ERR_LINK_PULSE_COLL)
                ck_assert(enc28j60_erratum_enabled(a, e));
        teardown();
    }
    chip("{}");
}
END_TEST

START_TEST(board_overrides_and_bad_settings)
{
    chip("{ \"revision\": \"B1\", \"errata\": { \"rxrdpt_even\": false, \"pktif_unreliable\": 0.25 } }");
    ck_assert(!enc28j60_erratum_enabled(a, ENC_ERR_RXRDPT_EVEN));
    ck_assert(enc28j60_erratum_enabled(a, ENC_ERR_PKTIF));
    ck_assert(a->erratum_chance[ENC_ERR_PKTIF] == 0.25);
    static const char *const bad[] = {
        "{ \"revision\": \"B6\" }",
        "{ \"errata\": { \"no_such_thing\": true } }",
        "{ \"errata\": { \"src_power_save\": 0.5 } }",
        "{ \"errata\": [] }",
        "{ \"osc_ppm\": \"fast\" }",
        "{ \"colour\": 1 }",
    };
    for (unsigned k = 0; k < ARRAY_SIZE(bad); k++) {
        cJSON *cfg = cJSON_Parse(bad[k]);
        void *inst = enc28j60_class.create(m, "x", cfg);
        cJSON_Delete(cfg);
        ck_assert_msg(inst == NULL, "accepted %s", bad[k]);
        ck_assert_str_ne(m->error, "");
    }
}
END_TEST

START_TEST(controls_flip_errata_mid_run)
{
    chip("{}");
    run_us(300);
    wcr(a, ERXFCON, 0x00);
    bfs(a, ECON2, PWRSV);
    src(a);
    ck_assert_uint_eq(rcr(a, ERXFCON), 0x00);
    /* a scenario switches the erratum off: the same command now resets */
    control(a, "erratum.src_power_save", "false");
    src(a);
    run_us(1000);
    ck_assert_uint_eq(rcr(a, ERXFCON), 0xA1);
    /* the revision control changes EREVID and the errata set */
    control(a, "revision", "\"B4\"");
    ck_assert_uint_eq(rcr(a, EREVID), 0x04);
    ck_assert(enc28j60_erratum_enabled(a, ENC_ERR_SPI_SLOW_CLOCK));
    ck_assert(enc28j60_erratum_enabled(a, ENC_ERR_SRC_POWER_SAVE));
    control(a, "erratum.rxrdpt_even.chance", "0.5");
    ck_assert(a->erratum_chance[ENC_ERR_RXRDPT_EVEN] == 0.5);
    /* the probe of an erratum counts its symptoms */
    ck_assert_uint_eq(probe_hits(a, "erratum.src_power_save.hit"), 1);
    /* every erratum has its info */
    for (unsigned e = 0; e < ENC_ERR_COUNT; e++) {
        const enc_erratum_info_t *i = enc28j60_erratum_info(e);
        ck_assert(i && i->name && i->trigger && i->symptom && i->workaround && i->number);
        ck_assert_int_eq(enc28j60_erratum_find(i->name), (int)e);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("enc28j60 errata");
    TCase *tc = tcase_create("errata");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, e01_slow_spi_clock_corrupts_mac_registers);
    tcase_add_test(tc, e01_fix_spi_clock_at_8_mhz_or_more);
    tcase_add_test(tc, e02_src_clkrdy_stays_set_and_early_writes_are_lost);
    tcase_add_test(tc, e02_fix_wait_1ms_after_src);
    tcase_add_test(tc, e04_clkout_stops_in_power_save);
    tcase_add_test(tc, e04_fix_clkout_returns_after_power_save);
    tcase_add_test(tc, e05_ring_not_at_zero_loses_the_write_pointer);
    tcase_add_test(tc, e05_fix_ring_at_zero);
    tcase_add_test(tc, e06_pktif_misses_a_packet);
    tcase_add_test(tc, e06_fix_poll_epktcnt);
    tcase_add_test(tc, e07_reversed_pair_loses_frames);
    tcase_add_test(tc, e07_fix_wire_the_pair_correctly);
    tcase_add_test(tc, e09_half_duplex_loopback_returns_corrupted_frames);
    tcase_add_test(tc, e09_fix_set_hdldis);
    tcase_add_test(tc, e10_phy_loopback_corrupts_frames);
    tcase_add_test(tc, e10_fix_external_loopback);
    tcase_add_test(tc, e11_duplex_collision_led_mode_stays_dark);
    tcase_add_test(tc, e11_fix_use_the_duplex_mode);
    tcase_add_test(tc, e12_next_transmission_never_completes);
    tcase_add_test(tc, e12_fix_pulse_txrst_then_clear_txerif);
    tcase_add_test(tc, e13_link_pulse_aborts_with_a_late_collision);
    tcase_add_test(tc, e13_fix_retransmit_on_late_collision);
    tcase_add_test(tc, e14_even_rxrdpt_overwrites_an_unread_packet);
    tcase_add_test(tc, e14_fix_write_rxrdpt_odd);
    tcase_add_test(tc, e15_latecol_not_set);
    tcase_add_test(tc, e15_fix_read_the_transmit_status_vector);
    tcase_add_test(tc, e16_duplex_comes_up_wrong);
    tcase_add_test(tc, e16_fix_write_pdpxmd);
    tcase_add_test(tc, e17_dma_checksum_loses_the_incoming_frame);
    tcase_add_test(tc, e17_fix_checksum_in_software);
    tcase_add_test(tc, e18_pattern_filter_accepts_a_frame_that_does_not_match);
    tcase_add_test(tc, e18_fix_check_the_pattern_in_software);
    tcase_add_test(tc, e19_src_ignored_in_power_save);
    tcase_add_test(tc, e19_fix_leave_power_save_first);
    tcase_add_test(tc, revision_erevid_and_errata_sets);
    tcase_add_test(tc, board_overrides_and_bad_settings);
    tcase_add_test(tc, controls_flip_errata_mid_run);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
