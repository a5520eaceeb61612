/* Tests for sim/loader.c: ELF32, Intel HEX and raw binary loading and the
 * errors for malformed or foreign files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "sim/loader.h"

static bus_t bus;
static uint8_t flash[0x4000], ram[0x4000];

static void setup(void)
{
    bus_init(&bus);
    memset(flash, 0xFF, sizeof flash);
    memset(ram, 0xAA, sizeof ram);
    bus_map_rom(&bus, "flash", 0x08000000, sizeof flash, flash, NULL, NULL, 0, 0);
    bus_map_ram(&bus, "ram", 0x20000000, sizeof ram, ram, 0, 0);
}

static void teardown(void)
{
    bus_free(&bus);
}

/* A minimal ARM executable: two PT_LOAD segments (flash data, RAM with
 * zero fill) and a symbol table with one function. */
typedef struct {
    uint8_t b[1024];
    size_t len;
} elf_buf_t;

static void build_elf(elf_buf_t *e, uint16_t machine, uint8_t cls, uint32_t ram_addr)
{
    memset(e, 0, sizeof *e);
    uint8_t *d = e->b;
    d[0] = 0x7F; d[1] = 'E'; d[2] = 'L'; d[3] = 'F';
    d[4] = cls; d[5] = 1; d[6] = 1;
    wr_le16(d + 16, 2);           /* ET_EXEC */
    wr_le16(d + 18, machine);
    wr_le32(d + 20, 1);
    wr_le32(d + 24, 0x08000009);  /* entry */
    wr_le32(d + 28, 52);          /* phoff */
    wr_le32(d + 32, 400);         /* shoff */
    wr_le16(d + 40, 52);
    wr_le16(d + 42, 32);
    wr_le16(d + 44, 2);
    wr_le16(d + 46, 40);
    wr_le16(d + 48, 3);
    /* segment 0: 8 bytes at 0x08000000 from file offset 200 */
    uint8_t *ph = d + 52;
    wr_le32(ph, 1); wr_le32(ph + 4, 200); wr_le32(ph + 8, 0x08000000);
    wr_le32(ph + 12, 0x08000000); wr_le32(ph + 16, 8); wr_le32(ph + 20, 8);
    /* segment 1: 4 bytes of data + 12 zero at ram_addr (vaddr differs: LMA used) */
    ph += 32;
    wr_le32(ph, 1); wr_le32(ph + 4, 208); wr_le32(ph + 8, 0x30000000);
    wr_le32(ph + 12, ram_addr); wr_le32(ph + 16, 4); wr_le32(ph + 20, 16);
    for (int k = 0; k < 8; k++)
        d[200 + k] = (uint8_t)(0x10 + k);
    wr_le32(d + 208, 0xDEADBEEF);
    /* string table at 240: "\0reset_handler\0counter\0" */
    memcpy(d + 240, "\0reset_handler\0counter\0", 23);
    /* symtab at 280: null, func, object */
    uint8_t *s = d + 280 + 16;
    wr_le32(s, 1); wr_le32(s + 4, 0x08000009); wr_le32(s + 8, 8); s[12] = 0x12; wr_le16(s + 14, 1);
    s += 16;
    wr_le32(s, 15); wr_le32(s + 4, ram_addr); wr_le32(s + 8, 4); s[12] = 0x11; wr_le16(s + 14, 2);
    /* section headers at 400: null, symtab (link 2), strtab */
    uint8_t *sh = d + 400 + 40;
    wr_le32(sh + 4, 2); wr_le32(sh + 16, 280); wr_le32(sh + 20, 48); wr_le32(sh + 24, 2);
    sh += 40;
    wr_le32(sh + 4, 3); wr_le32(sh + 16, 240); wr_le32(sh + 20, 23);
    e->len = 400 + 3 * 40;
}

START_TEST(elf_loads_segments_at_load_addresses)
{
    elf_buf_t e;
    build_elf(&e, 40, 1, 0x20000100);
    loader_image_t img;
    char err[256] = "";
    ck_assert_int_eq(loader_load_buffer(&bus, e.b, e.len, "t.elf", NULL, &img, err, sizeof err), 0);
    ck_assert_int_eq(img.format, LOADER_FMT_ELF);
    ck_assert(img.has_entry);
    ck_assert_uint_eq(img.entry, 0x08000009);
    ck_assert_uint_eq(img.nsegments, 2);
    ck_assert_uint_eq(flash[0], 0x10);
    ck_assert_uint_eq(flash[7], 0x17);
    ck_assert_uint_eq(flash[8], 0xFF);
    ck_assert_uint_eq(rd_le32(ram + 0x100), 0xDEADBEEF);
    for (int k = 4; k < 16; k++)
        ck_assert_uint_eq(ram[0x100 + k], 0);
    ck_assert_uint_eq(ram[0x110], 0xAA);
    const loader_symbol_t *s = loader_find_symbol(&img, "reset_handler");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->value, 0x08000008);
    ck_assert(s->is_func);
    ck_assert_ptr_eq(loader_symbol_at(&img, 0x0800000C), s);
    ck_assert_str_eq(loader_symbol_at(&img, 0x20000102)->name, "counter");
    ck_assert_ptr_null(loader_symbol_at(&img, 0x20000200));
    loader_image_free(&img);
}
END_TEST

START_TEST(elf_foreign_or_broken_is_rejected_with_reason)
{
    elf_buf_t e;
    loader_image_t img;
    char err[256];
    build_elf(&e, 62, 1, 0x20000100);
    ck_assert_int_ne(loader_load_buffer(&bus, e.b, e.len, "x86.elf", NULL, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "x86.elf: ELF for machine 62, not ARM"));
    build_elf(&e, 40, 2, 0x20000100);
    ck_assert_int_ne(loader_load_buffer(&bus, e.b, e.len, "a64.elf", NULL, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "not a 32-bit ELF"));
    build_elf(&e, 40, 1, 0x20000100);
    ck_assert_int_ne(loader_load_buffer(&bus, e.b, 30, "short.elf", NULL, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "truncated ELF header"));
    ck_assert_int_ne(loader_load_buffer(&bus, e.b, 205, "cut.elf", NULL, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "segment 0: data"));
    build_elf(&e, 40, 1, 0x40000000);
    ck_assert_int_ne(loader_load_buffer(&bus, e.b, e.len, "far.elf", NULL, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "segment 1 at 0x40000000"));
    ck_assert_ptr_nonnull(strstr(err, "is not memory on this board"));
    loader_opts_t o = { .format = LOADER_FMT_ELF };
    ck_assert_int_ne(loader_load_buffer(&bus, (const uint8_t *)"hello", 5, "h.bin", &o, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "bad magic"));
}
END_TEST

START_TEST(ihex_records_and_errors)
{
    const char *hex =
        ":020000040800F2\n"
        ":0400000001020304F2\n"
        ":0400100A0A0B0C0DB4\n"
        ":0400000508000101ED\n"
        ":00000001FF\n";
    loader_image_t img;
    char err[256] = "";
    int rc = loader_load_buffer(&bus, (const uint8_t *)hex, strlen(hex), "a.hex", NULL, &img, err,
                                sizeof err);
    /* line 3 carries an unknown record type 0x0A */
    ck_assert_int_ne(rc, 0);
    ck_assert_str_eq(err, "a.hex:3: unknown record type 0a");
    const char *good =
        ":020000040800F2\r\n"
        ":0400000001020304F2\r\n"
        ":040004000506070GDE\r\n";
    rc = loader_load_buffer(&bus, (const uint8_t *)good, strlen(good), "b.hex", NULL, &img, err, sizeof err);
    ck_assert_int_ne(rc, 0);
    ck_assert_str_eq(err, "b.hex:3: column 17: not a hex digit");
    const char *ok =
        ":020000040800F2\n"
        ":0400000001020304F2\n"
        ":0400040005060708DE\n"
        ":0400000508000101ED\n"
        ":00000001FF\n";
    rc = loader_load_buffer(&bus, (const uint8_t *)ok, strlen(ok), "c.hex", NULL, &img, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_eq(img.format, LOADER_FMT_IHEX);
    ck_assert_uint_eq(img.nsegments, 1);
    ck_assert_uint_eq(img.segments[0].size, 8);
    for (int k = 0; k < 8; k++)
        ck_assert_uint_eq(flash[k], k + 1);
    ck_assert(img.has_entry);
    ck_assert_uint_eq(img.entry, 0x08000101);
    const char *bad_sum = ":0400000001020304F3\n:00000001FF\n";
    ck_assert_int_ne(loader_load_buffer(&bus, (const uint8_t *)bad_sum, strlen(bad_sum), "d.hex",
                                        NULL, &img, err, sizeof err), 0);
    ck_assert_str_eq(err, "d.hex:1: checksum mismatch");
    const char *no_eof = ":020000040800F2\n:0400000001020304F2\n";
    ck_assert_int_ne(loader_load_buffer(&bus, (const uint8_t *)no_eof, strlen(no_eof), "e.hex",
                                        NULL, &img, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "no end-of-file record") != NULL, "%s", err);
}
END_TEST

START_TEST(binary_at_base_and_bounds)
{
    uint8_t data[16];
    for (int k = 0; k < 16; k++)
        data[k] = (uint8_t)(0x80 + k);
    loader_opts_t o = { .format = LOADER_FMT_AUTO, .bin_base = 0x20000010 };
    loader_image_t img;
    char err[256];
    ck_assert_int_eq(loader_load_buffer(&bus, data, 16, "x.bin", &o, &img, err, sizeof err), 0);
    ck_assert_int_eq(img.format, LOADER_FMT_BIN);
    ck_assert_uint_eq(ram[0x10], 0x80);
    ck_assert_uint_eq(ram[0x1F], 0x8F);
    o.bin_base = 0x20003FF8;
    ck_assert_int_ne(loader_load_buffer(&bus, data, 16, "x.bin", &o, &img, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "address 0x20004000 is not memory"));
    ck_assert_int_ne(loader_load_file(&bus, "/nonexistent/fw.elf", &o, &img, err, sizeof err), 0);
    ck_assert_str_eq(err, "/nonexistent/fw.elf: No such file or directory");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("formats");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, elf_loads_segments_at_load_addresses);
    tcase_add_test(tc, elf_foreign_or_broken_is_rejected_with_reason);
    tcase_add_test(tc, ihex_records_and_errors);
    tcase_add_test(tc, binary_at_base_and_bounds);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
