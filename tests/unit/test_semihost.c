/* Tests for sim/semihost.c: each call's parameter block, results, errors,
 * console routing, the feature file, file access confined to the root, and
 * time from the virtual clock. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/semihost.h"

static bus_t bus;
static sched_t sched;
static cpu_t cpu;
static semihost_t sh;
static uint8_t ram[0x10000];
static char out[4096];
static size_t out_len;
static char root[256];

#define RAM 0x20000000u
#define BLOCK (RAM + 0x100)
#define STR (RAM + 0x400)
#define BUF (RAM + 0x800)

static void console(void *opaque, const char *src, const uint8_t *buf, size_t len)
{
    (void)opaque;
    size_t n = snprintf(out + out_len, sizeof out - out_len, "[%s]", src);
    out_len += n;
    memcpy(out + out_len, buf, len);
    out_len += len;
    out[out_len] = 0;
}

static void setup(void)
{
    bus_init(&bus);
    memset(ram, 0, sizeof ram);
    bus_map_ram(&bus, "ram", RAM, sizeof ram, ram, 0, 0);
    sched_init(&sched);
    memset(&cpu, 0, sizeof cpu);
    cpu.bus = &bus;
    cpu.sched = &sched;
    cpu.hz = 1000000; /* 1 cycle = 1 us */
    snprintf(root, sizeof root, "/tmp/gb-sh-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    semihost_init(&sh, &sched, root);
    sh.console = console;
    out_len = 0;
    out[0] = 0;
}

static void teardown(void)
{
    semihost_free(&sh);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    ck_assert_int_eq(system(cmd), 0);
    bus_free(&bus);
}

static void put_str(uint32_t addr, const char *s)
{
    memcpy(ram + (addr - RAM), s, strlen(s) + 1);
}

static void put_block(uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
    wr_le32(ram + (BLOCK - RAM), a0);
    wr_le32(ram + (BLOCK - RAM) + 4, a1);
    wr_le32(ram + (BLOCK - RAM) + 8, a2);
    wr_le32(ram + (BLOCK - RAM) + 12, a3);
}

static uint32_t sh_open(const char *name, uint32_t mode)
{
    put_str(STR, name);
    put_block(STR, mode, (uint32_t)strlen(name), 0);
    return semihost_call(&sh, &cpu, SH_SYS_OPEN, BLOCK);
}

START_TEST(console_calls)
{
    put_str(STR, "hi\n");
    semihost_call(&sh, &cpu, SH_SYS_WRITE0, STR);
    semihost_call(&sh, &cpu, SH_SYS_WRITEC, STR + 1);
    uint32_t out_h = sh_open(":tt", 4), err_h = sh_open(":tt", 8), in_h = sh_open(":tt", 0);
    ck_assert_uint_ne(out_h, 0xFFFFFFFFu);
    put_str(BUF, "abc");
    put_block(err_h, BUF, 3, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_WRITE, BLOCK), 0);
    ck_assert_str_eq(out, "[stdout]hi\n[stdout]i[stderr]abc");
    put_block(in_h, 0, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_ISTTY, BLOCK), 1);
    /* console input comes from the queue only */
    semihost_set_stdin(&sh, (const uint8_t *)"xy", 2);
    put_block(in_h, BUF, 10, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READ, BLOCK), 8);
    ck_assert_int_eq(memcmp(ram + (BUF - RAM), "xy", 2), 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READ, BLOCK), 10);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READC, 0), 0xFFFFFFFFu);
}
END_TEST

START_TEST(files_in_root)
{
    uint32_t h = sh_open("data.bin", 5); /* wb */
    ck_assert_uint_ne(h, 0xFFFFFFFFu);
    put_str(BUF, "0123456789");
    put_block(h, BUF, 10, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_WRITE, BLOCK), 0);
    put_block(h, 0, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_FLEN, BLOCK), 10);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_ISTTY, BLOCK), 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_CLOSE, BLOCK), 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_CLOSE, BLOCK), 0xFFFFFFFFu);
    h = sh_open("data.bin", 1);
    put_block(h, 4, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_SEEK, BLOCK), 0);
    put_block(h, BUF + 100, 20, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READ, BLOCK), 14);
    ck_assert_int_eq(memcmp(ram + (BUF + 100 - RAM), "456789", 6), 0);
    /* escapes from the root are refused */
    ck_assert_uint_eq(sh_open("../etc/passwd", 0), 0xFFFFFFFFu);
    ck_assert_uint_eq(sh_open("/etc/passwd", 0), 0xFFFFFFFFu);
    ck_assert_uint_ne(semihost_call(&sh, &cpu, SH_SYS_ERRNO, 0), 0);
    ck_assert_uint_eq(sh_open("missing.txt", 0), 0xFFFFFFFFu);
    /* rename and remove */
    put_str(STR, "data.bin");
    put_str(STR + 64, "renamed.bin");
    put_block(STR, 8, STR + 64, 11);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_RENAME, BLOCK), 0);
    put_block(STR + 64, 11, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_REMOVE, BLOCK), 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_REMOVE, BLOCK), 0xFFFFFFFFu);
}
END_TEST

/* Two handles on one file: what one writes the other reads at once (the
 * guest's C library buffers; the host side must not buffer again), and
 * "w+"/"a" open modes behave as ISO C says. */
START_TEST(shared_file_and_modes)
{
    uint32_t w = sh_open("log.txt", 6); /* w+ */
    ck_assert_uint_ne(w, 0xFFFFFFFFu);
    put_str(BUF, "hello");
    put_block(w, BUF, 5, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_WRITE, BLOCK), 0);
    uint32_t r = sh_open("log.txt", 0); /* r */
    ck_assert_uint_ne(r, 0xFFFFFFFFu);
    put_block(r, BUF + 64, 16, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READ, BLOCK), 11);
    ck_assert_int_eq(memcmp(ram + (BUF + 64 - RAM), "hello", 5), 0);
    /* read back through the w+ handle after a seek */
    put_block(w, 1, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_SEEK, BLOCK), 0);
    put_block(w, BUF + 128, 4, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READ, BLOCK), 0);
    ck_assert_int_eq(memcmp(ram + (BUF + 128 - RAM), "ello", 4), 0);
    /* a read-only handle refuses writes */
    put_block(r, BUF, 5, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_WRITE, BLOCK), 5);
    /* append mode writes at the end whatever the position */
    uint32_t a = sh_open("log.txt", 8); /* a */
    put_str(BUF, "!!");
    put_block(a, BUF, 2, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_WRITE, BLOCK), 0);
    put_block(w, 0, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_FLEN, BLOCK), 7);
    /* "w" truncates */
    uint32_t t = sh_open("log.txt", 4);
    put_block(t, 0, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_FLEN, BLOCK), 0);
    ck_assert_uint_eq(sh_open("x.txt", 12), 0xFFFFFFFFu); /* no such mode */
}
END_TEST

START_TEST(features_time_exit)
{
    uint32_t h = sh_open(":semihosting-features", 0);
    ck_assert_uint_ne(h, 0xFFFFFFFFu);
    put_block(h, 0, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_FLEN, BLOCK), 5);
    put_block(h, BUF, 5, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_READ, BLOCK), 0);
    ck_assert_int_eq(memcmp(ram + (BUF - RAM), "SHFB\x03", 5), 0);
    /* 2.5 s of virtual time at 1 MHz; ELAPSED counts microseconds, so its
     * high word is in use from 71.6 minutes on */
    cpu.cycles = 2500000;
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_CLOCK, 0), 250);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_TIME, 0), SEMIHOST_DEFAULT_EPOCH + 2);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_ELAPSED, BUF), 0);
    ck_assert_uint_eq(rd_le32(ram + (BUF - RAM)), 2500000u);
    ck_assert_uint_eq(rd_le32(ram + (BUF - RAM) + 4), 0);
    cpu.cycles = 4295000000ull; /* 4295 s: 2^32 us and a little more */
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_ELAPSED, BUF), 0);
    ck_assert_uint_eq(rd_le32(ram + (BUF - RAM)), (uint32_t)4295000000ull);
    ck_assert_uint_eq(rd_le32(ram + (BUF - RAM) + 4), 1);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_TICKFREQ, 0), 1000000);
    semihost_set_cmdline(&sh, "fw --x");
    put_block(BUF, 64, 0, 0);
    ck_assert_uint_eq(semihost_call(&sh, &cpu, SH_SYS_GET_CMDLINE, BLOCK), 0);
    ck_assert_str_eq((char *)ram + (BUF - RAM), "fw --x");
    ck_assert_uint_eq(rd_le32(ram + (BLOCK - RAM) + 4), 6);
    put_block(SH_ADP_STOPPED_APPLICATION_EXIT, 42, 0, 0);
    semihost_call(&sh, &cpu, SH_SYS_EXIT_EXTENDED, BLOCK);
    ck_assert(sh.exited);
    ck_assert_int_eq(sh.exit_code, 42);
    ck_assert(cpu.stop_requested);
    sh.exited = false;
    semihost_call(&sh, &cpu, SH_SYS_EXIT, SH_ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
    ck_assert_int_eq(sh.exit_code, 1);
    /* BKPT with another immediate is not semihosting */
    ck_assert(!semihost_bkpt(&sh, &cpu, 0x01));
    cpu.r[0] = SH_SYS_TICKFREQ;
    ck_assert(semihost_bkpt(&sh, &cpu, 0xAB));
    ck_assert_uint_eq(cpu.r[0], 1000000);
    /* unknown operation */
    ck_assert_uint_eq(semihost_call(&sh, &cpu, 0x77, 0), 0xFFFFFFFFu);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("semihost");
    TCase *tc = tcase_create("calls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, console_calls);
    tcase_add_test(tc, files_in_root);
    tcase_add_test(tc, shared_file_and_modes);
    tcase_add_test(tc, features_time_exit);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
