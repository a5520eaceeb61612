#!/usr/bin/env python3
"""
Generate tests/cpu/isa_cases.h: table-driven single-instruction cases for
test_isa_table.c. Each case is one instruction (assembled here with
arm-none-eabi-as), its inputs (r0-r3, APSR, s0-s3, FPSCR) and the expected
outputs. The expected outputs come from running every case on QEMU
(mps2-an386) in a generated firmware, so the table is a record of an
independent implementation; every case was then also checked against the
ARMv7-M ARM by hand where QEMU and the architecture could differ (none of
these cases is such a place). Cycle counts are from the Cortex-M4 TRM
table 3-1 (0 = not checked: data-dependent).

    tests/cpu/gen_isa_cases.py OUT.h        (needs arm-none-eabi-gcc and qemu-system-arm)
"""
import os, subprocess, sys, tempfile, itertools

CORNER = [0x00000000, 0x00000001, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x0000001F,
          0x00000020, 0x00000021, 0x000000FF, 0x00008000, 0x7FFF8000, 0x80017FFF,
          0x12345678, 0xFEDCBA98, 0x00FF00FF, 0x7F7F8080]
FLAGS = [0x00000000, 0x20000000, 0xF80F0000, 0x60000000, 0x90050000]  # none, C, all+Q+GE, ZC, NV+GE

cases = []  # (asm, cycles, regs_in[4], apsr_in, fp_in[4], fpscr_in)

def add(asm, cyc, regs, apsr=0, fp=(0, 0, 0, 0), fpscr=0):
    regs = list(regs) + [0] * (4 - len(regs))
    cases.append((asm, cyc, [r & 0xFFFFFFFF for r in regs], apsr, list(fp), fpscr))

def pairs(vals, n):
    out = []
    for k in range(n):
        out.append((vals[(k * 7) % len(vals)], vals[(k * 5 + 3) % len(vals)]))
    return out

# ---- shifts: by immediate (incl. #32 encodings) and by register (0, 1, 31, 32, 33, 255, 256+4)
for op in ["lsls", "lsrs", "asrs"]:
    for imm in [1, 31, 32] if op != "lsls" else [1, 31]:
        for v in [0x80000001, 0x7FFFFFFF, 0x00000001]:
            for fl in [0x00000000, 0x20000000]:
                add(f"{op} r0, r1, #{imm}", 1, [0, v], fl)
for op in ["lsls.w", "lsrs.w", "asrs.w", "rors.w"]:
    for amt in [0, 1, 31, 32, 33, 255, 260]:
        for v in [0x80000001, 0x40000000]:
            add(f"{op} r0, r1, r2", 1, [0, v, amt], 0x20000000 if amt == 0 else 0)
for v in [0x00000001, 0x80000000]:
    for fl in [0, 0x20000000]:
        add("rrxs r0, r1", 1, [0, v], fl)
        add("movs.w r0, r1, ror #1", 1, [0, v], fl)
# ---- data processing with shifted register operands and modified immediates
for asm in ["adds.w r0, r1, r2, lsl #3", "subs.w r0, r1, r2, asr #31", "ands.w r0, r1, r2, ror #8",
            "eors.w r0, r1, r2, lsr #32", "orrs.w r0, r1, r2, rrx", "bics.w r0, r1, r2, lsl #1",
            "orns r0, r1, r2, asr #4", "mvns.w r0, r2, lsr #1", "teq.w r1, r2, lsl #31",
            "tst.w r1, r2, ror #31", "cmn.w r1, r2", "cmp.w r1, r2, asr #1",
            "adcs.w r0, r1, r2", "sbcs.w r0, r1, r2", "rsbs r0, r1, r2, lsl #2"]:
    for k, (a, b) in enumerate(pairs(CORNER, 5)):
        add(asm, 1, [0, a, b], FLAGS[k % len(FLAGS)])
for asm in ["adds r0, r1, #0x80000000", "ands r0, r1, #0xFF00FF00", "orrs r0, r1, #0x00AB00AB",
            "eors r0, r1, #0x3FC", "bics r0, r1, #0xFFFFFFFF", "movs.w r0, #0x80000000",
            "mvns r0, #0x3FC", "tst r1, #0x80000000", "cmp.w r1, #1", "cmn.w r1, #1",
            "adcs r0, r1, #0", "sbcs r0, r1, #0", "rsbs.w r0, r1, #0", "addw r0, r1, #4095",
            "subw r0, r1, #4095", "movw r0, #0xFFFF", "movt r0, #0x8001"]:
    for k, a in enumerate([0x00000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]):
        add(asm, 1, [0x12345678, a], FLAGS[k % len(FLAGS)])
# 16-bit forms: flags set outside IT
for asm in ["adds r0, r1, r2", "subs r0, r1, #7", "adcs r0, r2", "sbcs r0, r2", "negs r0, r1",
            "muls r0, r1, r0", "cmp r1, r2", "cmn r1, r2", "mvns r0, r1", "lsls r0, r2", "rors r0, r2"]:
    for k, (a, b) in enumerate(pairs(CORNER, 4)):
        add(asm, 1, [a, a, b], FLAGS[k % len(FLAGS)])
# ---- multiply, long multiply, divide
for asm, cyc in [("mul r0, r1, r2", 1), ("mla r0, r1, r2, r3", 2), ("mls r0, r1, r2, r3", 2),
                 ("umull r0, r1, r2, r3", 1), ("smull r0, r1, r2, r3", 1),
                 ("umlal r0, r1, r2, r3", 1), ("smlal r0, r1, r2, r3", 1), ("umaal r0, r1, r2, r3", 1)]:
    for a, b in [(0xFFFFFFFF, 0xFFFFFFFF), (0x80000000, 0x80000000), (0x7FFFFFFF, 0x80000001),
                 (0x12345678, 0x9ABCDEF0)]:
        add(asm, cyc, [0xFFFFFFFF, 0x7FFFFFFF, a, b])
for asm in ["sdiv r0, r1, r2", "udiv r0, r1, r2"]:
    for a, b in [(7, 2), (-7, 2), (7, -2), (0x80000000, 0xFFFFFFFF), (5, 0), (0xFFFFFFFF, 1),
                 (0, 0x80000000), (100, 0xFFFFFFFF)]:
        add(asm, 0, [0, a, b])
# ---- saturation, Q flag
for asm in ["ssat r0, #8, r1", "ssat r0, #1, r1", "ssat r0, #32, r1", "ssat r0, #16, r1, asr #4",
            "usat r0, #8, r1", "usat r0, #0, r1", "usat r0, #31, r1", "usat r0, #4, r1, lsl #2",
            "ssat16 r0, #4, r1", "usat16 r0, #4, r1", "ssat16 r0, #16, r1", "usat16 r0, #15, r1"]:
    for v in [0x00000080, 0xFFFFFF7F, 0x7FFFFFFF, 0x80000000, 0x00000005, 0x7FFF8000, 0x00090007]:
        add(asm, 1, [0, v], 0)
for asm in ["qadd r0, r1, r2", "qsub r0, r1, r2", "qdadd r0, r1, r2", "qdsub r0, r1, r2"]:
    for a, b in [(0x7FFFFFFF, 1), (0x80000000, 0xFFFFFFFF), (0x40000000, 0x40000000), (5, 3),
                 (0x80000000, 0x40000000)]:
        add(asm, 1, [0, a, b], 0)
add("qadd r0, r1, r2", 1, [0, 1, 2], 0x08000000)  # Q sticky
# ---- bit-field, bit operations, extends, reverses
for asm in ["sbfx r0, r1, #0, #1", "sbfx r0, r1, #31, #1", "sbfx r0, r1, #4, #28", "ubfx r0, r1, #0, #32",
            "ubfx r0, r1, #8, #8", "bfi r0, r1, #0, #32", "bfi r0, r1, #31, #1", "bfi r0, r1, #4, #8",
            "bfc r0, #0, #32", "bfc r0, #12, #8", "clz r0, r1", "rbit r0, r1", "rev r0, r1",
            "rev16 r0, r1", "revsh r0, r1", "sxtb r0, r1", "sxth.w r0, r1, ror #8", "uxtb.w r0, r1, ror #16",
            "uxth.w r0, r1, ror #24", "sxtab r0, r2, r1", "sxtah r0, r2, r1, ror #8", "uxtab r0, r2, r1, ror #16",
            "uxtah r0, r2, r1", "sxtb16 r0, r1", "uxtb16 r0, r1, ror #8", "sxtab16 r0, r2, r1",
            "uxtab16 r0, r2, r1, ror #24"]:
    for v in [0x00000000, 0x80000001, 0xF0F0807F, 0x12345678]:
        add(asm, 1, [0xA5A5A5A5, v, 0x80017FFF])
# ---- parallel add/subtract with GE, SEL
for pre in ["s", "q", "sh", "u", "uq", "uh"]:
    for op in ["add16", "asx", "sax", "sub16", "add8", "sub8"]:
        for a, b in [(0x7FFF8000, 0x00018000), (0x80807F7F, 0x7F808001), (0xFFFF0001, 0x0001FFFF),
                     (0x12345678, 0x9ABCDEF0)]:
            add(f"{pre}{op} r0, r1, r2", 1, [0, a, b], 0x000F0000)
for ge in [0x00000000, 0x00050000, 0x000A0000, 0x000F0000]:
    add("sel r0, r1, r2", 1, [0, 0x11223344, 0xAABBCCDD], ge)
for asm in ["usad8 r0, r1, r2", "usada8 r0, r1, r2, r3"]:
    for a, b in [(0x00FF00FF, 0xFF00FF00), (0x01020304, 0x04030201), (0x80808080, 0x7F7F7F7F)]:
        add(asm, 1, [0, a, b, 0xFFFFFF00])
for asm in ["pkhbt r0, r1, r2", "pkhbt r0, r1, r2, lsl #16", "pkhtb r0, r1, r2, asr #16",
            "pkhtb r0, r1, r2, asr #31"]:
    for a, b in [(0x11112222, 0x33334444), (0x80008000, 0x80018002)]:
        add(asm, 1, [0, a, b])
# ---- DSP multiplies
for asm in ["smulbb r0, r1, r2", "smulbt r0, r1, r2", "smultb r0, r1, r2", "smultt r0, r1, r2",
            "smlabb r0, r1, r2, r3", "smlatt r0, r1, r2, r3", "smlabt r0, r1, r2, r3",
            "smulwb r0, r1, r2", "smulwt r0, r1, r2", "smlawb r0, r1, r2, r3", "smlawt r0, r1, r2, r3",
            "smuad r0, r1, r2", "smuadx r0, r1, r2", "smusd r0, r1, r2", "smusdx r0, r1, r2",
            "smlad r0, r1, r2, r3", "smladx r0, r1, r2, r3", "smlsd r0, r1, r2, r3", "smlsdx r0, r1, r2, r3",
            "smmul r0, r1, r2", "smmulr r0, r1, r2", "smmla r0, r1, r2, r3", "smmlar r0, r1, r2, r3",
            "smmls r0, r1, r2, r3", "smmlsr r0, r1, r2, r3"]:
    for a, b, c in [(0x80008000, 0x80008000, 0x7FFFFFFF), (0x7FFF7FFF, 0x80018000, 0x00000001),
                    (0x12345678, 0x9ABCDEF0, 0x80000000), (0xFFFFFFFF, 0x00000001, 0xFFFFFFFF)]:
        add(asm, 1, [0, a, b, c], 0)
for asm in ["smlalbb r0, r1, r2, r3", "smlaltt r0, r1, r2, r3", "smlald r0, r1, r2, r3",
            "smlaldx r0, r1, r2, r3", "smlsld r0, r1, r2, r3", "smlsldx r0, r1, r2, r3"]:
    for a, b in [(0x80008000, 0x80008000), (0x7FFF0001, 0x8000FFFF)]:
        add(asm, 1, [0xFFFFFFFF, 0x7FFFFFFF, a, b], 0)
# ---- MRS/MSR APSR
for v in [0xF80F0000, 0x00000000, 0x50030000]:
    add("msr APSR_nzcvqg, r1\n\tmrs r0, APSR", 0, [0, v])
    add("msr APSR_nzcvq, r1\n\tmrs r0, APSR", 0, [0, v], 0x000F0000)
    add("msr APSR_g, r1\n\tmrs r0, APSR", 0, [0, v], 0xF8000000)

# ---- floating point: bit patterns
F = dict(z=0x00000000, nz=0x80000000, one=0x3F800000, mone=0xBF800000, two=0x40000000,
         third=0x3EAAAAAB, inf=0x7F800000, ninf=0xFF800000, qnan=0x7FC00001, snan=0x7F800001,
         nsnan=0xFF812345, den=0x00000001, bigden=0x007FFFFF, minn=0x00800000, maxf=0x7F7FFFFF,
         half=0x3F000000, big=0x4F000000, nbig=0xCF000001, tenth=0x3DCCCCCD, m15=0xBFC00000,
         h25=0x40200000, h35=0x40600000)
RM = [0 << 22, 1 << 22, 2 << 22, 3 << 22]
FZ, DN, AHP = 1 << 24, 1 << 25, 1 << 26
fp_pairs = [("one", "third"), ("maxf", "maxf"), ("minn", "half"), ("den", "one"), ("inf", "ninf"),
            ("qnan", "snan"), ("snan", "qnan"), ("z", "nz"), ("bigden", "minn"), ("tenth", "third"),
            ("nsnan", "one"), ("inf", "z")]
for asm in ["vadd.f32 s0, s1, s2", "vsub.f32 s0, s1, s2", "vmul.f32 s0, s1, s2", "vdiv.f32 s0, s1, s2",
            "vnmul.f32 s0, s1, s2", "vmla.f32 s0, s1, s2", "vmls.f32 s0, s1, s2", "vnmla.f32 s0, s1, s2",
            "vnmls.f32 s0, s1, s2", "vfma.f32 s0, s1, s2", "vfms.f32 s0, s1, s2", "vfnma.f32 s0, s1, s2",
            "vfnms.f32 s0, s1, s2"]:
    for k, (a, b) in enumerate(fp_pairs):
        fpscr = RM[k % 4] | (FZ if k in (2, 3, 8) else 0) | (DN if k in (5, 6, 10) else 0)
        add(asm, 0, [], 0, (F["third"], F[a], F[b], 0), fpscr)
for asm in ["vsqrt.f32 s0, s1", "vabs.f32 s0, s1", "vneg.f32 s0, s1", "vmov.f32 s0, s1",
            "vcvt.s32.f32 s0, s1", "vcvtr.s32.f32 s0, s1", "vcvt.u32.f32 s0, s1", "vcvtr.u32.f32 s0, s1",
            "vcvt.f32.s32 s0, s1", "vcvt.f32.u32 s0, s1", "vcvtb.f16.f32 s0, s1", "vcvtt.f16.f32 s0, s1",
            "vcvtb.f32.f16 s0, s1", "vcvtt.f32.f16 s0, s1", "vcvt.s32.f32 s1, s1, #16",
            "vcvt.u16.f32 s1, s1, #8", "vcvt.f32.s16 s1, s1, #4", "vcvt.f32.u32 s1, s1, #32"]:
    for k, a in enumerate(["one", "m15", "h25", "h35", "mone", "big", "nbig", "snan", "qnan", "den",
                           "inf", "maxf", "tenth", "nz", "minn"]):
        fpscr = RM[k % 4] | (FZ if k in (9, 14) else 0) | (DN if k in (7, 8) else 0) | (AHP if k in (10, 11) else 0)
        add(asm, 0, [], 0, (0x12345678, F[a], 0, 0), fpscr)
for asm in ["vcmp.f32 s1, s2\n\tvmrs APSR_nzcv, fpscr\n\tmrs r0, APSR",
            "vcmpe.f32 s1, s2\n\tvmrs APSR_nzcv, fpscr\n\tmrs r0, APSR",
            "vcmp.f32 s1, #0\n\tvmrs APSR_nzcv, fpscr\n\tmrs r0, APSR"]:
    for a, b in [("one", "two"), ("two", "one"), ("z", "nz"), ("qnan", "one"), ("snan", "one"),
                 ("inf", "inf"), ("den", "z")]:
        add(asm, 0, [], 0, (0, F[a], F[b], 0), FZ if a == "den" else 0)
for imm in ["1.0", "-0.125", "31.0", "0.1328125"]:
    add(f"vmov.f32 s0, #{imm}", 0, [])
add("vmov s0, r1\n\tvmov r0, s1", 0, [0, 0xDEADBEEF], 0, (0, 0x3F800000, 0, 0))
add("vmov s0, s1, r1, r2\n\tvmov r0, r3, s2, s3", 0, [0, 0x11111111, 0x22222222], 0,
    (0, 0, 0x33333333, 0x44444444))
add("vmsr fpscr, r1\n\tvmrs r0, fpscr", 0, [0, 0xFFFFFFFF])
add("vmsr fpscr, r1\n\tvmrs r0, fpscr", 0, [0, 0x07C0009F])

FW = r'''
#include <stdint.h>
#include <stdio.h>
#include <string.h>
uint32_t io_regs[4], io_apsr, io_fp[4], io_fpscr;
extern void run_case(void (*fn)(void));
__asm__(".syntax unified\n.thumb\n.global run_case\n.type run_case,%function\n"
 "run_case:\n push {r4-r11, lr}\n mov r12, r0\n"
 " ldr r0, =io_fp\n vldm r0, {s0-s3}\n"
 " ldr r0, =io_fpscr\n ldr r0, [r0]\n vmsr fpscr, r0\n"
 " ldr r0, =io_apsr\n ldr r0, [r0]\n msr APSR_nzcvqg, r0\n"
 " ldr r0, =io_regs\n ldm r0, {r0-r3}\n"
 " blx r12\n"
 " push {r0}\n ldr r0, =io_regs\n str r1, [r0, #4]\n str r2, [r0, #8]\n str r3, [r0, #12]\n"
 " pop {r1}\n str r1, [r0]\n"
 " mrs r1, APSR\n ldr r0, =io_apsr\n str r1, [r0]\n"
 " vmrs r1, fpscr\n ldr r0, =io_fpscr\n str r1, [r0]\n"
 " ldr r0, =io_fp\n vstm r0, {s0-s3}\n"
 " pop {r4-r11, pc}\n .ltorg\n");
'''

def main():
    out = sys.argv[1]
    tmp = tempfile.mkdtemp()
    src = [FW]
    for n, (asm, cyc, regs, apsr, fp, fpscr) in enumerate(cases):
        src.append('__asm__(".section .text.c%d\\n.global c%d\\n.type c%d,%%function\\n.thumb_func\\nc%d:\\n\\t%s\\n\\tbx lr\\n");'
                   % (n, n, n, n, asm.replace("\n", "\\n").replace("\t", "\\t")))
        src.append("extern void c%d(void);" % n)
    src.append("static const struct { void (*fn)(void); uint32_t r[4], apsr, fp[4], fpscr; } in[] = {")
    for n, (asm, cyc, regs, apsr, fp, fpscr) in enumerate(cases):
        src.append("{ c%d, {%s}, 0x%08x, {%s}, 0x%08x }," % (n, ", ".join("0x%08x" % r for r in regs), apsr,
                   ", ".join("0x%08x" % f for f in fp), fpscr))
    src.append("};")
    src.append(r'''int main(void) {
    for (unsigned k = 0; k < sizeof in / sizeof in[0]; k++) {
        memcpy(io_regs, in[k].r, 16); io_apsr = in[k].apsr; memcpy(io_fp, in[k].fp, 16); io_fpscr = in[k].fpscr;
        run_case(in[k].fn);
        printf("%08lx %08lx %08lx %08lx %08lx %08lx %08lx %08lx %08lx %08lx\n",
            (unsigned long)io_regs[0], (unsigned long)io_regs[1], (unsigned long)io_regs[2], (unsigned long)io_regs[3],
            (unsigned long)(io_apsr & 0xF80F0000u), (unsigned long)io_fp[0], (unsigned long)io_fp[1],
            (unsigned long)io_fp[2], (unsigned long)io_fp[3], (unsigned long)io_fpscr);
    }
    return 0;
}''')
    with open(os.path.join(tmp, "cases.c"), "w") as f:
        f.write("\n".join(src))
    elf = os.path.join(tmp, "cases.elf")
    subprocess.check_call(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard",
        "-mfpu=fpv4-sp-d16", "-O1", "--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost",
        "-Wl,--defsym=__flash=0", "-Wl,--defsym=__flash_size=0x400000", "-Wl,--defsym=__ram=0x20000000",
        "-Wl,--defsym=__ram_size=0x400000", os.path.join(tmp, "cases.c"), "-o", elf])
    # encodings of each case's instructions (without the bx lr)
    dis = subprocess.check_output(["arm-none-eabi-objdump", "-d", elf], text=True)
    enc = {}
    cur = None
    for line in dis.splitlines():
        if line.endswith(">:"):
            name = line.split("<")[1][:-2]
            cur = int(name[1:]) if name.startswith("c") and name[1:].isdigit() else None
            if cur is not None:
                enc[cur] = []
        elif cur is not None and ":\t" in line:
            parts = line.split("\t")
            hexes = parts[1].split()
            if parts[2].startswith("bx") and hexes == ["4770"]:
                cur = None
                continue
            enc[cur].append("".join(hexes))
    res = subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-display", "none", "-monitor", "none",
        "-serial", "none", "-chardev", "file,id=sh0,path=" + os.path.join(tmp, "out.txt"),
        "-semihosting-config", "enable=on,target=native,chardev=sh0", "-kernel", elf], timeout=120)
    lines = open(os.path.join(tmp, "out.txt")).read().split("\n")
    with open(out, "w") as f:
        f.write("/* Generated by tests/cpu/gen_isa_cases.py from QEMU runs; see there. */\n")
        for n, (asm, cyc, regs, apsr, fp, fpscr) in enumerate(cases):
            o = [int(x, 16) for x in lines[n].split()]
            words = []
            for e in enc[n]:
                words.append("0x%s" % e if len(e) == 4 else "0x%s" % e)
            while len(words) < 3:
                words.append("0")
            f.write("/* %s */\n" % asm.replace("\n\t", "; "))
            f.write("{ {%s}, %d, {%s}, 0x%08x, {%s}, 0x%08x,\n  {%s}, 0x%08x, {%s}, 0x%08x },\n" % (
                ", ".join(words), cyc, ", ".join("0x%08x" % r for r in regs), apsr,
                ", ".join("0x%08x" % x for x in fp), fpscr,
                ", ".join("0x%08x" % x for x in o[0:4]), o[4], ", ".join("0x%08x" % x for x in o[5:9]), o[9]))
    print("%d cases" % len(cases))

main()
