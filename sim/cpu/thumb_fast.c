/*
 * Threaded executor: runs decoded blocks with one indirect jump per
 * instruction (GCC labels as values) and the cycle count, the current
 * instruction and the block in host registers. The run loop (armv7m_cpu.c)
 * hands it a block only when no instruction boundary inside it can reach the
 * slice limit (cpu_block_t.bound), so nothing is checked between the
 * instructions of a block; it keeps going into the following blocks while
 * that holds and nothing needs the run loop (attention, MPU, bus changes).
 *
 * Cycles: on entry to a block the whole block's base cycles are charged to
 * the local count at once; insn_t.rest (the base cycles of the instructions
 * after the current one) gives the exact count whenever something outside
 * sees it (a handler called out of line, the slow memory path, an MMIO
 * model reading the time), so timing is the same as one instruction at a
 * time.
 *
 * Inline forms: register-only instructions use the bodies of thumb_ops.h
 * (the same code their handlers run); loads and stores do the access here
 * when it hits the data TLB (a RAM/flash page, all of a multiple access on
 * one page) and otherwise go to the handler, which does everything again
 * from the start: nothing has changed by then. Everything else, and every
 * instruction that may write the PC outside the branch forms here, goes
 * through its handler (label l_call) exactly as the run loop would call it.
 */
#include "thumb_ops.h"

/* Executor labels. DP ops come in six: operand form x flag setting. */
#define FL_DP_ENUM(name, ...)                                                              \
    FL_##name##_imm, FL_##name##_imm_s, FL_##name##_reg, FL_##name##_reg_s,                \
    FL_##name##_rr, FL_##name##_rr_s,
#define FL_PLAIN_ENUM(name, stmt) FL_##name,
/* single loads/stores with an inline form: name, size, value conversion */
#define FAST_LOADS(X)                                                                      \
    X(LDR_imm, 4, v, ea_imm) X(LDRB_imm, 1, v, ea_imm) X(LDRH_imm, 2, v, ea_imm)           \
    X(LDR_regoff, 4, v, ea_regoff) X(LDRB_regoff, 1, v, ea_regoff)                         \
    X(LDRH_regoff, 2, v, ea_regoff) X(LDRSB_regoff, 1, (int32_t)(int8_t)v, ea_regoff)      \
    X(LDRSH_regoff, 2, (int32_t)(int16_t)v, ea_regoff) X(LDR_lit, 4, v, ea_lit)
#define FAST_STORES(X)                                                                     \
    X(STR_imm, 4, ea_imm) X(STRB_imm, 1, ea_imm) X(STRH_imm, 2, ea_imm)                    \
    X(STR_regoff, 4, ea_regoff) X(STRB_regoff, 1, ea_regoff) X(STRH_regoff, 2, ea_regoff)
/* write-back forms: name, size, pre-indexed, load */
#define FAST_WB(X)                                                                         \
    X(LDR_post, 4, false, true) X(LDRB_post, 1, false, true) X(LDRH_post, 2, false, true)   \
    X(LDR_pre, 4, true, true) X(LDRB_pre, 1, true, true) X(LDRH_pre, 2, true, true)        \
    X(STR_post, 4, false, false) X(STRB_post, 1, false, false)                             \
    X(STRH_post, 2, false, false) X(STR_pre, 4, true, false) X(STRB_pre, 1, true, false)   \
    X(STRH_pre, 2, true, false)
#define FL_LS_ENUM(name, ...) FL_##name,
/* Flag-setting forms fused with a B<cond> right after them, one label per
 * condition: name, the op with its operand and the flags set. */
#define FUSED_OPS(X)                                                                       \
    X(CMP_imm_s, op_CMP(cpu, i, op2_imm(cpu, i), true, true))                              \
    X(CMP_rr_s, op_CMP(cpu, i, op2_rr(cpu, i), true, true))                                \
    X(CMP_reg_s, op_CMP(cpu, i, op2_reg(cpu, i), true, true))                              \
    X(ADD_imm_s, op_ADD(cpu, i, op2_imm(cpu, i), true, true))                              \
    X(SUB_imm_s, op_SUB(cpu, i, op2_imm(cpu, i), true, true))                              \
    X(TST_imm_s, op_TST(cpu, i, op2_imm(cpu, i), true, true))                              \
    X(TST_rr_s, op_TST(cpu, i, op2_rr(cpu, i), true, true))
#define COND_LIST(X, name, op)                                                             \
    X(name, op, EQ, 0) X(name, op, NE, 1) X(name, op, CS, 2) X(name, op, CC, 3)            \
    X(name, op, MI, 4) X(name, op, PL, 5) X(name, op, VS, 6) X(name, op, VC, 7)            \
    X(name, op, HI, 8) X(name, op, LS, 9) X(name, op, GE, 10) X(name, op, LT, 11)          \
    X(name, op, GT, 12) X(name, op, LE, 13)
#define FL_FUSED_ENUM(name, op) FL_##name##_bcc, FL_##name##_bcc_last = FL_##name##_bcc + 13,

enum {
    FL_CALL, FL_END, FL_COND, FL_NOP, FL_B, FL_BL, FL_BX, FL_BLX, FL_CBZ, FL_CBNZ,
    FL_BEQ, FL_BNE, FL_BCS, FL_BCC, FL_BMI, FL_BPL, FL_BVS, FL_BVC,
    FL_BHI, FL_BLS, FL_BGE, FL_BLT, FL_BGT, FL_BLE,
    THUMB_LOGIC_OPS(FL_DP_ENUM) THUMB_ARITH_OPS(FL_DP_ENUM)
    THUMB_PLAIN_OPS(FL_PLAIN_ENUM)
    FL_shift_reg, FL_shift_reg_s, FL_MUL, FL_MUL_s,
    FAST_LOADS(FL_LS_ENUM) FAST_STORES(FL_LS_ENUM) FAST_WB(FL_LS_ENUM)
    FL_LDM, FL_LDM_pc, FL_STM, FL_STMDB, FL_LDRD, FL_STRD, FL_ADD_sp, FL_SUB_sp,
    FUSED_OPS(FL_FUSED_ENUM)
    FL_COUNT
};

/* insn_t.fx holds the inline form of a conditional instruction */
_Static_assert(FL_SUB_sp < 256, "inline forms must fit insn_t.fx");

static const void *const *fast_labels;

/* Handler -> executor label, for the forms without flag variants or whose
 * flag variant is the next label. */
typedef struct { insn_fn fn; uint8_t fl; bool has_s; } fast_map_t;
#define MAP_DP(name, ...)                                                                  \
    { exec_##name##_imm, FL_##name##_imm, true }, { exec_##name##_reg, FL_##name##_reg, true }, \
    { exec_##name##_rr, FL_##name##_rr, true },
#define MAP_PLAIN(name, stmt) { exec_##name, FL_##name, false },
#define MAP_LS(name, ...) { exec_##name, FL_##name, false },
static const fast_map_t fast_map[] = {
    THUMB_LOGIC_OPS(MAP_DP) THUMB_ARITH_OPS(MAP_DP) THUMB_PLAIN_OPS(MAP_PLAIN)
    FAST_LOADS(MAP_LS) FAST_STORES(MAP_LS) FAST_WB(MAP_LS)
    { exec_shift_reg, FL_shift_reg, true }, { exec_MUL, FL_MUL, true },
    { exec_B, FL_B, false }, { exec_BL, FL_BL, false }, { exec_BX, FL_BX, false },
    { exec_BLX, FL_BLX, false }, { exec_CBZ, FL_CBZ, false }, { exec_CBNZ, FL_CBNZ, false },
    { exec_IT, FL_NOP, false }, { exec_NOP, FL_NOP, false }, { exec_DMB, FL_NOP, false },
    { exec_PLD, FL_NOP, false }, { exec_STM, FL_STM, false }, { exec_STMDB, FL_STMDB, false },
    { exec_LDRD, FL_LDRD, false }, { exec_STRD, FL_STRD, false },
};

/* Inline form of the instruction proper (IT condition aside). */
static unsigned fast_form(const insn_t *i)
{
    insn_fn f = i->exec;
    if (i->flags & INSN_PCREAD)
        return FL_CALL;
    if (f == exec_B_cond)
        return i->aux < 14 ? FL_BEQ + i->aux : FL_CALL;
    if (f == exec_LDM) {
        if (i->imm & 0x8000)
            return (i->imm & (1u << i->rn)) ? FL_CALL : FL_LDM_pc;
        return FL_LDM;
    }
    for (unsigned k = 0; k < sizeof fast_map / sizeof fast_map[0]; k++) {
        if (fast_map[k].fn != f)
            continue;
        unsigned fl = fast_map[k].fl;
        if (fl < FL_shift_reg && (i->rd == 13 || i->rd == 15)) {
            /* data processing into the SP (word aligned) or the PC (a branch) */
            if (!(i->flags & INSN_S) && i->rd == 13 && (f == exec_ADD_imm || f == exec_SUB_imm))
                return f == exec_ADD_imm ? FL_ADD_sp : FL_SUB_sp;
            return FL_CALL;
        }
        if (fast_map[k].has_s && (i->flags & INSN_S))
            fl++;
        /* loads into the SP or the PC keep their handler (alignment, interworking) */
        if (fl >= FL_LDR_imm && fl < FL_LDM && (i->rd == 13 || i->rd == 15))
            return FL_CALL;
        return fl;
    }
    return FL_CALL;
}

static unsigned fast_label(insn_t *i)
{
    unsigned fl = fast_form(i);
    if (i->cond != 0xE && fl != FL_CALL) {
        i->fx = (uint8_t)fl;
        fl = FL_COND;
    }
    return fl;
}

/* A flag-setting compare or add/subtract right before the B<cond> that ends
 * the block runs as one: the condition comes from the result just computed
 * and the branch needs no dispatch of its own. */
static unsigned fused_label(const insn_t *i, unsigned fl)
{
    const insn_t *br = i + 1;
    if (i->cond != 0xE || br->exec != exec_B_cond || br->fn != br->exec || br->aux >= 14)
        return fl;
    switch (fl) {
#define FUSE_CASE(name, op) case FL_##name: return FL_##name##_bcc + br->aux;
    FUSED_OPS(FUSE_CASE)
#undef FUSE_CASE
    default: return fl;
    }
}

void thumb_fast_prepare(cpu_block_t *b)
{
    if (!fast_labels)
        cpu_run_blocks(NULL, NULL);
    b->insns[b->n].lbl = fast_labels[FL_END];
    for (unsigned k = 0; k < b->n; k++) {
        unsigned fl = fast_label(&b->insns[k]);
        if (k + 2 == b->n)
            fl = fused_label(&b->insns[k], fl);
        b->insns[k].lbl = fast_labels[fl];
    }
}

/* A word-aligned run of len bytes on one data-TLB page. */
static inline bool tlb_rd_span(const cpu_t *cpu, uint32_t addr, unsigned len,
                               const uint8_t **p, unsigned *ws)
{
    if ((addr & (BUS_PAGE_SIZE - 1)) + len > BUS_PAGE_SIZE)
        return false;
    return cpu_tlb_rd(cpu, addr, 4, p, ws);
}

static inline bool tlb_wr_span(const cpu_t *cpu, uint32_t addr, unsigned len, uint8_t **p,
                               unsigned *ws)
{
    if ((addr & (BUS_PAGE_SIZE - 1)) + len > BUS_PAGE_SIZE)
        return false;
    return cpu_tlb_wr(cpu, addr, 4, p, ws);
}

/* The successor is not linked yet (or its link is stale): look it up and
 * link it, unless a block was replaced while building it. NULL when the
 * bus changed under the cache (the run loop flushes it) or, with the MPU
 * on, when the run loop has not checked the block's fetch in this MPU
 * epoch (a change of MPU permissions makes every link stale). */
static cpu_block_t *chain_miss(cpu_t *cpu, cpu_chain_t *c, uint32_t pc)
{
    uint64_t epoch = cpu->chain_epoch;
    cpu_block_t *b = cpu_find_block(cpu, pc, cpu->itstate);
    if (b && cpu->sys.mpu_active && b->mpu_ok != cpu->mpu_epoch)
        return NULL;
    if (b && cpu->chain_epoch == epoch) {
        c->to = b;
        c->epoch = epoch;
    }
    return b;
}

static inline uint32_t ea_lit(const cpu_t *cpu, const insn_t *i)
{
    (void)cpu;
    return i->imm;
}

const insn_t *cpu_run_blocks(cpu_t *cpu, cpu_block_t *b)
{
#define LBL_DP(name, ...)                                                                  \
    [FL_##name##_imm] = &&l_##name##_imm, [FL_##name##_imm_s] = &&l_##name##_imm_s,        \
    [FL_##name##_reg] = &&l_##name##_reg, [FL_##name##_reg_s] = &&l_##name##_reg_s,        \
    [FL_##name##_rr] = &&l_##name##_rr, [FL_##name##_rr_s] = &&l_##name##_rr_s,
#define LBL_PLAIN(name, stmt) [FL_##name] = &&l_##name,
#define LBL_LS(name, ...) [FL_##name] = &&l_##name,
    static const void *const labels[FL_COUNT] = {
        [FL_CALL] = &&l_call, [FL_END] = &&l_end, [FL_COND] = &&l_cond, [FL_NOP] = &&l_nop,
        [FL_B] = &&l_b, [FL_BL] = &&l_bl, [FL_BX] = &&l_bx, [FL_BLX] = &&l_blx,
        [FL_CBZ] = &&l_cbz, [FL_CBNZ] = &&l_cbnz,
        [FL_BEQ] = &&l_beq, [FL_BNE] = &&l_bne, [FL_BCS] = &&l_bcs, [FL_BCC] = &&l_bcc,
        [FL_BMI] = &&l_bmi, [FL_BPL] = &&l_bpl, [FL_BVS] = &&l_bvs, [FL_BVC] = &&l_bvc,
        [FL_BHI] = &&l_bhi, [FL_BLS] = &&l_bls, [FL_BGE] = &&l_bge, [FL_BLT] = &&l_blt,
        [FL_BGT] = &&l_bgt, [FL_BLE] = &&l_ble,
        THUMB_LOGIC_OPS(LBL_DP) THUMB_ARITH_OPS(LBL_DP) THUMB_PLAIN_OPS(LBL_PLAIN)
        [FL_shift_reg] = &&l_shift_reg, [FL_shift_reg_s] = &&l_shift_reg_s,
        [FL_MUL] = &&l_MUL, [FL_MUL_s] = &&l_MUL_s,
        FAST_LOADS(LBL_LS) FAST_STORES(LBL_LS) FAST_WB(LBL_LS)
        [FL_LDM] = &&l_LDM, [FL_LDM_pc] = &&l_LDM_pc, [FL_STM] = &&l_STM,
        [FL_STMDB] = &&l_STMDB, [FL_LDRD] = &&l_LDRD, [FL_STRD] = &&l_STRD,
        [FL_ADD_sp] = &&l_ADD_sp, [FL_SUB_sp] = &&l_SUB_sp,
#define LBL_FUSED_ONE(name, op, cc, n) [FL_##name##_bcc + n] = &&l_##name##_b##cc,
#define LBL_FUSED(name, op) COND_LIST(LBL_FUSED_ONE, name, op)
        FUSED_OPS(LBL_FUSED)
#undef LBL_FUSED_ONE
#undef LBL_FUSED
    };
#undef LBL_DP
#undef LBL_PLAIN
#undef LBL_LS
    if (!cpu) {
        fast_labels = labels;
        return NULL;
    }
    sim_cycles_t limit = cpu->slice_limit;
    sim_cycles_t cyc = cpu->cycles + b->cycles;
    const insn_t *i = b->insns;
    uint64_t retired = 0;
    uint32_t pc;
    bool nonseq;

/* Next instruction of the block (the sentinel after the last one). */
#define NEXT()                                                                             \
    do {                                                                                   \
        i++;                                                                               \
        goto *i->lbl;                                                                      \
    } while (0)

    goto *i->lbl;

l_call:
    cpu->cycles = cyc - i->rest;
    i->fn(cpu, i);
    cyc = cpu->cycles + i->rest;
    if (unlikely(cpu->break_block))
        goto brk;
    /* Something the run loop must look at between blocks (DSB asking for
     * an interrupt check): finish the block, then leave. Nothing but a
     * handler can set it while blocks run. */
    if (unlikely(cpu->attention))
        limit = 0;
    NEXT();

l_cond:
    /* inside an IT block: the condition, then the inline form */
    if (cpu_cond_pass(cpu, i->cond))
        goto *labels[i->fx];
    NEXT();

l_nop:
    NEXT();

    /* ---- data processing ---- */
#define FAST_DP(name, ...)                                                                 \
    l_##name##_imm: op_##name(cpu, i, op2_imm(cpu, i), false, true); NEXT();               \
    l_##name##_imm_s: op_##name(cpu, i, op2_imm(cpu, i), true, true); NEXT();              \
    l_##name##_reg: op_##name(cpu, i, op2_reg(cpu, i), false, true); NEXT();               \
    l_##name##_reg_s: op_##name(cpu, i, op2_reg(cpu, i), true, true); NEXT();              \
    l_##name##_rr: op_##name(cpu, i, op2_rr(cpu, i), false, true); NEXT();                 \
    l_##name##_rr_s: op_##name(cpu, i, op2_rr(cpu, i), true, true); NEXT();
    THUMB_LOGIC_OPS(FAST_DP)
    THUMB_ARITH_OPS(FAST_DP)
#undef FAST_DP
#define FAST_PLAIN(name, stmt) l_##name: op_##name(cpu, i); NEXT();
    THUMB_PLAIN_OPS(FAST_PLAIN)
#undef FAST_PLAIN
l_ADD_sp:
    op_ADD(cpu, i, op2_imm(cpu, i), false, false);
    NEXT();
l_SUB_sp:
    op_SUB(cpu, i, op2_imm(cpu, i), false, false);
    NEXT();
l_shift_reg:
    op_shift_reg(cpu, i, false);
    NEXT();
l_shift_reg_s:
    op_shift_reg(cpu, i, true);
    NEXT();
l_MUL:
    op_MUL(cpu, i, false);
    NEXT();
l_MUL_s:
    op_MUL(cpu, i, true);
    NEXT();

    /* ---- loads and stores that hit the data TLB ---- */
#define FAST_LOAD(name, size, conv, ea)                                                    \
    l_##name: {                                                                            \
        unsigned ws;                                                                       \
        const uint8_t *p;                                                                  \
        if (unlikely(!cpu_tlb_rd(cpu, ea(cpu, i), size, &p, &ws)))                         \
            goto l_call;                                                                   \
        uint32_t v = ld_host(p, size);                                                     \
        cyc += ws;                                                                         \
        cpu->r[i->rd] = (uint32_t)(conv);                                                  \
        NEXT();                                                                            \
    }
#define FAST_STORE(name, size, ea)                                                         \
    l_##name: {                                                                            \
        unsigned ws;                                                                       \
        uint8_t *p;                                                                        \
        if (unlikely(!cpu_tlb_wr(cpu, ea(cpu, i), size, &p, &ws)))                         \
            goto l_call;                                                                   \
        st_host(p, size, cpu->r[i->rd]);                                                   \
        cyc += ws;                                                                         \
        NEXT();                                                                            \
    }
#define FAST_LS_WB(name, size, pre, load)                                                  \
    l_##name: {                                                                            \
        unsigned ws;                                                                       \
        uint32_t base = cpu->r[i->rn], wb = base + i->imm, a = (pre) ? wb : base;          \
        if (load) {                                                                        \
            const uint8_t *p;                                                              \
            if (unlikely(!cpu_tlb_rd(cpu, a, size, &p, &ws)))                              \
                goto l_call;                                                               \
            uint32_t v = ld_host(p, size);                                                 \
            cpu->r[i->rn] = wb_value(i, wb);                                               \
            cpu->r[i->rd] = v;                                                             \
        } else {                                                                           \
            uint8_t *p;                                                                    \
            if (unlikely(!cpu_tlb_wr(cpu, a, size, &p, &ws)))                              \
                goto l_call;                                                               \
            st_host(p, size, cpu->r[i->rd]);                                               \
            cpu->r[i->rn] = wb_value(i, wb);                                               \
        }                                                                                  \
        cyc += ws;                                                                         \
        NEXT();                                                                            \
    }
    FAST_LOADS(FAST_LOAD)
    FAST_STORES(FAST_STORE)
    FAST_WB(FAST_LS_WB)
#undef FAST_LOAD
#undef FAST_STORE
#undef FAST_LS_WB

l_LDRD: {
        unsigned ws;
        uint32_t a, wb;
        ls_address(cpu, i, &a, &wb);
        const uint8_t *p;
        if (unlikely(!tlb_rd_span(cpu, a, 8, &p, &ws)))
            goto l_call;
        uint32_t lo = rd_le32(p), hi = rd_le32(p + 4);
        if (i->aux & LS_W)
            cpu->r[i->rn] = wb;
        cpu->r[i->rd] = lo;
        cpu->r[i->ra] = hi;
        cyc += 2 * ws;
        NEXT();
    }
l_STRD: {
        unsigned ws;
        uint32_t a, wb;
        ls_address(cpu, i, &a, &wb);
        uint8_t *p;
        if (unlikely(!tlb_wr_span(cpu, a, 8, &p, &ws)))
            goto l_call;
        wr_le32(p, cpu->r[i->rd]);
        wr_le32(p + 4, cpu->r[i->ra]);
        if (i->aux & LS_W)
            cpu->r[i->rn] = wb;
        cyc += 2 * ws;
        NEXT();
    }

    /* LDM/POP: every word on one page; registers written after all reads */
l_LDM:
l_LDM_pc: {
        unsigned ws, n = (unsigned)__builtin_popcount(i->imm);
        uint32_t base = cpu->r[i->rn], list = i->imm;
        const uint8_t *p;
        if (unlikely(!tlb_rd_span(cpu, base, 4 * n, &p, &ws)))
            goto l_call;
        uint32_t target = 0;
        if (list & 0x8000) {
            target = rd_le32(p + 4 * (n - 1));
            /* exception return and a clear Thumb bit: the handler does them */
            if (unlikely(!(target & 1) ||
                         (cpu->ipsr && (target & 0xF0000000u) == 0xF0000000u)))
                goto l_call;
        }
        if (i->aux & LS_W)
            cpu->r[i->rn] = base + 4 * n;
        list &= 0x7FFF;
        for (unsigned r = 0; list; r++, list >>= 1)
            if (list & 1) {
                uint32_t v = rd_le32(p);
                cpu->r[r] = r == 13 ? v & ~3u : v;
                p += 4;
            }
        cyc += n * ws;
        if (!(i->imm & 0x8000))
            NEXT();
        cyc += T_REFILL;
        pc = target & ~1u;
        goto taken_ldm_pc;
    }
    /* STM/STMDB/PUSH: stored values are the registers before write-back */
l_STM:
l_STMDB: {
        unsigned ws, n = (unsigned)__builtin_popcount(i->imm);
        uint32_t base = cpu->r[i->rn], list = i->imm & 0x7FFF;
        bool ia = i->exec == exec_STM;
        uint32_t start = ia ? base : base - 4 * n;
        uint8_t *p;
        if (unlikely(!tlb_wr_span(cpu, start, 4 * n, &p, &ws)))
            goto l_call;
        for (unsigned r = 0; list; r++, list >>= 1)
            if (list & 1) {
                wr_le32(p, cpu->r[r]);
                p += 4;
            }
        if (i->aux & LS_W)
            cpu->r[i->rn] = ia ? base + 4 * n : start;
        cyc += n * ws;
        NEXT();
    }

    /* ---- a flag-setting op and the B<cond> after it ---- */
#define FUSED_ONE(name, op, cc, n)                                                         \
    l_##name##_b##cc:                                                                      \
        op;                                                                                \
        i++;                                                                               \
        if (cpu_cond_pass(cpu, n)) {                                                       \
            pc = i->imm;                                                                   \
            goto taken;                                                                    \
        }                                                                                  \
        NEXT();
#define FUSED_BODIES(name, op) COND_LIST(FUSED_ONE, name, op)
    FUSED_OPS(FUSED_BODIES)
#undef FUSED_ONE
#undef FUSED_BODIES

    /* ---- branches: the last instruction of their block ---- */
#define BCOND(label, cond)                                                                 \
    label:                                                                                 \
        if (cpu_cond_pass(cpu, cond)) {                                                    \
            pc = i->imm;                                                                   \
            goto taken;                                                                    \
        }                                                                                  \
        NEXT();
    BCOND(l_beq, 0x0)
    BCOND(l_bne, 0x1)
    BCOND(l_bcs, 0x2)
    BCOND(l_bcc, 0x3)
    BCOND(l_bmi, 0x4)
    BCOND(l_bpl, 0x5)
    BCOND(l_bvs, 0x6)
    BCOND(l_bvc, 0x7)
    BCOND(l_bhi, 0x8)
    BCOND(l_bls, 0x9)
    BCOND(l_bge, 0xA)
    BCOND(l_blt, 0xB)
    BCOND(l_bgt, 0xC)
    BCOND(l_ble, 0xD)
#undef BCOND

l_b:
    pc = i->imm;
    goto taken;
l_bl:
    cpu->r[14] = (i->pc + 4) | 1;
    pc = i->imm;
    goto taken;
l_cbz:
    if (cpu->r[i->rn] == 0) {
        pc = i->imm;
        goto taken;
    }
    NEXT();
l_cbnz:
    if (cpu->r[i->rn] != 0) {
        pc = i->imm;
        goto taken;
    }
    NEXT();
l_bx: {
        uint32_t v = cpu->r[i->rm];
        /* exception return and a clear Thumb bit: the handler does them */
        if (unlikely(!(v & 1) || (cpu->ipsr && (v & 0xF0000000u) == 0xF0000000u)))
            goto l_call;
        pc = v & ~1u;
        goto taken_dynamic;
    }
l_blx: {
        uint32_t v = cpu->r[i->rm];
        if (unlikely(!(v & 1) || (cpu->ipsr && (v & 0xF0000000u) == 0xF0000000u)))
            goto l_call;
        cpu->r[14] = (i->pc + 2) | 1;
        pc = v & ~1u;
        goto taken_dynamic;
    }

    /*
     * Block transitions. A branch ends its block, so every instruction of
     * the block retired; the refill is charged and the target line's wait
     * states are due at entry. The link to the successor is checked by the
     * epoch alone for a fixed target (a direct branch, falling through) and
     * by the epoch and the pc for a computed one.
     */
#define NEXT_BLOCK(slot, fixed, entered_by_branch)                                         \
    do {                                                                                   \
        cpu_chain_t *c = &b->chain[slot];                                                  \
        if (likely(c->epoch == cpu->chain_epoch && ((fixed) || c->to->pc == pc))) {        \
            b = c->to;                                                                     \
        } else {                                                                           \
            b = chain_miss(cpu, c, pc);                                                    \
            if (unlikely(!b)) {                                                            \
                nonseq = entered_by_branch;                                                \
                goto out;                                                                  \
            }                                                                              \
        }                                                                                  \
        sim_cycles_t start = cyc + ((entered_by_branch) ? b->entry_ws : 0);                \
        if (unlikely(start + b->bound >= limit)) {                                         \
            nonseq = entered_by_branch;                                                    \
            goto out;                                                                      \
        }                                                                                  \
        cyc = start + b->cycles;                                                           \
        cpu->r[15] = pc; /* the start of the running block, as in the run loop */          \
        i = b->insns;                                                                      \
        goto *i->lbl;                                                                      \
    } while (0)

taken:
    cyc += T_REFILL;
    retired += b->n;
    cpu->itstate = 0;
    NEXT_BLOCK(1, true, true);

taken_ldm_pc:
    retired += b->n;
    cpu->itstate = 0;
    NEXT_BLOCK(1, false, true);

taken_dynamic:
    cyc += T_REFILL;
    retired += b->n;
    cpu->itstate = 0;
    NEXT_BLOCK(1, false, true);

l_end:
    retired += b->n;
    pc = i->pc;
    cpu->itstate = i->itstate;
    NEXT_BLOCK(0, true, false);
#undef NEXT_BLOCK

out:
    cpu->r[15] = pc;
    cpu->cycles = cyc;
    cpu->nonseq = nonseq;
    cpu->insns += retired;
    return NULL;

brk:
    cpu->cycles = cyc - i->rest;
    cpu->insns += retired + (uint64_t)(i - b->insns);
    return i;
#undef NEXT
}
