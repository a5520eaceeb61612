/*
 * Thumb-2 integer instruction handlers (ARMv7-M ARM, chapter A7). Each is
 * the semantics of one mnemonic on pre-decoded fields (see thumb_decode.c for
 * what each field holds). Handlers read the PC as insn.pc + 4 from r[15],
 * leave ITSTATE to the run loop, and return without side effects when a
 * memory access faults.
 */
#include "thumb_ops.h"

/* ---------------------------------------------------------------------- */
/* data processing (bodies in thumb_ops.h) */

#define DP_HANDLERS(name, ...)                                                             \
    void exec_##name##_imm(cpu_t *cpu, const insn_t *i)                                    \
    {                                                                                      \
        op_##name(cpu, i, op2_imm(cpu, i), i->flags & INSN_S, false);                      \
    }                                                                                      \
    void exec_##name##_reg(cpu_t *cpu, const insn_t *i)                                    \
    {                                                                                      \
        op_##name(cpu, i, op2_reg(cpu, i), i->flags & INSN_S, false);                      \
    }                                                                                      \
    void exec_##name##_rr(cpu_t *cpu, const insn_t *i)                                     \
    {                                                                                      \
        op_##name(cpu, i, op2_rr(cpu, i), i->flags & INSN_S, false);                       \
    }
THUMB_LOGIC_OPS(DP_HANDLERS)
THUMB_ARITH_OPS(DP_HANDLERS)
#undef DP_HANDLERS

#define PLAIN_HANDLER(name, stmt)                                                          \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        op_##name(cpu, i);                                                                 \
    }
THUMB_PLAIN_OPS(PLAIN_HANDLER)
#undef PLAIN_HANDLER

void exec_shift_reg(cpu_t *cpu, const insn_t *i)
{
    op_shift_reg(cpu, i, i->flags & INSN_S);
}

/* ---------------------------------------------------------------------- */
/* multiply and divide */

void exec_MUL(cpu_t *cpu, const insn_t *i)
{
    op_MUL(cpu, i, i->flags & INSN_S);
}

/* The divider terminates early: roughly one cycle per 4 quotient bits. */
static void div_cycles(cpu_t *cpu, uint32_t n, uint32_t d)
{
    unsigned extra = 0;
    if (d && n >= d) {
        unsigned bits = (unsigned)(__builtin_clz(d) - __builtin_clz(n)) + 1;
        extra = (bits + 3) / 4;
        if (extra > T_DIV_MAX - T_DIV_MIN)
            extra = T_DIV_MAX - T_DIV_MIN;
    }
    cpu->cycles += extra;
}

static bool div_by_zero(cpu_t *cpu, const insn_t *i)
{
    if (cpu->sys.ccr & (1u << 4)) {
        cpu_usage_fault(cpu, UFSR_DIVBYZERO);
        return true;
    }
    cpu->r[i->rd] = 0;
    return true;
}

void exec_SDIV(cpu_t *cpu, const insn_t *i)
{
    int32_t n = (int32_t)cpu->r[i->rn], d = (int32_t)cpu->r[i->rm];
    if (d == 0) {
        div_by_zero(cpu, i);
        return;
    }
    div_cycles(cpu, n < 0 ? -(uint32_t)n : (uint32_t)n, d < 0 ? -(uint32_t)d : (uint32_t)d);
    if (n == INT32_MIN && d == -1)
        cpu->r[i->rd] = (uint32_t)INT32_MIN;
    else
        cpu->r[i->rd] = (uint32_t)(n / d);
}

void exec_UDIV(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = cpu->r[i->rn], d = cpu->r[i->rm];
    if (d == 0) {
        div_by_zero(cpu, i);
        return;
    }
    div_cycles(cpu, n, d);
    cpu->r[i->rd] = n / d;
}

/* ---------------------------------------------------------------------- */
/* saturation, bit operations */

/* imm = saturate_to (SSAT: 1..32, USAT: 0..31), shift in shift_t/shift_n */
void exec_SSAT(cpu_t *cpu, const insn_t *i)
{
    int32_t op = (int32_t)shift_c(cpu->r[i->rn], i->shift_t, i->shift_n, cpu->c).v;
    bool sat = false;
    cpu->r[i->rd] = (uint32_t)ssat32(op, i->imm, &sat);
    if (sat)
        cpu->q = 1;
}

void exec_USAT(cpu_t *cpu, const insn_t *i)
{
    int32_t op = (int32_t)shift_c(cpu->r[i->rn], i->shift_t, i->shift_n, cpu->c).v;
    bool sat = false;
    cpu->r[i->rd] = usat32(op, i->imm, &sat);
    if (sat)
        cpu->q = 1;
}

void exec_RBIT(cpu_t *cpu, const insn_t *i)
{
    uint32_t x = cpu->r[i->rm], r = 0;
    for (int k = 0; k < 32; k++)
        r |= ((x >> k) & 1) << (31 - k);
    cpu->r[i->rd] = r;
}

/* ---------------------------------------------------------------------- */
/* loads and stores */

static inline unsigned ls_acc(const insn_t *i)
{
    return (i->aux & LS_T) ? ACC_UNPRIV : 0;
}

static inline void ls_writeback(cpu_t *cpu, const insn_t *i, uint32_t wb)
{
    if (i->aux & LS_W)
        cpu->r[i->rn] = wb;
}

#define LOAD(name, size, conv)                                                             \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        uint32_t addr, wb, v;                                                              \
        ls_address(cpu, i, &addr, &wb);                                                    \
        if (!cpu_read(cpu, addr, size, &v, ls_acc(i)))                                    \
            return;                                                                        \
        ls_writeback(cpu, i, wb);                                                          \
        cpu->r[i->rd] = (uint32_t)(conv);                                                  \
    }
LOAD(LDRB, 1, v)
LOAD(LDRH, 2, v)
LOAD(LDRSB, 1, (int32_t)(int8_t)v)
LOAD(LDRSH, 2, (int32_t)(int16_t)v)

void exec_LDR(cpu_t *cpu, const insn_t *i)
{
    uint32_t addr, wb, v;
    ls_address(cpu, i, &addr, &wb);
    if (!cpu_read(cpu, addr, 4, &v, ls_acc(i)))
        return;
    ls_writeback(cpu, i, wb);
    if (i->rd == 15) {
        cpu->cycles += T_REFILL;
        cpu_bx_write_pc(cpu, v);
    } else if (i->rd == 13) {
        cpu->r[13] = v & ~3u;
    } else {
        cpu->r[i->rd] = v;
    }
}

#define STORE(name, size)                                                                  \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        uint32_t addr, wb;                                                                 \
        ls_address(cpu, i, &addr, &wb);                                                    \
        if (!cpu_write(cpu, addr, size, cpu->r[i->rd], ls_acc(i)))                        \
            return;                                                                        \
        ls_writeback(cpu, i, wb);                                                          \
    }
STORE(STR, 4)
STORE(STRB, 1)
STORE(STRH, 2)

/* The common form [Rn, #imm] with no write-back, without the general
 * addressing-mode logic (most loads and stores in compiled code). */
#define LOAD_IMM(name, size, conv)                                                         \
    void exec_##name##_imm(cpu_t *cpu, const insn_t *i)                                    \
    {                                                                                      \
        uint32_t v;                                                                        \
        if (!cpu_read(cpu, ea_imm(cpu, i), size, &v, 0))                           \
            return;                                                                        \
        cpu->r[i->rd] = (uint32_t)(conv);                                                  \
    }
LOAD_IMM(LDRB, 1, v)
LOAD_IMM(LDRH, 2, v)

/* Rt of a word load: the PC is LoadWritePC (interworking, exception
 * return), the SP keeps bits [1:0] clear. */
static inline void ldr_set_rt(cpu_t *cpu, const insn_t *i, uint32_t v)
{
    if (unlikely(i->rd == 15)) {
        cpu->cycles += T_REFILL;
        cpu_bx_write_pc(cpu, v);
        return;
    }
    cpu->r[i->rd] = i->rd == 13 ? v & ~3u : v;
}

void exec_LDR_imm(cpu_t *cpu, const insn_t *i)
{
    uint32_t v;
    if (cpu_read(cpu, ea_imm(cpu, i), 4, &v, 0))
        ldr_set_rt(cpu, i, v);
}

#define STORE_IMM(name, size)                                                              \
    void exec_##name##_imm(cpu_t *cpu, const insn_t *i)                                    \
    {                                                                                      \
        cpu_write(cpu, ea_imm(cpu, i), size, cpu->r[i->rd], 0);                   \
    }
STORE_IMM(STR, 4)
STORE_IMM(STRB, 1)
STORE_IMM(STRH, 2)

/* LDR (literal) with the address resolved at decode time (imm). */
void exec_LDR_lit(cpu_t *cpu, const insn_t *i)
{
    uint32_t v;
    if (cpu_read(cpu, i->imm, 4, &v, 0))
        ldr_set_rt(cpu, i, v);
}

/* Post-indexed [Rn], #+/-imm and pre-indexed [Rn, #+/-imm]! (imm signed,
 * Rn != Rt, checked by the decoder): pointer walks and PUSH/POP of one
 * register. */
#define LS_WB_LOAD(name, size, conv, pre)                                                  \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        uint32_t base = cpu->r[i->rn], wb = base + i->imm, v;                              \
        if (!cpu_read(cpu, (pre) ? wb : base, size, &v, 0))                                \
            return;                                                                        \
        cpu->r[i->rn] = wb_value(i, wb);                                       \
        if (size == 4 && unlikely(i->rd == 15)) {                                          \
            cpu->cycles += T_REFILL;                                                       \
            cpu_bx_write_pc(cpu, v);                                                       \
            return;                                                                        \
        }                                                                                  \
        cpu->r[i->rd] = size == 4 && i->rd == 13 ? v & ~3u : (uint32_t)(conv);             \
    }
#define LS_WB_STORE(name, size, pre)                                                       \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        uint32_t base = cpu->r[i->rn], wb = base + i->imm;                                 \
        if (!cpu_write(cpu, (pre) ? wb : base, size, cpu->r[i->rd], 0))                   \
            return;                                                                        \
        cpu->r[i->rn] = wb_value(i, wb);                                       \
    }
LS_WB_LOAD(LDR_post, 4, v, false)
LS_WB_LOAD(LDRB_post, 1, v, false)
LS_WB_LOAD(LDRH_post, 2, v, false)
LS_WB_LOAD(LDR_pre, 4, v, true)
LS_WB_LOAD(LDRB_pre, 1, v, true)
LS_WB_LOAD(LDRH_pre, 2, v, true)
LS_WB_STORE(STR_post, 4, false)
LS_WB_STORE(STRB_post, 1, false)
LS_WB_STORE(STRH_post, 2, false)
LS_WB_STORE(STR_pre, 4, true)
LS_WB_STORE(STRB_pre, 1, true)
LS_WB_STORE(STRH_pre, 2, true)

/* [Rn, Rm, LSL #n] (table lookups) */
#define LOAD_REG(name, size, conv)                                                         \
    void exec_##name##_regoff(cpu_t *cpu, const insn_t *i)                                 \
    {                                                                                      \
        uint32_t v;                                                                        \
        if (!cpu_read(cpu, ea_regoff(cpu, i), size, &v, 0))   \
            return;                                                                        \
        cpu->r[i->rd] = (uint32_t)(conv);                                                  \
    }
LOAD_REG(LDRB, 1, v)
LOAD_REG(LDRH, 2, v)
LOAD_REG(LDRSB, 1, (int32_t)(int8_t)v)
LOAD_REG(LDRSH, 2, (int32_t)(int16_t)v)

void exec_LDR_regoff(cpu_t *cpu, const insn_t *i)
{
    uint32_t v;
    if (!cpu_read(cpu, ea_regoff(cpu, i), 4, &v, 0))
        return;
    if (unlikely(i->rd == 15)) {
        cpu->cycles += T_REFILL;
        cpu_bx_write_pc(cpu, v);
        return;
    }
    cpu->r[i->rd] = i->rd == 13 ? v & ~3u : v;
}

#define STORE_REG(name, size)                                                              \
    void exec_##name##_regoff(cpu_t *cpu, const insn_t *i)                                 \
    {                                                                                      \
        cpu_write(cpu, ea_regoff(cpu, i), size, cpu->r[i->rd], 0); \
    }
STORE_REG(STR, 4)
STORE_REG(STRB, 1)
STORE_REG(STRH, 2)

/* rd = Rt, ra = Rt2; imm = imm8 << 2 */
void exec_LDRD(cpu_t *cpu, const insn_t *i)
{
    uint32_t addr, wb, lo, hi;
    ls_address(cpu, i, &addr, &wb);
    if (!cpu_read(cpu, addr, 4, &lo, ACC_ALIGN) || !cpu_read(cpu, addr + 4, 4, &hi, ACC_ALIGN))
        return;
    ls_writeback(cpu, i, wb);
    cpu->r[i->rd] = lo;
    cpu->r[i->ra] = hi;
}

void exec_STRD(cpu_t *cpu, const insn_t *i)
{
    uint32_t addr, wb;
    ls_address(cpu, i, &addr, &wb);
    if (!cpu_write(cpu, addr, 4, cpu->r[i->rd], ACC_ALIGN) ||
        !cpu_write(cpu, addr + 4, 4, cpu->r[i->ra], ACC_ALIGN))
        return;
    ls_writeback(cpu, i, wb);
}

/* Load/store multiple: imm = register list, aux & LS_W = write-back. Loads
 * read everything before changing any register so a fault leaves none
 * changed. */
static void ldm_common(cpu_t *cpu, const insn_t *i, uint32_t start, uint32_t wb)
{
    uint32_t vals[16], list = i->imm, a = start;
    for (unsigned r = 0; r < 16; r++)
        if (list & (1u << r)) {
            if (!cpu_read(cpu, a, 4, &vals[r], ACC_ALIGN))
                return;
            a += 4;
        }
    if (i->aux & LS_W)
        cpu->r[i->rn] = wb;
    for (unsigned r = 0; r < 15; r++)
        if (list & (1u << r))
            cpu->r[r] = r == 13 ? vals[r] & ~3u : vals[r];
    if (list & 0x8000) {
        cpu->cycles += T_REFILL;
        cpu_bx_write_pc(cpu, vals[15]);
    }
}

void exec_LDM(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = (uint32_t)__builtin_popcount(i->imm);
    ldm_common(cpu, i, cpu->r[i->rn], cpu->r[i->rn] + 4 * n);
}

void exec_LDMDB(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = (uint32_t)__builtin_popcount(i->imm);
    uint32_t start = cpu->r[i->rn] - 4 * n;
    ldm_common(cpu, i, start, start);
}

static void stm_common(cpu_t *cpu, const insn_t *i, uint32_t start, uint32_t wb)
{
    uint32_t list = i->imm, a = start;
    for (unsigned r = 0; r < 15; r++)
        if (list & (1u << r)) {
            if (!cpu_write(cpu, a, 4, cpu->r[r], ACC_ALIGN))
                return;
            a += 4;
        }
    if (i->aux & LS_W)
        cpu->r[i->rn] = wb;
}

void exec_STM(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = (uint32_t)__builtin_popcount(i->imm);
    stm_common(cpu, i, cpu->r[i->rn], cpu->r[i->rn] + 4 * n);
}

void exec_STMDB(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = (uint32_t)__builtin_popcount(i->imm);
    uint32_t start = cpu->r[i->rn] - 4 * n;
    stm_common(cpu, i, start, start);
}

/* Exclusives: the local monitor tags the address; any STREX or exception
 * entry/return (CLREX) clears it. imm = byte offset. */
#define LDREX_OP(name, size)                                                               \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        uint32_t addr = cpu->r[i->rn] + i->imm, v;                                         \
        if (!cpu_read(cpu, addr, size, &v, ACC_EXCL))                                     \
            return;                                                                        \
        cpu->excl_valid = true;                                                            \
        cpu->excl_addr = addr;                                                             \
        cpu->r[i->rd] = v;                                                                 \
    }
LDREX_OP(LDREX, 4)
LDREX_OP(LDREXB, 1)
LDREX_OP(LDREXH, 2)

/* rd = Rd (status), ra = Rt (value) */
#define STREX_OP(name, size)                                                               \
    void exec_##name(cpu_t *cpu, const insn_t *i)                                          \
    {                                                                                      \
        uint32_t addr = cpu->r[i->rn] + i->imm;                                            \
        if (addr & ((size) - 1)) {                                                         \
            cpu_usage_fault(cpu, UFSR_UNALIGNED);                                          \
            return;                                                                        \
        }                                                                                  \
        if (cpu->excl_valid && cpu->excl_addr == addr) {                                   \
            if (!cpu_write(cpu, addr, size, cpu->r[i->ra], ACC_EXCL))                     \
                return;                                                                    \
            cpu->r[i->rd] = 0;                                                             \
        } else {                                                                           \
            cpu->r[i->rd] = 1;                                                             \
        }                                                                                  \
        cpu->excl_valid = false;                                                           \
    }
STREX_OP(STREX, 4)
STREX_OP(STREXB, 1)
STREX_OP(STREXH, 2)

void exec_CLREX(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu->excl_valid = false;
}

void exec_TBB(cpu_t *cpu, const insn_t *i)
{
    uint32_t off;
    if (!cpu_read(cpu, cpu->r[i->rn] + cpu->r[i->rm], 1, &off, 0))
        return;
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->pc + 4 + 2 * off);
}

void exec_TBH(cpu_t *cpu, const insn_t *i)
{
    uint32_t off;
    if (!cpu_read(cpu, cpu->r[i->rn] + (cpu->r[i->rm] << 1), 2, &off, 0))
        return;
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->pc + 4 + 2 * off);
}

void exec_PLD(cpu_t *cpu, const insn_t *i)
{
    (void)cpu;
    (void)i;
}

/* ---------------------------------------------------------------------- */
/* branches */

/* imm = target address (computed at decode: the PC is known then) */
void exec_B(cpu_t *cpu, const insn_t *i)
{
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->imm);
}

/* aux = condition (B<cond> evaluates its own condition) */
void exec_B_cond(cpu_t *cpu, const insn_t *i)
{
    if (!cpu_cond_pass(cpu, i->aux))
        return;
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->imm);
}

void exec_BL(cpu_t *cpu, const insn_t *i)
{
    cpu->r[14] = (i->pc + 4) | 1;
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->imm);
}

void exec_BX(cpu_t *cpu, const insn_t *i)
{
    cpu->cycles += T_REFILL;
    cpu_bx_write_pc(cpu, cpu->r[i->rm]);
}

void exec_BLX(cpu_t *cpu, const insn_t *i)
{
    uint32_t target = cpu->r[i->rm];
    cpu->r[14] = (i->pc + 2) | 1;
    cpu->cycles += T_REFILL;
    cpu_bx_write_pc(cpu, target);
}

void exec_CBZ(cpu_t *cpu, const insn_t *i)
{
    if (cpu->r[i->rn] != 0)
        return;
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->imm);
}

void exec_CBNZ(cpu_t *cpu, const insn_t *i)
{
    if (cpu->r[i->rn] == 0)
        return;
    cpu->cycles += T_REFILL;
    cpu_branch(cpu, i->imm);
}

/* ---------------------------------------------------------------------- */
/* hints, system */

void exec_IT(cpu_t *cpu, const insn_t *i)
{
    (void)cpu;
    (void)i;
}

void exec_NOP(cpu_t *cpu, const insn_t *i)
{
    (void)cpu;
    (void)i;
}

void exec_WFI(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_do_wfi(cpu);
}

void exec_WFE(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_do_wfe(cpu);
}

void exec_SEV(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_do_sev(cpu);
}

void exec_BKPT(cpu_t *cpu, const insn_t *i)
{
    cpu_do_bkpt(cpu, i, i->imm);
}

void exec_SVC(cpu_t *cpu, const insn_t *i)
{
    cpu_raise_sync(cpu, EXC_SVCALL, true, i->pc + 2);
}

void exec_UDF(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_usage_fault(cpu, UFSR_UNDEFINSTR);
}

void exec_undefined(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_usage_fault(cpu, UFSR_UNDEFINSTR);
}

void exec_nocp(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_usage_fault(cpu, UFSR_NOCP);
}

/* aux bit 0: disable (CPSID); bit 1: I; bit 2: F */
void exec_CPS(cpu_t *cpu, const insn_t *i)
{
    armv7m_cps(cpu, i->aux & 1, (i->aux >> 1) & 1, (i->aux >> 2) & 1);
    cpu->exc_check = true;
    cpu->break_block = true;
}

/* imm = SYSm */
void exec_MRS(cpu_t *cpu, const insn_t *i)
{
    cpu->r[i->rd] = armv7m_mrs(cpu, i->imm);
}

/* imm = SYSm, aux = mask */
void exec_MSR(cpu_t *cpu, const insn_t *i)
{
    armv7m_msr(cpu, i->imm, i->aux, cpu->r[i->rn]);
    cpu->exc_check = true;
    cpu->break_block = true;
}

void exec_DMB(cpu_t *cpu, const insn_t *i)
{
    (void)cpu;
    (void)i;
}

void exec_DSB(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    /* Completes outstanding writes: a pended interrupt is visible next. */
    cpu->exc_check = true;
}

void exec_ISB(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu->exc_check = true;
    cpu->break_block = true;
}
