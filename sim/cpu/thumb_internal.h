/*
 * Helpers shared by the Thumb decoder and instruction handlers: the ARM ARM
 * pseudo-code functions (Shift_C, AddWithCarry, ThumbExpandImm_C,
 * saturation) and the handler prototypes the decoder points insn_t.fn at.
 */
#ifndef SIM_CPU_THUMB_INTERNAL_H
#define SIM_CPU_THUMB_INTERNAL_H

#include "cpu.h"
#include "thumb_timing.h"

/* insn_t.aux bits of single load/store handlers */
enum {
    LS_P = 1 << 0,        /* index: offset applied before the access */
    LS_U = 1 << 1,        /* add the offset */
    LS_W = 1 << 2,        /* write the address back to Rn */
    LS_REG = 1 << 3,      /* offset is Rm LSL shift_n */
    LS_T = 1 << 4,        /* unprivileged (LDRT ...) */
    LS_LIT = 1 << 5,      /* base is Align(PC, 4) */
};

/* insn_t.rn of an extend without accumulate (SXTB ... rather than SXTAB) */
#define XT_NONE 0xFF

/* Carry-out of an immediate operand: insn_t.aux for data-processing imm forms */
enum { IMM_C0 = 0, IMM_C1 = 1, IMM_CKEEP = 2 };

typedef struct {
    uint32_t v;
    uint8_t c;
} shift_res_t;

static inline shift_res_t shift_c(uint32_t x, unsigned type, unsigned n, uint8_t cin)
{
    shift_res_t r = { x, cin };
    switch (type) {
    case SRTYPE_LSL:
        if (n == 0)
            break;
        if (n < 32) {
            r.c = (x >> (32 - n)) & 1;
            r.v = x << n;
        } else {
            r.c = n == 32 ? (x & 1) : 0;
            r.v = 0;
        }
        break;
    case SRTYPE_LSR:
        if (n == 0)
            break;
        if (n < 32) {
            r.c = (x >> (n - 1)) & 1;
            r.v = x >> n;
        } else {
            r.c = n == 32 ? x >> 31 : 0;
            r.v = 0;
        }
        break;
    case SRTYPE_ASR:
        if (n == 0)
            break;
        if (n < 32) {
            r.c = (uint8_t)(((int32_t)x >> (n - 1)) & 1);
            r.v = (uint32_t)((int32_t)x >> n);
        } else {
            r.c = x >> 31;
            r.v = (uint32_t)((int32_t)x >> 31);
        }
        break;
    case SRTYPE_ROR:
        if (n == 0)
            break;
        n &= 31;
        r.v = n ? (x >> n) | (x << (32 - n)) : x;
        r.c = r.v >> 31;
        break;
    case SRTYPE_RRX:
        r.c = x & 1;
        r.v = (x >> 1) | ((uint32_t)cin << 31);
        break;
    }
    return r;
}

/* AddWithCarry(): C is the unsigned carry out, V the signed overflow (both
 * operands of one sign, the result of the other). */
static inline uint32_t add_with_carry(uint32_t a, uint32_t b, unsigned cin, uint8_t *c,
                                      uint8_t *v)
{
    uint32_t r = a + b + cin;
    *c = cin ? r <= a : r < a;
    *v = (uint8_t)(((a ^ r) & (b ^ r)) >> 31);
    return r;
}

static inline void set_nz(cpu_t *cpu, uint32_t r)
{
    cpu->nz = (int32_t)r;
}

static inline uint32_t ror32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? (x >> n) | (x << (32 - n)) : x;
}

/* Signed saturation to n bits (1..32); sets *sat when clipped. */
static inline int32_t ssat32(int64_t x, unsigned n, bool *sat)
{
    int64_t max = ((int64_t)1 << (n - 1)) - 1, min = -((int64_t)1 << (n - 1));
    if (x > max) {
        *sat = true;
        return (int32_t)max;
    }
    if (x < min) {
        *sat = true;
        return (int32_t)min;
    }
    return (int32_t)x;
}

/* Unsigned saturation to n bits (0..31). */
static inline uint32_t usat32(int64_t x, unsigned n, bool *sat)
{
    int64_t max = ((int64_t)1 << n) - 1;
    if (x > max) {
        *sat = true;
        return (uint32_t)max;
    }
    if (x < 0) {
        *sat = true;
        return 0;
    }
    return (uint32_t)x;
}

/* Register write for data processing: PC is ALUWritePC, SP is word aligned. */
static inline void alu_write(cpu_t *cpu, unsigned d, uint32_t v)
{
    if (d == 15)
        cpu_branch(cpu, v);
    else if (d == 13)
        cpu->r[13] = v & ~3u;
    else
        cpu->r[d] = v;
}

/* Handlers (thumb_exec.c) */
#define THUMB_HANDLERS(X)                                                              \
    X(AND_imm) X(AND_reg) X(EOR_imm) X(EOR_reg) X(ORR_imm) X(ORR_reg) X(ORN_imm)        \
    X(ORN_reg) X(BIC_imm) X(BIC_reg) X(MOV_imm) X(MOV_reg) X(MVN_imm) X(MVN_reg)        \
    X(TST_imm) X(TST_reg) X(TEQ_imm) X(TEQ_reg) X(ADD_imm) X(ADD_reg) X(ADC_imm)        \
    X(ADC_reg) X(SUB_imm) X(SUB_reg) X(SBC_imm) X(SBC_reg) X(RSB_imm) X(RSB_reg)        \
    X(CMP_imm) X(CMP_reg) X(CMN_imm) X(CMN_reg) X(ADR) X(MOVT) X(shift_reg)             \
    X(MUL) X(MLA) X(MLS) X(SDIV) X(UDIV) X(UMULL) X(SMULL) X(UMLAL) X(SMLAL)            \
    X(SBFX) X(UBFX) X(BFI) X(BFC) X(SSAT) X(USAT) X(CLZ) X(RBIT) X(REV) X(REV16)        \
    X(REVSH) X(SXTB) X(SXTH) X(UXTB) X(UXTH)                                            \
    X(LDR) X(LDRB) X(LDRH) X(LDRSB) X(LDRSH) X(STR) X(STRB) X(STRH) X(LDRD) X(STRD)     \
    X(LDM) X(LDMDB) X(STM) X(STMDB) X(LDREX) X(LDREXB) X(LDREXH) X(STREX) X(STREXB)     \
    X(STREXH) X(CLREX) X(TBB) X(TBH) X(PLD)                                             \
    X(B) X(B_cond) X(BL) X(BX) X(BLX) X(CBZ) X(CBNZ) X(IT) X(NOP) X(WFI) X(WFE) X(SEV)  \
    X(BKPT) X(SVC) X(UDF) X(CPS) X(MRS) X(MSR) X(DMB) X(DSB) X(ISB)

#define THUMB_DECLARE(name) void exec_##name(cpu_t *cpu, const insn_t *i);
THUMB_HANDLERS(THUMB_DECLARE)
#undef THUMB_DECLARE
/* Register operand without shift (Rm LSL #0) of the data-processing ops. */
#define THUMB_RR_OPS(X) X(AND) X(EOR) X(ORR) X(ORN) X(BIC) X(MOV) X(MVN) X(TST) X(TEQ) \
    X(ADD) X(ADC) X(SUB) X(SBC) X(RSB) X(CMP) X(CMN)
#define THUMB_DECLARE_RR(name) void exec_##name##_rr(cpu_t *cpu, const insn_t *i);
THUMB_RR_OPS(THUMB_DECLARE_RR)
#undef THUMB_DECLARE_RR
/* Fast forms of single loads/stores with [Rn, #imm] addressing. */
void exec_LDR_imm(cpu_t *cpu, const insn_t *i);
void exec_LDRB_imm(cpu_t *cpu, const insn_t *i);
void exec_LDRH_imm(cpu_t *cpu, const insn_t *i);
void exec_STR_imm(cpu_t *cpu, const insn_t *i);
void exec_STRB_imm(cpu_t *cpu, const insn_t *i);
void exec_STRH_imm(cpu_t *cpu, const insn_t *i);
/* LDR (literal) with a decode-time address; post-/pre-indexed with write-back. */
void exec_LDR_lit(cpu_t *cpu, const insn_t *i);
void exec_LDR_post(cpu_t *cpu, const insn_t *i);
void exec_LDRB_post(cpu_t *cpu, const insn_t *i);
void exec_LDRH_post(cpu_t *cpu, const insn_t *i);
void exec_LDR_pre(cpu_t *cpu, const insn_t *i);
void exec_LDRB_pre(cpu_t *cpu, const insn_t *i);
void exec_LDRH_pre(cpu_t *cpu, const insn_t *i);
void exec_STR_post(cpu_t *cpu, const insn_t *i);
void exec_STRB_post(cpu_t *cpu, const insn_t *i);
void exec_STRH_post(cpu_t *cpu, const insn_t *i);
void exec_STR_pre(cpu_t *cpu, const insn_t *i);
void exec_STRB_pre(cpu_t *cpu, const insn_t *i);
void exec_STRH_pre(cpu_t *cpu, const insn_t *i);
/* ... and with [Rn, Rm, LSL #n] addressing. */
void exec_LDR_regoff(cpu_t *cpu, const insn_t *i);
void exec_LDRB_regoff(cpu_t *cpu, const insn_t *i);
void exec_LDRH_regoff(cpu_t *cpu, const insn_t *i);
void exec_LDRSB_regoff(cpu_t *cpu, const insn_t *i);
void exec_LDRSH_regoff(cpu_t *cpu, const insn_t *i);
void exec_STR_regoff(cpu_t *cpu, const insn_t *i);
void exec_STRB_regoff(cpu_t *cpu, const insn_t *i);
void exec_STRH_regoff(cpu_t *cpu, const insn_t *i);

/* Operation indices (insn_t.op) for names and statistics */
#define THUMB_OP_ENUM(name) OP_##name,
enum { THUMB_HANDLERS(THUMB_OP_ENUM) OP_UNDEFINED, OP_NOCP, THUMB_OP_COUNT };
#undef THUMB_OP_ENUM

#endif
