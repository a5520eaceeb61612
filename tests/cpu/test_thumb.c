/*
 * Instruction-level edge cases of the Cortex-M4 model: shifts by 0, 32 and
 * more with their carries, saturation and Q, GE bits and SEL, IT blocks and
 * the 16-bit flag rule, LDM/STM write-back with the base in the list,
 * exclusives, divide by zero, every EXC_RETURN form, fault status bits,
 * SysTick in cycles, and FP rounding, NaN and flush-to-zero behaviour.
 * Encodings were produced with arm-none-eabi-as (-mcpu=cortex-m4).
 */
#include <check.h>
#include <stdlib.h>
#include "tests/support/cpu_harness.h"

static harness_t *h;
#define R(n) (h->cpu.r[(n)])

static void setup(void)
{
    h = h_new();
    ck_assert_ptr_nonnull(h);
    h->cpu.sys.cpacr = 0xF << 20; /* FP on */
}

static void teardown(void)
{
    h_free(h);
}

/* Run one instruction at 0x100 with the given operands. */
static void run1(uint32_t insn, bool wide)
{
    h->pc = 0x100;
    if (wide)
        h_emit32(h, insn);
    else
        h_emit16(h, (uint16_t)insn);
    h->cpu.r[15] = 0x100;
    cpu_flush_cache(&h->cpu);
    ck_assert_int_eq(h_step(h, 1), CPU_STOP_STEP);
}

START_TEST(register_shifts)
{
    /* LSLS.W by 32: result 0, carry = bit 0; by 33: 0, carry 0 */
    R(1) = 0x80000001;
    R(2) = 32;
    run1(0xFA11F002, true);
    ck_assert_uint_eq(R(0), 0);
    ck_assert_uint_eq(h->cpu.c, 1);
    ck_assert(cpu_flag_z(&h->cpu));
    R(2) = 33;
    run1(0xFA11F002, true);
    ck_assert_uint_eq(h->cpu.c, 0);
    /* shift amount is the bottom byte: 256 + 4 shifts by 4 */
    R(1) = 0xF0;
    R(2) = 0x104;
    run1(0xFA11F002, true);
    ck_assert_uint_eq(R(0), 0xF00);
    /* by 0: value and carry unchanged */
    h->cpu.c = 1;
    R(2) = 0;
    run1(0xFA31F002, true);
    ck_assert_uint_eq(R(0), 0xF0);
    ck_assert_uint_eq(h->cpu.c, 1);
    /* ASRS by 40: all sign bits, carry = sign */
    R(1) = 0x80000000;
    R(2) = 40;
    run1(0xFA51F002, true);
    ck_assert_uint_eq(R(0), 0xFFFFFFFF);
    ck_assert_uint_eq(h->cpu.c, 1);
    /* RORS by 32: value unchanged, carry = bit 31 */
    R(1) = 0x80000002;
    R(2) = 32;
    run1(0xFA71F002, true);
    ck_assert_uint_eq(R(0), 0x80000002);
    ck_assert_uint_eq(h->cpu.c, 1);
}
END_TEST

START_TEST(immediate_shifts_and_rrx)
{
    /* LSRS #32 (encoded as 0): result 0, carry = bit 31 */
    R(1) = 0x80000000;
    run1(0x0808, false);
    ck_assert_uint_eq(R(0), 0);
    ck_assert_uint_eq(h->cpu.c, 1);
    /* ASRS #32 */
    R(1) = 0x7FFFFFFF;
    run1(0x1008, false);
    ck_assert_uint_eq(R(0), 0);
    ck_assert_uint_eq(h->cpu.c, 0);
    /* MOVS r0, r1 (LSL #0): carry unchanged */
    h->cpu.c = 1;
    R(1) = 0;
    run1(0x0008, false);
    ck_assert_uint_eq(h->cpu.c, 1);
    ck_assert(cpu_flag_z(&h->cpu));
    /* RRX: carry shifted in, flags untouched (no S) */
    h->cpu.c = 1;
    R(1) = 3;
    run1(0xEA4F0031, true);
    ck_assert_uint_eq(R(0), 0x80000001);
    ck_assert_uint_eq(h->cpu.c, 1);
}
END_TEST

START_TEST(saturation_and_ge)
{
    h->cpu.q = 0;
    R(1) = 200;
    run1(0xF3010007, true); /* SSAT r0, #8, r1 */
    ck_assert_uint_eq(R(0), 127);
    ck_assert_uint_eq(h->cpu.q, 1);
    h->cpu.q = 0;
    R(1) = (uint32_t)-5;
    run1(0xF3810008, true); /* USAT r0, #8, r1 */
    ck_assert_uint_eq(R(0), 0);
    ck_assert_uint_eq(h->cpu.q, 1);
    /* SADD16: GE per halfword from the signed sums */
    R(1) = 0x7FFF8000;
    R(2) = 0x00018000;
    run1(0xFA91F002, true);
    ck_assert_uint_eq(R(0), 0x80000000);
    ck_assert_uint_eq(h->cpu.ge, 0xC); /* GE from the unwrapped sums: -65536 < 0, 32768 >= 0 */
    /* UADD8: GE = carry per byte; SEL picks by GE */
    R(1) = 0xFF01FF01;
    R(2) = 0x01010101;
    run1(0xFA81F042, true);
    ck_assert_uint_eq(R(0), 0x00020002);
    ck_assert_uint_eq(h->cpu.ge, 0xA);
    R(1) = 0x11223344;
    R(2) = 0xAABBCCDD;
    run1(0xFAA1F082, true);
    ck_assert_uint_eq(R(0), 0x11BB33DD);
}
END_TEST

START_TEST(it_block)
{
    h->pc = 0x100;
    h_emit16(h, 0x2800); /* cmp r0, #0 */
    h_emit16(h, 0xBF06); /* itte eq */
    h_emit16(h, 0x2101); /* moveq r1, #1 (no flags inside IT) */
    h_emit16(h, 0x3101); /* addeq r1, #1 */
    h_emit16(h, 0x2107); /* movne r1, #7 */
    h_emit16(h, 0xBE00); /* bkpt */
    R(0) = 0;
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 0);
    ck_assert_uint_eq(R(1), 2);
    ck_assert(cpu_flag_z(&h->cpu)); /* MOV/ADD inside IT did not touch flags */
    R(0) = 5;
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 0);
    ck_assert_uint_eq(R(1), 7);
}
END_TEST

START_TEST(load_store_multiple)
{
    /* LDMIA r0, {r0, r1}: base in list, no write-back: loaded value wins */
    h_write32(h, H_DATA, 0x11111111);
    h_write32(h, H_DATA + 4, 0x22222222);
    R(0) = H_DATA;
    run1(0xC803, false);
    ck_assert_uint_eq(R(0), 0x11111111);
    ck_assert_uint_eq(R(1), 0x22222222);
    /* LDMIA r2!, {r0, r1}: write-back */
    R(2) = H_DATA;
    run1(0xCA03, false);
    ck_assert_uint_eq(R(2), H_DATA + 8);
    /* STMIA r2!, {r0, r1} */
    R(0) = 5;
    R(1) = 6;
    R(2) = H_DATA + 0x40;
    run1(0xC203, false);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x44), 6);
    ck_assert_uint_eq(R(2), H_DATA + 0x48);
    /* PUSH {r0, lr} / POP {r0, pc} with interworking */
    R(13) = H_STACK_TOP;
    R(0) = 0xAB;
    R(14) = 0x301;
    run1(0xB501, false);
    ck_assert_uint_eq(R(13), H_STACK_TOP - 8);
    R(0) = 0;
    run1(0xBD01, false);
    ck_assert_uint_eq(R(0), 0xAB);
    ck_assert_uint_eq(R(15), 0x300);
    ck_assert_uint_eq(R(13), H_STACK_TOP);
    /* LDM faulting on the second word changes no register */
    R(2) = H_DATA + 0xFFFC;
    R(0) = R(1) = 0x77;
    h->cpu.sys.shcsr |= 1u << 17; /* BusFault enabled */
    run1(0xCA03, false);
    ck_assert_uint_eq(R(0), 0x77);
    ck_assert_uint_eq(h->cpu.sys.cfsr & 0x8200, 0x8200);
    ck_assert_uint_eq(h->cpu.sys.bfar, H_DATA + 0x10000);
}
END_TEST

START_TEST(exclusives_and_divide)
{
    R(1) = H_DATA + 0x80;
    h_write32(h, H_DATA + 0x80, 41);
    run1(0xE8510F00, true); /* LDREX r0, [r1] */
    ck_assert_uint_eq(R(0), 41);
    R(0) = 42;
    run1(0xE8410200, true); /* STREX r2, r0, [r1] */
    ck_assert_uint_eq(R(2), 0);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x80), 42);
    run1(0xE8410200, true); /* second STREX fails: monitor cleared */
    ck_assert_uint_eq(R(2), 1);
    /* an unaligned STREX faults even with the monitor open (ExclusiveMonitorsPass
     * checks alignment first; QEMU instead just fails the store) */
    R(1) = H_DATA + 0x82;
    R(2) = 0x55;
    run1(0xE8410200, true);
    ck_assert_uint_eq(R(2), 0x55);
    ck_assert_uint_eq(h->cpu.sys.cfsr >> 16, UFSR_UNALIGNED);
    h_reset(h);
    h->cpu.sys.cpacr = 0xF << 20;
    /* SDIV by zero gives 0 without DIV_0_TRP, INT_MIN / -1 = INT_MIN */
    R(1) = 5;
    R(2) = 0;
    run1(0xFB91F0F2, true);
    ck_assert_uint_eq(R(0), 0);
    R(1) = 0x80000000;
    R(2) = 0xFFFFFFFF;
    run1(0xFB91F0F2, true);
    ck_assert_uint_eq(R(0), 0x80000000);
    /* with DIV_0_TRP: UsageFault DIVBYZERO, escalated to HardFault (disabled) */
    h->cpu.sys.ccr |= 1u << 4;
    R(2) = 0;
    run1(0xFB91F0F2, true);
    ck_assert_uint_eq(h->cpu.sys.cfsr >> 16, UFSR_DIVBYZERO);
    ck_assert_uint_eq(h->cpu.sys.hfsr, 1u << 30);
    ck_assert_uint_eq(h->cpu.ipsr, EXC_HARDFAULT);
}
END_TEST

START_TEST(exc_return_forms)
{
    /* Thread mode on MSP: SVC -> handler -> BX LR returns with 0xFFFFFFF9 */
    h->pc = 0x100;
    h_emit16(h, 0xDF05); /* svc #5 */
    h_emit16(h, 0xBE01); /* bkpt #1 */
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    ck_assert_uint_eq(R(14), 0xFFFFFFF9);
    ck_assert_uint_eq(h->cpu.ipsr, EXC_SVCALL);
    ck_assert_int_eq(h_run_to_bkpt(h, 10), 1);
    ck_assert_uint_eq(h->cpu.ipsr, 0);
    ck_assert_uint_eq(R(13), H_STACK_TOP);
    /* Thread mode on PSP, with an FP context: 0xFFFFFFED, frame on PSP */
    h_reset(h);
    h->cpu.sys.cpacr = 0xF << 20;
    h->pc = 0x100;
    h_emit32(h, 0xEE300A81); /* vadd.f32 s0, s1, s2: FPCA = 1 */
    h_emit16(h, 0xDF05);
    h_emit16(h, 0xBE01);
    cpu_set_psp(&h->cpu, H_DATA + 0x8000);
    cpu_set_mode(&h->cpu, 0, 2);
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    ck_assert_uint_eq(R(14), 0xFFFFFFED);
    ck_assert_uint_eq(h->cpu.psp, H_DATA + 0x8000 - 0x68);
    ck_assert_uint_eq(h->cpu.sys.fpccr & 1, 1); /* lazy: LSPACT */
    ck_assert_int_eq(h_run_to_bkpt(h, 10), 1);
    ck_assert_uint_eq(R(13), H_DATA + 0x8000);
    ck_assert_uint_eq(h->cpu.control, 6);
    /* Nested: an IRQ inside the SVC handler returns with 0xFFFFFFF1 */
    h_reset(h);
    h->pc = 0x100;
    h_emit16(h, 0xDF05);
    h_emit16(h, 0xBE01);
    h->cpu.sys.prio[EXC_SVCALL] = 0x80;
    h->cpu.sys.enabled[EXC_IRQ0] = 1;
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    armv7m_set_pending(&h->cpu, EXC_IRQ0);
    /* the BKPT in the SVC handler already ran; the IRQ preempts before BX LR */
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_IRQ0);
    ck_assert_uint_eq(R(14), 0xFFFFFFF1);
    /* Bad EXC_RETURN: INVPC */
    h_reset(h);
    h->pc = 0x100;
    h_emit16(h, 0xDF05);
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    R(14) = 0xFFFFFFF5;
    h_step(h, 1); /* BX LR with a reserved EXC_RETURN */
    ck_assert_uint_eq(h->cpu.sys.cfsr >> 16, UFSR_INVPC);
}
END_TEST

/* IT blocks that end in a branch: a taken and an untaken B<c> as the last
 * instruction, and BX LR in the else-slot of ITTE. */
START_TEST(it_with_branches)
{
    static const uint16_t prog1[] = { 0x2800, 0xBF08, 0xE001, 0x2107, 0xBE00, 0x2109, 0xBE00 };
    h->pc = 0x100;
    for (unsigned k = 0; k < 7; k++)
        h_emit16(h, prog1[k]);
    R(0) = 0; /* EQ: branch taken */
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 0);
    ck_assert_uint_eq(R(1), 9);
    ck_assert_uint_eq(h->cpu.itstate, 0);
    R(0) = 3; /* NE: the branch is skipped, ITSTATE ends with it */
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 0);
    ck_assert_uint_eq(R(1), 7);
    static const uint16_t prog2[] = { 0x2801, 0xBF1A, 0x3101, 0x2203, 0x4770, 0xBE01 };
    h->pc = 0x140;
    for (unsigned k = 0; k < 6; k++)
        h_emit16(h, prog2[k]);
    R(0) = 1; /* EQ: add/mov skipped, BX LR taken */
    R(1) = 10;
    R(2) = 0;
    R(14) = 0x10D; /* back to the BKPT #0 at 0x10C (Thumb bit set) */
    R(15) = 0x140;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 0);
    ck_assert_uint_eq(R(15), 0x10E); /* after the BKPT at 0x10C */
    ck_assert_uint_eq(R(1), 10);
    ck_assert_uint_eq(R(2), 0);
    R(0) = 2; /* NE: add and mov run, BX skipped */
    R(15) = 0x140;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 1);
    ck_assert_uint_eq(R(1), 11);
    ck_assert_uint_eq(R(2), 3);
}
END_TEST

/* Write-back with the base in the list: STMIA stores the original base when
 * it is the lowest register; LDMIA without write-back loads the base. */
START_TEST(ldm_stm_writeback_forms)
{
    h->pc = 0x180;
    h_emit16(h, 0xC106);     /* stmia r1!, {r1, r2} */
    h_emit16(h, 0xCB09);     /* ldmia r3, {r0, r3} */
    h_emit32(h, 0xE8B50003); /* ldmia.w r5!, {r0, r1} */
    h_emit32(h, 0xE9260007); /* stmdb r6!, {r0, r1, r2} */
    h_emit16(h, 0xBE02);
    R(1) = H_DATA + 0x100;
    R(2) = 0x2222;
    R(3) = H_DATA + 0x200;
    h_write32(h, H_DATA + 0x200, 0xA0);
    h_write32(h, H_DATA + 0x204, 0xA3);
    R(5) = H_DATA + 0x300;
    h_write32(h, H_DATA + 0x300, 0xB0);
    h_write32(h, H_DATA + 0x304, 0xB1);
    R(6) = H_DATA + 0x410;
    R(15) = 0x180;
    sim_cycles_t before = h->cpu.cycles;
    ck_assert_int_eq(h_run_to_bkpt(h, 20), 2);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x100), H_DATA + 0x100);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x104), 0x2222);
    ck_assert_uint_eq(R(0), 0xB0); /* r0, r1 reloaded by the LDMIA.W */
    ck_assert_uint_eq(R(1), 0xB1);
    ck_assert_uint_eq(R(3), 0xA3);
    ck_assert_uint_eq(R(5), H_DATA + 0x308);
    ck_assert_uint_eq(R(6), H_DATA + 0x404);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x404), 0xB0);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x408), 0xB1);
    ck_assert_uint_eq(h_read32(h, H_DATA + 0x40C), 0x2222);
    /* 1 + N cycles each (TRM table 3-1): 3 + 3 + 3 + 4, plus the BKPT */
    ck_assert_uint_ge(h->cpu.cycles - before, 13);
}
END_TEST

/* The remaining EXC_RETURN forms: 0xFFFFFFFD (thread, PSP, basic frame),
 * 0xFFFFFFE9 (thread, MSP, FP frame), 0xFFFFFFE1 (handler, FP frame). */
START_TEST(exc_return_more_forms)
{
    h->pc = 0x100;
    h_emit16(h, 0xDF05); /* svc #5 */
    h_emit16(h, 0xBE01);
    cpu_set_psp(&h->cpu, H_DATA + 0x8000);
    cpu_set_mode(&h->cpu, 0, 2);
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    ck_assert_uint_eq(R(14), 0xFFFFFFFD);
    ck_assert_uint_eq(h->cpu.psp, H_DATA + 0x8000 - 0x20);
    ck_assert_int_eq(h_run_to_bkpt(h, 10), 1);
    ck_assert_uint_eq(h->cpu.control & 2, 2);
    ck_assert_uint_eq(R(13), H_DATA + 0x8000);
    /* thread on MSP with an FP context */
    h_reset(h);
    h->cpu.sys.cpacr = 0xF << 20;
    h->pc = 0x100;
    h_emit32(h, 0xEE300A81); /* vadd.f32 s0, s1, s2: FPCA = 1 */
    h_emit16(h, 0xDF05);
    h_emit16(h, 0xBE01);
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    ck_assert_uint_eq(R(14), 0xFFFFFFE9);
    ck_assert_uint_eq(R(13), H_STACK_TOP - 0x68);
    ck_assert_int_eq(h_run_to_bkpt(h, 10), 1);
    ck_assert_uint_eq(R(13), H_STACK_TOP);
    ck_assert_uint_eq(h->cpu.control & 4, 4);
    /* handler with an FP context preempted: 0xFFFFFFE1 */
    h_reset(h);
    h->cpu.sys.cpacr = 0xF << 20;
    h->pc = 0x100;
    h_emit16(h, 0xDF05);
    h_emit16(h, 0xBE01);
    h->cpu.sys.prio[EXC_SVCALL] = 0x80;
    h->cpu.sys.enabled[EXC_IRQ0] = 1;
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_SVCALL);
    /* the SVC handler uses the FPU, then the IRQ arrives */
    h->cpu.control |= 4;
    armv7m_set_pending(&h->cpu, EXC_IRQ0);
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_IRQ0);
    ck_assert_uint_eq(R(14), 0xFFFFFFE1);
}
END_TEST

START_TEST(tail_chain_and_priority)
{
    h->cpu.sys.enabled[EXC_IRQ0] = h->cpu.sys.enabled[EXC_IRQ0 + 1] = 1;
    h->cpu.sys.prio[EXC_IRQ0] = 0x40;
    h->cpu.sys.prio[EXC_IRQ0 + 1] = 0x20;
    h->pc = 0x100;
    h_emit16(h, 0xBF00);
    h_emit16(h, 0xBE01);
    armv7m_set_pending(&h->cpu, EXC_IRQ0);
    armv7m_set_pending(&h->cpu, EXC_IRQ0 + 1);
    R(15) = 0x100;
    /* the higher priority (lower number) IRQ1 first, then IRQ0 tail-chained */
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_IRQ0 + 1);
    sim_cycles_t before = h->cpu.cycles;
    ck_assert_int_eq(h_run_to_bkpt(h, 10), EXC_IRQ0);
    ck_assert_uint_eq(R(14), 0xFFFFFFF9); /* tail-chained: same EXC_RETURN */
    ck_assert_uint_lt(h->cpu.cycles - before, 12);
    ck_assert_int_eq(h_run_to_bkpt(h, 10), 1);
    /* PRIMASK masks, BASEPRI masks lower priorities only */
    h->cpu.primask = 1;
    armv7m_set_pending(&h->cpu, EXC_IRQ0);
    ck_assert_int_eq(armv7m_pending_exception(&h->cpu), 0);
    ck_assert(armv7m_wakeup_pending(&h->cpu, false));
    h->cpu.primask = 0;
    h->cpu.basepri = 0x40;
    ck_assert_int_eq(armv7m_pending_exception(&h->cpu), 0);
    h->cpu.basepri = 0x60;
    ck_assert_int_eq(armv7m_pending_exception(&h->cpu), EXC_IRQ0);
}
END_TEST

START_TEST(fault_escalation_and_lockup)
{
    h->pc = 0x100;
    h_emit16(h, 0xDE03); /* udf */
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 5), EXC_HARDFAULT);
    ck_assert_uint_eq(h->cpu.sys.hfsr, 1u << 30);
    ck_assert_uint_eq(h->cpu.sys.cfsr, UFSR_UNDEFINSTR << 16);
    /* a fault inside HardFault locks up */
    R(15) = 0x100;
    h_step(h, 1);
    ck_assert(h->cpu.locked_up);
    /* enabled UsageFault is taken directly */
    h_reset(h);
    h->cpu.sys.shcsr |= 1u << 18;
    h->pc = 0x100;
    h_emit16(h, 0xDE03);
    R(15) = 0x100;
    ck_assert_int_eq(h_run_to_bkpt(h, 5), EXC_USAGEFAULT);
    ck_assert_uint_eq(h->cpu.sys.hfsr, 0);
}
END_TEST

START_TEST(systick_in_cycles)
{
    /* core clock, reload 99: the interrupt pends every 100 cycles */
    h_write32(h, 0xE000E014, 99);
    h_write32(h, 0xE000E018, 0);
    h_write32(h, 0xE000E010, 7);
    ck_assert_uint_eq(h_read32(h, 0xE000E018), 0);
    h->cpu.cycles += 30;
    ck_assert_uint_eq(h_read32(h, 0xE000E018), 70);
    ck_assert_uint_eq(h_read32(h, 0xE000E010) & (1u << 16), 0);
    h->cpu.cycles += 80; /* 100 ticks reach zero, the 101st reloads 99 */
    ck_assert_uint_eq(h_read32(h, 0xE000E018), 90);
    ck_assert_uint_ne(h_read32(h, 0xE000E010) & (1u << 16), 0);
    ck_assert_uint_eq(h_read32(h, 0xE000E010) & (1u << 16), 0); /* cleared by the read */
    ck_assert_uint_eq(h_read32(h, 0xE000ED00), 0x410FC241);     /* CPUID */
}
END_TEST

START_TEST(fp_rounding_nan_ftz)
{
    /* 1 / 3 rounds differently per mode */
    h->cpu.s[1] = 0x3F800000;
    h->cpu.s[2] = 0x40400000;
    h->cpu.fpscr = 0;
    run1(0xEE800A81, true); /* vdiv.f32 s0, s1, s2 */
    ck_assert_uint_eq(h->cpu.s[0], 0x3EAAAAAB);
    ck_assert_uint_eq(h->cpu.fpscr & 0x10, 0x10); /* IXC */
    h->cpu.fpscr = 3u << 22;                      /* round toward zero */
    run1(0xEE800A81, true);
    ck_assert_uint_eq(h->cpu.s[0], 0x3EAAAAAA);
    /* signalling NaN operand: quieted, IOC; with DN: default NaN */
    h->cpu.fpscr = 0;
    h->cpu.s[1] = 0xFF800001;
    run1(0xEE300A81, true); /* vadd */
    ck_assert_uint_eq(h->cpu.s[0], 0xFFC00001);
    ck_assert_uint_eq(h->cpu.fpscr & 1, 1);
    h->cpu.fpscr = 1u << 25;
    run1(0xEE300A81, true);
    ck_assert_uint_eq(h->cpu.s[0], 0x7FC00000);
    /* inf - inf: default NaN (positive, unlike x86) */
    h->cpu.fpscr = 0;
    h->cpu.s[1] = 0x7F800000;
    h->cpu.s[2] = 0xFF800000;
    run1(0xEE300A81, true);
    ck_assert_uint_eq(h->cpu.s[0], 0x7FC00000);
    /* flush-to-zero: denormal input flushed (IDC), tiny result flushed (UFC) */
    h->cpu.fpscr = 1u << 24;
    h->cpu.s[1] = 0x00000001;
    h->cpu.s[2] = 0x3F800000;
    run1(0xEE300A81, true);
    ck_assert_uint_eq(h->cpu.s[0], 0x3F800000);
    ck_assert_uint_eq(h->cpu.fpscr & 0x80, 0x80);
    h->cpu.fpscr = 1u << 24;
    h->cpu.s[1] = 0x00800000; /* min normal */
    h->cpu.s[2] = 0x80400000; /* -0.75 * min normal... (denormal: flushed to -0) */
    run1(0xEE300A81, true);
    ck_assert_uint_eq(h->cpu.s[0], 0x00800000);
    /* float -> int: NaN gives 0 and IOC, out of range saturates */
    h->cpu.fpscr = 0;
    h->cpu.s[1] = 0x7FC00000;
    run1(0xEEBD0AE0, true); /* vcvt.s32.f32 s0, s1 */
    ck_assert_uint_eq(h->cpu.s[0], 0);
    ck_assert_uint_eq(h->cpu.fpscr & 1, 1);
    h->cpu.s[1] = 0x4F800000; /* 2^32 */
    run1(0xEEBD0AE0, true);
    ck_assert_uint_eq(h->cpu.s[0], 0x7FFFFFFF);
    /* FP disabled by CPACR: NOCP */
    h->cpu.sys.cpacr = 0;
    h->cpu.sys.shcsr |= 1u << 18;
    run1(0xEE300A81, true);
    ck_assert_uint_eq(h->cpu.sys.cfsr >> 16, UFSR_NOCP);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("thumb");
    TCase *tc = tcase_create("edge cases");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, register_shifts);
    tcase_add_test(tc, immediate_shifts_and_rrx);
    tcase_add_test(tc, saturation_and_ge);
    tcase_add_test(tc, it_block);
    tcase_add_test(tc, load_store_multiple);
    tcase_add_test(tc, exclusives_and_divide);
    tcase_add_test(tc, exc_return_forms);
    tcase_add_test(tc, tail_chain_and_priority);
    tcase_add_test(tc, fault_escalation_and_lockup);
    tcase_add_test(tc, systick_in_cycles);
    tcase_add_test(tc, it_with_branches);
    tcase_add_test(tc, ldm_stm_writeback_forms);
    tcase_add_test(tc, exc_return_more_forms);
    tcase_add_test(tc, fp_rounding_nan_ftz);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
