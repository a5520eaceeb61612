/*
 * Instruction-exact slicing: one program, run one instruction at a time and
 * with many different slice lengths, must stop every slice at the first
 * instruction boundary where the cycle count reaches the limit, take every
 * SysTick interrupt on the same instruction, and end in the same state.
 *
 * The program runs from memory with wait states (code 2, data 1, a slow
 * region 5) and mixes what makes an instruction's cycles data-dependent:
 * loads and stores in every addressing form, unaligned accesses (split into
 * bytes), LDM/STM/PUSH/POP, LDRD/STRD, UDIV/SDIV of growing operands, an IT
 * block, BL/POP {pc}, CBZ, FP instructions (lazy state preservation in the
 * interrupt handler) and MMIO reads of DWT_CYCCNT in the middle of blocks.
 * The SysTick handler (period 98 cycles) logs the interrupted PC, CYCCNT
 * and SYST_CVR.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/cpu/cpu.h"

#define CODE_BASE 0x00000000u
#define DATA_BASE 0x20000000u
#define SLOW_BASE 0x60000000u
#define STACK_TOP 0x20010000u

/*
 * 0x100 reset:
 *   DEMCR.TRCENA = 1; DWT_CTRL |= CYCCNTENA; CPACR |= CP10/CP11; dsb; isb
 *   SYST_RVR = 97; SYST_CVR = 0; SYST_CSR = 7
 *   r5 = 0x20000100, r7 = 0x60000000, r8 = &DWT_CYCCNT, r4 = 0, r6 = 1
 * loop:
 *   and r1, r4, #63; ldr r0, [r5, r1, lsl #2]; add r0, r4; str r0, [r5, r1, lsl #2]
 *   ldr r2, [r7, r1, lsl #2]; adds r2, #1; str r2, [r7, r1, lsl #2]
 *   adds r3, r4, #1; mvn r2, r6
 *   (blocks whose bound has little slack: each ends in b to the next insn)
 *   udiv r0, r6, r3; sdiv r2, r2, r3; add r6, r0; b
 *   ldr r0, [r7, #5]; eor r6, r2; b          (unaligned: four 5-wait-state bytes)
 *   ldrh r0, [r7, #3]; eor r6, r6, r0, ror #3; b
 *   ldr r0, [r5, #1]; add r6, r0
 *   push {r4-r7}; b
 *   ldmia r7, {r0-r3}; adds r1, r0; b        (slow region)
 *   ldrd r2, r3, [r7, #8]; adds r3, r1; b
 *   add r0, r5, #64; stmia r0!, {r1-r4}; strd r2, r1, [r7, #16]; pop {r4-r7}; bl sub
 *   tst r4, #1; ite eq; addeq r6, #5; subne r6, #3
 *   vmov s0, r6; vadd.f32 s0, s0, s0; vmov r0, s0; eor r6, r0
 *   ldr r0, [r8]; add r6, r6, r0, lsr #4
 *   cbz r4, 1f; ldr r0, [r5], #4; str r0, [r5, #-4]!
 * 1: adds r4, #1; cmp r4, #600; bne loop
 *   str r6, [0x20000080]; bkpt #0x42
 * sub: push {r4, lr}; movs r4, #3; 2: subs r4, #1; add r6, r4; bne 2b; pop {r4, pc}
 */
static const uint16_t prog_main[] = {
    0x483b, 0xf04f, 0x7180, 0x6001, 0x483a, 0x6801, 0xf041, 0x0101, 0x6001, 0x4839,
    0x6801, 0xf441, 0x0170, 0x6001, 0xf3bf, 0x8f4f, 0xf3bf, 0x8f6f, 0x4835, 0x2161,
    0x6041, 0x2100, 0x6081, 0x2107, 0x6001, 0x4d33, 0xf04f, 0x47c0, 0xf8df, 0x80c8,
    0x2400, 0x2601, 0xf004, 0x013f, 0xf855, 0x0021, 0x4420, 0xf845, 0x0021, 0xf857,
    0x2021, 0x3201, 0xf847, 0x2021, 0x1c63, 0xea6f, 0x0206, 0xe7ff, 0xfbb6, 0xf0f3,
    0xfb92, 0xf2f3, 0x4406, 0xe7ff, 0xf8d7, 0x0005, 0xea86, 0x0602, 0xe7ff, 0xf8b7,
    0x0003, 0xea86, 0x06f0, 0xe7ff, 0xf8d5, 0x0001, 0x4406, 0xb4f0, 0xe7ff, 0xe897,
    0x000f, 0x1809, 0xe7ff, 0xe9d7, 0x2302, 0x185b, 0xe7ff, 0xf105, 0x0040, 0xc01e,
    0xe9c7, 0x2104, 0xbcf0, 0xf000, 0xf81d, 0xf014, 0x0f01, 0xbf0c, 0x3605, 0x3e03,
    0xee00, 0x6a10, 0xee30, 0x0a00, 0xee10, 0x0a10, 0xea86, 0x0600, 0xf8d8, 0x0000,
    0xeb06, 0x1610, 0xb11c, 0xf855, 0x0b04, 0xf845, 0x0d04, 0x3401, 0xf5b4, 0x7f16,
    0xd1b0, 0x480a, 0x6006, 0xbe42, 0xb510, 0x2403, 0x3c01, 0x4426, 0xd1fc, 0xbd10,
    0xedfc, 0xe000, 0x1000, 0xe000, 0xed88, 0xe000, 0xe010, 0xe000, 0x0100, 0x2000,
    0x1004, 0xe000, 0x0080, 0x2000,
};

/*
 * 0x300 SysTick: n = [0x20001000]; if n < 200: entry n at 0x20001004 + 12 n
 * = { stacked PC, DWT_CYCCNT, SYST_CVR }; b 1f; 1: vmov s1, r1 (the first
 * FP instruction of the handler, at a block start: lazy state preservation,
 * 17 stores); adds r1, #1; b 2f; 2: str r1, [0x20001000]; bx lr
 */
static const uint16_t prog_systick[] = {
    0x480b, 0x6801, 0x29c8, 0xd211, 0x9a06, 0xeb01, 0x0341, 0xeb00, 0x0383, 0x605a,
    0x4a07, 0x6812, 0x609a, 0x4a07, 0x6812, 0x60da, 0xe7ff, 0xee00, 0x1a90, 0x3101,
    0xe7ff, 0x6001, 0x4770, 0x0000, 0x1000, 0x2000, 0x1004, 0xe000, 0xe018, 0xe000,
};

typedef struct sys {
    bus_t bus;
    sched_t sched;
    cpu_t cpu;
    uint8_t code[0x10000], data[0x10000], slow[0x1000];
    bool done;
    /* cycle count after each instruction (and exception entry) of the reference run */
    sim_cycles_t *bound;
    size_t nbound, cap;
} sys_t;

static bool on_bkpt(void *opaque, cpu_t *cpu, uint32_t imm)
{
    sys_t *s = opaque;
    (void)imm;
    s->done = true;
    cpu_request_stop(cpu);
    return true;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static sys_t *sys_new(void)
{
    sys_t *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    bus_init(&s->bus);
    sched_init(&s->sched);
    bus_map_ram(&s->bus, "code", CODE_BASE, sizeof s->code, s->code, 0, 2);
    bus_map_ram(&s->bus, "data", DATA_BASE, sizeof s->data, s->data, 0, 1);
    bus_map_ram(&s->bus, "slow", SLOW_BASE, sizeof s->slow, s->slow, 0, 5);
    put32(s->code, STACK_TOP);
    put32(s->code + 4, 0x101);
    for (unsigned n = 2; n < 15; n++)
        put32(s->code + 4 * n, 0x201);
    put32(s->code + 4 * 15, 0x301);
    s->code[0x200] = 0xEE; /* BKPT #0xEE: any other exception ends the run */
    s->code[0x201] = 0xBE;
    for (unsigned k = 0; k < sizeof prog_main / 2; k++) {
        s->code[0x100 + 2 * k] = (uint8_t)prog_main[k];
        s->code[0x101 + 2 * k] = (uint8_t)(prog_main[k] >> 8);
    }
    for (unsigned k = 0; k < sizeof prog_systick / 2; k++) {
        s->code[0x300 + 2 * k] = (uint8_t)prog_systick[k];
        s->code[0x301 + 2 * k] = (uint8_t)(prog_systick[k] >> 8);
    }
    for (unsigned k = 0; k < sizeof s->slow; k++)
        s->slow[k] = (uint8_t)(k * 37 + 11);
    ck_assert_int_eq(cpu_init(&s->cpu, &s->bus, &s->sched, 32, 3, true), 0);
    armv7m_sys_map(&s->cpu, &s->bus);
    cpu_set_hz(&s->cpu, 1000000);
    s->cpu.on_bkpt = on_bkpt;
    s->cpu.on_bkpt_opaque = s;
    cpu_reset(&s->cpu);
    return s;
}

static void sys_free(sys_t *s)
{
    cpu_free(&s->cpu);
    sched_free(&s->sched);
    bus_free(&s->bus);
    free(s->bound);
    free(s);
}

/* Events due at the CPU's time run before it goes on (as machine_run does). */
static void run_events(sys_t *s)
{
    sched_run_until(&s->sched, cpu_time_of(&s->cpu, s->cpu.cycles));
}

static void run_stepped(sys_t *s)
{
    s->cpu.step_one = true;
    for (unsigned n = 0; !s->done && n < 400000; n++) {
        enum cpu_stop st = cpu_run(&s->cpu, s->cpu.cycles + 1000000);
        ck_assert(st == CPU_STOP_STEP || st == CPU_STOP_REQUEST);
        if (s->nbound == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 4096;
            s->bound = realloc(s->bound, s->cap * sizeof *s->bound);
            ck_assert_ptr_nonnull(s->bound);
        }
        s->bound[s->nbound++] = s->cpu.cycles;
        run_events(s);
    }
    s->cpu.step_one = false;
    ck_assert(s->done);
}

/* Slice lengths: a fixed one, or seeded random ones in 1..max. */
typedef struct slicer {
    uint64_t fixed;
    uint32_t seed, max;
} slicer_t;

static uint64_t next_slice(slicer_t *sl)
{
    if (sl->fixed)
        return sl->fixed;
    sl->seed = sl->seed * 1664525u + 1013904223u;
    return 1 + (sl->seed >> 8) % sl->max;
}

/* The first reference boundary at or after limit. */
static sim_cycles_t boundary_at(const sys_t *ref, sim_cycles_t limit)
{
    size_t lo = 0, hi = ref->nbound;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ref->bound[mid] < limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ref->nbound ? ref->bound[lo] : UINT64_MAX;
}

static unsigned run_sliced(sys_t *s, slicer_t sl, const sys_t *ref)
{
    unsigned slices = 0;
    while (!s->done && slices < 400000) {
        run_events(s);
        sim_time_t next = sched_next_deadline(&s->sched);
        sim_cycles_t limit = cpu_cycles_at(&s->cpu, next);
        uint64_t len = next_slice(&sl);
        if (limit - s->cpu.cycles > len)
            limit = s->cpu.cycles + len;
        if (limit <= s->cpu.cycles)
            limit = s->cpu.cycles + 1;
        enum cpu_stop st = cpu_run(&s->cpu, limit);
        slices++;
        ck_assert(st == CPU_STOP_LIMIT || st == CPU_STOP_REQUEST);
        if (st == CPU_STOP_LIMIT) {
            /* An MMIO access that arms an earlier event lowers the limit
             * (cpu->slice_limit): the slice ends at the first boundary at
             * or after the lowered limit that follows the access. */
            sim_cycles_t at = s->cpu.cycles, eff = s->cpu.slice_limit;
            ck_assert_msg(boundary_at(ref, at) == at, "slice ended at %llu, inside an instruction",
                          (unsigned long long)at);
            ck_assert(at >= eff);
            if (eff == limit)
                ck_assert_msg(at == boundary_at(ref, limit),
                              "slice to %llu stopped at %llu, not at the boundary %llu",
                              (unsigned long long)limit, (unsigned long long)at,
                              (unsigned long long)boundary_at(ref, limit));
            else
                ck_assert(eff < limit && at <= boundary_at(ref, limit));
        }
        run_events(s);
    }
    ck_assert(s->done);
    return slices;
}

static void assert_same_state(const sys_t *a, const sys_t *b, const char *what)
{
    ck_assert_msg(a->cpu.cycles == b->cpu.cycles && a->cpu.insns == b->cpu.insns,
                  "%s: %llu cycles %llu insns, reference %llu cycles %llu insns", what,
                  (unsigned long long)a->cpu.cycles, (unsigned long long)a->cpu.insns,
                  (unsigned long long)b->cpu.cycles, (unsigned long long)b->cpu.insns);
    for (unsigned r = 0; r < 16; r++)
        ck_assert_msg(a->cpu.r[r] == b->cpu.r[r], "%s: r%u = %08x, reference %08x", what, r,
                      a->cpu.r[r], b->cpu.r[r]);
    ck_assert_uint_eq(cpu_get_xpsr(&a->cpu), cpu_get_xpsr(&b->cpu));
    ck_assert(memcmp(a->cpu.s, b->cpu.s, sizeof a->cpu.s) == 0);
    ck_assert_msg(memcmp(a->data, b->data, sizeof a->data) == 0, "%s: data RAM differs", what);
    ck_assert(memcmp(a->slow, b->slow, sizeof a->slow) == 0);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(every_slicing_gives_the_same_run)
{
    sys_t *ref = sys_new();
    run_stepped(ref);
    /* the program ran to its end and took interrupts all over the loop */
    ck_assert_uint_eq(ref->cpu.r[4], 600);
    uint32_t logged = get32(ref->data + 0x1000);
    ck_assert_uint_eq(logged, 200);
    ck_assert_uint_gt(ref->cpu.exc_taken[EXC_SYSTICK], 400);
    ck_assert_uint_gt(ref->cpu.insns, 40000);

    static const uint64_t fixed[] = { 1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 17, 31, 64, 97, 100,
                                      257, 1000, 4096, UINT64_MAX / 2 };
    for (unsigned k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        sys_t *s = sys_new();
        slicer_t sl = { .fixed = fixed[k] };
        run_sliced(s, sl, ref);
        char what[64];
        snprintf(what, sizeof what, "slices of %llu cycles", (unsigned long long)fixed[k]);
        assert_same_state(s, ref, what);
        sys_free(s);
    }
    for (uint32_t seed = 1; seed <= 6; seed++) {
        sys_t *s = sys_new();
        slicer_t sl = { .seed = seed, .max = seed * 40 };
        run_sliced(s, sl, ref);
        char what[64];
        snprintf(what, sizeof what, "random slices, seed %u", seed);
        assert_same_state(s, ref, what);
        sys_free(s);
    }
    sys_free(ref);
}
END_TEST

/* The one-at-a-time path (what tracing uses) and whole blocks agree. */
static void count_trace(void *opaque, cpu_t *cpu, const insn_t *i)
{
    (void)cpu;
    (void)i;
    (*(uint64_t *)opaque)++;
}

START_TEST(traced_run_equals_untraced_run)
{
    sys_t *plain = sys_new(), *traced = sys_new();
    uint64_t traced_insns = 0;
    traced->cpu.trace = count_trace;
    traced->cpu.trace_opaque = &traced_insns;
    slicer_t sl = { .fixed = UINT64_MAX / 2 };
    run_stepped(plain);
    sys_t *fast = sys_new();
    run_sliced(fast, sl, plain);
    run_sliced(traced, sl, plain);
    assert_same_state(fast, plain, "untraced");
    assert_same_state(traced, plain, "traced");
    ck_assert_uint_eq(traced_insns, traced->cpu.insns);
    sys_free(plain);
    sys_free(fast);
    sys_free(traced);
}
END_TEST

/* Cycles <-> nanoseconds: exact (floor for time, ceiling for cycles) on
 * both sides of where the products stop fitting 64 bits. */
START_TEST(time_conversions_exact)
{
    sys_t *s = sys_new();
    static const uint64_t hzs[] = { 1000000, 16000000, 168000000, 1000000000, 3999999999ull };
    for (unsigned h = 0; h < sizeof hzs / sizeof hzs[0]; h++) {
        cpu_set_hz(&s->cpu, hzs[h]);
        sim_cycles_t base = s->cpu.clk_base_cycles;
        sim_time_t base_ns = s->cpu.clk_base_ns;
        uint64_t edge_c = UINT64_MAX / 1000000000u, edge_t = (UINT64_MAX - 999999999u) / hzs[h];
        static const int64_t around[] = { -3, -1, 0, 1, 2, 12345 };
        for (unsigned k = 0; k < sizeof around / sizeof around[0]; k++) {
            uint64_t dc = edge_c + (uint64_t)around[k];
            unsigned __int128 t = (unsigned __int128)dc * 1000000000u / hzs[h];
            ck_assert(cpu_time_of(&s->cpu, base + dc) == base_ns + (sim_time_t)t);
            uint64_t dt = edge_t + (uint64_t)around[k];
            unsigned __int128 c = ((unsigned __int128)dt * hzs[h] + 999999999u) / 1000000000u;
            ck_assert(cpu_cycles_at(&s->cpu, base_ns + dt) == base + (sim_cycles_t)c);
        }
        ck_assert(cpu_cycles_at(&s->cpu, cpu_time_of(&s->cpu, base + 1000)) <= base + 1000);
    }
    sys_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slicing");
    TCase *tc = tcase_create("slicing");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_slicing_gives_the_same_run);
    tcase_add_test(tc, traced_run_equals_untraced_run);
    tcase_add_test(tc, time_conversions_exact);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
