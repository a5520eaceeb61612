/*
 * Helpers shared by the CPU test programs. Each program prints one line per
 * check ("name value") so a run can be compared line by line with a
 * reference (another emulator, or the expected file), and exits through
 * semihosting with the number of failed self-checks.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdint.h>
#include <stdio.h>

/* xorshift32: the same operand sequence on every run and every host. */
static inline uint32_t tl_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Operands: corner values first, then pseudo-random ones. */
static const uint32_t tl_corner[] = {
    0x00000000, 0x00000001, 0x00000002, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF,
    0xFFFFFFFE, 0x0000FFFF, 0xFFFF0000, 0x00008000, 0x00007FFF, 0x7F7F7F7F, 0x80808080,
    0x01010101, 0xFF00FF00, 0x00FF00FF, 0x12345678, 0x0000001F, 0x00000020, 0x00000021,
    0x000000FF, 0x00000100, 0xDEADBEEF,
};
#define TL_NCORNER (sizeof tl_corner / sizeof tl_corner[0])

static inline uint32_t tl_operand(uint32_t *seed, unsigned i)
{
    return i < TL_NCORNER ? tl_corner[i] : tl_rand(seed);
}

/* FNV-1a over 32-bit words. */
static inline uint32_t tl_hash(uint32_t h, uint32_t v)
{
    for (int k = 0; k < 4; k++) {
        h ^= (v >> (8 * k)) & 0xFF;
        h *= 16777619u;
    }
    return h;
}
#define TL_HASH_INIT 2166136261u

static int tl_failures;

static inline void tl_check(const char *what, int ok)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        tl_failures++;
    }
}

/* An exception entry that calls c_fn(uint32_t *frame, uint32_t ipsr) with
 * the frame stacked by the interrupted code (on the MSP or the PSP). */
#define TL_FAULT_ENTRY(name, c_fn)                                                         \
    __attribute__((naked)) static void name(void)                                          \
    {                                                                                      \
        __asm__ volatile("tst lr, #4\n\t"                                                  \
                         "ite eq\n\t"                                                      \
                         "mrseq r0, msp\n\t"                                               \
                         "mrsne r0, psp\n\t"                                               \
                         "mrs r1, ipsr\n\t"                                                \
                         "push {r4, lr}\n\t"                                               \
                         "bl " #c_fn "\n\t"                                                \
                         "pop {r4, pc}\n");                                                \
    }

#endif
