/*
 * Integer and DSP instructions: every op runs on corner and pseudo-random
 * operands with pseudo-random incoming flags (N Z C V Q GE); the result
 * registers and the resulting APSR are hashed per op and printed. Two
 * correct Cortex-M4 implementations print the same lines.
 */
#include <stdint.h>
#include <stdio.h>
#include "../common/testlib.h"

typedef void (*op_fn)(uint32_t a, uint32_t b, uint32_t c, uint32_t flags, uint32_t *out);

/* One result register, operands a, b, c, flags in, APSR out. */
#define OP(name, body)                                                                     \
    static void t_##name(uint32_t a, uint32_t b, uint32_t c, uint32_t f, uint32_t *out)    \
    {                                                                                      \
        uint32_t r = 0x5A5A5A5A, p;                                                       \
        __asm__ volatile("msr APSR_nzcvqg, %[f]\n\t" body "\n\tmrs %[p], APSR"            \
                         : [r] "+&r"(r), [p] "=&r"(p)                                      \
                         : [a] "r"(a), [b] "r"(b), [c] "r"(c), [f] "r"(f)                 \
                         : "cc");                                                          \
        out[0] = r;                                                                        \
        out[1] = p;                                                                        \
    }
/* Two result registers (long multiplies): lo/hi start as a and c. */
#define OP64(name, body)                                                                   \
    static void t_##name(uint32_t a, uint32_t b, uint32_t c, uint32_t f, uint32_t *out)    \
    {                                                                                      \
        uint32_t lo = a ^ 0x0F0F0F0F, hi = c, p;                                          \
        __asm__ volatile("msr APSR_nzcvqg, %[f]\n\t" body "\n\tmrs %[p], APSR"            \
                         : [lo] "+&r"(lo), [hi] "+&r"(hi), [p] "=&r"(p)                    \
                         : [a] "r"(a), [b] "r"(b), [f] "r"(f)                              \
                         : "cc");                                                          \
        out[0] = lo ^ (hi * 31u);                                                          \
        out[1] = p;                                                                        \
    }

/* data processing, register */
OP(adds, "adds %[r], %[a], %[b]")
OP(adcs, "adcs.w %[r], %[a], %[b]")
OP(subs, "subs %[r], %[a], %[b]")
OP(sbcs, "sbcs.w %[r], %[a], %[b]")
OP(rsbs, "rsbs.w %[r], %[a], %[b]")
OP(rsbs0, "rsbs %[r], %[a], #0")
OP(ands, "ands.w %[r], %[a], %[b]")
OP(orrs, "orrs.w %[r], %[a], %[b]")
OP(eors, "eors.w %[r], %[a], %[b]")
OP(bics, "bics.w %[r], %[a], %[b]")
OP(orns, "orns %[r], %[a], %[b]")
OP(mvns, "mvns.w %[r], %[a]")
OP(cmp, "cmp %[a], %[b]")
OP(cmn, "cmn %[a], %[b]")
OP(tst, "tst %[a], %[b]")
OP(teq, "teq %[a], %[b]")
/* shifted register operands */
OP(add_lsl, "adds.w %[r], %[a], %[b], lsl #7")
OP(sub_lsr, "subs.w %[r], %[a], %[b], lsr #1")
OP(and_asr, "ands.w %[r], %[a], %[b], asr #31")
OP(orr_ror, "orrs.w %[r], %[a], %[b], ror #13")
OP(eor_rrx, "eors.w %[r], %[a], %[b], rrx")
OP(mov_rrx, "rrxs %[r], %[a]")
OP(adc_asr, "adcs.w %[r], %[a], %[b], asr #3")
OP(rsb_lsl, "rsb.w %[r], %[a], %[b], lsl #31")
OP(mvn_lsr, "mvns.w %[r], %[a], lsr #32")
OP(bic_asr, "bics.w %[r], %[a], %[b], asr #32")
/* shifts by register and immediate */
OP(lsls_r, "lsls.w %[r], %[a], %[b]")
OP(lsrs_r, "lsrs.w %[r], %[a], %[b]")
OP(asrs_r, "asrs.w %[r], %[a], %[b]")
OP(rors_r, "rors.w %[r], %[a], %[b]")
OP(lsls_1, "lsls %[r], %[a], #1")
OP(lsrs_32, "lsrs.w %[r], %[a], #32")
OP(asrs_32, "asrs.w %[r], %[a], #32")
OP(rors_9, "rors.w %[r], %[a], #9")
/* modified immediates (ThumbExpandImm, carry from the rotation) */
OP(adds_i1, "adds.w %[r], %[a], #0xAB")
OP(adds_i2, "adds.w %[r], %[a], #0x00AB00AB")
OP(subs_i3, "subs.w %[r], %[a], #0xAB00AB00")
OP(ands_i4, "ands.w %[r], %[a], #0xABABABAB")
OP(ands_rot, "ands.w %[r], %[a], #0x80000000")
OP(orrs_rot, "orrs.w %[r], %[a], #0x3FC00")
OP(movs_rot, "movs.w %[r], #0xFF000000")
OP(mvns_rot, "mvns.w %[r], #0x00FF0000")
OP(teq_rot, "teq.w %[a], #0xC0000000")
OP(cmp_i, "cmp.w %[a], #0x1F00")
OP(adc_i, "adc.w %[r], %[a], #0x55")
OP(sbc_i, "sbcs.w %[r], %[a], #0x7F000000")
OP(rsb_i, "rsbs.w %[r], %[a], #0x100")
OP(addw, "addw %[r], %[a], #0xFFF")
OP(subw, "subw %[r], %[a], #0xABC")
OP(movw, "movw %[r], #0xBEEF")
OP(movt, "mov %[r], %[a]\n\tmovt %[r], #0xCAFE")
/* 16-bit forms */
OP(adds8, "mov %[r], %[a]\n\tadds %[r], #200")
OP(subs8, "mov %[r], %[a]\n\tsubs %[r], #77")
OP(muls16, "mov %[r], %[a]\n\tmuls %[r], %[b], %[r]")
OP(negs16, "negs %[r], %[a]")
/* bit manipulation */
OP(clz, "clz %[r], %[a]")
OP(rbit, "rbit %[r], %[a]")
OP(rev, "rev.w %[r], %[a]")
OP(rev16, "rev16.w %[r], %[a]")
OP(revsh, "revsh.w %[r], %[a]")
OP(ubfx, "ubfx %[r], %[a], #5, #11")
OP(sbfx, "sbfx %[r], %[a], #3, #17")
OP(sbfx32, "sbfx %[r], %[a], #0, #32")
OP(bfi, "mov %[r], %[b]\n\tbfi %[r], %[a], #9, #13")
OP(bfc, "mov %[r], %[a]\n\tbfc %[r], #4, #24")
/* extend */
OP(sxtb, "sxtb.w %[r], %[a], ror #8")
OP(sxth, "sxth.w %[r], %[a], ror #16")
OP(uxtb, "uxtb.w %[r], %[a], ror #24")
OP(uxth, "uxth.w %[r], %[a]")
OP(sxtab, "sxtab %[r], %[a], %[b], ror #8")
OP(sxtah, "sxtah %[r], %[a], %[b]")
OP(uxtab, "uxtab %[r], %[a], %[b], ror #16")
OP(uxtah, "uxtah %[r], %[a], %[b], ror #24")
OP(sxtb16, "sxtb16 %[r], %[a], ror #8")
OP(uxtb16, "uxtb16 %[r], %[a]")
OP(sxtab16, "sxtab16 %[r], %[a], %[b], ror #16")
OP(uxtab16, "uxtab16 %[r], %[a], %[b], ror #24")
/* multiply and divide */
OP(mul, "mul %[r], %[a], %[b]")
OP(mla, "mla %[r], %[a], %[b], %[c]")
OP(mls, "mls %[r], %[a], %[b], %[c]")
OP(sdiv, "sdiv %[r], %[a], %[b]")
OP(udiv, "udiv %[r], %[a], %[b]")
OP64(umull, "umull %[lo], %[hi], %[a], %[b]")
OP64(smull, "smull %[lo], %[hi], %[a], %[b]")
OP64(umlal, "umlal %[lo], %[hi], %[a], %[b]")
OP64(smlal, "smlal %[lo], %[hi], %[a], %[b]")
OP64(umaal, "umaal %[lo], %[hi], %[a], %[b]")
OP64(smlalbb, "smlalbb %[lo], %[hi], %[a], %[b]")
OP64(smlaltb, "smlaltb %[lo], %[hi], %[a], %[b]")
OP64(smlald, "smlald %[lo], %[hi], %[a], %[b]")
OP64(smlaldx, "smlaldx %[lo], %[hi], %[a], %[b]")
OP64(smlsld, "smlsld %[lo], %[hi], %[a], %[b]")
OP64(smlsldx, "smlsldx %[lo], %[hi], %[a], %[b]")
/* DSP: halfword multiplies */
OP(smulbb, "smulbb %[r], %[a], %[b]")
OP(smultb, "smultb %[r], %[a], %[b]")
OP(smulbt, "smulbt %[r], %[a], %[b]")
OP(smultt, "smultt %[r], %[a], %[b]")
OP(smlabb, "smlabb %[r], %[a], %[b], %[c]")
OP(smlatt, "smlatt %[r], %[a], %[b], %[c]")
OP(smulwb, "smulwb %[r], %[a], %[b]")
OP(smulwt, "smulwt %[r], %[a], %[b]")
OP(smlawb, "smlawb %[r], %[a], %[b], %[c]")
OP(smlawt, "smlawt %[r], %[a], %[b], %[c]")
OP(smuad, "smuad %[r], %[a], %[b]")
OP(smuadx, "smuadx %[r], %[a], %[b]")
OP(smusd, "smusd %[r], %[a], %[b]")
OP(smusdx, "smusdx %[r], %[a], %[b]")
OP(smlad, "smlad %[r], %[a], %[b], %[c]")
OP(smladx, "smladx %[r], %[a], %[b], %[c]")
OP(smlsd, "smlsd %[r], %[a], %[b], %[c]")
OP(smlsdx, "smlsdx %[r], %[a], %[b], %[c]")
OP(smmul, "smmul %[r], %[a], %[b]")
OP(smmulr, "smmulr %[r], %[a], %[b]")
OP(smmla, "smmla %[r], %[a], %[b], %[c]")
OP(smmlar, "smmlar %[r], %[a], %[b], %[c]")
OP(smmls, "smmls %[r], %[a], %[b], %[c]")
OP(smmlsr, "smmlsr %[r], %[a], %[b], %[c]")
OP(usad8, "usad8 %[r], %[a], %[b]")
OP(usada8, "usada8 %[r], %[a], %[b], %[c]")
/* saturation */
OP(ssat, "ssat %[r], #16, %[a]")
OP(ssat_sh, "ssat %[r], #9, %[a], asr #5")
OP(ssat1, "ssat %[r], #1, %[a], lsl #3")
OP(usat, "usat %[r], #8, %[a]")
OP(usat_sh, "usat %[r], #31, %[a], lsl #2")
OP(usat0, "usat %[r], #0, %[a]")
OP(ssat16, "ssat16 %[r], #8, %[a]")
OP(usat16, "usat16 %[r], #4, %[a]")
OP(qadd, "qadd %[r], %[a], %[b]")
OP(qsub, "qsub %[r], %[a], %[b]")
OP(qdadd, "qdadd %[r], %[a], %[b]")
OP(qdsub, "qdsub %[r], %[a], %[b]")
/* SIMD add/subtract */
OP(sadd16, "sadd16 %[r], %[a], %[b]")
OP(sasx, "sasx %[r], %[a], %[b]")
OP(ssax, "ssax %[r], %[a], %[b]")
OP(ssub16, "ssub16 %[r], %[a], %[b]")
OP(sadd8, "sadd8 %[r], %[a], %[b]")
OP(ssub8, "ssub8 %[r], %[a], %[b]")
OP(qadd16, "qadd16 %[r], %[a], %[b]")
OP(qasx, "qasx %[r], %[a], %[b]")
OP(qsax, "qsax %[r], %[a], %[b]")
OP(qsub16, "qsub16 %[r], %[a], %[b]")
OP(qadd8, "qadd8 %[r], %[a], %[b]")
OP(qsub8, "qsub8 %[r], %[a], %[b]")
OP(shadd16, "shadd16 %[r], %[a], %[b]")
OP(shasx, "shasx %[r], %[a], %[b]")
OP(shsax, "shsax %[r], %[a], %[b]")
OP(shsub16, "shsub16 %[r], %[a], %[b]")
OP(shadd8, "shadd8 %[r], %[a], %[b]")
OP(shsub8, "shsub8 %[r], %[a], %[b]")
OP(uadd16, "uadd16 %[r], %[a], %[b]")
OP(uasx, "uasx %[r], %[a], %[b]")
OP(usax, "usax %[r], %[a], %[b]")
OP(usub16, "usub16 %[r], %[a], %[b]")
OP(uadd8, "uadd8 %[r], %[a], %[b]")
OP(usub8, "usub8 %[r], %[a], %[b]")
OP(uqadd16, "uqadd16 %[r], %[a], %[b]")
OP(uqasx, "uqasx %[r], %[a], %[b]")
OP(uqsax, "uqsax %[r], %[a], %[b]")
OP(uqsub16, "uqsub16 %[r], %[a], %[b]")
OP(uqadd8, "uqadd8 %[r], %[a], %[b]")
OP(uqsub8, "uqsub8 %[r], %[a], %[b]")
OP(uhadd16, "uhadd16 %[r], %[a], %[b]")
OP(uhasx, "uhasx %[r], %[a], %[b]")
OP(uhsax, "uhsax %[r], %[a], %[b]")
OP(uhsub16, "uhsub16 %[r], %[a], %[b]")
OP(uhadd8, "uhadd8 %[r], %[a], %[b]")
OP(uhsub8, "uhsub8 %[r], %[a], %[b]")
OP(sel, "sel %[r], %[a], %[b]")
OP(pkhbt, "pkhbt %[r], %[a], %[b], lsl #11")
OP(pkhtb, "pkhtb %[r], %[a], %[b], asr #7")
OP(pkhtb32, "pkhtb %[r], %[a], %[b], asr #32")
/* conditional execution: IT blocks with flag-setting 16-bit ops inside */
OP(it_mix, "itte hi\n\taddhi %[r], %[a], %[b]\n\tsubhi %[r], %[r], #1\n\tmovls %[r], %[c]")
OP(it_cmp, "cmp %[a], %[b]\n\tite lt\n\tmovlt %[r], %[a]\n\tmovge %[r], %[b]")
OP(it_four, "mov %[r], #0\n\titttt ne\n\taddne %[r], %[r], #1\n\taddne %[r], %[r], #2\n\taddne %[r], %[r], #4\n\taddne %[r], %[r], #8")
OP(it_flags, "ittt cs\n\tlslcs %[r], %[a], #3\n\taddcs %[r], %[b]\n\tcmpcs %[r], %[c]")

#define ENTRY(n) { #n, t_##n }
static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    ENTRY(adds), ENTRY(adcs), ENTRY(subs), ENTRY(sbcs), ENTRY(rsbs), ENTRY(rsbs0), ENTRY(ands),
    ENTRY(orrs), ENTRY(eors), ENTRY(bics), ENTRY(orns), ENTRY(mvns), ENTRY(cmp), ENTRY(cmn),
    ENTRY(tst), ENTRY(teq), ENTRY(add_lsl), ENTRY(sub_lsr), ENTRY(and_asr), ENTRY(orr_ror),
    ENTRY(eor_rrx), ENTRY(mov_rrx), ENTRY(adc_asr), ENTRY(rsb_lsl), ENTRY(mvn_lsr),
    ENTRY(bic_asr), ENTRY(lsls_r), ENTRY(lsrs_r), ENTRY(asrs_r), ENTRY(rors_r), ENTRY(lsls_1),
    ENTRY(lsrs_32), ENTRY(asrs_32), ENTRY(rors_9), ENTRY(adds_i1), ENTRY(adds_i2),
    ENTRY(subs_i3), ENTRY(ands_i4), ENTRY(ands_rot), ENTRY(orrs_rot), ENTRY(movs_rot),
    ENTRY(mvns_rot), ENTRY(teq_rot), ENTRY(cmp_i), ENTRY(adc_i), ENTRY(sbc_i), ENTRY(rsb_i),
    ENTRY(addw), ENTRY(subw), ENTRY(movw), ENTRY(movt), ENTRY(adds8), ENTRY(subs8),
    ENTRY(muls16), ENTRY(negs16), ENTRY(clz), ENTRY(rbit), ENTRY(rev), ENTRY(rev16),
    ENTRY(revsh), ENTRY(ubfx), ENTRY(sbfx), ENTRY(sbfx32), ENTRY(bfi), ENTRY(bfc), ENTRY(sxtb),
    ENTRY(sxth), ENTRY(uxtb), ENTRY(uxth), ENTRY(sxtab), ENTRY(sxtah), ENTRY(uxtab),
    ENTRY(uxtah), ENTRY(sxtb16), ENTRY(uxtb16), ENTRY(sxtab16), ENTRY(uxtab16), ENTRY(mul),
    ENTRY(mla), ENTRY(mls), ENTRY(sdiv), ENTRY(udiv), ENTRY(umull), ENTRY(smull), ENTRY(umlal),
    ENTRY(smlal), ENTRY(umaal), ENTRY(smlalbb), ENTRY(smlaltb), ENTRY(smlald), ENTRY(smlaldx),
    ENTRY(smlsld), ENTRY(smlsldx), ENTRY(smulbb), ENTRY(smultb), ENTRY(smulbt), ENTRY(smultt),
    ENTRY(smlabb), ENTRY(smlatt), ENTRY(smulwb), ENTRY(smulwt), ENTRY(smlawb), ENTRY(smlawt),
    ENTRY(smuad), ENTRY(smuadx), ENTRY(smusd), ENTRY(smusdx), ENTRY(smlad), ENTRY(smladx),
    ENTRY(smlsd), ENTRY(smlsdx), ENTRY(smmul), ENTRY(smmulr), ENTRY(smmla), ENTRY(smmlar),
    ENTRY(smmls), ENTRY(smmlsr), ENTRY(usad8), ENTRY(usada8), ENTRY(ssat), ENTRY(ssat_sh),
    ENTRY(ssat1), ENTRY(usat), ENTRY(usat_sh), ENTRY(usat0), ENTRY(ssat16), ENTRY(usat16),
    ENTRY(qadd), ENTRY(qsub), ENTRY(qdadd), ENTRY(qdsub), ENTRY(sadd16), ENTRY(sasx),
    ENTRY(ssax), ENTRY(ssub16), ENTRY(sadd8), ENTRY(ssub8), ENTRY(qadd16), ENTRY(qasx),
    ENTRY(qsax), ENTRY(qsub16), ENTRY(qadd8), ENTRY(qsub8), ENTRY(shadd16), ENTRY(shasx),
    ENTRY(shsax), ENTRY(shsub16), ENTRY(shadd8), ENTRY(shsub8), ENTRY(uadd16), ENTRY(uasx),
    ENTRY(usax), ENTRY(usub16), ENTRY(uadd8), ENTRY(usub8), ENTRY(uqadd16), ENTRY(uqasx),
    ENTRY(uqsax), ENTRY(uqsub16), ENTRY(uqadd8), ENTRY(uqsub8), ENTRY(uhadd16), ENTRY(uhasx),
    ENTRY(uhsax), ENTRY(uhsub16), ENTRY(uhadd8), ENTRY(uhsub8), ENTRY(sel), ENTRY(pkhbt),
    ENTRY(pkhtb), ENTRY(pkhtb32), ENTRY(it_mix), ENTRY(it_cmp), ENTRY(it_four), ENTRY(it_flags),
};

#define ROUNDS 400

int main(void)
{
    uint32_t all = TL_HASH_INIT;
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        uint32_t seed = 0x9E3779B9u + k, h = TL_HASH_INIT;
        for (unsigned i = 0; i < ROUNDS; i++) {
            uint32_t a = tl_operand(&seed, i % (TL_NCORNER + 1) == TL_NCORNER ? 99 : i % TL_NCORNER);
            uint32_t b = i < TL_NCORNER * 2 ? tl_corner[(i * 7) % TL_NCORNER] : tl_rand(&seed);
            uint32_t c = tl_rand(&seed);
            if (i >= TL_NCORNER)
                a = tl_rand(&seed) >> (i & 31);
            uint32_t f = tl_rand(&seed) & 0xF80F0000u;
            uint32_t out[2];
            ops[k].fn(a, b, c, f, out);
            h = tl_hash(h, out[0]);
            h = tl_hash(h, out[1] & 0xF80F0000u);
        }
        printf("%-10s %08lx\n", ops[k].name, (unsigned long)h);
        all = tl_hash(all, h);
    }
    printf("all        %08lx\n", (unsigned long)all);
    return 0;
}
