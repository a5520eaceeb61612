/* Engine glue: register tables, GPIO nets, SPI bus and chip-select, IRQ
 * gates, clocks, RNG streams, SHA-256. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "sim/regs.h"
#include "sim/gpio.h"
#include "sim/spi.h"
#include "sim/irq.h"
#include "sim/clock.h"
#include "sim/rng.h"
#include "sim/sha256.h"
#include "sim/netport.h"

#define RNG_SEED1_FIRST 0xb3f2af6d0fc710c5ull /* pinned: a change breaks every recorded run */

/* --- regs --- */
enum { T_CR, T_SR, T_DR, T_COUNT };
REG32(CR, 0x00)
REG32(SR, 0x04)
    FIELD(SR, FLAG, 0, 1)
    FIELD(SR, ERR, 5, 1)
REG32(DR, 0x08)
static unsigned post_writes;
static uint32_t last_old, last_written;
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t w)
{
    (void)dev;
    (void)idx;
    post_writes++;
    last_old = old;
    last_written = w;
}
static const reg_desc_t tdesc[T_COUNT] = {
    [T_CR] = { "CR", A_CR, 0x00000083, 0x0000FFFF, .post_write = cr_written },
    [T_SR] = { "SR", A_SR, 0x00000001, 0, .w1c_mask = R_SR_ERR_MASK, .rc_mask = R_SR_FLAG_MASK },
    [T_DR] = { "DR", A_DR, 0, 0xFFFFFFFF, .wo_mask = 0xFF000000 },
};

START_TEST(regs_masks_and_lanes)
{
    uint32_t vals[T_COUNT], v;
    regs_t r;
    regs_init(&r, "test", tdesc, T_COUNT, vals, NULL);
    ck_assert_uint_eq(vals[T_CR], 0x83);
    ck_assert_int_eq(regs_write(&r, A_CR, 4, 0xFFFF1234), REGS_OK);
    ck_assert_uint_eq(vals[T_CR], 0x1234); /* upper half read-only */
    ck_assert_uint_eq(last_old, 0x83);
    /* byte write to byte 1 merges into the word */
    regs_write(&r, A_CR + 1, 1, 0xAB);
    ck_assert_uint_eq(vals[T_CR], 0xAB34);
    regs_read(&r, A_CR + 1, 1, &v);
    ck_assert_uint_eq(v, 0xAB);
    /* w1c and read-clear */
    vals[T_SR] = R_SR_ERR_MASK | R_SR_FLAG_MASK;
    regs_write(&r, A_SR, 4, 0);
    ck_assert_uint_eq(vals[T_SR], R_SR_ERR_MASK | R_SR_FLAG_MASK);
    regs_write(&r, A_SR, 4, R_SR_ERR_MASK);
    ck_assert_uint_eq(vals[T_SR], R_SR_FLAG_MASK);
    regs_read(&r, A_SR, 4, &v);
    ck_assert_uint_eq(v, R_SR_FLAG_MASK);
    ck_assert_uint_eq(vals[T_SR], 0);
    /* write-only bits read 0 */
    regs_write(&r, A_DR, 4, 0x12345678);
    regs_read(&r, A_DR, 4, &v);
    ck_assert_uint_eq(v, 0x00345678);
    /* unknown offset */
    ck_assert_int_eq(regs_read(&r, 0x40, 4, &v), REGS_UNMAPPED);
    ck_assert_uint_eq(v, 0);
    regs_reset(&r);
    ck_assert_uint_eq(vals[T_CR], 0x83);
}
END_TEST

/* --- gpio --- */
static int edges_seen;
static bool last_level;
static void on_edge(void *o, int n, bool level)
{
    (void)o;
    (void)n;
    edges_seen++;
    last_level = level;
}

START_TEST(gpio_resolution_and_listeners)
{
    gpio_net_t net;
    gpio_pin_t a, b;
    gpio_net_init(&net, "n", GPIO_PULL_UP);
    gpio_pin_init(&a, "a");
    gpio_pin_init(&b, "b");
    ck_assert(gpio_net_attach(&net, &a));
    ck_assert(gpio_net_attach(&net, &b));
    ck_assert(gpio_net_listen(&net, on_edge, NULL, 0));
    edges_seen = 0;
    ck_assert(net.level); /* pulled up, nobody drives */
    gpio_pin_drive(&a, GPIO_DRIVE_LOW); /* open-drain style pull low */
    ck_assert(!net.level);
    ck_assert_int_eq(edges_seen, 1);
    gpio_pin_drive(&b, GPIO_DRIVE_LOW);
    ck_assert_int_eq(edges_seen, 1); /* no change, no edge */
    gpio_pin_drive(&a, GPIO_RELEASED);
    ck_assert(!net.level);
    gpio_pin_drive(&b, GPIO_RELEASED);
    ck_assert(net.level);
    ck_assert(last_level);
    ck_assert_int_eq(edges_seen, 2);
    gpio_net_set_pull(&net, GPIO_PULL_NONE);
    ck_assert(net.level); /* floating keeps its level */
    gpio_pin_set(&a, true);
    gpio_pin_set(&b, false); /* conflict resolves low */
    ck_assert(!net.level);
}
END_TEST

/* --- spi --- */
static uint16_t spi_echo_last;
static int selects, deselects;
static uint16_t dev_xfer(void *d, uint16_t mosi, unsigned bits)
{
    (void)d;
    (void)bits;
    uint16_t r = spi_echo_last;
    spi_echo_last = mosi;
    return r;
}
static void dev_select(void *d, bool s)
{
    (void)d;
    if (s)
        selects++;
    else
        deselects++;
}
static const spi_device_ops_t dev_ops = { dev_xfer, dev_select };

START_TEST(spi_chip_select_and_transfer)
{
    spi_bus_t bus;
    gpio_net_t cs;
    gpio_pin_t cs_pin;
    spi_cs_adapter_t ad;
    spi_bus_init(&bus, "spi");
    gpio_net_init(&cs, "cs", GPIO_PULL_UP);
    gpio_pin_init(&cs_pin, "cs_pin");
    gpio_net_attach(&cs, &cs_pin);
    spi_bus_attach(&bus, &dev_ops, NULL);
    spi_cs_adapter_init(&ad, &bus, &cs, true);
    selects = deselects = 0;
    /* not selected: MISO floats high, device not called */
    ck_assert_uint_eq(spi_bus_transfer(&bus, 0x12, 8), 0xFF);
    gpio_pin_set(&cs_pin, false);
    ck_assert_int_eq(selects, 1);
    spi_echo_last = 0x5A;
    ck_assert_uint_eq(spi_bus_transfer(&bus, 0x33, 8), 0x5A);
    ck_assert_uint_eq(spi_bus_transfer(&bus, 0x44, 8), 0x33);
    gpio_pin_set(&cs_pin, true);
    ck_assert_int_eq(deselects, 1);
}
END_TEST

/* --- irq --- */
static uint32_t sink_levels;
static void sink(void *o, int n, bool level)
{
    (void)o;
    if (level)
        sink_levels |= 1u << n;
    else
        sink_levels &= ~(1u << n);
}

START_TEST(irq_or_gate_and_filtering)
{
    irq_line_t a, b;
    irq_or_gate_t g;
    irq_init(&a, "a");
    irq_init(&b, "b");
    irq_or_gate_init(&g, "or");
    irq_connect(&g.out, sink, NULL, 5);
    irq_connect(&a, irq_or_gate_input, &g, 0);
    irq_connect(&b, irq_or_gate_input, &g, 1);
    sink_levels = 0;
    irq_raise(&a);
    ck_assert_uint_eq(sink_levels, 1u << 5);
    irq_raise(&b);
    irq_lower(&a);
    ck_assert_uint_eq(sink_levels, 1u << 5);
    irq_lower(&b);
    ck_assert_uint_eq(sink_levels, 0);
    /* a line raised before it is connected delivers on connect */
    irq_line_t c;
    irq_init(&c, "c");
    irq_raise(&c);
    irq_connect(&c, sink, NULL, 2);
    ck_assert_uint_eq(sink_levels, 1u << 2);
}
END_TEST

/* --- clock --- */
static uint64_t seen_hz;
static void clk_changed(void *o, uint64_t old, uint64_t hz)
{
    (void)o;
    (void)old;
    seen_hz = hz;
}

START_TEST(clock_conversion_and_listeners)
{
    sim_clock_t c;
    clock_init(&c, "hclk", 168000000);
    /* 168 cycles at 168 MHz = 1000 ns; one cycle rounds up to 6 ns */
    ck_assert_uint_eq(clock_cycles_to_ns(&c, 168), 1000);
    ck_assert_uint_eq(clock_cycles_to_ns(&c, 1), 6);
    clock_listen(&c, clk_changed, NULL);
    clock_set_hz(&c, 8000000);
    ck_assert_uint_eq(seen_hz, 8000000);
    clock_set_hz(&c, 0);
    ck_assert_uint_eq(clock_cycles_to_ns(&c, 1), SIM_TIME_NEVER);
}
END_TEST

/* --- rng --- */
START_TEST(rng_streams_are_independent_and_reproducible)
{
    rng_t a1, a2, b;
    rng_stream(&a1, 42, "link0");
    rng_stream(&a2, 42, "link0");
    rng_stream(&b, 42, "link1");
    int same_ab = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_next(&a1);
        ck_assert_uint_eq(x, rng_next(&a2));
        same_ab += x == rng_next(&b);
    }
    ck_assert_int_eq(same_ab, 0);
    rng_t r;
    rng_seed(&r, 7);
    unsigned hits = 0;
    for (int i = 0; i < 10000; i++) {
        ck_assert_uint_lt(rng_below(&r, 10), 10);
        hits += rng_chance(&r, 0.25);
    }
    ck_assert_uint_gt(hits, 2300);
    ck_assert_uint_lt(hits, 2700);
    /* a fixed seed gives a fixed value on every machine */
    rng_seed(&r, 1);
    ck_assert_uint_eq(rng_next(&r), RNG_SEED1_FIRST);
}
END_TEST

/* --- sha256 (FIPS 180-4 examples) --- */
START_TEST(sha256_known_answers)
{
    uint8_t d[32];
    char hex[65];
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, "abc", 3);
    sha256_final(&c, d);
    sha256_hex(d, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_init(&c);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_update(&c, two, strlen(two));
    sha256_final(&c, d);
    sha256_hex(d, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char a1000[1000];
    memset(a1000, 'a', sizeof a1000);
    sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        sha256_update(&c, a1000, 1000);
    sha256_final(&c, d);
    sha256_hex(d, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(crc32_ethernet_check_value)
{
    ck_assert_uint_eq(net_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, regs_masks_and_lanes);
    tcase_add_test(tc, gpio_resolution_and_listeners);
    tcase_add_test(tc, spi_chip_select_and_transfer);
    tcase_add_test(tc, irq_or_gate_and_filtering);
    tcase_add_test(tc, clock_conversion_and_listeners);
    tcase_add_test(tc, rng_streams_are_independent_and_reproducible);
    tcase_add_test(tc, sha256_known_answers);
    tcase_add_test(tc, crc32_ethernet_check_value);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
