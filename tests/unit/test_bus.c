/* Bus: RAM/ROM/MMIO mapping, errors, aliases, bit-band, code-write hook. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "sim/bus.h"

static bus_t bus;
static uint8_t ram[4096], rom[2048];
static uint32_t dev_regs[4];
static unsigned dev_writes, code_hits, dev_last_size, dev_last_off;

/* A device of four word registers with byte lanes (sub-word accesses see
 * and change their lanes only). */
static uint32_t lane_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static int dev_read(void *d, uint32_t off, unsigned size, uint32_t *v)
{
    (void)d;
    if (off >= 16)
        return 1; /* the device refuses: bus error */
    *v = (dev_regs[off / 4] >> (8 * (off & 3))) & lane_mask(size);
    return 0;
}

static int dev_write(void *d, uint32_t off, unsigned size, uint32_t v)
{
    (void)d;
    if (off >= 16)
        return 1;
    unsigned sh = 8 * (off & 3);
    uint32_t m = lane_mask(size) << sh;
    dev_regs[off / 4] = (dev_regs[off / 4] & ~m) | ((v << sh) & m);
    dev_writes++;
    dev_last_size = size;
    dev_last_off = off;
    return 0;
}

static const bus_ops_t dev_ops = { dev_read, dev_write };

static void code_written(void *o, uint32_t a)
{
    (void)o;
    (void)a;
    code_hits++;
}

static void setup(void)
{
    bus_init(&bus);
    memset(ram, 0, sizeof ram);
    memset(rom, 0xAB, sizeof rom);
    memset(dev_regs, 0, sizeof dev_regs);
    dev_writes = code_hits = 0;
    ck_assert_ptr_nonnull(bus_map_ram(&bus, "ram", 0x20000000, sizeof ram, ram, 0, 0));
    ck_assert_ptr_nonnull(bus_map_rom(&bus, "rom", 0x08000000, sizeof rom, rom, NULL, NULL, 0, 2));
    ck_assert_ptr_nonnull(bus_map_mmio(&bus, "dev", 0x40000000, 0x400, &dev_ops, NULL, 0, 0));
}

static void teardown(void) { bus_free(&bus); }

START_TEST(ram_little_endian_all_sizes)
{
    uint32_t v;
    ck_assert_int_eq(bus_write(&bus, 0x20000010, 4, 0x11223344), 0);
    ck_assert_int_eq(ram[0x10], 0x44);
    ck_assert_int_eq(bus_read(&bus, 0x20000012, 2, &v), 0);
    ck_assert_uint_eq(v, 0x1122);
    ck_assert_int_eq(bus_read(&bus, 0x20000013, 1, &v), 0);
    ck_assert_uint_eq(v, 0x11);
}
END_TEST

START_TEST(unmapped_and_refused_are_errors)
{
    uint32_t v;
    ck_assert_int_ne(bus_read(&bus, 0x30000000, 4, &v), 0);
    ck_assert_int_ne(bus_write(&bus, 0x30000000, 4, 1), 0);
    ck_assert_int_ne(bus_read(&bus, 0x40000020, 4, &v), 0);
    /* ROM without a write hook refuses writes */
    ck_assert_int_ne(bus_write(&bus, 0x08000000, 4, 0), 0);
    /* the end of RAM: a word straddling into unmapped space fails */
    ck_assert_int_ne(bus_read(&bus, 0x20000FFE, 4, &v), 0);
}
END_TEST

START_TEST(overlap_and_misalignment_rejected)
{
    uint8_t buf[1024];
    ck_assert_ptr_null(bus_map_ram(&bus, "x", 0x20000400, 1024, buf, 0, 0));
    ck_assert_ptr_null(bus_map_ram(&bus, "y", 0x30000100, 1024, buf, 0, 0));
}
END_TEST

START_TEST(mmio_dispatch_and_debug_access)
{
    uint32_t v;
    ck_assert_int_eq(bus_write(&bus, 0x40000004, 4, 0xCAFE), 0);
    ck_assert_uint_eq(dev_regs[1], 0xCAFE);
    ck_assert_int_eq(bus_read(&bus, 0x40000004, 4, &v), 0);
    ck_assert_uint_eq(v, 0xCAFE);
    uint8_t img[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    ck_assert_uint_eq(bus_debug_write(&bus, 0x08000100, img, 8), 8); /* loader writes ROM */
    ck_assert_int_eq(rom[0x100], 1);
    uint8_t back[8];
    ck_assert_uint_eq(bus_debug_read(&bus, 0x08000100, back, 8), 8);
    ck_assert_mem_eq(back, img, 8);
    ck_assert_uint_eq(bus_debug_read(&bus, 0x20000FFC, back, 8), 4); /* stops at the hole */
}
END_TEST

START_TEST(alias_shares_storage)
{
    uint32_t v;
    ck_assert_ptr_nonnull(bus_map_alias(&bus, "ram alias", 0x00000000, 4096, 0x20000000));
    bus_write(&bus, 0x20000020, 4, 0xDEADBEEF);
    ck_assert_int_eq(bus_read(&bus, 0x00000020, 4, &v), 0);
    ck_assert_uint_eq(v, 0xDEADBEEF);
    ck_assert_ptr_nonnull(bus_map_alias(&bus, "dev alias", 0x50000000, 0x400, 0x40000000));
    bus_write(&bus, 0x50000008, 4, 77);
    ck_assert_uint_eq(dev_regs[2], 77);
}
END_TEST

START_TEST(bitband_reads_and_writes_bits_through_the_bus)
{
    uint32_t v;
    ck_assert_ptr_nonnull(bus_map_bitband(&bus, "bb", 0x22000000, 0x20000000, 4096));
    ck_assert_ptr_nonnull(bus_map_bitband(&bus, "pbb", 0x42000000, 0x40000000, 0x400));
    ram[0x10] = 0x00;
    /* bit 3 of byte 0x20000010 -> alias 0x22000000 + 0x10*32 + 3*4 */
    ck_assert_int_eq(bus_write(&bus, 0x22000000 + 0x10 * 32 + 3 * 4, 4, 1), 0);
    ck_assert_int_eq(ram[0x10], 0x08);
    ck_assert_int_eq(bus_read(&bus, 0x22000000 + 0x10 * 32 + 3 * 4, 4, &v), 0);
    ck_assert_uint_eq(v, 1);
    /* bit 24 of the peripheral word at 0x40000000: byte 3, bit 0 */
    dev_writes = 0;
    ck_assert_int_eq(bus_write(&bus, 0x42000000 + 24 * 4, 4, 1), 0);
    ck_assert_uint_eq(dev_regs[0], 1u << 24);
    ck_assert_uint_eq(dev_writes, 1); /* one full-word write reached the device */
    ck_assert_int_eq(bus_write(&bus, 0x42000000 + 24 * 4, 4, 0), 0);
    ck_assert_uint_eq(dev_regs[0], 0);
    /* a byte or halfword access to the alias is one of that size to the
     * byte or halfword holding the bit */
    dev_regs[1] = 0x00FF0000;
    ck_assert_int_eq(bus_write(&bus, 0x42000000 + (4 * 8 + 26) * 4, 1, 1), 0);
    ck_assert_uint_eq(dev_regs[1], 0x04FF0000);
    ck_assert_uint_eq(dev_last_size, 1);
    ck_assert_uint_eq(dev_last_off, 7);
    ck_assert_int_eq(bus_write(&bus, 0x42000000 + (4 * 8 + 17) * 4, 2, 0), 0);
    ck_assert_uint_eq(dev_regs[1], 0x04FD0000);
    ck_assert_uint_eq(dev_last_size, 2);
    ck_assert_uint_eq(dev_last_off, 6);
    ck_assert_int_eq(bus_read(&bus, 0x42000000 + (4 * 8 + 26) * 4, 1, &v), 0);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(bus_read(&bus, 0x42000000 + (4 * 8 + 17) * 4, 2, &v), 0);
    ck_assert_uint_eq(v, 0);
    /* SRAM: a halfword write changes only its bit */
    ram[0x20] = 0xF0;
    ram[0x21] = 0x0F;
    ck_assert_int_eq(bus_write(&bus, 0x22000000 + 0x21 * 32 + 7 * 4, 2, 1), 0);
    ck_assert_int_eq(ram[0x21], 0x8F);
    ck_assert_int_eq(ram[0x20], 0xF0);
}
END_TEST

START_TEST(code_pages_notify_on_write)
{
    bus_set_code_write_hook(&bus, code_written, NULL);
    bus_mark_code(&bus, 0x20000000);
    ck_assert(bus_is_code(&bus, 0x200003FF));
    ck_assert(!bus_is_code(&bus, 0x20000400));
    bus_write(&bus, 0x20000800, 4, 1);
    ck_assert_uint_eq(code_hits, 0);
    bus_write(&bus, 0x20000100, 4, 1);
    ck_assert_uint_eq(code_hits, 1);
    bus_clear_code_marks(&bus);
    bus_write(&bus, 0x20000100, 4, 1);
    ck_assert_uint_eq(code_hits, 1);
}
END_TEST

START_TEST(wait_state_changes_bump_generation)
{
    bus_region_t *r = bus_find(&bus, 0x08000000);
    uint32_t g = bus.generation;
    bus_region_set_wait_states(r, 5);
    ck_assert_uint_eq(r->wait_states, 5);
    ck_assert_uint_ne(bus.generation, g);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("bus");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ram_little_endian_all_sizes);
    tcase_add_test(tc, unmapped_and_refused_are_errors);
    tcase_add_test(tc, overlap_and_misalignment_rejected);
    tcase_add_test(tc, mmio_dispatch_and_debug_access);
    tcase_add_test(tc, alias_shares_storage);
    tcase_add_test(tc, bitband_reads_and_writes_bits_through_the_bus);
    tcase_add_test(tc, code_pages_notify_on_write);
    tcase_add_test(tc, wait_state_changes_bump_generation);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
