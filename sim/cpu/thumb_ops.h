/*
 * Semantics of the frequent integer instructions that touch nothing but
 * registers and flags, as always-inline bodies: the handlers in
 * thumb_exec.c call them with the flag-setting bit of the insn, and the
 * threaded executor (thumb_fast.c) inlines them with it as a constant, so
 * each instruction has one definition.
 *
 * Example: OPS_ARITH(ADD, x, y, 0, true) defines
 *   op_ADD(cpu, i, o, s): Rd = Rn + o.v, flags from AddWithCarry when s;
 * exec_ADD_imm is op_ADD(cpu, i, op2_imm(cpu, i), i->flags & INSN_S).
 */
#ifndef SIM_CPU_THUMB_OPS_H
#define SIM_CPU_THUMB_OPS_H

#include "thumb_internal.h"

#define OP_INLINE static inline __attribute__((always_inline))

/* Second operand of data processing: expanded immediate (its carry is
 * fixed at decode or the current C), shifted register, plain register. */
OP_INLINE shift_res_t op2_imm(const cpu_t *cpu, const insn_t *i)
{
    shift_res_t r = { i->imm, i->aux == IMM_CKEEP ? cpu->c : (uint8_t)i->aux };
    return r;
}

OP_INLINE shift_res_t op2_reg(const cpu_t *cpu, const insn_t *i)
{
    return shift_c(cpu->r[i->rm], i->shift_t, i->shift_n, cpu->c);
}

OP_INLINE shift_res_t op2_rr(const cpu_t *cpu, const insn_t *i)
{
    shift_res_t r = { cpu->r[i->rm], cpu->c };
    return r;
}

/* name, result from a = Rn and operand o, writes Rd */
#define THUMB_LOGIC_OPS(X)                                                                 \
    X(AND, a & o.v, true) X(EOR, a ^ o.v, true) X(ORR, a | o.v, true)                      \
    X(ORN, a | ~o.v, true) X(BIC, a & ~o.v, true) X(MOV, o.v, true) X(MVN, ~o.v, true)     \
    X(TST, a & o.v, false) X(TEQ, a ^ o.v, false)
/* name, AddWithCarry(lhs, rhs, carry-in) from x = Rn and y = operand, writes Rd */
#define THUMB_ARITH_OPS(X)                                                                 \
    X(ADD, x, y, 0, true) X(ADC, x, y, cpu->c, true) X(SUB, x, ~y, 1, true)                \
    X(SBC, x, ~y, cpu->c, true) X(RSB, ~x, y, 1, true) X(CMP, x, ~y, 1, false)             \
    X(CMN, x, y, 0, false)

/* The result of data processing: 'plain' when Rd is neither the SP nor
 * the PC (the threaded executor's forms), then N and Z, C and V when the
 * instruction sets flags. */
OP_INLINE void dp_result(cpu_t *cpu, const insn_t *i, uint32_t r, bool write, bool plain,
                         bool s, uint8_t c, uint8_t v, bool set_v)
{
    if (write && plain)
        cpu->r[i->rd] = r;
    else if (write)
        alu_write(cpu, i->rd, r);
    if (s) {
        set_nz(cpu, r);
        cpu->c = c;
        if (set_v)
            cpu->v = v;
    }
}

#define OPS_LOGIC(name, expr, write)                                                       \
    OP_INLINE void op_##name(cpu_t *cpu, const insn_t *i, shift_res_t o, bool s, bool plain) \
    {                                                                                      \
        uint32_t a = cpu->r[i->rn];                                                        \
        (void)a;                                                                           \
        dp_result(cpu, i, (expr), write, plain, s, o.c, 0, false);                         \
    }
#define OPS_ARITH(name, lhs, rhs, cin, write)                                              \
    OP_INLINE void op_##name(cpu_t *cpu, const insn_t *i, shift_res_t o, bool s, bool plain) \
    {                                                                                      \
        uint32_t x = cpu->r[i->rn], y = o.v;                                               \
        uint8_t c, v;                                                                      \
        uint32_t r = add_with_carry((lhs), (rhs), (cin), &c, &v);                          \
        dp_result(cpu, i, r, write, plain, s, c, v, true);                                 \
    }
THUMB_LOGIC_OPS(OPS_LOGIC)
THUMB_ARITH_OPS(OPS_ARITH)
#undef OPS_LOGIC
#undef OPS_ARITH

/* LSL/LSR/ASR/ROR by register: amount is the bottom byte of Rm. */
OP_INLINE void op_shift_reg(cpu_t *cpu, const insn_t *i, bool s)
{
    shift_res_t r = shift_c(cpu->r[i->rn], i->shift_t, cpu->r[i->rm] & 0xFF, cpu->c);
    cpu->r[i->rd] = r.v;
    if (s) {
        set_nz(cpu, r.v);
        cpu->c = r.c;
    }
}

OP_INLINE void op_MUL(cpu_t *cpu, const insn_t *i, bool s)
{
    uint32_t r = cpu->r[i->rn] * cpu->r[i->rm];
    cpu->r[i->rd] = r;
    if (s)
        set_nz(cpu, r);
}

/*
 * Register-only instructions without flags, one body each:
 * X(name, statement on cpu and i).
 */
#define THUMB_PLAIN_OPS(X)                                                                 \
    X(MLA, cpu->r[i->rd] = cpu->r[i->rn] * cpu->r[i->rm] + cpu->r[i->ra])                  \
    X(MLS, cpu->r[i->rd] = cpu->r[i->ra] - cpu->r[i->rn] * cpu->r[i->rm])                  \
    X(UMULL, {                                                                             \
        uint64_t r = (uint64_t)cpu->r[i->rn] * cpu->r[i->rm];                              \
        cpu->r[i->rd] = (uint32_t)r;                                                       \
        cpu->r[i->ra] = (uint32_t)(r >> 32);                                               \
    })                                                                                     \
    X(SMULL, {                                                                             \
        int64_t r = (int64_t)(int32_t)cpu->r[i->rn] * (int32_t)cpu->r[i->rm];              \
        cpu->r[i->rd] = (uint32_t)r;                                                       \
        cpu->r[i->ra] = (uint32_t)((uint64_t)r >> 32);                                     \
    })                                                                                     \
    X(UMLAL, {                                                                             \
        uint64_t acc = (uint64_t)cpu->r[i->ra] << 32 | cpu->r[i->rd];                      \
        uint64_t r = (uint64_t)cpu->r[i->rn] * cpu->r[i->rm] + acc;                        \
        cpu->r[i->rd] = (uint32_t)r;                                                       \
        cpu->r[i->ra] = (uint32_t)(r >> 32);                                               \
    })                                                                                     \
    X(SMLAL, {                                                                             \
        uint64_t acc = (uint64_t)cpu->r[i->ra] << 32 | cpu->r[i->rd];                      \
        uint64_t r = (uint64_t)((int64_t)(int32_t)cpu->r[i->rn] * (int32_t)cpu->r[i->rm]) + acc; \
        cpu->r[i->rd] = (uint32_t)r;                                                       \
        cpu->r[i->ra] = (uint32_t)(r >> 32);                                               \
    })                                                                                     \
    /* bit-field: imm = lsb, aux = width */                                                \
    X(SBFX, {                                                                              \
        uint32_t x = cpu->r[i->rn] << (32 - i->imm - i->aux);                              \
        cpu->r[i->rd] = (uint32_t)((int32_t)x >> (32 - i->aux));                           \
    })                                                                                     \
    X(UBFX, {                                                                              \
        uint32_t x = cpu->r[i->rn] >> i->imm;                                              \
        cpu->r[i->rd] = i->aux == 32 ? x : x & ((1u << i->aux) - 1);                       \
    })                                                                                     \
    X(BFI, {                                                                               \
        uint32_t mask = (i->aux == 32 ? 0xFFFFFFFFu : ((1u << i->aux) - 1)) << i->imm;     \
        cpu->r[i->rd] = (cpu->r[i->rd] & ~mask) | ((cpu->r[i->rn] << i->imm) & mask);      \
    })                                                                                     \
    X(BFC, {                                                                               \
        uint32_t mask = (i->aux == 32 ? 0xFFFFFFFFu : ((1u << i->aux) - 1)) << i->imm;     \
        cpu->r[i->rd] &= ~mask;                                                            \
    })                                                                                     \
    X(CLZ, {                                                                               \
        uint32_t x = cpu->r[i->rm];                                                        \
        cpu->r[i->rd] = x ? (uint32_t)__builtin_clz(x) : 32;                               \
    })                                                                                     \
    X(REV, cpu->r[i->rd] = __builtin_bswap32(cpu->r[i->rm]))                               \
    X(REV16, {                                                                             \
        uint32_t x = cpu->r[i->rm];                                                        \
        cpu->r[i->rd] = ((x & 0x00FF00FFu) << 8) | ((x & 0xFF00FF00u) >> 8);              \
    })                                                                                     \
    X(REVSH, {                                                                             \
        uint32_t x = cpu->r[i->rm];                                                        \
        cpu->r[i->rd] = (uint32_t)(int32_t)(int16_t)(uint16_t)(((x & 0xFF) << 8) | ((x >> 8) & 0xFF)); \
    })                                                                                     \
    /* extends: rotation in shift_n; rn == XT_NONE means no accumulate */                       \
    X(SXTB, cpu->r[i->rd] = xt_acc(cpu, i, (uint32_t)(int32_t)(int8_t)xt_op(cpu, i)))      \
    X(SXTH, cpu->r[i->rd] = xt_acc(cpu, i, (uint32_t)(int32_t)(int16_t)xt_op(cpu, i)))     \
    X(UXTB, cpu->r[i->rd] = xt_acc(cpu, i, xt_op(cpu, i) & 0xFF))                          \
    X(UXTH, cpu->r[i->rd] = xt_acc(cpu, i, xt_op(cpu, i) & 0xFFFF))                        \
    /* ADR: Align(PC, 4) +/- imm (imm already signed) */                                   \
    X(ADR, cpu->r[i->rd] = ((i->pc + 4) & ~3u) + i->imm)                                   \
    X(MOVT, cpu->r[i->rd] = (cpu->r[i->rd] & 0xFFFF) | (i->imm << 16))

OP_INLINE uint32_t xt_op(const cpu_t *cpu, const insn_t *i)
{
    return ror32(cpu->r[i->rm], i->shift_n);
}

OP_INLINE uint32_t xt_acc(const cpu_t *cpu, const insn_t *i, uint32_t r)
{
    return i->rn == XT_NONE ? r : cpu->r[i->rn] + r;
}

#define OPS_PLAIN(name, stmt)                                                              \
    OP_INLINE void op_##name(cpu_t *cpu, const insn_t *i)                                  \
    {                                                                                      \
        stmt;                                                                              \
    }
THUMB_PLAIN_OPS(OPS_PLAIN)
#undef OPS_PLAIN

/* Effective addresses of the fast load/store forms (see thumb_decode.c):
 * [Rn, #imm] (imm may be negative), [Rn, Rm, LSL #n], literal (address in
 * imm), post-indexed [Rn], #imm and pre-indexed [Rn, #imm]!. */
OP_INLINE uint32_t ea_imm(const cpu_t *cpu, const insn_t *i)
{
    return cpu->r[i->rn] + i->imm;
}

OP_INLINE uint32_t ea_regoff(const cpu_t *cpu, const insn_t *i)
{
    return cpu->r[i->rn] + (cpu->r[i->rm] << i->shift_n);
}

/* Effective address and write-back value of a single load/store. */
OP_INLINE uint32_t ls_offset(const cpu_t *cpu, const insn_t *i)
{
    return (i->aux & LS_REG) ? cpu->r[i->rm] << i->shift_n : i->imm;
}

OP_INLINE void ls_address(const cpu_t *cpu, const insn_t *i, uint32_t *addr, uint32_t *wb)
{
    uint32_t base = (i->aux & LS_LIT) ? (i->pc + 4) & ~3u : cpu->r[i->rn];
    uint32_t off = ls_offset(cpu, i);
    uint32_t ofs = (i->aux & LS_U) ? base + off : base - off;
    *addr = (i->aux & LS_P) ? ofs : base;
    *wb = ofs;
}

/* Rn after a write-back: the SP keeps bits [1:0] clear. */
OP_INLINE uint32_t wb_value(const insn_t *i, uint32_t wb)
{
    return i->rn == 13 ? wb & ~3u : wb;
}

#endif
