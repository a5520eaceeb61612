/*
 * FPv4-SP instructions: every op runs on special and pseudo-random single
 * precision operands under each rounding mode and with flush-to-zero and
 * default-NaN on and off; results, NZCV from compares and the cumulative
 * exception flags in FPSCR are hashed per op.
 */
#include <stdint.h>
#include <stdio.h>
#include "../common/testlib.h"

typedef void (*fop_fn)(uint32_t a, uint32_t b, uint32_t c, uint32_t *out);

static inline void set_fpscr(uint32_t v)
{
    __asm__ volatile("vmsr fpscr, %0" ::"r"(v));
}

static inline uint32_t get_fpscr(void)
{
    uint32_t v;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(v));
    return v;
}

/* Operands and result travel as bit patterns in core registers. */
#define FOP(name, body)                                                                    \
    static void f_##name(uint32_t a, uint32_t b, uint32_t c, uint32_t *out)                \
    {                                                                                      \
        uint32_t r;                                                                        \
        __asm__ volatile("vmov s0, %[a]\n\tvmov s1, %[b]\n\tvmov s2, %[c]\n\t" body       \
                         "\n\tvmov %[r], s2"                                               \
                         : [r] "=r"(r)                                                     \
                         : [a] "r"(a), [b] "r"(b), [c] "r"(c)                              \
                         : "s0", "s1", "s2", "s3", "r12");                                 \
        out[0] = r;                                                                        \
    }

FOP(vadd, "vadd.f32 s2, s0, s1")
FOP(vsub, "vsub.f32 s2, s0, s1")
FOP(vmul, "vmul.f32 s2, s0, s1")
FOP(vnmul, "vnmul.f32 s2, s0, s1")
FOP(vdiv, "vdiv.f32 s2, s0, s1")
FOP(vsqrt, "vsqrt.f32 s2, s0")
FOP(vabs, "vabs.f32 s2, s0")
FOP(vneg, "vneg.f32 s2, s0")
FOP(vmla, "vmla.f32 s2, s0, s1")
FOP(vmls, "vmls.f32 s2, s0, s1")
FOP(vnmla, "vnmla.f32 s2, s0, s1")
FOP(vnmls, "vnmls.f32 s2, s0, s1")
FOP(vfma, "vfma.f32 s2, s0, s1")
FOP(vfms, "vfms.f32 s2, s0, s1")
FOP(vfnma, "vfnma.f32 s2, s0, s1")
FOP(vfnms, "vfnms.f32 s2, s0, s1")
FOP(vmov_i, "vmov.f32 s2, #-1.375")
FOP(vmov_r, "vmov.f32 s2, s1")
FOP(vcvt_s32, "vcvt.s32.f32 s2, s0")
FOP(vcvt_u32, "vcvt.u32.f32 s2, s0")
FOP(vcvtr_s32, "vcvtr.s32.f32 s2, s0")
FOP(vcvtr_u32, "vcvtr.u32.f32 s2, s0")
FOP(vcvt_f_s32, "vcvt.f32.s32 s2, s0")
FOP(vcvt_f_u32, "vcvt.f32.u32 s2, s0")
FOP(vcvt_fx_s16, "vmov.f32 s2, s0\n\tvcvt.s16.f32 s2, s2, #7")
FOP(vcvt_fx_u32, "vmov.f32 s2, s0\n\tvcvt.u32.f32 s2, s2, #20")
FOP(vcvt_xf_s32, "vmov.f32 s2, s0\n\tvcvt.f32.s32 s2, s2, #31")
FOP(vcvt_xf_u16, "vmov.f32 s2, s0\n\tvcvt.f32.u16 s2, s2, #3")
FOP(vcvtb_f16, "vcvtb.f16.f32 s2, s0")
FOP(vcvtt_f16, "vcvtt.f16.f32 s2, s0")
FOP(vcvtb_f32, "vcvtb.f32.f16 s2, s0")
FOP(vcvtt_f32, "vcvtt.f32.f16 s2, s0")
FOP(vcmp, "vcmp.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\tmrs %[r], APSR\n\tvmov s2, %[r]")
FOP(vcmpe, "vcmpe.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\tmrs %[r], APSR\n\tvmov s2, %[r]")
FOP(vcmp0, "vcmp.f32 s0, #0\n\tvmrs APSR_nzcv, fpscr\n\tmrs %[r], APSR\n\tvmov s2, %[r]")
FOP(vcmpe0, "vcmpe.f32 s0, #0\n\tvmrs APSR_nzcv, fpscr\n\tmrs %[r], APSR\n\tvmov s2, %[r]")
FOP(vsel_it, "vcmp.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\tite gt\n\tvmovgt.f32 s2, s0\n\tvmovle.f32 s2, s1")
FOP(vld_st, "sub sp, #16\n\tvstr s0, [sp]\n\tvstr s1, [sp, #4]\n\tvldr s3, [sp]\n\tvldr s2, [sp, #4]\n\t"
            "vadd.f32 s2, s2, s3\n\tadd sp, #16")
FOP(vpush_pop, "vpush {s0-s2}\n\tvpop {s1-s3}\n\tvsub.f32 s2, s3, s1")
FOP(vmov_2, "vmov %[r], r12, d0\n\tvmov d1, %[r], r12\n\tvadd.f32 s2, s2, s3")

#define FENTRY(n) { #n, f_##n }
static const struct {
    const char *name;
    fop_fn fn;
} fops[] = {
    FENTRY(vadd), FENTRY(vsub), FENTRY(vmul), FENTRY(vnmul), FENTRY(vdiv), FENTRY(vsqrt),
    FENTRY(vabs), FENTRY(vneg), FENTRY(vmla), FENTRY(vmls), FENTRY(vnmla), FENTRY(vnmls),
    FENTRY(vfma), FENTRY(vfms), FENTRY(vfnma), FENTRY(vfnms), FENTRY(vmov_i), FENTRY(vmov_r),
    FENTRY(vcvt_s32), FENTRY(vcvt_u32), FENTRY(vcvtr_s32), FENTRY(vcvtr_u32),
    FENTRY(vcvt_f_s32), FENTRY(vcvt_f_u32), FENTRY(vcvt_fx_s16), FENTRY(vcvt_fx_u32),
    FENTRY(vcvt_xf_s32), FENTRY(vcvt_xf_u16), FENTRY(vcvtb_f16), FENTRY(vcvtt_f16),
    FENTRY(vcvtb_f32), FENTRY(vcvtt_f32), FENTRY(vcmp), FENTRY(vcmpe), FENTRY(vcmp0),
    FENTRY(vcmpe0), FENTRY(vsel_it), FENTRY(vld_st), FENTRY(vpush_pop), FENTRY(vmov_2),
};

static const uint32_t fcorner[] = {
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000,
    0x7F800001, 0xFFC12345, 0x7FA00000, 0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF,
    0xFF7FFFFF, 0x4B000000, 0x4F000000, 0xCF000000, 0x4F800000, 0x3F000000, 0x3FC00000,
    0x40490FDB, 0x33800000, 0x477FE000, 0x477FF000, 0x38800000, 0x387FC000, 0x3EAAAAAB,
};
#define NFC (sizeof fcorner / sizeof fcorner[0])

/* Random floats spread over the whole exponent range, biased to mid range. */
static uint32_t rand_float(uint32_t *s)
{
    uint32_t r = tl_rand(s);
    switch (r & 7) {
    case 0: return fcorner[(r >> 3) % NFC];
    case 1: return r & 0x807FFFFF;                         /* subnormal */
    case 2: return (r & 0x80FFFFFF) | 0x3F000000;          /* near 1 */
    case 3: return (r & 0x83FFFFFF) | 0x4B000000;          /* near 2^23 (int conversion) */
    case 4: return (tl_rand(s) & 0x80FFFFFF) | 0x4E000000; /* near 2^31 */
    default: return r;
    }
}

/* RMode (bits 23:22), FZ (24), DN (25), AHP (26) combinations. */
static const uint32_t modes[] = {
    0x00000000, 0x00400000, 0x00800000, 0x00C00000, 0x01000000, 0x02000000,
    0x03C00000, 0x04000000,
};

#define ROUNDS 160

int main(void)
{
    uint32_t all = TL_HASH_INIT;
    for (unsigned k = 0; k < sizeof fops / sizeof fops[0]; k++) {
        uint32_t seed = 0x2545F491u + 17u * k, h = TL_HASH_INIT;
        for (unsigned mi = 0; mi < sizeof modes / sizeof modes[0]; mi++) {
            for (unsigned i = 0; i < ROUNDS; i++) {
                uint32_t a = i < NFC ? fcorner[i] : rand_float(&seed);
                uint32_t b = i < NFC ? fcorner[(i * 5 + mi) % NFC] : rand_float(&seed);
                uint32_t c = rand_float(&seed);
                uint32_t out[1];
                set_fpscr(modes[mi]);
                fops[k].fn(a, b, c, out);
                uint32_t fpscr = get_fpscr();
                h = tl_hash(h, out[0]);
                h = tl_hash(h, fpscr);
            }
        }
        printf("%-12s %08lx\n", fops[k].name, (unsigned long)h);
        all = tl_hash(all, h);
    }
    set_fpscr(0);
    /* A little C arithmetic the compiler schedules freely. */
    volatile float x = 1.0f;
    float acc = 0.0f;
    for (int i = 1; i < 200; i++)
        acc += x / (float)i - (float)i * 0.001f;
    uint32_t bits;
    __builtin_memcpy(&bits, &acc, 4);
    printf("series       %08lx\n", (unsigned long)bits);
    printf("all          %08lx\n", (unsigned long)all);
    return 0;
}
