/*
 * ENC28J60 driven through its SPI interface byte by byte, as a driver does:
 * reset and CLKRDY, bank switching, the dummy byte of MAC/MII reads, buffer
 * pointers and their wrap rules, PHY access through MII with BUSY, a frame
 * sent by one chip and received by another through a test link, the receive
 * ring with PKTDEC and the INT pin, filters, overflow, DMA checksum.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "sim/machine.h"
#include "models/enc28j60/enc28j60.h"

static machine_t *m;
static enc28j60_t *a, *b;

/* A link that delivers at once, for tests. */
typedef struct { net_port_t *x, *y; } test_link_t;
static test_link_t link;
static void link_send(void *l, net_port_t *from, const uint8_t *frame, size_t len)
{
    test_link_t *tl = l;
    net_port_deliver(from == tl->x ? tl->y : tl->x, frame, len, true);
}
static const net_port_peer_ops_t link_ops = { link_send };

static enc28j60_t *make(const char *name)
{
    cJSON *cfg = cJSON_Parse("{ \"revision\": \"B7\" }");
    enc28j60_t *e = enc28j60_class.create(m, name, cfg);
    cJSON_Delete(cfg);
    ck_assert_ptr_nonnull(e);
    return e;
}

static void setup(void)
{
    m = machine_new(1);
    a = make("a");
    b = make("b");
    link.x = &a->port;
    link.y = &b->port;
    a->port.peer_ops = b->port.peer_ops = &link_ops;
    a->port.link = b->port.link = &link;
    a->port.link_up = b->port.link_up = true;
    enc28j60_class.reset(a, RESET_POWER_ON);
    enc28j60_class.reset(b, RESET_POWER_ON);
}

static void teardown(void)
{
    enc28j60_class.destroy(a);
    enc28j60_class.destroy(b);
    machine_free(m);
}

/* one SPI command: CS low, bytes out/in, CS high */
static void cmd(enc28j60_t *e, const uint8_t *out, uint8_t *in, size_t n)
{
    enc28j60_spi_ops.select(e, true);
    for (size_t k = 0; k < n; k++) {
        uint8_t r = (uint8_t)enc28j60_spi_ops.transfer(e, out[k], 8);
        if (in)
            in[k] = r;
    }
    enc28j60_spi_ops.select(e, false);
}

static void wcr(enc28j60_t *e, uint8_t addr, uint8_t v)
{
    uint8_t o[2] = { (uint8_t)(0x40 | addr), v };
    cmd(e, o, NULL, 2);
}

static void bfs(enc28j60_t *e, uint8_t addr, uint8_t v)
{
    uint8_t o[2] = { (uint8_t)(0x80 | addr), v };
    cmd(e, o, NULL, 2);
}

static void bfc(enc28j60_t *e, uint8_t addr, uint8_t v)
{
    uint8_t o[2] = { (uint8_t)(0xA0 | addr), v };
    cmd(e, o, NULL, 2);
}

static void bank(enc28j60_t *e, unsigned n)
{
    bfc(e, 0x1F, 3);
    bfs(e, 0x1F, (uint8_t)n);
}

static uint8_t rcr(enc28j60_t *e, uint8_t addr, bool mac)
{
    uint8_t o[3] = { addr, 0, 0 }, in[3];
    cmd(e, o, in, mac ? 3 : 2);
    return mac ? in[2] : in[1];
}

static void wbm(enc28j60_t *e, const uint8_t *data, size_t n)
{
    uint8_t buf[1600];
    buf[0] = 0x7A;
    memcpy(buf + 1, data, n);
    cmd(e, buf, NULL, n + 1);
}

static void rbm(enc28j60_t *e, uint8_t *data, size_t n)
{
    uint8_t out[1600] = { 0x3A }, in[1600];
    cmd(e, out, in, n + 1);
    memcpy(data, in + 1, n);
}

static void wr16(enc28j60_t *e, uint8_t lo, uint16_t v)
{
    wcr(e, lo, (uint8_t)v);
    wcr(e, (uint8_t)(lo + 1), (uint8_t)(v >> 8));
}

static uint16_t phy_read(enc28j60_t *e, uint8_t reg)
{
    bank(e, 2);
    wcr(e, 0x14, reg);
    wcr(e, 0x12, 1);
    bank(e, 3);
    ck_assert_uint_eq(rcr(e, 0x0A, true) & 1, 1); /* BUSY */
    sched_run_until(&m->sched, m->sched.now + 10240);
    ck_assert_uint_eq(rcr(e, 0x0A, true) & 1, 0);
    bank(e, 2);
    wcr(e, 0x12, 0);
    return (uint16_t)(rcr(e, 0x18, true) | rcr(e, 0x19, true) << 8);
}

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0A };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0B };

/* The Linux/datasheet initialisation order. */
static void init_chip(enc28j60_t *e, const uint8_t *mac)
{
    uint8_t src = 0xFF;
    cmd(e, &src, NULL, 1);
    sched_run_until(&m->sched, m->sched.now + SIM_MS(1));
    ck_assert_uint_eq(rcr(e, 0x1D, false) & 1, 1); /* CLKRDY */
    bank(e, 0);
    wr16(e, 0x08, 0x0000);       /* ERXST */
    wr16(e, 0x0C, 0x19FF);       /* ERXRDPT (odd) */
    wr16(e, 0x0A, 0x19FF);       /* ERXND */
    wr16(e, 0x04, 0x1A00);       /* ETXST */
    bank(e, 1);
    wcr(e, 0x18, 0xA1);          /* UCEN CRCEN BCEN */
    bank(e, 2);
    wcr(e, 0x00, 0x0D);          /* MARXEN TXPAUS RXPAUS */
    wcr(e, 0x02, 0x33);          /* PADCFG0 TXCRCEN FRMLNEN FULDPX */
    wr16(e, 0x0A, 1518);
    wcr(e, 0x04, 0x15);
    bank(e, 3);
    wcr(e, 0x04, mac[0]);
    wcr(e, 0x05, mac[1]);
    wcr(e, 0x02, mac[2]);
    wcr(e, 0x03, mac[3]);
    wcr(e, 0x00, mac[4]);
    wcr(e, 0x01, mac[5]);
    bfs(e, 0x1B, 0xC0);          /* INTIE PKTIE */
    bfs(e, 0x1F, 0x04);          /* RXEN */
}

START_TEST(reset_values_and_banks)
{
    sched_run_until(&m->sched, m->sched.now + SIM_US(299));
    ck_assert_uint_eq(rcr(a, 0x1D, false) & 1, 0);
    sched_run_until(&m->sched, m->sched.now + SIM_US(2));
    ck_assert_uint_eq(rcr(a, 0x1D, false) & 1, 1);
    ck_assert_uint_eq(rcr(a, 0x1E, false), 0x80); /* ECON2: AUTOINC */
    ck_assert_uint_eq(rcr(a, 0x00, false), 0xFA); /* ERDPTL */
    bank(a, 1);
    ck_assert_uint_eq(rcr(a, 0x18, false), 0xA1); /* ERXFCON */
    bank(a, 2);
    ck_assert_uint_eq(rcr(a, 0x08, true), 0x0F);  /* MACLCON1 with the dummy byte */
    ck_assert_uint_eq(rcr(a, 0x0B, true), 0x06);  /* MAMXFLH */
    bank(a, 3);
    ck_assert_uint_eq(rcr(a, 0x12, false), 0x06); /* EREVID B7 */
    ck_assert_uint_eq(phy_read(a, 0x02), 0x0083);
    ck_assert_uint_eq(phy_read(a, 0x03), 0x1400);
    ck_assert_uint_eq(phy_read(a, 0x11) & 0x0400, 0x0400); /* link up (PHSTAT2.LSTAT) */
    /* a reserved opcode is ignored and logged */
    uint8_t bad[2] = { 0xC0, 0x55 };
    cmd(a, bad, NULL, 2);
    enc_event_t ev[ENC_EVENT_LOG];
    unsigned n = enc28j60_events(a, ev, ENC_EVENT_LOG);
    ck_assert_uint_eq(ev[n - 1].kind, ENC_EV_BAD_COMMAND);
}
END_TEST

START_TEST(buffer_pointers)
{
    sched_run_until(&m->sched, SIM_MS(1));
    bank(a, 0);
    wr16(a, 0x08, 0x0000);
    wr16(a, 0x0A, 0x0FFF);
    wr16(a, 0x02, 0x0FFE); /* EWRPT */
    uint8_t d[4] = { 1, 2, 3, 4 };
    wbm(a, d, 4);          /* writes do not wrap at ERXND */
    ck_assert_uint_eq(rcr(a, 0x02, false) | rcr(a, 0x03, false) << 8, 0x1002);
    wr16(a, 0x00, 0x0FFE); /* ERDPT */
    uint8_t r[4];
    rbm(a, r, 4);          /* reads wrap from ERXND to ERXST */
    ck_assert_uint_eq(r[0], 1);
    ck_assert_uint_eq(r[1], 2);
    ck_assert_uint_eq(rcr(a, 0x00, false) | rcr(a, 0x01, false) << 8, 0x0002);
    /* pointer high bytes keep 5 bits */
    wcr(a, 0x01, 0xFF);
    ck_assert_uint_eq(rcr(a, 0x01, false), 0x1F);
}
END_TEST

START_TEST(frame_loopback_and_ring)
{
    init_chip(a, mac_a);
    init_chip(b, mac_b);
    /* a sends 20 bytes of payload to b: control byte + 14 header + 20 */
    uint8_t frame[1 + 34];
    frame[0] = 0;
    memcpy(frame + 1, mac_b, 6);
    memcpy(frame + 7, mac_a, 6);
    frame[13] = 0x08;
    frame[14] = 0x00;
    for (int k = 0; k < 20; k++)
        frame[15 + k] = (uint8_t)k;
    bank(a, 0);
    wr16(a, 0x02, 0x1A00);
    wbm(a, frame, sizeof frame);
    wr16(a, 0x06, (uint16_t)(0x1A00 + 34)); /* ETXND = last byte */
    bfs(a, 0x1F, 0x08);                      /* TXRTS */
    ck_assert_uint_eq(rcr(a, 0x1F, false) & 0x08, 0x08);
    /* b has it already (the test link is instantaneous); a finishes after the wire time */
    bank(b, 1);
    ck_assert_uint_eq(rcr(b, 0x19, false), 1);           /* EPKTCNT */
    ck_assert_uint_eq(rcr(b, 0x1C, false) & 0x40, 0x40); /* PKTIF */
    ck_assert_int_eq(b->int_pin.drive, GPIO_DRIVE_LOW);
    /* wire time: 1 us + (8 preamble + 60 padded + 4 CRC) * 0.8 us */
    sched_run_until(&m->sched, m->sched.now + 1000 + 72 * 800 - 1);
    ck_assert_uint_eq(rcr(a, 0x1F, false) & 0x08, 0x08);
    sched_run_until(&m->sched, m->sched.now + 1);
    ck_assert_uint_eq(rcr(a, 0x1F, false) & 0x08, 0);
    ck_assert_uint_eq(rcr(a, 0x1C, false) & 0x08, 0x08); /* TXIF */
    /* TSV after ETXND: done bit */
    bank(a, 0);
    wr16(a, 0x00, (uint16_t)(0x1A00 + 35));
    uint8_t tsv[7];
    rbm(a, tsv, 7);
    ck_assert_uint_eq(tsv[2] & 0x80, 0x80);
    /* b reads the packet: next pointer, RSV, frame padded to 60 + CRC */
    bank(b, 0);
    wr16(b, 0x00, 0x0000);
    uint8_t hdr[6];
    rbm(b, hdr, 6);
    uint16_t next = (uint16_t)(hdr[0] | hdr[1] << 8);
    uint16_t count = (uint16_t)(hdr[2] | hdr[3] << 8);
    ck_assert_uint_eq(count, 64);
    ck_assert_uint_eq(next, 70);
    ck_assert_uint_eq(hdr[4] & 0x80, 0x80); /* received OK */
    uint8_t got[64];
    rbm(b, got, 64);
    ck_assert_int_eq(memcmp(got, frame + 1, 34), 0);
    ck_assert_uint_eq(got[40], 0); /* padding */
    /* release: ERXRDPT = next - 1 (odd), PKTDEC */
    wr16(b, 0x0C, (uint16_t)(next - 1));
    bfs(b, 0x1E, 0x40);
    bank(b, 1);
    ck_assert_uint_eq(rcr(b, 0x19, false), 0);
    ck_assert_uint_eq(rcr(b, 0x1C, false) & 0x40, 0);
    ck_assert_int_eq(b->int_pin.drive, GPIO_DRIVE_HIGH);
}
END_TEST

START_TEST(filters_and_overflow)
{
    init_chip(b, mac_b);
    uint8_t f[60] = { 0 };
    memcpy(f, "\x02\x00\x00\x00\x00\x0C", 6); /* someone else */
    net_port_deliver(&b->port, f, sizeof f, true);
    memcpy(f, "\xff\xff\xff\xff\xff\xff", 6);  /* broadcast */
    net_port_deliver(&b->port, f, sizeof f, true);
    memcpy(f, mac_b, 6);
    net_port_deliver(&b->port, f, sizeof f, false); /* bad CRC: dropped with CRCEN */
    bank(b, 1);
    ck_assert_uint_eq(rcr(b, 0x19, false), 1);
    /* fill the ring until it overflows: RXERIF, the count stops */
    for (int k = 0; k < 200; k++)
        net_port_deliver(&b->port, f, sizeof f, true);
    ck_assert_uint_lt(rcr(b, 0x19, false), 200);
    ck_assert_uint_eq(rcr(b, 0x1C, false) & 0x01, 0x01);
}
END_TEST

START_TEST(dma_checksum_bist_anchor)
{
    sched_run_until(&m->sched, SIM_MS(1));
    /* BIST address fill, then a checksum over the whole buffer: 0xF807 */
    bank(a, 0);
    wr16(a, 0x0A, 0x1FFF);
    wr16(a, 0x10, 0x0000);
    wr16(a, 0x12, 0x1FFF);
    bank(a, 3);
    wcr(a, 0x07, 0x04 | 0x02 | 0x01);
    ck_assert_uint_eq(rcr(a, 0x07, false) & 1, 0);
    wcr(a, 0x07, 0);
    bfs(a, 0x1F, 0x30); /* DMAST | CSUMEN */
    sched_run_until(&m->sched, m->sched.now + SIM_MS(1));
    ck_assert_uint_eq(rcr(a, 0x1F, false) & 0x20, 0);
    bank(a, 0);
    ck_assert_uint_eq(rcr(a, 0x16, false), 0x07);
    ck_assert_uint_eq(rcr(a, 0x17, false), 0xF8);
    ck_assert_uint_eq(rcr(a, 0x1C, false) & 0x20, 0x20); /* DMAIF */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("enc28j60");
    TCase *tc = tcase_create("spi");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reset_values_and_banks);
    tcase_add_test(tc, buffer_pointers);
    tcase_add_test(tc, frame_loopback_and_ring);
    tcase_add_test(tc, filters_and_overflow);
    tcase_add_test(tc, dma_checksum_bist_anchor);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
