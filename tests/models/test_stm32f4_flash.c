/*
 * STM32F4 flash interface: reset values, the unlock sequence and lock-out,
 * programming by PSIZE with every error flag, erase times, EOP and the
 * FLASH interrupt, stalls while busy, OTP, option bytes and write
 * protection, wait states, and the partial result of an operation cut by a
 * power loss or a reset.
 */
#include "stm32f4_fixture.h"

#define FLASH 0x40023C00u
#define ACR (FLASH + 0x00)
#define KEYR (FLASH + 0x04)
#define OPTKEYR (FLASH + 0x08)
#define SR (FLASH + 0x0C)
#define CR (FLASH + 0x10)
#define OPTCR (FLASH + 0x14)
#define BSY (1u << 16)
#define PG 1u
#define SER 2u
#define MER 4u
#define STRT (1u << 16)
#define EOPIE (1u << 24)
#define ERRIE (1u << 25)
#define LOCK (1u << 31)
#define X8 (0u << 8)
#define X16 (1u << 8)
#define X32 (2u << 8)
#define X64 (3u << 8)
#define SECTOR11 0x080E0000u

/* A write the flash may stall: the core's clock jumps, then the scheduler
 * catches up as the machine loop does after the slice. */
static void wrs(uint32_t a, uint32_t v)
{
    wr(a, v);
    sync_sched_to_cpu();
}

static uint32_t rds(uint32_t a)
{
    uint32_t v = rd(a);
    sync_sched_to_cpu();
    return v;
}

static void unlock(void)
{
    wr(KEYR, 0x45670123);
    wr(KEYR, 0xCDEF89AB);
    ck_assert_uint_eq(rd(CR) & LOCK, 0);
}

static void wait_idle(void)
{
    for (int k = 0; k < 100000 && (rd(SR) & BSY); k++)
        run_ns(SIM_US(10));
    ck_assert_uint_eq(rd(SR) & BSY, 0);
}

static sim_time_t erase_sector(unsigned n, uint32_t psize)
{
    wr(CR, psize | (n << 3) | SER);
    sim_time_t t0 = m->sched.now;
    wr(CR, rd(CR) | STRT);
    ck_assert_uint_ne(rd(SR) & BSY, 0);
    run_ns(SIM_S(5));
    ck_assert_uint_eq(rd(SR) & BSY, 0);
    return soc->flash.op_end - t0;
}

START_TEST(reset_values_and_keys)
{
    ck_assert_uint_eq(rd(ACR), 0);
    ck_assert_uint_eq(rd(KEYR), 0);
    ck_assert_uint_eq(rd(SR), 0);
    ck_assert_uint_eq(rd(CR), 0x80000000);
    ck_assert_uint_eq(rd(OPTCR), 0x0FFFAAED);
    /* locked: CR writes are ignored */
    wr(CR, PG);
    ck_assert_uint_eq(rd(CR), 0x80000000);
    unlock();
    wr(CR, X32 | PG);
    ck_assert_uint_eq(rd(CR), X32 | PG);
    wr(CR, 0);                              /* LOCK is set-only */
    ck_assert_uint_eq(rd(CR), 0);
    wr(CR, LOCK);
    ck_assert_uint_eq(rd(CR), LOCK);
    /* a wrong key: bus error, and locked until reset even with the right keys */
    wr(KEYR, 0x45670123);
    ck_assert_int_ne(bus_write(&m->bus, KEYR, 4, 0x12345678), 0);
    ck_assert_int_ne(bus_write(&m->bus, KEYR, 4, 0x45670123), 0);
    ck_assert_int_ne(bus_write(&m->bus, KEYR, 4, 0xCDEF89AB), 0);
    ck_assert_uint_eq(rd(CR) & LOCK, LOCK);
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_PIN);
    unlock();
    /* keys in the wrong order lock out too */
    wr(CR, LOCK);
    ck_assert_int_ne(bus_write(&m->bus, KEYR, 4, 0xCDEF89AB), 0);
    ck_assert_uint_eq(rd(CR) & LOCK, LOCK);
}
END_TEST

START_TEST(program_widths_and_errors)
{
    uint32_t a = 0x08004000;
    wr(a, 0);                               /* locked: PGSERR, data dropped, no bus fault */
    ck_assert_uint_eq(rd(SR), 1u << 7);
    ck_assert_uint_eq(rd(a), 0xFFFFFFFF);
    wr(SR, 0xF3);
    unlock();
    wr(a, 0);                               /* PG clear: PGSERR */
    ck_assert_uint_eq(rd(SR), 1u << 7);
    wr(SR, 0xF3);
    wr(CR, X32 | PG);
    wr16(a, 0);                             /* wrong width: PGPERR */
    ck_assert_uint_eq(rd(SR), 1u << 6);
    ck_assert_uint_eq(rd(a), 0xFFFFFFFF);
    wr(SR, 0xF3);
    wr(CR, X32 | PG | ERRIE);
    wr16(a, 0);                             /* with ERRIE also OPERR, and the IRQ */
    ck_assert_uint_eq(rd(SR), (1u << 6) | (1u << 1));
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 4]);
    wr(SR, 0xF3);
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 4]);
    wr(CR, X16 | PG);
    ck_assert_int_eq(bus_write(&m->bus, a + 15, 2, 0), 0); /* crosses a 128-bit row: PGAERR */
    ck_assert_uint_eq(rd(SR), 1u << 5);
    wr(SR, 0xF3);
    /* each width programs, and bits only go 1 -> 0 */
    wr(CR, X8 | PG);
    wr8(a + 1, 0x5A);
    ck_assert_uint_ne(rd(SR) & BSY, 0);
    ck_assert_uint_eq(rds(a) & 0xFF00, 0x5A00); /* the read waits for the end */
    wrs(CR, X16 | PG);
    wr16(a + 2, 0x1234);
    wait_idle();
    wr(CR, X32 | PG);
    wr(a + 4, 0xF0F0F0F0);
    wait_idle();
    wr(a + 4, 0x0FFFFFF0);
    wait_idle();
    ck_assert_uint_eq(rd(a), 0x12345AFF);
    ck_assert_uint_eq(rd(a + 4), 0x00F0F0F0);
    ck_assert_uint_eq(rd(SR), 0);              /* no EOP without EOPIE */
    /* x64: two consecutive word writes; a gap is PGAERR */
    wr(CR, X64 | PG | EOPIE);
    wr(a + 8, 0x11111111);
    ck_assert_uint_eq(rd(SR) & BSY, 0);        /* the first word only waits */
    wr(a + 12, 0x22222222);
    wait_idle();
    ck_assert_uint_eq(rd(a + 8), 0x11111111);
    ck_assert_uint_eq(rd(a + 12), 0x22222222);
    ck_assert_uint_eq(rd(SR), 1);              /* EOP */
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 4]);
    wr(SR, 1);
    wr(a + 16, 0);
    wr(a + 24, 0);
    ck_assert_uint_eq(rd(SR), 1u << 5);
    ck_assert_uint_eq(soc->flash.programs, 5);
}
END_TEST

START_TEST(erase_times_by_psize)
{
    unlock();
    /* sector 11 (128 KiB): 1 s at x32, 1.3 s at x16, 2 s at x8 (typical) */
    ck_assert_uint_eq(erase_sector(11, X32), SIM_MS(1000));
    ck_assert_uint_eq(erase_sector(11, X16), SIM_MS(1300));
    ck_assert_uint_eq(erase_sector(11, X8), SIM_MS(2000));
    ck_assert_uint_eq(erase_sector(0, X32), SIM_MS(250));     /* 16 KiB */
    ck_assert_uint_eq(erase_sector(4, X32), SIM_MS(550));     /* 64 KiB */
    char err[64];
    cJSON *v = cJSON_CreateString("max");
    ck_assert_int_eq(machine_set_control(m, "mcu.flash.timing", v, err, sizeof err), 0);
    cJSON_Delete(v);
    ck_assert_uint_eq(erase_sector(11, X32), SIM_MS(2000));
    /* sector number above 11 and SER with MER are sequence errors */
    wr(CR, X32 | (12u << 3) | SER);
    wr(CR, rd(CR) | STRT);
    ck_assert_uint_eq(rd(SR), 1u << 7);
    wr(SR, 0xF3);
    wr(CR, X32 | SER | MER | STRT);
    ck_assert_uint_eq(rd(SR), 1u << 7);
    wr(SR, 0xF3);
    /* mass erase: 16 s at x32 maximum */
    wr(CR, X32 | MER);
    sim_time_t t0 = m->sched.now;
    wr(CR, rd(CR) | STRT);
    ck_assert_uint_eq(soc->flash.op_end - t0, SIM_S(16));
}
END_TEST

START_TEST(erase_contents_and_stall)
{
    unlock();
    wr(CR, X32 | PG);
    wr(SECTOR11 + 0x100, 0);
    wait_idle();
    wr(CR, X32 | (11u << 3) | SER | EOPIE);
    sim_time_t t0 = m->sched.now;
    uint64_t c0 = m->cpu->cycles;
    wr(CR, rd(CR) | STRT);
    /* a read of the array stalls the core until the erase ends (1 s at 16 MHz)
     * and sees the erased cell; the erase itself ends at its own time */
    ck_assert_uint_eq(rd(SECTOR11 + 0x100), 0xFFFFFFFF);
    ck_assert_uint_ge(m->cpu->cycles - c0, 16000000u - 10);
    ck_assert_uint_ne(rd(SR) & BSY, 0);
    ck_assert_uint_eq(soc->flash_mem[0xE0100], 0);
    sync_sched_to_cpu();
    ck_assert_uint_eq(rd(SR), 1);
    ck_assert_uint_eq(soc->flash_mem[0xE0100], 0xFF);
    ck_assert_uint_eq(rd(CR) & STRT, 0);
    (void)t0;
    sync_sched_to_cpu();
    /* a CR write while busy waits too */
    wr(SR, 1);
    wr(CR, X32 | (10u << 3) | SER);
    wr(CR, rd(CR) | STRT);
    c0 = m->cpu->cycles;
    wr(CR, X32);
    ck_assert_uint_ge(m->cpu->cycles - c0, 16000000u - 10);
    ck_assert_uint_eq(rd(CR), X32 | (10u << 3) | SER | STRT); /* the write waits on the bus */
    sync_sched_to_cpu();
    ck_assert_uint_eq(rd(SR) & BSY, 0);
    ck_assert_uint_eq(rd(CR), X32);
}
END_TEST

START_TEST(write_protection_and_option_bytes)
{
    /* protect sector 5 through the option bytes */
    wr(OPTKEYR, 0x08192A3B);
    wr(OPTKEYR, 0x4C5D6E7F);
    ck_assert_uint_eq(rd(OPTCR) & 1, 0);
    wr(OPTCR, (rd(OPTCR) & ~(1u << (16 + 5))) | 2u);    /* nWRP5 = 0, OPTSTRT */
    ck_assert_uint_ne(rd(SR) & BSY, 0);
    run_ns(SIM_MS(300));
    ck_assert_uint_eq(rd(SR) & BSY, 0);
    ck_assert_uint_eq(rd16(0x1FFFC008), 0x0FDF);
    unlock();
    wr(CR, X32 | (5u << 3) | SER | ERRIE);
    wr(CR, rd(CR) | STRT);
    ck_assert_uint_eq(rd(SR), (1u << 4) | (1u << 1));   /* WRPERR, OPERR */
    wr(SR, 0xF3);
    wr(CR, X32 | PG);
    wr(0x08020000, 0);
    ck_assert_uint_eq(rd(SR), 1u << 4);
    ck_assert_uint_eq(rd(0x08020000), 0xFFFFFFFF);
    wr(SR, 0xF3);
    wr(CR, X32 | MER);                                   /* mass erase with a protected sector */
    wr(CR, rd(CR) | STRT);
    ck_assert_uint_eq(rd(SR), 1u << 4);
    /* the option bytes survive a reset and load into OPTCR */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_PIN);
    ck_assert_uint_eq(rd(OPTCR), 0x0FDFAAED);
}
END_TEST

START_TEST(otp_and_device_id)
{
    ck_assert_uint_eq(rd16(0x1FFF7A22), 0x0400);         /* 1024 KiB */
    ck_assert_uint_eq(rd(0x1FFF7A10), 0x002B0033);
    ck_assert_uint_eq(rd(0xE0042000), 0x10076413);       /* DBGMCU_IDCODE, revision 2 */
    unlock();
    wr(CR, X32 | PG);
    wr(0x1FFF7800, 0xCAFEF00D);                          /* OTP block 0 */
    wait_idle();
    ck_assert_uint_eq(rd(0x1FFF7800), 0xCAFEF00D);
    wr8(0x1FFF7A00, 0);                                  /* wrong width for x32: PGPERR */
    ck_assert_uint_eq(rd(SR), 1u << 6);
    wr(SR, 0xF3);
    wr(CR, X8 | PG);
    wr8(0x1FFF7A00, 0);                                  /* lock block 0 */
    wait_idle();
    wr8(0x1FFF7801, 0);
    ck_assert_uint_eq(rd(SR), 1u << 4);                  /* WRPERR */
    wr(SR, 0xF3);
    wr8(0x1FFF7A10, 0);                                  /* the ID is read-only */
    ck_assert_uint_eq(rd(0x1FFF7A10), 0x002B0033);
    /* a mass erase leaves the OTP alone */
    wr(CR, X32 | MER);
    wr(CR, rd(CR) | STRT);
    run_ns(SIM_S(9));
    ck_assert_uint_eq(rd(0x1FFF7800), 0xCAFEF00D);
}
END_TEST

START_TEST(wait_states_and_latency_warning)
{
    ck_assert_uint_eq(soc->flash.region->wait_states, 0);
    wr(ACR, 5);
    ck_assert_uint_eq(soc->flash.region->wait_states, 5);
    ck_assert_uint_eq(soc->flash.alias->wait_states, 5);
    wr(ACR, 5 | (1u << 8));                              /* prefetch only: half */
    ck_assert_uint_eq(soc->flash.region->wait_states, 2);
    wr(ACR, 5 | (7u << 8));                              /* caches on */
    ck_assert_uint_eq(soc->flash.region->wait_states, 0);
    ck_assert_uint_eq(rd(ACR), 0x705);
    wr(ACR, 0x705 | (1u << 11));                         /* ICRST only while ICEN = 0 */
    ck_assert_uint_eq(rd(ACR), 0x705);
    unsigned errs = log_count(LOG_GUEST_ERROR);
    wr(ACR, 0);                                          /* 0 WS at 168 MHz: warned */
    clock_168mhz();
    wr(ACR, 0);
    ck_assert_uint_gt(log_count(LOG_GUEST_ERROR), errs);
}
END_TEST

/* Erase sector 11 holding zeros, cut the power 'at' into it. */
static unsigned erased_after_cut(uint64_t seed, sim_time_t at, unsigned *partial_bytes)
{
    teardown();
    load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" } ] }", seed);
    memset(soc->flash_mem + 0xE0000, 0, 0x20000);
    unlock();
    wr(CR, X32 | (11u << 3) | SER);
    wr(CR, rd(CR) | STRT);
    run_ns(at);
    machine_power_cut(m, SIM_MS(10));
    machine_run(m, m->sched.now + SIM_MS(20));
    unsigned full = 0, part = 0;
    for (unsigned k = 0; k < 0x20000; k++) {
        uint8_t b = soc->flash_mem[0xE0000 + k];
        full += b == 0xFF;
        part += b != 0xFF && b != 0;
    }
    *partial_bytes = part;
    return full;
}

START_TEST(power_cut_leaves_partial_erase)
{
    unsigned part, part2;
    /* half way through a 1 s erase: about half of the bytes are erased */
    unsigned full = erased_after_cut(7, SIM_MS(500), &part);
    ck_assert_uint_gt(full, 0x20000 * 45 / 100);
    ck_assert_uint_lt(full, 0x20000 * 55 / 100);
    ck_assert_uint_gt(part, 0);
    ck_assert_uint_eq(soc->flash.interrupted, 1);
    ck_assert_uint_eq(rd(0x40023C0C) & BSY, 0);          /* power back: idle */
    /* the same seed gives the same bytes; another seed others */
    uint8_t copy[256];
    memcpy(copy, soc->flash_mem + 0xE0000, sizeof copy);
    ck_assert_uint_eq(erased_after_cut(7, SIM_MS(500), &part2), full);
    ck_assert_uint_eq(part2, part);
    ck_assert_int_eq(memcmp(copy, soc->flash_mem + 0xE0000, sizeof copy), 0);
    erased_after_cut(8, SIM_MS(500), &part2);
    ck_assert_int_ne(memcmp(copy, soc->flash_mem + 0xE0000, sizeof copy), 0);
    /* early in the erase little is done */
    ck_assert_uint_lt(erased_after_cut(7, SIM_MS(10), &part), 0x20000 / 50);
}
END_TEST

static unsigned probe_hits;
static void on_probe(void *opaque, sim_probe_t *p)
{
    (void)p;
    probe_hits++;
    if (probe_hits == 2)
        machine_power_cut(opaque, SIM_MS(1));
}

START_TEST(power_cut_at_the_nth_program)
{
    sim_probe_t *p = machine_find_probe(m, "mcu.flash.op");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(machine_find_probe(m, "mcu.flash.program"));
    ck_assert_ptr_nonnull(machine_find_probe(m, "mcu.flash.erase"));
    p->watch = on_probe;
    p->watch_opaque = m;
    probe_hits = 0;
    char err[64];
    cJSON *v = cJSON_CreateNumber(0);                    /* no hold-up: the cut is immediate */
    ck_assert_int_eq(machine_set_control(m, "mcu.flash.holdup_us", v, err, sizeof err), 0);
    cJSON_Delete(v);
    unlock();
    wr(CR, X32 | PG);
    wr(0x08008000, 0x00000000);
    wait_idle();
    wr(0x08008004, 0x00000000);                          /* the second op: the watcher cuts */
    machine_run(m, m->sched.now + SIM_MS(5));
    ck_assert_uint_eq(p->hits, 2);
    ck_assert_uint_eq(m->power_cuts, 1);
    ck_assert_uint_eq(rd(0x08008000), 0);
    ck_assert_uint_eq(rd(0x08008004), 0xFFFFFFFF);       /* cut at its start: nothing done */
    ck_assert_uint_eq(rd(CR), LOCK);                     /* power-on state */
    ck_assert_uint_eq(rd(RCC + 0x74) & 0xFE000000, 0x0E000000);
}
END_TEST

START_TEST(reset_during_program)
{
    unlock();
    wr(CR, X32 | PG);
    wr(0x08008000, 0x00000000);
    run_ns(SIM_US(8));                                   /* half of the 16 us */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_PIN);
    uint32_t v = rd(0x08008000);
    unsigned cleared = (unsigned)__builtin_popcount(~v);
    ck_assert_uint_gt(cleared, 4);                       /* about 16 of 32 bits */
    ck_assert_uint_lt(cleared, 28);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { reset_values_and_keys, program_widths_and_errors, erase_times_by_psize,
                             erase_contents_and_stall, write_protection_and_option_bytes,
                             otp_and_device_id, wait_states_and_latency_warning,
                             power_cut_leaves_partial_erase, power_cut_at_the_nth_program,
                             reset_during_program };
    return run_suite("stm32f4_flash", tests, ARRAY_SIZE(tests));
}
