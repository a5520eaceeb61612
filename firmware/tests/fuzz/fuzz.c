/*
 * Random-instruction differential test. From a fixed seed the program
 * generates short sequences of valid Thumb-2 instructions (integer, DSP,
 * loads/stores into a scratch buffer with immediate, register and
 * write-back addressing, LDM/STM, PUSH/POP, exclusives, IT blocks,
 * conditional branches and CBZ/CBNZ, MRS/MSR, FP arithmetic, conversions
 * including fixed-point and half precision, VLDR/VSTR/VLDM/VSTM/VPUSH/VPOP
 * and the VMOV forms),
 * writes each into RAM, runs it with random registers, flags and FPSCR, and
 * prints the encodings with a hash of the resulting state. Two correct
 * Cortex-M4F implementations print identical output; the first differing
 * line names the sequence to look at.
 *
 * Encodings are constrained to what the architecture defines (no SP/PC
 * operands, no UNPREDICTABLE register combinations), so a difference is a
 * bug and not an implementation choice. r7 and r12 hold buffer addresses for
 * 16- and 32-bit memory accesses; r13-r15 are never named.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "../common/testlib.h"

#ifndef FUZZ_SEQUENCES
#define FUZZ_SEQUENCES 1500
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED 0x1234567u
#endif
#define MAX_INSNS 8

static uint32_t seed = FUZZ_SEED;
static uint32_t rnd(void) { return tl_rand(&seed); }
static uint32_t rndn(uint32_t n) { return rnd() % n; }

/* Data registers: never r7/r12 (buffer bases), SP, LR, PC. */
static const uint8_t dregs[] = { 0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11 };
static uint32_t dreg(void) { return dregs[rndn(sizeof dregs)]; }
static uint32_t lreg(void) { return rndn(7); } /* r0-r6 */

uint16_t code[MAX_INSNS * 4 + 10] __attribute__((aligned(4)));
static unsigned ncode;
static uint32_t enc_list[MAX_INSNS];
static unsigned nenc;

static void emit16(uint32_t hw)
{
    code[ncode++] = (uint16_t)hw;
}

static void emit32(uint32_t w)
{
    code[ncode++] = (uint16_t)(w >> 16);
    code[ncode++] = (uint16_t)w;
}

static void record(uint32_t w) { enc_list[nenc++] = w; }

/* ---- 32-bit templates ---- */

static uint32_t t_dp_imm(void)
{
    static const uint8_t ops[] = { 0, 1, 2, 3, 4, 8, 10, 11, 13, 14 };
    uint32_t op = ops[rndn(sizeof ops)], s = rndn(2), rn = dreg(), rd = dreg();
    uint32_t i = rndn(2), imm3 = rndn(8), imm8 = rndn(256);
    if ((op == 2 || op == 3) && rndn(3) == 0)
        rn = 15; /* MOV / MVN */
    if ((op == 0 || op == 4 || op == 8 || op == 13) && rndn(5) == 0) {
        rd = 15; /* TST TEQ CMN CMP */
        s = 1;
    }
    return 0xF0000000u | i << 26 | op << 21 | s << 20 | rn << 16 | imm3 << 12 | rd << 8 | imm8;
}

static uint32_t t_dp_reg(void)
{
    static const uint8_t ops[] = { 0, 1, 2, 3, 4, 6, 8, 10, 11, 13, 14 };
    uint32_t op = ops[rndn(sizeof ops)], s = rndn(2), rn = dreg(), rd = dreg(), rm = dreg();
    uint32_t imm3 = rndn(8), imm2 = rndn(4), type = rndn(4);
    if (op == 6) { /* PKHBT/PKHTB: S=0, type bit 0 = 0 */
        s = 0;
        type &= 2;
    }
    if ((op == 2 || op == 3) && rndn(3) == 0)
        rn = 15;
    if ((op == 0 || op == 4 || op == 8 || op == 13) && rndn(5) == 0) {
        rd = 15;
        s = 1;
    }
    return 0xEA000000u | op << 21 | s << 20 | rn << 16 | imm3 << 12 | rd << 8 | imm2 << 6 |
           type << 4 | rm;
}

static uint32_t t_plain_imm(void)
{
    uint32_t rd = dreg(), rn = dreg(), i = rndn(2), imm3 = rndn(8), imm8 = rndn(256);
    uint32_t lsb, width;
    switch (rndn(11)) {
    case 0: return 0xF2000000u | i << 26 | rn << 16 | imm3 << 12 | rd << 8 | imm8;           /* ADDW */
    case 1: return 0xF2A00000u | i << 26 | rn << 16 | imm3 << 12 | rd << 8 | imm8;           /* SUBW */
    case 2: return 0xF2400000u | i << 26 | rndn(16) << 16 | imm3 << 12 | rd << 8 | imm8;     /* MOVW */
    case 3: return 0xF2C00000u | i << 26 | rndn(16) << 16 | imm3 << 12 | rd << 8 | imm8;     /* MOVT */
    case 4: /* SSAT / USAT with shift (sh=1 needs imm != 0) */
    case 5: {
        uint32_t sh = rndn(2), amt = rndn(32);
        if (sh && amt == 0)
            amt = 1;
        uint32_t base = rndn(2) ? 0xF3000000u : 0xF3800000u;
        return base | sh << 21 | rn << 16 | (amt >> 2) << 12 | rd << 8 | (amt & 3) << 6 | rndn(32);
    }
    case 6: return 0xF3200000u | rn << 16 | rd << 8 | rndn(16);                               /* SSAT16 */
    case 7: return 0xF3A00000u | rn << 16 | rd << 8 | rndn(16);                               /* USAT16 */
    case 8: /* SBFX / UBFX */
        lsb = rndn(32);
        width = 1 + rndn(32 - lsb);
        return (rndn(2) ? 0xF3400000u : 0xF3C00000u) | rn << 16 | (lsb >> 2) << 12 | rd << 8 |
               (lsb & 3) << 6 | (width - 1);
    default: /* BFI / BFC */
        lsb = rndn(32);
        width = 1 + rndn(32 - lsb);
        return 0xF3600000u | (rndn(4) ? rn : 15) << 16 | (lsb >> 2) << 12 | rd << 8 |
               (lsb & 3) << 6 | (lsb + width - 1);
    }
}

static uint32_t t_dp_register(void)
{
    uint32_t rd = dreg(), rn = dreg(), rm = dreg();
    switch (rndn(5)) {
    case 0: /* LSL/LSR/ASR/ROR register */
        return 0xFA00F000u | rndn(4) << 21 | rndn(2) << 20 | rn << 16 | rd << 8 | rm;
    case 1: { /* extends with rotation, with or without add */
        uint32_t op = rndn(6);
        uint32_t n = rndn(2) ? rn : 15;
        return 0xFA00F080u | op << 20 | n << 16 | rd << 8 | rndn(4) << 4 | rm;
    }
    case 2: { /* parallel add/sub: op1 in 0..6 except 3, U, op2 0..2 and 4..6 */
        static const uint8_t op1s[] = { 0, 1, 2, 4, 5, 6 };
        static const uint8_t op2s[] = { 0, 1, 2 };
        return 0xFA80F000u | op1s[rndn(6)] << 20 | rn << 16 | rd << 8 | rndn(2) << 6 |
               op2s[rndn(3)] << 4 | rm;
    }
    case 3: { /* QADD QDADD QSUB QDSUB */
        return 0xFA80F080u | rn << 16 | rd << 8 | rndn(4) << 4 | rm;
    }
    default: { /* REV REV16 RBIT REVSH SEL CLZ (Rn field must equal Rm for the unary ones) */
        uint32_t k = rndn(6);
        if (k < 4)
            return 0xFA90F080u | rm << 16 | rd << 8 | k << 4 | rm;
        if (k == 4)
            return 0xFAA0F080u | rn << 16 | rd << 8 | rm;
        return 0xFAB0F080u | rm << 16 | rd << 8 | rm;
    }
    }
}

static uint32_t t_mul(void)
{
    uint32_t rd = dreg(), rn = dreg(), rm = dreg(), ra = dreg();
    switch (rndn(8)) {
    case 0: return 0xFB000000u | rn << 16 | ra << 12 | rd << 8 | rm;                      /* MLA */
    case 1: return 0xFB00F000u | rn << 16 | rd << 8 | rm;                                 /* MUL */
    case 2: return 0xFB000010u | rn << 16 | ra << 12 | rd << 8 | rm;                      /* MLS */
    case 3: return 0xFB100000u | rn << 16 | (rndn(2) ? ra : 15) << 12 | rd << 8 | rndn(4) << 4 | rm; /* SMLAxy/SMULxy */
    case 4: return 0xFB200000u | rn << 16 | (rndn(2) ? ra : 15) << 12 | rd << 8 | rndn(2) << 4 | rm; /* SMLAD/SMUAD */
    case 5: return 0xFB300000u | rn << 16 | (rndn(2) ? ra : 15) << 12 | rd << 8 | rndn(2) << 4 | rm; /* SMLAWy/SMULWy */
    case 6: return 0xFB400000u | rn << 16 | (rndn(2) ? ra : 15) << 12 | rd << 8 | rndn(2) << 4 | rm; /* SMLSD/SMUSD */
    default: {
        uint32_t op = 5 + rndn(3); /* SMMLA/SMMUL, SMMLS, USAD8/USADA8 */
        uint32_t a = op == 6 ? ra : (rndn(2) ? ra : 15);
        uint32_t r = op == 7 ? 0 : rndn(2);
        return 0xFB000000u | op << 20 | rn << 16 | a << 12 | rd << 8 | r << 4 | rm;
    }
    }
}

static uint32_t t_long_mul(void)
{
    uint32_t lo = dreg(), hi = dreg(), rn = dreg(), rm = dreg();
    while (hi == lo)
        hi = dreg();
    switch (rndn(8)) {
    case 0: return 0xFB800000u | rn << 16 | lo << 12 | hi << 8 | rm;                       /* SMULL */
    case 1: return 0xFB90F0F0u | rn << 16 | lo << 8 | rm;                                  /* SDIV */
    case 2: return 0xFBA00000u | rn << 16 | lo << 12 | hi << 8 | rm;                       /* UMULL */
    case 3: return 0xFBB0F0F0u | rn << 16 | lo << 8 | rm;                                  /* UDIV */
    case 4: return 0xFBC00000u | rn << 16 | lo << 12 | hi << 8 | rm;                       /* SMLAL */
    case 5: return 0xFBC00080u | rn << 16 | lo << 12 | hi << 8 | rndn(4) << 4 | rm;        /* SMLALxy */
    case 6: return 0xFBC000C0u | rndn(2) << 20 | rn << 16 | lo << 12 | hi << 8 | rndn(2) << 4 | rm; /* SMLALD/SMLSLD */
    default: return 0xFBE00000u | rn << 16 | lo << 12 | hi << 8 | (rndn(2) ? 0x60u : 0) | rm; /* UMLAL/UMAAL */
    }
}

/* Loads and stores relative to r12 (32-bit encodings). */
static uint32_t t_mem32(void)
{
    uint32_t rt = dreg(), rt2 = dreg();
    static const uint8_t sizes[] = { 0, 1, 2 }; /* B H W */
    uint32_t size = sizes[rndn(3)];
    uint32_t load = rndn(2);
    uint32_t sign = load && size < 2 ? rndn(2) : 0;
    switch (rndn(4)) {
    case 0: /* imm12 */
        return 0xF8800000u | sign << 24 | size << 21 | load << 20 | 12u << 16 | rt << 12 | rndn(4096 - 8);
    case 1: { /* imm8 with P U W */
        uint32_t puw = rndn(3);
        uint32_t bits = puw == 0 ? 0xC : puw == 1 ? 0xD : 0x9; /* pre no-wb, pre wb, post wb */
        uint32_t u = rndn(2);
        bits = (bits & ~2u) | u << 1;
        return 0xF8000800u | sign << 24 | size << 21 | load << 20 | 12u << 16 | rt << 12 |
               bits << 8 | rndn(256);
    }
    case 2: { /* LDRD/STRD pre-indexed, U, W */
        while (rt2 == rt)
            rt2 = dreg();
        uint32_t w = rndn(2), u = rndn(2);
        return 0xE9400000u | u << 23 | w << 21 | load << 20 | 12u << 16 | rt << 12 | rt2 << 8 | rndn(64);
    }
    default: { /* LDM/STM IA/DB, list of data registers, writeback */
        uint32_t list = 0;
        while ((list & 0x0F7Fu) == 0 || __builtin_popcount(list) < 2)
            list = rnd() & 0x0F7Fu;
        uint32_t db = rndn(2), w = rndn(2);
        return (db ? 0xE9000000u : 0xE8800000u) | w << 21 | load << 20 | 12u << 16 | list;
    }
    }
}

/* ---- 16-bit templates ---- */

static uint32_t t16_alu(void)
{
    uint32_t rd = lreg(), rn = lreg(), rm = lreg();
    switch (rndn(7)) {
    case 0: return 0x0000u | rndn(3) << 11 | rndn(32) << 6 | rm << 3 | rd;  /* LSL LSR ASR imm */
    case 1: return 0x1800u | rndn(4) << 9 | rm << 6 | rn << 3 | rd;          /* ADD/SUB reg/imm3 */
    case 2: return 0x2000u | rndn(4) << 11 | rd << 8 | rndn(256);            /* MOV CMP ADD SUB imm8 */
    case 3: return 0x4000u | rndn(16) << 6 | rm << 3 | rd;                   /* data processing */
    case 4: return 0xB200u | rndn(4) << 6 | rm << 3 | rd;                    /* SXTH SXTB UXTH UXTB */
    case 5: { uint32_t op = rndn(3); return 0xBA00u | (op == 2 ? 3 : op) << 6 | rm << 3 | rd; } /* REV REV16 REVSH */
    default: { /* ADD/MOV/CMP high registers (no SP/PC) */
        uint32_t d = dreg(), m = dreg();
        uint32_t op = rndn(3);
        if (op == 1 && d < 8 && m < 8)
            m = 8 + rndn(4);
        return 0x4400u | op << 8 | (d >> 3) << 7 | m << 3 | (d & 7);
    }
    }
}

static uint32_t t16_mem(void)
{
    uint32_t rt = lreg();
    switch (rndn(3)) {
    case 0: return 0x6000u | rndn(2) << 11 | rndn(32) << 6 | 7u << 3 | rt;   /* STR/LDR imm5 */
    case 1: return 0x7000u | rndn(2) << 11 | rndn(32) << 6 | 7u << 3 | rt;   /* STRB/LDRB */
    default: return 0x8000u | rndn(2) << 11 | rndn(32) << 6 | 7u << 3 | rt;  /* STRH/LDRH */
    }
}

/* ---- FP templates (all operands S registers) ---- */

static uint32_t vd_fields(uint32_t d) { return (d & 1) << 22 | (d >> 1) << 12; }
static uint32_t vn_fields(uint32_t n) { return (n & 1) << 7 | (n >> 1) << 16; }
static uint32_t vm_fields(uint32_t m) { return (m & 1) << 5 | (m >> 1); }

static uint32_t t_vfp(void)
{
    uint32_t d = rndn(32), n = rndn(32), m = rndn(32);
    switch (rndn(5)) {
    case 0: { /* three-register data processing */
        static const uint32_t ops[] = {
            0xEE000A00, 0xEE000A40, 0xEE100A00, 0xEE100A40, 0xEE200A00, 0xEE200A40,
            0xEE300A00, 0xEE300A40, 0xEE800A00, 0xEEA00A00, 0xEEA00A40, 0xEE900A00,
            0xEE900A40,
        };
        return ops[rndn(13)] | vd_fields(d) | vn_fields(n) | vm_fields(m);
    }
    case 1: { /* VMOV reg, VABS, VNEG, VSQRT, VCVT f<->int, VCVTB/T */
        static const uint32_t ops[] = {
            0xEEB00A40, 0xEEB00AC0, 0xEEB10A40, 0xEEB10AC0, 0xEEB80A40, 0xEEB80AC0,
            0xEEBC0A40, 0xEEBC0AC0, 0xEEBD0A40, 0xEEBD0AC0, 0xEEB20A40, 0xEEB20AC0,
            0xEEB30A40, 0xEEB30AC0,
        };
        return ops[rndn(14)] | vd_fields(d) | vm_fields(m);
    }
    case 2: /* VCMP/VCMPE, then VMRS APSR_nzcv is emitted by the caller */
        return (rndn(2) ? 0xEEB40A40u : 0xEEB40AC0u) | vd_fields(d) | vm_fields(m);
    case 3: /* VMOV.F32 immediate */
        return 0xEEB00A00u | vd_fields(d) | (rndn(16) << 16) | rndn(16);
    default: /* VMOV core <-> single */
        return 0xEE000A10u | rndn(2) << 20 | vn_fields(n) | dreg() << 12;
    }
}

static const uint32_t fp_special[] = {
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000,
    0x7F800001, 0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0x4F000000, 0xCF000001,
};

/* ---- multi-instruction templates (emitted directly; return the count) ---- */

static unsigned room(unsigned n) { return nenc + n <= MAX_INSNS - 1; }

static void put32(uint32_t w) { emit32(w); record(w); }
static void put16(uint32_t h) { emit16(h); record(h); }

/* Register-offset loads/stores: the offset register is masked first. */
static void t_mem_regoff(void)
{
    if (!room(2))
        return;
    if (rndn(2)) {
        uint32_t rm = lreg(), rt = lreg();
        put32(0xF3C00006u | rm << 16 | rm << 8); /* UBFX rm, rm, #0, #7 */
        put16(0x5000u | rndn(8) << 9 | rm << 6 | 7u << 3 | rt); /* STR..LDRSH [r7, rm] */
    } else {
        uint32_t rm = dreg(), rt = dreg();
        static const uint8_t forms[][3] = { /* sign size load */
            { 0, 0, 0 }, { 0, 1, 0 }, { 0, 2, 0 }, { 0, 0, 1 }, { 0, 1, 1 }, { 0, 2, 1 },
            { 1, 0, 1 }, { 1, 1, 1 },
        };
        const uint8_t *f = forms[rndn(8)];
        put32(0xF3C00007u | rm << 16 | rm << 8); /* UBFX rm, rm, #0, #8 */
        put32(0xF8000000u | (uint32_t)f[0] << 24 | (uint32_t)f[1] << 21 | (uint32_t)f[2] << 20 |
              12u << 16 | rt << 12 | rndn(4) << 4 | rm);
    }
}

/* LDREX/STREX to one word-aligned address (the monitor was cleared at the
 * start). The base is r12 rounded down: an unaligned exclusive access
 * always faults (ARMv7-M ARM A3.4.5, ExclusiveMonitorsPass()), but QEMU
 * lets a STREX with an open monitor fail without the alignment check. */
static void t_exclusive(void)
{
    if (!room(3))
        return;
    uint32_t rt = dreg(), rd = dreg(), rb = dreg(), imm = rndn(16);
    while (rd == rt)
        rd = dreg();
    while (rb == rt || rb == rd)
        rb = dreg();
    uint32_t rl = dreg();
    while (rl == rb)
        rl = dreg();
    put32(0xF0200003u | 12u << 16 | rb << 8);                  /* BIC rb, r12, #3 */
    if (rndn(4))
        put32(0xE8500F00u | rb << 16 | rl << 12 | imm);       /* LDREX */
    else
        put32(0xF3BF8F2Fu);                                    /* or CLREX: STREX fails */
    put32(0xE8400000u | rb << 16 | rt << 12 | rd << 8 | imm); /* STREX */
}

/* PUSH then POP of as many registers, into other registers. */
static void t_push_pop(void)
{
    if (!room(2))
        return;
    uint32_t a = 0, b = 0;
    while (__builtin_popcount(a) == 0)
        a = rnd() & 0x7F;
    while (__builtin_popcount(b) != __builtin_popcount(a))
        b = rnd() & 0x7F;
    if (rndn(2)) {
        put16(0xB400u | a);
        put16(0xBC00u | b);
    } else { /* STMDB sp! / LDMIA sp! with high registers */
        a |= rnd() & 0x0F00u;
        while (__builtin_popcount(a) < 2)
            a |= 1u << rndn(7);
        b = 0;
        while (__builtin_popcount(b) != __builtin_popcount(a))
            b = rnd() & 0x0F7Fu;
        put32(0xE92D0000u | a);
        put32(0xE8BD0000u | b);
    }
}

/* CBZ/CBNZ over the next 16-bit instruction. */
static void t_cbz(void)
{
    if (!room(2))
        return;
    put16((rndn(2) ? 0xB900u : 0xB100u) | lreg());
    put16(t16_alu());
}

/* MSR APSR from a register, MRS back. */
static void t_msr_mrs(void)
{
    if (!room(2))
        return;
    static const uint32_t masks[] = { 0x8C00, 0x8800, 0x8400 }; /* nzcvqg, nzcvq, g */
    put32(0xF3800000u | dreg() << 16 | masks[rndn(3)]);
    put32(0xF3EF8000u | dreg() << 8);
}

/* FP loads and stores relative to r12; VPUSH/VPOP pairs. */
static void t_vmem(void)
{
    uint32_t d = rndn(32);
    switch (rndn(4)) {
    case 0: /* VLDR / VSTR */
        if (room(1))
            put32((rndn(2) ? 0xED900A00u : 0xED800A00u) | rndn(2) << 23 | vd_fields(d) | 12u << 16 |
                  rndn(256));
        return;
    case 1: { /* VLDMIA/VSTMIA r12! */
        uint32_t n = 1 + rndn(32 - d < 8 ? 32 - d : 8);
        if (room(1))
            put32((rndn(2) ? 0xECB00A00u : 0xECA00A00u) | vd_fields(d) | 12u << 16 | n);
        return;
    }
    case 2: { /* VLDMDB/VSTMDB r12! */
        uint32_t n = 1 + rndn(32 - d < 8 ? 32 - d : 8);
        if (room(1))
            put32((rndn(2) ? 0xED300A00u : 0xED200A00u) | vd_fields(d) | 12u << 16 | n);
        return;
    }
    default: { /* VPUSH then VPOP of as many registers elsewhere */
        uint32_t n = 1 + rndn(8), e = rndn(33 - n);
        if (d + n > 32)
            d = 32 - n;
        if (!room(2))
            return;
        put32(0xED2D0A00u | vd_fields(d) | n);
        put32(0xECBD0A00u | vd_fields(e) | n);
        return;
    }
    }
}

/* Fixed-point conversions and two-register VMOVs. */
static uint32_t t_vfp_more(void)
{
    uint32_t d = rndn(32);
    switch (rndn(3)) {
    case 0: { /* VCVT between F32 and fixed (S16/U16/S32/U32) */
        uint32_t sx = rndn(2), imm = sx ? rndn(32) : rndn(17);
        return (rndn(2) ? 0xEEBE0A40u : 0xEEBA0A40u) | vd_fields(d) | rndn(2) << 16 | sx << 7 |
               (imm & 1) << 5 | imm >> 1;
    }
    case 1: { /* VMOV Sm, Sm+1, Rt, Rt2 */
        uint32_t m = rndn(31);
        return 0xEC400A10u | dreg() << 16 | dreg() << 12 | vm_fields(m);
    }
    default: { /* VMOV Rt, Rt2, Sm, Sm+1 */
        uint32_t m = rndn(31), t = dreg(), t2 = dreg();
        while (t2 == t)
            t2 = dreg();
        return 0xEC500A10u | t2 << 16 | t << 12 | vm_fields(m);
    }
    }
}

/* ---- run one sequence ---- */

uint32_t regs_in[16], regs_out[16];
uint32_t fp_in[32], fp_out[32];
uint32_t psr_in, psr_out, fpscr_in, fpscr_out;
static uint8_t buf16[512] __attribute__((aligned(8)));
static uint8_t buf32[8192] __attribute__((aligned(8)));
static volatile uint32_t fault_cfsr, fault_n;

#define REG(a) (*(volatile uint32_t *)(a))

void fuzz_fault_c(uint32_t *frame);
void fuzz_fault_c(uint32_t *frame)
{
    fault_cfsr |= REG(0xE000ED28);
    fault_n++;
    REG(0xE000ED28) = REG(0xE000ED28);
    REG(0xE000ED2C) = REG(0xE000ED2C);
    uint16_t hw = *(uint16_t *)frame[6];
    frame[6] += (hw >> 11) >= 0x1D ? 4 : 2;
}

__attribute__((naked)) static void fault_entry(void)
{
    __asm__ volatile("mrs r0, msp\n\tpush {r4, lr}\n\tbl fuzz_fault_c\n\tpop {r4, pc}\n");
}

/* Load registers, flags, FP state; call the code; save everything. */
__attribute__((naked, noinline)) static void run_code(void)
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "vpush {s16-s31}\n\t"
        "ldr r0, =fp_in\n\t"
        "vldm r0, {s0-s31}\n\t"
        "ldr r0, =fpscr_in\n\tldr r0, [r0]\n\tvmsr fpscr, r0\n\t"
        "ldr r0, =psr_in\n\tldr r0, [r0]\n\tmsr APSR_nzcvqg, r0\n\t"
        "ldr r0, =regs_in\n\t"
        "ldr r12, [r0, #48]\n\t"
        "ldm r0, {r0-r11}\n\t"
        "push {r0}\n\t"
        "ldr r0, =code\n\t"
        "orr r0, r0, #1\n\t"
        "mov lr, r0\n\t"
        "pop {r0}\n\t"
        "blx lr\n\t"
        "push {r0}\n\t"
        "ldr r0, =regs_out + 4\n\t"
        "stmia r0, {r1-r12}\n\t"
        "pop {r1}\n\t"
        "ldr r0, =regs_out\n\t"
        "str r1, [r0]\n\t"
        "mrs r1, APSR\n\tldr r0, =psr_out\n\tstr r1, [r0]\n\t"
        "vmrs r1, fpscr\n\tldr r0, =fpscr_out\n\tstr r1, [r0]\n\t"
        "ldr r0, =fp_out\n\tvstm r0, {s0-s31}\n\t"
        "vpop {s16-s31}\n\t"
        "pop {r4-r11, pc}\n\t"
        ".ltorg\n");
}

static void gen_sequence(void)
{
    ncode = 0;
    nenc = 0;
    emit16(0xF3BF); /* CLREX: every sequence starts with an open monitor */
    emit16(0x8F2F);
    unsigned n = 1 + rndn(MAX_INSNS - 1);
    for (unsigned k = 0; k < n && nenc < MAX_INSNS - 1; k++) {
        uint32_t w;
        unsigned kind = rndn(20);
        switch (kind) {
        case 13: t_mem_regoff(); continue;
        case 14: t_exclusive(); continue;
        case 15: t_push_pop(); continue;
        case 16: t_cbz(); continue;
        case 17: t_msr_mrs(); continue;
        case 18: t_vmem(); continue;
        case 19: w = t_vfp_more(); break;
        case 0: w = t_dp_imm(); break;
        case 1: w = t_dp_reg(); break;
        case 2: w = t_plain_imm(); break;
        case 3: w = t_dp_register(); break;
        case 4: w = t_mul(); break;
        case 5: w = t_long_mul(); break;
        case 6: w = t_mem32(); break;
        case 7: w = t_vfp(); break;
        case 8: /* IT block of 16-bit ALU ops */ {
            uint32_t cond = rndn(15), mask = 1 + rndn(15);
            if (cond == 14)
                mask = 8; /* AL has no else-part */
            uint32_t count = mask & 1 ? 4 : mask & 2 ? 3 : mask & 4 ? 2 : 1;
            if (nenc + 1 + count > MAX_INSNS)
                continue;
            emit16(0xBF00u | cond << 4 | mask);
            record(0xBF00u | cond << 4 | mask);
            for (uint32_t j = 0; j < count; j++) {
                uint32_t h = t16_alu();
                emit16(h);
                record(h);
            }
            continue;
        }
        case 9: /* conditional branch over the next 16-bit instruction */ {
            if (nenc + 2 > MAX_INSNS)
                continue;
            uint32_t h = 0xD000u | rndn(14) << 8;
            emit16(h);
            record(h);
            uint32_t x = t16_alu();
            emit16(x);
            record(x);
            continue;
        }
        case 10: w = t16_mem(); break;
        default: w = t16_alu(); break;
        }
        if (w >> 16) {
            emit32(w);
            if (kind == 7 && (w & 0xFFBF0F50u) == 0xEEB40A40u) {
                emit16(0xEEF1);
                emit16(0xFA10); /* VMRS APSR_nzcv, FPSCR */
            }
        } else {
            emit16(w);
        }
        record(w);
    }
    emit16(0x4770); /* BX LR */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

int main(void)
{
    static uint32_t vectors[64] __attribute__((aligned(256)));
    const uint32_t *old = (const uint32_t *)REG(0xE000ED08);
    for (int i = 0; i < 64; i++)
        vectors[i] = old[i];
    for (int i = 3; i <= 6; i++)
        vectors[i] = (uint32_t)fault_entry;
    REG(0xE000ED08) = (uint32_t)vectors;
    REG(0xE000ED24) |= 7u << 16;
    uint32_t all = TL_HASH_INIT, faulted = 0;
    for (unsigned s = 0; s < FUZZ_SEQUENCES; s++) {
        gen_sequence();
        for (int r = 0; r < 12; r++)
            regs_in[r] = rndn(4) ? rnd() : tl_corner[rndn(TL_NCORNER)];
        regs_in[7] = (uint32_t)buf16 + 128;
        regs_in[12] = (uint32_t)buf32 + 4096;
        for (int r = 0; r < 32; r++)
            fp_in[r] = rndn(3) ? rnd() : fp_special[rndn(sizeof fp_special / 4)];
        psr_in = rnd() & 0xF80F0000u;
        fpscr_in = rnd() & 0x07C00000u; /* AHP DN FZ RMode */
        for (unsigned k = 0; k < sizeof buf32; k += 4)
            *(uint32_t *)(buf32 + k) = k * 0x9E3779B1u;
        for (unsigned k = 0; k < sizeof buf16; k += 4)
            *(uint32_t *)(buf16 + k) = k * 0x85EBCA77u;
        fault_cfsr = fault_n = 0;
        run_code();
        uint32_t h = TL_HASH_INIT;
        for (int r = 0; r < 13; r++)
            h = tl_hash(h, r == 7 ? regs_out[r] - (uint32_t)buf16 : r == 12 ? regs_out[r] - (uint32_t)buf32 : regs_out[r]);
        h = tl_hash(h, psr_out & 0xF80F0000u);
        for (int r = 0; r < 32; r++)
            h = tl_hash(h, fp_out[r]);
        h = tl_hash(h, fpscr_out);
        uint32_t mh = TL_HASH_INIT;
        for (unsigned k = 0; k < sizeof buf32; k += 4)
            mh = tl_hash(mh, *(uint32_t *)(buf32 + k));
        for (unsigned k = 0; k < sizeof buf16; k += 4)
            mh = tl_hash(mh, *(uint32_t *)(buf16 + k));
        h = tl_hash(h, mh);
        h = tl_hash(h, fault_cfsr);
        h = tl_hash(h, fault_n);
        faulted += fault_n != 0;
        printf("%04u %08lx", s, (unsigned long)h);
        for (unsigned k = 0; k < nenc; k++)
            printf(enc_list[k] >> 16 ? " %08lx" : " %04lx", (unsigned long)enc_list[k]);
        if (fault_n)
            printf(" fault %lu cfsr %08lx", (unsigned long)fault_n, (unsigned long)fault_cfsr);
        printf("\n");
        all = tl_hash(all, h);
    }
    printf("all %08lx faulted %lu\n", (unsigned long)all, (unsigned long)faulted);
    return 0;
}
