/*
 * FPv4-SP floating-point unit of the Cortex-M4F (ARMv7-M ARM, A5.5 / A6:
 * floating-point instruction encodings and pseudo-code FPAdd, FPMul,
 * FPMulAdd, FPRound, FPProcessNaNs, FPCompare, FPToFixed, FixedToFP,
 * FPHalfToSingle / FPSingleToHalf).
 *
 * Arithmetic: each correctly rounded IEEE-754 single-precision operation is
 * done by the host's floating-point unit in the rounding mode FPSCR asks for,
 * with the exception flags read back from the host. Everything the ARM
 * definition says differently from plain IEEE-754 is done here in software,
 * so results are the same on every host: NaN selection and quieting
 * (FPProcessNaNs order, default NaN 0x7FC00000, DN mode), flush-to-zero of
 * inputs (IDC) and of tiny results (UFC, detected before rounding),
 * underflow detected before rounding, conversions to and from integers,
 * fixed point and half precision, and compares.
 *
 * Double-precision data processing does not exist on FPv4-SP: those
 * encodings are UNDEFINED. Loads, stores and moves of D registers work.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>
#include "cpu.h"

/* FPSCR bits */
#define FPSCR_IOC (1u << 0)
#define FPSCR_DZC (1u << 1)
#define FPSCR_OFC (1u << 2)
#define FPSCR_UFC (1u << 3)
#define FPSCR_IXC (1u << 4)
#define FPSCR_IDC (1u << 7)
#define FPSCR_FZ (1u << 24)
#define FPSCR_DN (1u << 25)
#define FPSCR_AHP (1u << 26)
#define FPSCR_MASK 0xF7C0009Fu

#define DEFAULT_NAN 0x7FC00000u
#define T_FP 1
#define T_FP_MAC 3
#define T_FP_DIV 14

enum {
    VOP_VADD, VOP_VSUB, VOP_VMUL, VOP_VNMUL, VOP_VDIV, VOP_VMLA, VOP_VMLS, VOP_VNMLA, VOP_VNMLS,
    VOP_VFMA, VOP_VFMS, VOP_VFNMA, VOP_VFNMS, VOP_VABS, VOP_VNEG, VOP_VSQRT, VOP_VMOV_imm,
    VOP_VMOV_reg, VOP_VCMP, VOP_VCMPE, VOP_VCVT_f2i, VOP_VCVT_i2f, VOP_VCVT_fix, VOP_VCVTB,
    VOP_VCVTT, VOP_VMOV_core, VOP_VMOV_2core, VOP_VMOV_dcore, VOP_VMOV_scalar, VOP_VMRS,
    VOP_VMSR, VOP_VLDR, VOP_VSTR, VOP_VLDM, VOP_VSTM, VOP_COUNT
};
static const char *const vop_names[VOP_COUNT] = {
    "VADD", "VSUB", "VMUL", "VNMUL", "VDIV", "VMLA", "VMLS", "VNMLA", "VNMLS", "VFMA",
    "VFMS", "VFNMA", "VFNMS", "VABS", "VNEG", "VSQRT", "VMOV", "VMOV", "VCMP", "VCMPE",
    "VCVT", "VCVT", "VCVT", "VCVTB", "VCVTT", "VMOV", "VMOV", "VMOV", "VMOV", "VMRS",
    "VMSR", "VLDR", "VSTR", "VLDM", "VSTM",
};

const char *vfp_insn_name(const insn_t *i)
{
    unsigned k = i->op - INSN_OP_VFP_BASE;
    return k < VOP_COUNT ? vop_names[k] : "?";
}

/* ---------------------------------------------------------------------- */
/* value helpers */

static inline bool f_is_nan(uint32_t x) { return (x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFFu); }
static inline bool f_is_snan(uint32_t x) { return f_is_nan(x) && !(x & 0x400000u); }
static inline bool f_is_inf(uint32_t x) { return (x & 0x7FFFFFFFu) == 0x7F800000u; }
static inline bool f_is_zero(uint32_t x) { return (x & 0x7FFFFFFFu) == 0; }
static inline bool f_is_denorm(uint32_t x) { return (x & 0x7F800000u) == 0 && (x & 0x7FFFFFu); }
static inline float f_of(uint32_t x) { float f; memcpy(&f, &x, 4); return f; }
static inline uint32_t bits_of(float f) { uint32_t x; memcpy(&x, &f, 4); return x; }

/* FPUnpack with flush-to-zero of denormal inputs. */
static uint32_t flush_in(cpu_t *cpu, uint32_t x)
{
    if ((cpu->fpscr & FPSCR_FZ) && f_is_denorm(x)) {
        cpu->fpscr |= FPSCR_IDC;
        return x & 0x80000000u;
    }
    return x;
}

static uint32_t nan_result(cpu_t *cpu, uint32_t n)
{
    return (cpu->fpscr & FPSCR_DN) ? DEFAULT_NAN : n | 0x400000u;
}

/* FPProcessNaNs / FPProcessNaNs3: signalling NaNs first, in operand order. */
static bool process_nans(cpu_t *cpu, const uint32_t *ops, unsigned n, uint32_t *res)
{
    for (unsigned k = 0; k < n; k++)
        if (f_is_snan(ops[k])) {
            cpu->fpscr |= FPSCR_IOC;
            *res = nan_result(cpu, ops[k]);
            return true;
        }
    for (unsigned k = 0; k < n; k++)
        if (f_is_nan(ops[k])) {
            *res = nan_result(cpu, ops[k]);
            return true;
        }
    return false;
}

static int host_mode(uint32_t fpscr)
{
    switch ((fpscr >> 22) & 3) {
    case 0: return FE_TONEAREST;
    case 1: return FE_UPWARD;
    case 2: return FE_DOWNWARD;
    default: return FE_TOWARDZERO;
    }
}

/*
 * Host floating-point environment around one guest operation: select the
 * rounding mode, clear the sticky flags, and afterwards read them (FE_* bits)
 * and put the host's own environment back. On x86-64 the float arithmetic is
 * SSE, so this is done on MXCSR directly (fesetround/feclearexcept also
 * save and reload the x87 state, several times the cost of the operation).
 */
#if defined(__x86_64__) && defined(__SSE2__)
typedef unsigned host_fenv_t;
static inline host_fenv_t fenv_enter(int mode)
{
    unsigned old = __builtin_ia32_stmxcsr();
    /* MXCSR: flags in bits 0-5 (same order as FE_*), RC in bits 13-14
     * (FE_* rounding constants are the x87 RC bits 10-11). */
    __builtin_ia32_ldmxcsr((old & ~0x603Fu) | ((unsigned)mode << 3));
    return old;
}
static inline int fenv_leave(host_fenv_t old)
{
    unsigned now = __builtin_ia32_stmxcsr();
    __builtin_ia32_ldmxcsr(old);
    return (int)(now & FE_ALL_EXCEPT);
}
#else
typedef int host_fenv_t;
static inline host_fenv_t fenv_enter(int mode)
{
    int old = fegetround();
    fesetround(mode);
    feclearexcept(FE_ALL_EXCEPT);
    return old;
}
static inline int fenv_leave(host_fenv_t old)
{
    int ex = fetestexcept(FE_ALL_EXCEPT);
    fesetround(old);
    return ex;
}
#endif

enum { H_ADD, H_MUL, H_DIV, H_SQRT, H_FMA };

/* One correctly rounded operation on the host with ARM's flag rules. */
static uint32_t host_arith(cpu_t *cpu, int op, uint32_t a, uint32_t b, uint32_t c)
{
    volatile float fa = f_of(a), fb = f_of(b), fc = f_of(c);
    volatile float r = 0;
    volatile double exact = 0;
    host_fenv_t env = fenv_enter(host_mode(cpu->fpscr));
    switch (op) {
    case H_ADD: r = fa + fb; break;
    case H_MUL: r = fa * fb; break;
    case H_DIV: r = fa / fb; break;
    case H_SQRT: r = sqrtf(fa); break;
    default: r = fmaf(fa, fb, fc); break;
    }
    int ex = fenv_leave(env);
    /* The unrounded magnitude decides tininess (ARM: before rounding). A
     * rounded result above the smallest normal cannot come from a tiny
     * one (rounding moves it to 2^-126 at most), so only results at or
     * below it need the exact value, computed in double toward zero. */
    float rr = r;
    if (rr != 0.0f && !isinf(rr) && fabsf(rr) > 0x1p-126f) {
        exact = rr;
    } else {
        env = fenv_enter(FE_TOWARDZERO);
        switch (op) {
        case H_ADD: exact = (double)fa + (double)fb; break;
        case H_MUL: exact = (double)fa * (double)fb; break;
        case H_DIV: exact = (double)fa / (double)fb; break;
        case H_SQRT: exact = sqrt((double)fa); break;
        default: exact = fma((double)fa, (double)fb, (double)fc); break;
        }
        fenv_leave(env);
    }
    uint32_t res = bits_of(r);
    if (f_is_nan(res)) {
        cpu->fpscr |= FPSCR_IOC;
        return DEFAULT_NAN;
    }
    bool tiny = exact != 0.0 && fabs(exact) < 0x1p-126 && !isinf(r);
    if (tiny && (cpu->fpscr & FPSCR_FZ)) {
        cpu->fpscr |= FPSCR_UFC;
        return signbit(exact) ? 0x80000000u : 0;
    }
    if (ex & FE_INVALID)
        cpu->fpscr |= FPSCR_IOC;
    if (ex & FE_DIVBYZERO)
        cpu->fpscr |= FPSCR_DZC;
    if (ex & FE_OVERFLOW)
        cpu->fpscr |= FPSCR_OFC;
    if (ex & FE_INEXACT) {
        cpu->fpscr |= FPSCR_IXC;
        if (tiny)
            cpu->fpscr |= FPSCR_UFC;
    }
    return res;
}

static uint32_t fp_add(cpu_t *cpu, uint32_t a, uint32_t b)
{
    a = flush_in(cpu, a);
    b = flush_in(cpu, b);
    uint32_t ops[2] = { a, b }, r;
    if (process_nans(cpu, ops, 2, &r))
        return r;
    return host_arith(cpu, H_ADD, a, b, 0);
}

/* FPSub: NaNs are selected from the operands as given, then a - b. */
static uint32_t fp_sub(cpu_t *cpu, uint32_t a, uint32_t b)
{
    a = flush_in(cpu, a);
    b = flush_in(cpu, b);
    uint32_t ops[2] = { a, b }, r;
    if (process_nans(cpu, ops, 2, &r))
        return r;
    return host_arith(cpu, H_ADD, a, b ^ 0x80000000u, 0);
}

static uint32_t fp_mul(cpu_t *cpu, uint32_t a, uint32_t b)
{
    a = flush_in(cpu, a);
    b = flush_in(cpu, b);
    uint32_t ops[2] = { a, b }, r;
    if (process_nans(cpu, ops, 2, &r))
        return r;
    return host_arith(cpu, H_MUL, a, b, 0);
}

static uint32_t fp_div(cpu_t *cpu, uint32_t a, uint32_t b)
{
    a = flush_in(cpu, a);
    b = flush_in(cpu, b);
    uint32_t ops[2] = { a, b }, r;
    if (process_nans(cpu, ops, 2, &r))
        return r;
    return host_arith(cpu, H_DIV, a, b, 0);
}

static uint32_t fp_sqrt(cpu_t *cpu, uint32_t a)
{
    a = flush_in(cpu, a);
    uint32_t r;
    if (process_nans(cpu, &a, 1, &r))
        return r;
    if (f_is_zero(a))
        return a;
    if (a & 0x80000000u) {
        cpu->fpscr |= FPSCR_IOC;
        return DEFAULT_NAN;
    }
    return host_arith(cpu, H_SQRT, a, 0, 0);
}

/* FPMulAdd(addend, op1, op2): one rounding. */
static uint32_t fp_muladd(cpu_t *cpu, uint32_t addend, uint32_t x, uint32_t y)
{
    addend = flush_in(cpu, addend);
    x = flush_in(cpu, x);
    y = flush_in(cpu, y);
    bool inf_zero = (f_is_inf(x) && f_is_zero(y)) || (f_is_zero(x) && f_is_inf(y));
    if (f_is_nan(addend) && !f_is_snan(addend) && inf_zero && !f_is_nan(x) && !f_is_nan(y)) {
        cpu->fpscr |= FPSCR_IOC;
        return DEFAULT_NAN;
    }
    uint32_t ops[3] = { addend, x, y }, r;
    if (process_nans(cpu, ops, 3, &r))
        return r;
    return host_arith(cpu, H_FMA, x, y, addend);
}

static inline uint32_t fneg(uint32_t x) { return x ^ 0x80000000u; }

/* ---------------------------------------------------------------------- */
/* conversions */

/* FPToFixed: float -> signed/unsigned 32-bit with 'fbits' fraction bits. */
static uint32_t fp_to_fixed(cpu_t *cpu, uint32_t a, unsigned fbits, bool is_unsigned,
                            bool round_zero, unsigned size)
{
    a = flush_in(cpu, a);
    if (f_is_nan(a)) {
        cpu->fpscr |= FPSCR_IOC;
        return 0;
    }
    double v = (double)f_of(a) * ldexp(1.0, (int)fbits);
    double ri;
    if (round_zero) {
        ri = trunc(v);
    } else {
        switch ((cpu->fpscr >> 22) & 3) {
        case 0: ri = nearbyint(v); break; /* host default mode: ties to even */
        case 1: ri = ceil(v); break;
        case 2: ri = floor(v); break;
        default: ri = trunc(v); break;
        }
    }
    double lo = is_unsigned ? 0.0 : -ldexp(1.0, (int)size - 1);
    double hi = is_unsigned ? ldexp(1.0, (int)size) - 1 : ldexp(1.0, (int)size - 1) - 1;
    if (ri < lo || ri > hi || isinf(v)) {
        cpu->fpscr |= FPSCR_IOC;
        ri = ri < lo ? lo : hi;
        if (isinf(v))
            ri = v < 0 ? lo : hi;
    } else if (ri != v) {
        cpu->fpscr |= FPSCR_IXC;
    }
    if (is_unsigned)
        return (uint32_t)(uint64_t)ri;
    int64_t s = (int64_t)ri;
    return size == 16 ? (uint32_t)(int32_t)(int16_t)s & 0xFFFFFFFFu : (uint32_t)(int32_t)s;
}

/* FixedToFP: integer with 'fbits' fraction bits -> float (FPSCR rounding). */
static uint32_t fixed_to_fp(cpu_t *cpu, uint32_t v, unsigned fbits, bool is_unsigned,
                            unsigned size, bool round_nearest)
{
    double x;
    if (size == 16)
        x = is_unsigned ? (double)(uint16_t)v : (double)(int16_t)v;
    else
        x = is_unsigned ? (double)v : (double)(int32_t)v;
    x = ldexp(x, -(int)fbits); /* exact */
    volatile double vx = x;
    volatile float r;
    host_fenv_t env = fenv_enter(round_nearest ? FE_TONEAREST : host_mode(cpu->fpscr));
    r = (float)vx;
    int ex = fenv_leave(env) & FE_INEXACT;
    if (ex)
        cpu->fpscr |= FPSCR_IXC;
    uint32_t res = bits_of(r);
    if ((cpu->fpscr & FPSCR_FZ) && f_is_denorm(res)) {
        cpu->fpscr |= FPSCR_UFC;
        return res & 0x80000000u;
    }
    return res;
}

/* FPSingleToHalf: IEEE half, or the alternative format (no Inf/NaN) with AHP. */
static uint16_t single_to_half(cpu_t *cpu, uint32_t a)
{
    bool ahp = cpu->fpscr & FPSCR_AHP;
    a = flush_in(cpu, a);
    uint16_t sign = (uint16_t)((a >> 16) & 0x8000);
    if (f_is_nan(a)) {
        if (ahp) {
            cpu->fpscr |= FPSCR_IOC;
            return sign;
        }
        if (f_is_snan(a))
            cpu->fpscr |= FPSCR_IOC;
        if (cpu->fpscr & FPSCR_DN)
            return 0x7E00;
        return (uint16_t)(sign | 0x7E00 | ((a >> 13) & 0x3FF));
    }
    if (f_is_inf(a)) {
        if (ahp) {
            cpu->fpscr |= FPSCR_IOC;
            return sign | 0x7FFF;
        }
        return sign | 0x7C00;
    }
    if (f_is_zero(a))
        return sign;
    /* Round the magnitude to a half with its exponent range. */
    double v = fabs((double)f_of(a));
    int e;
    frexp(v, &e); /* v = m * 2^e, 0.5 <= m < 1 */
    int exp_unb = e - 1;
    int min_exp = -14;
    int q = exp_unb < min_exp ? min_exp - 10 : exp_unb - 10; /* quantum exponent */
    double scaled = ldexp(v, -q);
    double ri;
    switch ((cpu->fpscr >> 22) & 3) {
    case 0: ri = nearbyint(scaled); break;
    case 1: ri = sign ? floor(scaled) : ceil(scaled); break;
    case 2: ri = sign ? ceil(scaled) : floor(scaled); break;
    default: ri = trunc(scaled); break;
    }
    bool inexact = ri != scaled;
    bool tiny = exp_unb < min_exp;
    /* FZ does not apply to half-precision results (FPRound, N == 16). */
    double r = ldexp(ri, q);
    double max = ahp ? 131008.0 : 65504.0;
    if (r > max) {
        if (ahp) {
            cpu->fpscr |= FPSCR_IOC;
            return sign | 0x7FFF;
        }
        cpu->fpscr |= FPSCR_OFC | FPSCR_IXC;
        unsigned rm = (cpu->fpscr >> 22) & 3;
        bool to_inf = rm == 0 || (rm == 1 && !sign) || (rm == 2 && sign);
        return to_inf ? sign | 0x7C00 : sign | 0x7BFF;
    }
    if (inexact) {
        cpu->fpscr |= FPSCR_IXC;
        if (tiny)
            cpu->fpscr |= FPSCR_UFC;
    }
    if (r == 0)
        return sign;
    int re;
    double m = frexp(r, &re);
    int hexp = re - 1 + 15;
    if (hexp <= 0) /* subnormal half */
        return (uint16_t)(sign | (uint16_t)ldexp(r, 24));
    uint16_t mant = (uint16_t)((ldexp(m, 11) - 1024.0));
    return (uint16_t)(sign | (hexp << 10) | mant);
}

static uint32_t half_to_single(cpu_t *cpu, uint16_t h)
{
    bool ahp = cpu->fpscr & FPSCR_AHP;
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    unsigned e = (h >> 10) & 0x1F, m = h & 0x3FF;
    if (e == 0x1F && !ahp) {
        if (!m)
            return sign | 0x7F800000u;
        if (!(m & 0x200))
            cpu->fpscr |= FPSCR_IOC;
        if (cpu->fpscr & FPSCR_DN)
            return DEFAULT_NAN;
        return sign | 0x7FC00000u | (m << 13);
    }
    if (e == 0) {
        if (!m)
            return sign;
        if (cpu->fpscr & FPSCR_FZ) {
            /* half denormals are not flushed: the ARM ARM FPUnpack for
             * halves ignores FZ */
        }
        float f = ldexpf((float)m, -24);
        return sign | bits_of(f);
    }
    return sign | ((e - 15 + 127) << 23) | (m << 13);
}

/* ---------------------------------------------------------------------- */
/* handlers */

#define SREG(n) (cpu->s[(n)])
#define FP_CHECK()                          \
    do {                                    \
        if (!armv7m_fp_check(cpu))          \
            return;                         \
    } while (0)

static void exec_vfp_arith(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    uint32_t n = SREG(i->rn), m = SREG(i->rm), d = SREG(i->rd), r;
    switch (i->aux) {
    case VOP_VADD: r = fp_add(cpu, n, m); break;
    case VOP_VSUB: r = fp_sub(cpu, n, m); break;
    case VOP_VMUL: r = fp_mul(cpu, n, m); break;
    case VOP_VNMUL: r = fneg(fp_mul(cpu, n, m)); break;
    case VOP_VDIV: r = fp_div(cpu, n, m); break;
    case VOP_VMLA: r = fp_add(cpu, d, fp_mul(cpu, n, m)); break;
    case VOP_VMLS: r = fp_add(cpu, d, fneg(fp_mul(cpu, n, m))); break;
    case VOP_VNMLA: r = fp_add(cpu, fneg(d), fneg(fp_mul(cpu, n, m))); break;
    case VOP_VNMLS: r = fp_add(cpu, fneg(d), fp_mul(cpu, n, m)); break;
    case VOP_VFMA: r = fp_muladd(cpu, d, n, m); break;
    case VOP_VFMS: r = fp_muladd(cpu, d, fneg(n), m); break;
    case VOP_VFNMA: r = fp_muladd(cpu, fneg(d), fneg(n), m); break;
    default: r = fp_muladd(cpu, fneg(d), n, m); break; /* VFNMS */
    }
    SREG(i->rd) = r;
}

static void exec_vfp_unary(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    uint32_t m = SREG(i->rm), r;
    switch (i->aux) {
    case VOP_VABS: r = m & 0x7FFFFFFFu; break;
    case VOP_VNEG: r = m ^ 0x80000000u; break;
    case VOP_VSQRT: r = fp_sqrt(cpu, m); break;
    case VOP_VMOV_imm: r = i->imm; break;
    default: r = m; break; /* VMOV register */
    }
    SREG(i->rd) = r;
}

/* VCMP{E}: aux bit 0 = E, bit 1 = compare with zero */
static void exec_vfp_cmp(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    uint32_t a = flush_in(cpu, SREG(i->rd));
    uint32_t b = (i->imm & 2) ? 0 : flush_in(cpu, SREG(i->rm));
    uint32_t nzcv;
    if (f_is_nan(a) || f_is_nan(b)) {
        nzcv = 0x3; /* unordered: C V */
        if ((i->imm & 1) || f_is_snan(a) || f_is_snan(b))
            cpu->fpscr |= FPSCR_IOC;
    } else {
        float fa = f_of(a), fb = f_of(b);
        if (fa == fb)
            nzcv = 0x6; /* Z C */
        else if (fa < fb)
            nzcv = 0x8; /* N */
        else
            nzcv = 0x2; /* C */
    }
    cpu->fpscr = (cpu->fpscr & 0x0FFFFFFFu) | (nzcv << 28);
}

/* VCVT float <-> integer: imm bit 0 = to integer, bit 1 = signed, bit 2 = round to zero */
static void exec_vfp_cvt_int(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    bool to_int = i->imm & 1, is_signed = i->imm & 2;
    if (to_int)
        SREG(i->rd) = fp_to_fixed(cpu, SREG(i->rm), 0, !is_signed, i->imm & 4, 32);
    else
        SREG(i->rd) = fixed_to_fp(cpu, SREG(i->rm), 0, !is_signed, 32, false);
}

/* VCVT fixed point: imm = fbits, aux2 in shift_t: bit0 to_fixed, bit1 unsigned, bit2 16-bit */
static void exec_vfp_cvt_fix(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    bool to_fixed = i->shift_t & 1, is_unsigned = i->shift_t & 2;
    unsigned size = (i->shift_t & 4) ? 16 : 32;
    if (to_fixed) {
        uint32_t v = fp_to_fixed(cpu, SREG(i->rd), i->imm, is_unsigned, true, size);
        SREG(i->rd) = size == 16 ? (is_unsigned ? v & 0xFFFF : (uint32_t)(int32_t)(int16_t)v) : v;
    } else {
        SREG(i->rd) = fixed_to_fp(cpu, SREG(i->rd), i->imm, is_unsigned, size, true);
    }
}

/* VCVTB/VCVTT: imm bit 0 = to half, bit 1 = top half */
static void exec_vfp_cvt_half(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    bool to_half = i->imm & 1, top = i->imm & 2;
    if (to_half) {
        uint16_t h = single_to_half(cpu, SREG(i->rm));
        uint32_t d = SREG(i->rd);
        SREG(i->rd) = top ? (d & 0xFFFF) | ((uint32_t)h << 16) : (d & 0xFFFF0000u) | h;
    } else {
        uint32_t m = SREG(i->rm);
        SREG(i->rd) = half_to_single(cpu, (uint16_t)(top ? m >> 16 : m));
    }
}

/* VMOV between a core register (ra) and Sn (rn); imm = 1 to core */
static void exec_vfp_mov_core(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    if (i->imm)
        cpu->r[i->ra] = SREG(i->rn);
    else
        SREG(i->rn) = cpu->r[i->ra];
}

/* VMOV two core registers (ra = Rt, rn = Rt2) and S[rm], S[rm+1] (or D halves) */
static void exec_vfp_mov_2core(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    if (i->imm) {
        cpu->r[i->ra] = SREG(i->rm);
        cpu->r[i->rn] = SREG(i->rm + 1);
    } else {
        SREG(i->rm) = cpu->r[i->ra];
        SREG(i->rm + 1) = cpu->r[i->rn];
    }
}

/* VMOV core <-> scalar D[x][idx]: rm = S index of the half */
static void exec_vfp_mov_scalar(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    if (i->imm)
        cpu->r[i->ra] = SREG(i->rm);
    else
        SREG(i->rm) = cpu->r[i->ra];
}

static void exec_vfp_vmrs(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    if (i->ra == 15) {
        uint32_t f = cpu->fpscr;
        cpu_set_nz_flags(cpu, (f >> 31) & 1, (f >> 30) & 1);
        cpu->c = (f >> 29) & 1;
        cpu->v = (f >> 28) & 1;
    } else {
        cpu->r[i->ra] = cpu->fpscr;
    }
}

static void exec_vfp_vmsr(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    cpu->fpscr = cpu->r[i->ra] & FPSCR_MASK;
}

/* VLDR/VSTR: rd = first S index, imm = offset, shift_t bit0 add, bit1 double, bit2 literal */
static void exec_vfp_ldst(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    uint32_t base = (i->shift_t & 4) ? (i->pc + 4) & ~3u : cpu->r[i->rn];
    uint32_t addr = (i->shift_t & 1) ? base + i->imm : base - i->imm;
    unsigned words = (i->shift_t & 2) ? 2 : 1;
    bool load = i->aux == VOP_VLDR;
    if (load) {
        uint32_t v[2];
        for (unsigned k = 0; k < words; k++)
            if (!cpu_read(cpu, addr + 4 * k, 4, &v[k], ACC_ALIGN))
                return;
        for (unsigned k = 0; k < words; k++)
            SREG(i->rd + k) = v[k];
    } else {
        for (unsigned k = 0; k < words; k++)
            if (!cpu_write(cpu, addr + 4 * k, 4, SREG(i->rd + k), ACC_ALIGN))
                return;
    }
}

/* VLDM/VSTM: rd = first S index, imm = word count, shift_t bit0 increment-after,
 * bit1 write-back */
static void exec_vfp_ldstm(cpu_t *cpu, const insn_t *i)
{
    FP_CHECK();
    uint32_t n = i->imm, base = cpu->r[i->rn];
    uint32_t start = (i->shift_t & 1) ? base : base - 4 * n;
    uint32_t wb = (i->shift_t & 1) ? base + 4 * n : base - 4 * n;
    if (i->aux == VOP_VLDM) {
        uint32_t v[32];
        for (unsigned k = 0; k < n; k++)
            if (!cpu_read(cpu, start + 4 * k, 4, &v[k], ACC_ALIGN))
                return;
        if (i->shift_t & 2)
            cpu->r[i->rn] = wb;
        for (unsigned k = 0; k < n; k++)
            SREG(i->rd + k) = v[k];
    } else {
        for (unsigned k = 0; k < n; k++)
            if (!cpu_write(cpu, start + 4 * k, 4, SREG(i->rd + k), ACC_ALIGN))
                return;
        if (i->shift_t & 2)
            cpu->r[i->rn] = wb;
    }
}

/* ---------------------------------------------------------------------- */
/* decoder */

#define BITS(x, hi, lo) (((x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define BIT(x, n) (((x) >> (n)) & 1u)

static void vset(insn_t *o, insn_fn fn, unsigned vop, unsigned cycles)
{
    o->fn = fn;
    o->aux = (uint16_t)vop;
    o->op = (uint16_t)(INSN_OP_VFP_BASE + vop);
    o->cycles = (uint8_t)cycles;
    o->flags |= INSN_FP;
}

static void vundef(insn_t *o)
{
    o->fn = exec_undefined;
    o->op = 0;
    o->cycles = 1;
    o->flags |= INSN_END;
}

static uint32_t vfp_expand_imm(unsigned imm8)
{
    uint32_t sign = (imm8 >> 7) & 1, b6 = (imm8 >> 6) & 1;
    uint32_t exp = ((b6 ^ 1) << 7) | (b6 ? 0x7C : 0) | ((imm8 >> 4) & 3);
    return (sign << 31) | (exp << 23) | ((imm8 & 0xF) << 19);
}

static void decode_dp(uint32_t w, insn_t *o)
{
    unsigned D = BIT(w, 22), N = BIT(w, 7), M = BIT(w, 5), op = BIT(w, 6);
    unsigned vd = (BITS(w, 15, 12) << 1) | D, vn = (BITS(w, 19, 16) << 1) | N,
             vm = (BITS(w, 3, 0) << 1) | M;
    unsigned opc1 = (BIT(w, 23) << 2) | BITS(w, 21, 20), opc2 = BITS(w, 19, 16);
    if (BIT(w, 8)) { /* sz = 1: double precision data processing */
        vundef(o);
        return;
    }
    o->rd = (uint8_t)vd;
    o->rn = (uint8_t)vn;
    o->rm = (uint8_t)vm;
    switch (opc1) {
    case 0: vset(o, exec_vfp_arith, op ? VOP_VMLS : VOP_VMLA, T_FP_MAC); return;
    case 1: vset(o, exec_vfp_arith, op ? VOP_VNMLA : VOP_VNMLS, T_FP_MAC); return;
    case 2: vset(o, exec_vfp_arith, op ? VOP_VNMUL : VOP_VMUL, T_FP); return;
    case 3: vset(o, exec_vfp_arith, op ? VOP_VSUB : VOP_VADD, T_FP); return;
    case 4:
        if (op) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_arith, VOP_VDIV, T_FP_DIV);
        return;
    case 5: vset(o, exec_vfp_arith, op ? VOP_VFNMA : VOP_VFNMS, T_FP_MAC); return;
    case 6: vset(o, exec_vfp_arith, op ? VOP_VFMS : VOP_VFMA, T_FP_MAC); return;
    default: break;
    }
    /* opc1 = 1x11: other data processing */
    if (!op && !N) {
        /* VMOV immediate (bits 7:4 must be 0000: N=0 op=0 checked, bit 5 M=0) */
        if (M || BIT(w, 4)) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_unary, VOP_VMOV_imm, T_FP);
        o->imm = vfp_expand_imm((BITS(w, 19, 16) << 4) | BITS(w, 3, 0));
        return;
    }
    if (!op) {
        vundef(o);
        return;
    }
    switch (opc2) {
    case 0x0: vset(o, exec_vfp_unary, N ? VOP_VABS : VOP_VMOV_reg, T_FP); return;
    case 0x1: vset(o, exec_vfp_unary, N ? VOP_VSQRT : VOP_VNEG, N ? T_FP_DIV : T_FP); return;
    case 0x2: case 0x3:
        vset(o, exec_vfp_cvt_half, N ? VOP_VCVTT : VOP_VCVTB, T_FP);
        o->imm = (opc2 & 1) | (N << 1);
        return;
    case 0x4: case 0x5:
        vset(o, exec_vfp_cmp, N ? VOP_VCMPE : VOP_VCMP, T_FP);
        o->imm = N | ((opc2 & 1) << 1);
        if ((opc2 & 1) && (BITS(w, 3, 0) || M)) {
            vundef(o);
            return;
        }
        return;
    case 0x8: /* VCVT.F32.<S32|U32> */
        vset(o, exec_vfp_cvt_int, VOP_VCVT_i2f, T_FP);
        o->imm = N ? 2 : 0;
        return;
    case 0xC: case 0xD: /* VCVT{R}.<U32|S32>.F32 */
        vset(o, exec_vfp_cvt_int, VOP_VCVT_f2i, T_FP);
        o->imm = 1 | ((opc2 & 1) ? 2 : 0) | (N ? 4 : 0);
        return;
    case 0xA: case 0xB: case 0xE: case 0xF: {
        /* VCVT between float and fixed point: sx = bit 7, U = bit 16, to_fixed = bit 18 */
        unsigned sx = N, u = BIT(w, 16), to_fixed = BIT(w, 18);
        unsigned size = sx ? 32 : 16;
        unsigned imm5 = (BITS(w, 3, 0) << 1) | M;
        int fbits = (int)size - (int)imm5;
        if (fbits < 0) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_cvt_fix, VOP_VCVT_fix, T_FP);
        o->imm = (uint32_t)fbits;
        o->shift_t = (uint8_t)(to_fixed | (u << 1) | (sx ? 0 : 4));
        return;
    }
    default:
        vundef(o);
        return;
    }
}

void vfp_decode(uint32_t pc, uint32_t w, uint8_t itstate, insn_t *o)
{
    (void)pc;
    (void)itstate;
    o->flags |= INSN_32;
    o->len = 4;
    unsigned coproc = BITS(w, 11, 8);
    if (coproc != 10 && coproc != 11) {
        o->fn = exec_nocp;
        o->cycles = 1;
        o->flags |= INSN_END;
        return;
    }
    bool dbl = coproc == 11;
    /* data processing */
    if ((w & 0xFF000010u) == 0xEE000000u && BITS(w, 11, 9) == 5) {
        decode_dp(w, o);
        return;
    }
    /* VMOV core <-> single */
    if ((w & 0xFFE00F7Fu) == 0xEE000A10u) {
        unsigned rt = BITS(w, 15, 12);
        if (rt == 13 || rt == 15) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_mov_core, VOP_VMOV_core, T_FP);
        o->rn = (uint8_t)((BITS(w, 19, 16) << 1) | BIT(w, 7));
        o->ra = (uint8_t)rt;
        o->imm = BIT(w, 20);
        return;
    }
    /* VMOV core <-> scalar (32-bit half of a D register) */
    if ((w & 0xFF900F1Fu) == 0xEE000B10u && !BIT(w, 22) && !BIT(w, 6) && !BIT(w, 5)) {
        unsigned rt = BITS(w, 15, 12), dreg = (BIT(w, 7) << 4) | BITS(w, 19, 16);
        if (rt == 13 || rt == 15 || dreg >= 16) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_mov_scalar, VOP_VMOV_scalar, T_FP);
        o->rm = (uint8_t)(2 * dreg + BIT(w, 21));
        o->ra = (uint8_t)rt;
        o->imm = BIT(w, 20);
        return;
    }
    /* VMRS / VMSR */
    if ((w & 0xFFEF0FFFu) == 0xEEE10A10u) {
        unsigned rt = BITS(w, 15, 12);
        bool to_core = BIT(w, 20);
        if (rt == 13 || (!to_core && rt == 15)) {
            vundef(o);
            return;
        }
        vset(o, to_core ? exec_vfp_vmrs : exec_vfp_vmsr, to_core ? VOP_VMRS : VOP_VMSR, T_FP);
        o->ra = (uint8_t)rt;
        return;
    }
    /* VMOV two core registers <-> two singles / a D register */
    if ((w & 0xFFE00ED0u) == 0xEC400A10u) {
        unsigned rt = BITS(w, 15, 12), rt2 = BITS(w, 19, 16), to_core = BIT(w, 20);
        unsigned m = dbl ? 2 * ((BIT(w, 5) << 4) | BITS(w, 3, 0)) : (BITS(w, 3, 0) << 1) | BIT(w, 5);
        if (rt == 13 || rt == 15 || rt2 == 13 || rt2 == 15 || m >= 31 || (to_core && rt == rt2)) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_mov_2core, dbl ? VOP_VMOV_dcore : VOP_VMOV_2core, T_FP);
        o->ra = (uint8_t)rt;
        o->rn = (uint8_t)rt2;
        o->rm = (uint8_t)m;
        o->imm = to_core;
        return;
    }
    /* extension register load/store */
    if ((w & 0xFE000000u) == 0xEC000000u) {
        unsigned p = BIT(w, 24), u = BIT(w, 23), wb = BIT(w, 21), l = BIT(w, 20);
        unsigned rn = BITS(w, 19, 16), imm8 = w & 0xFF;
        unsigned d = dbl ? 2 * ((BIT(w, 22) << 4) | BITS(w, 15, 12)) : (BITS(w, 15, 12) << 1) | BIT(w, 22);
        o->rn = (uint8_t)rn;
        o->rd = (uint8_t)d;
        if (p && !wb) { /* VLDR / VSTR */
            if (d + (dbl ? 2 : 1) > 32) {
                vundef(o);
                return;
            }
            vset(o, exec_vfp_ldst, l ? VOP_VLDR : VOP_VSTR, 2);
            o->imm = imm8 << 2;
            o->shift_t = (uint8_t)(u | (dbl ? 2 : 0) | (rn == 15 ? 4 : 0));
            o->flags |= l ? INSN_LOAD : INSN_STORE;
            if (rn == 15 && !l) {
                vundef(o);
                return;
            }
            return;
        }
        if (p == u && wb) {
            vundef(o);
            return;
        }
        if (!p && !u && !wb) {
            vundef(o);
            return;
        }
        unsigned words = imm8;
        if (dbl && (imm8 & 1)) { /* FLDMX/FSTMX */
            vundef(o);
            return;
        }
        if (rn == 15 || !words || d + words > 32 || (dbl && words > 32)) {
            vundef(o);
            return;
        }
        vset(o, exec_vfp_ldstm, l ? VOP_VLDM : VOP_VSTM, 1 + words);
        o->imm = words;
        o->shift_t = (uint8_t)((u ? 1 : 0) | (wb ? 2 : 0));
        o->flags |= l ? INSN_LOAD : INSN_STORE;
        return;
    }
    vundef(o);
}

/* Data accesses one FP instruction can make: its own, plus the 17 words of
 * a pending lazy state preservation that armv7m_fp_check() performs. */
unsigned vfp_access_bound(const insn_t *i)
{
    unsigned own = 0;
    if (i->fn == exec_vfp_ldstm)
        own = i->imm;
    else if (i->fn == exec_vfp_ldst)
        own = 2;
    return 17 + own;
}
