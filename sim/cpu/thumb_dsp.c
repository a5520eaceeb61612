/*
 * Thumb-2 register data-processing, multiply, divide and DSP-extension
 * instructions (ARMv7-M ARM A5.3.12-A5.3.17 "data processing (register)",
 * "parallel addition and subtraction", "miscellaneous operations",
 * "multiply, multiply accumulate and absolute difference", "long multiply,
 * long multiply accumulate and divide", plus PKHBT/PKHTB and the saturate
 * instructions). thumb_decode() offers every 32-bit encoding here first.
 */
#include "thumb_internal.h"

#define BITS(x, hi, lo) (((x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define BIT(x, n) (((x) >> (n)) & 1u)

enum {
    DOP_PARALLEL, DOP_QADD, DOP_QSUB, DOP_QDADD, DOP_QDSUB, DOP_SEL, DOP_SMULxy, DOP_SMLAxy,
    DOP_SMULWy, DOP_SMLAWy, DOP_SMUAD, DOP_SMLAD, DOP_SMUSD, DOP_SMLSD, DOP_SMMUL, DOP_SMMLA,
    DOP_SMMLS, DOP_USAD8, DOP_USADA8, DOP_SMLALxy, DOP_SMLALD, DOP_SMLSLD, DOP_UMAAL,
    DOP_PKHBT, DOP_PKHTB, DOP_SSAT16, DOP_USAT16, DOP_SXTB16, DOP_UXTB16, DOP_COUNT
};
static const char *const dop_names[DOP_COUNT] = {
    "parallel", "QADD", "QSUB", "QDADD", "QDSUB", "SEL", "SMULxy", "SMLAxy", "SMULWy",
    "SMLAWy", "SMUAD", "SMLAD", "SMUSD", "SMLSD", "SMMUL", "SMMLA", "SMMLS", "USAD8",
    "USADA8", "SMLALxy", "SMLALD", "SMLSLD", "UMAAL", "PKHBT", "PKHTB", "SSAT16", "USAT16",
    "SXTB16", "UXTB16",
};

const char *thumb_dsp_name(const insn_t *i)
{
    unsigned k = i->op - INSN_OP_DSP_BASE;
    return k < DOP_COUNT ? dop_names[k] : "?";
}

static inline int32_t lo16(uint32_t x) { return (int16_t)(x & 0xFFFF); }
static inline int32_t hi16(uint32_t x) { return (int16_t)(x >> 16); }

/* ---------------------------------------------------------------------- */
/* parallel add/subtract: aux = op1 (bits 2:0) | op2 << 3 | U << 5 */

static void exec_parallel(cpu_t *cpu, const insn_t *i)
{
    uint32_t a = cpu->r[i->rn], b = cpu->r[i->rm];
    unsigned op1 = i->aux & 7, op2 = (i->aux >> 3) & 3;
    bool u = (i->aux >> 5) & 1;
    bool bytes = op1 == 0 || op1 == 4;
    unsigned lanes = bytes ? 4 : 2, width = bytes ? 8 : 16;
    uint32_t mask = (1u << width) - 1, result = 0, ge = 0;
    for (unsigned k = 0; k < lanes; k++) {
        unsigned other = k;
        bool sub;
        switch (op1) {
        case 0: case 1: sub = false; break;                  /* ADD8, ADD16 */
        case 4: case 5: sub = true; break;                   /* SUB8, SUB16 */
        case 2: sub = k == 0; other = 1 - k; break;          /* ASX */
        default: sub = k == 1; other = 1 - k; break;         /* SAX */
        }
        uint32_t xa = (a >> (k * width)) & mask, xb = (b >> (other * width)) & mask;
        int32_t x = u ? (int32_t)xa : (int32_t)(xa << (32 - width)) >> (32 - width);
        int32_t y = u ? (int32_t)xb : (int32_t)(xb << (32 - width)) >> (32 - width);
        int32_t r = sub ? x - y : x + y;
        uint32_t lane;
        bool sat = false;
        if (op2 == 1) { /* saturating */
            lane = u ? usat32(r, width, &sat) : (uint32_t)ssat32(r, width, &sat);
        } else if (op2 == 2) { /* halving */
            lane = (uint32_t)(r >> 1);
        } else {
            lane = (uint32_t)r;
            bool g = u ? (sub ? r >= 0 : r >= (int32_t)(1u << width)) : r >= 0;
            if (g)
                ge |= (bytes ? 1u : 3u) << (k * (bytes ? 1 : 2));
        }
        result |= (lane & mask) << (k * width);
    }
    cpu->r[i->rd] = result;
    if (op2 == 0)
        cpu->ge = (uint8_t)ge;
}

/* ---------------------------------------------------------------------- */
/* saturating arithmetic, SEL */

static void exec_qarith(cpu_t *cpu, const insn_t *i)
{
    int64_t m = (int32_t)cpu->r[i->rm], n = (int32_t)cpu->r[i->rn];
    bool sat = false;
    if (i->aux == DOP_QDADD || i->aux == DOP_QDSUB)
        n = ssat32(2 * n, 32, &sat);
    int64_t r = (i->aux == DOP_QADD || i->aux == DOP_QDADD) ? m + n : m - n;
    cpu->r[i->rd] = (uint32_t)ssat32(r, 32, &sat);
    if (sat)
        cpu->q = 1;
}

static void exec_SEL(cpu_t *cpu, const insn_t *i)
{
    uint32_t a = cpu->r[i->rn], b = cpu->r[i->rm], r = 0;
    for (unsigned k = 0; k < 4; k++)
        r |= (((cpu->ge >> k) & 1) ? a : b) & (0xFFu << (8 * k));
    cpu->r[i->rd] = r;
}

/* ---------------------------------------------------------------------- */
/* halfword and dual multiplies: shift_t bit 0 = N/X (top of Rn / swap), bit 1 = M (top of Rm) */

static void exec_smulxy(cpu_t *cpu, const insn_t *i)
{
    int32_t n = (i->shift_t & 1) ? hi16(cpu->r[i->rn]) : lo16(cpu->r[i->rn]);
    int32_t m = (i->shift_t & 2) ? hi16(cpu->r[i->rm]) : lo16(cpu->r[i->rm]);
    int64_t r = (int64_t)n * m;
    if (i->aux == DOP_SMLAxy) {
        r += (int32_t)cpu->r[i->ra];
        if (r != (int32_t)r)
            cpu->q = 1;
    }
    cpu->r[i->rd] = (uint32_t)r;
}

static void exec_smulwy(cpu_t *cpu, const insn_t *i)
{
    int32_t m = (i->shift_t & 2) ? hi16(cpu->r[i->rm]) : lo16(cpu->r[i->rm]);
    int64_t r = ((int64_t)(int32_t)cpu->r[i->rn] * m) >> 16;
    if (i->aux == DOP_SMLAWy) {
        r += (int32_t)cpu->r[i->ra];
        if (r != (int32_t)r)
            cpu->q = 1;
    }
    cpu->r[i->rd] = (uint32_t)r;
}

static void exec_dual(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = cpu->r[i->rn], m = cpu->r[i->rm];
    if (i->shift_t & 1)
        m = ror32(m, 16);
    int64_t p1 = (int64_t)lo16(n) * lo16(m), p2 = (int64_t)hi16(n) * hi16(m);
    bool diff = i->aux == DOP_SMUSD || i->aux == DOP_SMLSD;
    int64_t r = diff ? p1 - p2 : p1 + p2;
    if (i->aux == DOP_SMLAD || i->aux == DOP_SMLSD)
        r += (int32_t)cpu->r[i->ra];
    if (r != (int32_t)r)
        cpu->q = 1;
    cpu->r[i->rd] = (uint32_t)r;
}

/* SMMUL/SMMLA/SMMLS: most significant word; shift_t bit 0 = round */
static void exec_smmul(cpu_t *cpu, const insn_t *i)
{
    /* Only bits 63:32 of the (unbounded) sum are kept: modulo 2^64 arithmetic
     * gives them exactly and cannot overflow. */
    uint64_t p = (uint64_t)((int64_t)(int32_t)cpu->r[i->rn] * (int32_t)cpu->r[i->rm]);
    uint64_t acc = i->aux == DOP_SMMUL ? 0 : (uint64_t)cpu->r[i->ra] << 32;
    uint64_t r = i->aux == DOP_SMMLS ? acc - p : acc + p;
    if (i->shift_t & 1)
        r += 0x80000000u;
    cpu->r[i->rd] = (uint32_t)(r >> 32);
}

static void exec_usad8(cpu_t *cpu, const insn_t *i)
{
    uint32_t a = cpu->r[i->rn], b = cpu->r[i->rm], s = 0;
    for (unsigned k = 0; k < 4; k++) {
        int d = (int)((a >> (8 * k)) & 0xFF) - (int)((b >> (8 * k)) & 0xFF);
        s += (uint32_t)(d < 0 ? -d : d);
    }
    if (i->aux == DOP_USADA8)
        s += cpu->r[i->ra];
    cpu->r[i->rd] = s;
}

/* Long forms: rd = RdLo, ra = RdHi */
static void exec_smlal_dsp(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = cpu->r[i->rn], m = cpu->r[i->rm];
    int64_t p;
    if (i->aux == DOP_SMLALxy) {
        int32_t x = (i->shift_t & 1) ? hi16(n) : lo16(n);
        int32_t y = (i->shift_t & 2) ? hi16(m) : lo16(m);
        p = (int64_t)x * y;
    } else {
        if (i->shift_t & 1)
            m = ror32(m, 16);
        int64_t p1 = (int64_t)lo16(n) * lo16(m), p2 = (int64_t)hi16(n) * hi16(m);
        p = i->aux == DOP_SMLSLD ? p1 - p2 : p1 + p2;
    }
    uint64_t acc = (uint64_t)cpu->r[i->ra] << 32 | cpu->r[i->rd];
    uint64_t r = acc + (uint64_t)p;
    cpu->r[i->rd] = (uint32_t)r;
    cpu->r[i->ra] = (uint32_t)(r >> 32);
}

static void exec_umaal(cpu_t *cpu, const insn_t *i)
{
    uint64_t r = (uint64_t)cpu->r[i->rn] * cpu->r[i->rm] + cpu->r[i->ra] + cpu->r[i->rd];
    cpu->r[i->rd] = (uint32_t)r;
    cpu->r[i->ra] = (uint32_t)(r >> 32);
}

/* ---------------------------------------------------------------------- */
/* packing, 16-bit saturation, dual extends */

static void exec_pkh(cpu_t *cpu, const insn_t *i)
{
    uint32_t n = cpu->r[i->rn];
    uint32_t m = shift_c(cpu->r[i->rm], i->shift_t, i->shift_n, cpu->c).v;
    cpu->r[i->rd] = i->aux == DOP_PKHBT ? (n & 0xFFFF) | (m & 0xFFFF0000u)
                                        : (n & 0xFFFF0000u) | (m & 0xFFFF);
}

/* imm = saturate_to */
static void exec_sat16(cpu_t *cpu, const insn_t *i)
{
    uint32_t x = cpu->r[i->rn];
    bool sat = false;
    uint32_t lo, hi;
    if (i->aux == DOP_SSAT16) {
        lo = (uint32_t)ssat32(lo16(x), i->imm, &sat) & 0xFFFF;
        hi = (uint32_t)ssat32(hi16(x), i->imm, &sat) & 0xFFFF;
    } else {
        lo = usat32(lo16(x), i->imm, &sat);
        hi = usat32(hi16(x), i->imm, &sat);
    }
    cpu->r[i->rd] = lo | (hi << 16);
    if (sat)
        cpu->q = 1;
}

/* rotation in shift_n, rn == 15: no accumulate */
static void exec_xtb16(cpu_t *cpu, const insn_t *i)
{
    uint32_t m = ror32(cpu->r[i->rm], i->shift_n);
    uint32_t b0 = m & 0xFF, b2 = (m >> 16) & 0xFF;
    if (i->aux == DOP_SXTB16) {
        b0 = (uint32_t)(int32_t)(int8_t)b0;
        b2 = (uint32_t)(int32_t)(int8_t)b2;
    }
    uint32_t n = i->rn == 15 ? 0 : cpu->r[i->rn];
    uint32_t lo = (n + b0) & 0xFFFF, hi = ((n >> 16) + b2) & 0xFFFF;
    cpu->r[i->rd] = lo | (hi << 16);
}

/* ---------------------------------------------------------------------- */
/* decoder */

static bool bad(unsigned r) { return r == 13 || r == 15; }

static bool dset(insn_t *o, insn_fn fn, unsigned dop, unsigned cycles)
{
    o->fn = fn;
    o->aux = (uint16_t)dop;
    o->op = (uint16_t)(INSN_OP_DSP_BASE + dop);
    o->cycles = (uint8_t)cycles;
    return true;
}

static bool tset(insn_t *o, insn_fn fn, unsigned op, unsigned cycles)
{
    o->fn = fn;
    o->op = (uint16_t)op;
    o->cycles = (uint8_t)cycles;
    return true;
}

static bool dundef(insn_t *o)
{
    o->fn = exec_undefined;
    o->op = OP_UNDEFINED;
    o->cycles = 1;
    o->flags |= INSN_END;
    return true;
}

/* hw1 = 1111 1010 ...: data processing (register) and parallel/misc */
static bool decode_fa(uint16_t hw1, uint16_t hw2, insn_t *o)
{
    unsigned rn = hw1 & 0xF, rd = BITS(hw2, 11, 8), rm = hw2 & 0xF;
    o->rd = (uint8_t)rd;
    o->rn = (uint8_t)rn;
    o->rm = (uint8_t)rm;
    if (BITS(hw2, 15, 12) != 0xF)
        return dundef(o);
    if (!BIT(hw1, 7)) {
        if (BITS(hw2, 7, 4) == 0) { /* shift by register */
            if (bad(rd) || bad(rn) || bad(rm))
                return dundef(o);
            tset(o, exec_shift_reg, OP_shift_reg, T_ALU);
            o->shift_t = (uint8_t)BITS(hw1, 6, 5);
            if (BIT(hw1, 4))
                o->flags |= INSN_S;
            return true;
        }
        if (BIT(hw2, 7) && !BIT(hw2, 6)) { /* extends */
            unsigned op = BITS(hw1, 6, 4);
            if (bad(rd) || bad(rm) || rn == 13)
                return dundef(o);
            o->shift_n = (uint8_t)(BITS(hw2, 5, 4) * 8);
            switch (op) {
            case 0: return tset(o, exec_SXTH, OP_SXTH, T_ALU);
            case 1: return tset(o, exec_UXTH, OP_UXTH, T_ALU);
            case 2: return dset(o, exec_xtb16, DOP_SXTB16, T_ALU);
            case 3: return dset(o, exec_xtb16, DOP_UXTB16, T_ALU);
            case 4: return tset(o, exec_SXTB, OP_SXTB, T_ALU);
            case 5: return tset(o, exec_UXTB, OP_UXTB, T_ALU);
            default: return dundef(o);
            }
        }
        return dundef(o);
    }
    if (bad(rd) || bad(rn) || bad(rm))
        return dundef(o);
    if (!BIT(hw2, 7)) { /* parallel add/sub */
        unsigned op1 = BITS(hw1, 6, 4), op2 = BITS(hw2, 5, 4), u = BIT(hw2, 6);
        if (op1 == 3 || op1 == 7 || op2 == 3)
            return dundef(o);
        dset(o, exec_parallel, DOP_PARALLEL, T_ALU);
        o->aux = (uint16_t)(op1 | op2 << 3 | u << 5);
        return true;
    }
    if (BIT(hw2, 6))
        return dundef(o);
    unsigned op1 = BITS(hw1, 5, 4), op2 = BITS(hw2, 5, 4);
    if (BIT(hw1, 6))
        return dundef(o);
    switch (op1) {
    case 0: {
        static const unsigned q[4] = { DOP_QADD, DOP_QDADD, DOP_QSUB, DOP_QDSUB };
        return dset(o, exec_qarith, q[op2], T_ALU);
    }
    case 1:
        if (rn != rm)
            return dundef(o);
        switch (op2) {
        case 0: return tset(o, exec_REV, OP_REV, T_ALU);
        case 1: return tset(o, exec_REV16, OP_REV16, T_ALU);
        case 2: return tset(o, exec_RBIT, OP_RBIT, T_ALU);
        default: return tset(o, exec_REVSH, OP_REVSH, T_ALU);
        }
    case 2:
        if (op2)
            return dundef(o);
        return dset(o, exec_SEL, DOP_SEL, T_ALU);
    default:
        if (op2 || rn != rm)
            return dundef(o);
        return tset(o, exec_CLZ, OP_CLZ, T_ALU);
    }
}

/* hw1 = 1111 1011 0...: multiply, multiply accumulate, absolute difference */
static bool decode_mul(uint16_t hw1, uint16_t hw2, insn_t *o)
{
    unsigned rn = hw1 & 0xF, ra = BITS(hw2, 15, 12), rd = BITS(hw2, 11, 8), rm = hw2 & 0xF;
    unsigned op1 = BITS(hw1, 6, 4), op2 = BITS(hw2, 5, 4);
    o->rd = (uint8_t)rd;
    o->rn = (uint8_t)rn;
    o->rm = (uint8_t)rm;
    o->ra = (uint8_t)ra;
    if (BITS(hw2, 7, 6) != 0 || bad(rd) || bad(rn) || bad(rm) || ra == 13)
        return dundef(o);
    bool acc = ra != 15;
    switch (op1) {
    case 0:
        if (op2 == 0)
            return acc ? tset(o, exec_MLA, OP_MLA, T_MLA) : tset(o, exec_MUL, OP_MUL, T_MUL);
        if (op2 == 1 && acc)
            return tset(o, exec_MLS, OP_MLS, T_MLA);
        return dundef(o);
    case 1:
        o->shift_t = (uint8_t)(BIT(hw2, 5) | (BIT(hw2, 4) << 1));
        return dset(o, exec_smulxy, acc ? DOP_SMLAxy : DOP_SMULxy, 1);
    case 2:
        if (op2 > 1)
            return dundef(o);
        o->shift_t = (uint8_t)op2;
        return dset(o, exec_dual, acc ? DOP_SMLAD : DOP_SMUAD, 1);
    case 3:
        if (op2 > 1)
            return dundef(o);
        o->shift_t = (uint8_t)(op2 << 1);
        return dset(o, exec_smulwy, acc ? DOP_SMLAWy : DOP_SMULWy, 1);
    case 4:
        if (op2 > 1)
            return dundef(o);
        o->shift_t = (uint8_t)op2;
        return dset(o, exec_dual, acc ? DOP_SMLSD : DOP_SMUSD, 1);
    case 5:
        if (op2 > 1)
            return dundef(o);
        o->shift_t = (uint8_t)op2;
        return dset(o, exec_smmul, acc ? DOP_SMMLA : DOP_SMMUL, 1);
    case 6:
        if (op2 > 1 || !acc)
            return dundef(o);
        o->shift_t = (uint8_t)op2;
        return dset(o, exec_smmul, DOP_SMMLS, 1);
    default:
        if (op2)
            return dundef(o);
        return dset(o, exec_usad8, acc ? DOP_USADA8 : DOP_USAD8, 1);
    }
}

/* hw1 = 1111 1011 1...: long multiply, long multiply accumulate, divide */
static bool decode_long(uint16_t hw1, uint16_t hw2, insn_t *o)
{
    unsigned rn = hw1 & 0xF, lo = BITS(hw2, 15, 12), hi = BITS(hw2, 11, 8), rm = hw2 & 0xF;
    unsigned op1 = BITS(hw1, 6, 4), op2 = BITS(hw2, 7, 4);
    o->rn = (uint8_t)rn;
    o->rm = (uint8_t)rm;
    if (op1 == 1 || op1 == 3) { /* SDIV / UDIV: Rd in hw2[11:8] */
        if (op2 != 0xF || lo != 0xF || bad(hi) || bad(rn) || bad(rm))
            return dundef(o);
        o->rd = (uint8_t)hi;
        return op1 == 1 ? tset(o, exec_SDIV, OP_SDIV, T_DIV_MIN) : tset(o, exec_UDIV, OP_UDIV, T_DIV_MIN);
    }
    o->rd = (uint8_t)lo;
    o->ra = (uint8_t)hi;
    if (bad(lo) || bad(hi) || bad(rn) || bad(rm) || lo == hi)
        return dundef(o);
    switch (op1) {
    case 0: return op2 == 0 ? tset(o, exec_SMULL, OP_SMULL, T_MUL) : dundef(o);
    case 2: return op2 == 0 ? tset(o, exec_UMULL, OP_UMULL, T_MUL) : dundef(o);
    case 4:
        if (op2 == 0)
            return tset(o, exec_SMLAL, OP_SMLAL, T_MUL);
        if ((op2 & 0xC) == 0x8) {
            o->shift_t = (uint8_t)(BIT(op2, 1) | (BIT(op2, 0) << 1));
            return dset(o, exec_smlal_dsp, DOP_SMLALxy, 1);
        }
        if ((op2 & 0xE) == 0xC) {
            o->shift_t = (uint8_t)(op2 & 1);
            return dset(o, exec_smlal_dsp, DOP_SMLALD, 1);
        }
        return dundef(o);
    case 5:
        if ((op2 & 0xE) == 0xC) {
            o->shift_t = (uint8_t)(op2 & 1);
            return dset(o, exec_smlal_dsp, DOP_SMLSLD, 1);
        }
        return dundef(o);
    case 6:
        if (op2 == 0)
            return tset(o, exec_UMLAL, OP_UMLAL, T_MUL);
        if (op2 == 6)
            return dset(o, exec_umaal, DOP_UMAAL, 1);
        return dundef(o);
    default:
        return dundef(o);
    }
}

static void dp_shift_fields(uint16_t hw2, insn_t *o, bool sat)
{
    unsigned imm5 = (BITS(hw2, 14, 12) << 2) | BITS(hw2, 7, 6);
    if (sat) {
        o->shift_t = SRTYPE_LSL;
        o->shift_n = (uint8_t)imm5;
    } else {
        o->shift_n = (uint8_t)imm5;
    }
}

bool thumb_decode_dsp(uint32_t pc, uint16_t hw1, uint16_t hw2, insn_t *out)
{
    (void)pc;
    if ((hw1 & 0xFE00) == 0xFA00) {
        out->flags |= INSN_32;
        out->len = 4;
        if ((hw1 & 0xFF00) == 0xFA00)
            return decode_fa(hw1, hw2, out);
        if (BIT(hw1, 7))
            return decode_long(hw1, hw2, out);
        return decode_mul(hw1, hw2, out);
    }
    /* PKHBT / PKHTB: data processing (shifted register) op 0110, S = 0 */
    if ((hw1 & 0xFFF0) == 0xEAC0 && !BIT(hw2, 15)) {
        unsigned rn = hw1 & 0xF, rd = BITS(hw2, 11, 8), rm = hw2 & 0xF;
        if (BIT(hw2, 4) || bad(rd) || bad(rn) || bad(rm))
            return dundef(out);
        out->rd = (uint8_t)rd;
        out->rn = (uint8_t)rn;
        out->rm = (uint8_t)rm;
        dp_shift_fields(hw2, out, false);
        bool tb = BIT(hw2, 5);
        out->shift_t = tb ? SRTYPE_ASR : SRTYPE_LSL;
        if (tb && out->shift_n == 0)
            out->shift_n = 32;
        return dset(out, exec_pkh, tb ? DOP_PKHTB : DOP_PKHBT, T_ALU);
    }
    /* SSAT / USAT / SSAT16 / USAT16: plain binary immediate, op 1x0x0 */
    if ((hw1 & 0xFB50) == 0xF300 && !BIT(hw2, 15) && !BIT(hw1, 4)) {
        bool is_u = BIT(hw1, 7), sh = BIT(hw1, 5);
        unsigned rn = hw1 & 0xF, rd = BITS(hw2, 11, 8), sat = hw2 & 0x1F;
        unsigned imm5 = (BITS(hw2, 14, 12) << 2) | BITS(hw2, 7, 6);
        if (bad(rd) || bad(rn) || BIT(hw2, 5) || BIT(hw1, 10))
            return dundef(out);
        out->rd = (uint8_t)rd;
        out->rn = (uint8_t)rn;
        if (sh && imm5 == 0) { /* SSAT16 / USAT16 */
            if (BIT(hw2, 4))
                return dundef(out);
            out->imm = is_u ? (hw2 & 0xF) : (hw2 & 0xF) + 1;
            return dset(out, exec_sat16, is_u ? DOP_USAT16 : DOP_SSAT16, T_ALU);
        }
        out->shift_t = sh ? SRTYPE_ASR : SRTYPE_LSL;
        out->shift_n = (uint8_t)imm5;
        out->imm = is_u ? sat : sat + 1;
        return tset(out, is_u ? exec_USAT : exec_SSAT, is_u ? OP_USAT : OP_SSAT, T_ALU);
    }
    return false;
}
