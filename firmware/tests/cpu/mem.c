/*
 * Loads, stores and control flow as compiled C uses them: every addressing
 * mode the compiler picks for byte/halfword/word/doubleword accesses,
 * LDM/STM through structure copies, jump tables (TBB/TBH), IT blocks,
 * exclusives through atomics, 64-bit arithmetic helpers, setjmp/longjmp,
 * the C library's string, sort and formatting code, and the heap.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/testlib.h"

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

__attribute__((noinline)) static int classify(unsigned v)
{
    switch (v % 23) {
    case 0: return 17;
    case 1: return v * 3;
    case 2: return -4;
    case 3: return (int)(v >> 2);
    case 4: return 99;
    case 5: return (int)(v ^ 0x55);
    case 6: return 1;
    case 7: return 2;
    case 8: return (int)v + 8;
    case 9: return 300;
    case 10: return -7;
    case 11: return (int)(v & 3);
    case 12: return 12;
    case 13: return 1234;
    case 14: return (int)(v * v);
    case 15: return 15;
    case 16: return -16;
    case 17: return 170;
    case 18: return 18 << 3;
    case 19: return 19;
    case 20: return 2000;
    case 21: return 21;
    default: return 0;
    }
}

__attribute__((noinline)) static int classify_wide(unsigned v)
{
    /* a big sparse-enough table pushes the compiler to TBH */
    switch (v % 300) {
#define C(n) case n: return (int)(v * n + 1);
    C(0) C(1) C(2) C(3) C(5) C(8) C(13) C(21) C(34) C(55) C(89) C(144) C(233)
    C(40) C(41) C(42) C(43) C(44) C(45) C(46) C(47) C(48) C(49) C(50) C(51) C(52)
    C(200) C(201) C(202) C(203) C(204) C(205) C(206) C(207) C(208) C(209) C(210)
#undef C
    default: return -1;
    }
}

typedef struct {
    uint32_t w[9];
    uint16_t h[3];
    uint8_t b[5];
} blob_t;

static jmp_buf jb;
static volatile int depth_reached, jump_enabled = 1;
__attribute__((noinline)) static void deep(int n)
{
    depth_reached = n;
    if (n <= 0) {
        if (jump_enabled)
            longjmp(jb, 42);
        return;
    }
    deep(n - 1);
    depth_reached = -1;
}

int main(void)
{
    uint32_t seed = 12345;
    static uint8_t buf[4096], buf2[4096];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)tl_rand(&seed);
    printf("crc32          %08lx\n", (unsigned long)crc32(buf, sizeof buf));

    /* unaligned copies and moves of every offset/length mix */
    uint32_t h = TL_HASH_INIT;
    for (unsigned off = 0; off < 8; off++)
        for (unsigned len = 0; len < 70; len += 3) {
            memcpy(buf2 + off, buf + (off ^ 5), len);
            memmove(buf2 + off + 1, buf2 + off, len);
            memset(buf2 + 200 + off, (int)len, off + len);
            h = tl_hash(h, crc32(buf2, 300));
        }
    printf("memops         %08lx\n", (unsigned long)h);

    /* byte/halfword/word/doubleword loads and stores with signed variants */
    volatile int8_t *sb = (volatile int8_t *)buf;
    volatile int16_t *sh = (volatile int16_t *)buf;
    volatile uint64_t *dw = (volatile uint64_t *)buf2;
    int64_t acc = 0;
    for (int i = 0; i < 512; i++) {
        acc += sb[i] * 3 + sh[i] - (int64_t)buf[i * 7 % 4096];
        dw[i % 64] = (uint64_t)acc * 0x9E3779B97F4A7C15ull;
        acc ^= (int64_t)dw[(i * 5) % 64] >> 7;
    }
    printf("loads          %08lx%08lx\n", (unsigned long)((uint64_t)acc >> 32), (unsigned long)acc);

    /* 64-bit division helpers and shifts */
    uint64_t q = 0;
    for (int i = 1; i < 200; i++) {
        uint64_t n = ((uint64_t)tl_rand(&seed) << 32) | tl_rand(&seed);
        uint64_t d = (tl_rand(&seed) >> (i % 31)) + 1;
        q += n / d + n % d + ((int64_t)n >> (i % 63)) + (n << (i % 64));
    }
    printf("div64          %08lx%08lx\n", (unsigned long)(q >> 32), (unsigned long)q);

    /* jump tables */
    int s = 0;
    for (unsigned v = 0; v < 2000; v++)
        s += classify(v * 7919u) + classify_wide(v * 104729u);
    printf("switch         %d\n", s);

    /* structure copies (LDM/STM) */
    blob_t a, b;
    memset(&a, 0, sizeof a);
    for (int i = 0; i < 9; i++)
        a.w[i] = tl_rand(&seed);
    a.h[1] = 0xBEEF;
    a.b[4] = 0x5A;
    b = a;
    b.w[3] ^= b.w[8];
    blob_t c = b;
    printf("struct         %08lx\n", (unsigned long)crc32((const uint8_t *)&c, sizeof c));

    /* atomics: LDREX/STREX loops */
    static volatile uint32_t counter;
    for (int i = 0; i < 100; i++) {
        __atomic_fetch_add(&counter, 3, __ATOMIC_SEQ_CST);
        uint32_t expect = counter;
        __atomic_compare_exchange_n(&counter, &expect, expect * 2 + 1, 0, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
    }
    static volatile uint16_t c16;
    static volatile uint8_t c8;
    for (int i = 0; i < 50; i++) {
        __atomic_fetch_add(&c16, 1000, __ATOMIC_RELAXED);
        __atomic_fetch_xor(&c8, (uint8_t)i, __ATOMIC_RELAXED);
    }
    printf("atomics        %08lx %04x %02x\n", (unsigned long)counter, c16, c8);

    /* sorting */
    static int32_t arr[500];
    for (int i = 0; i < 500; i++)
        arr[i] = (int32_t)tl_rand(&seed);
    qsort(arr, 500, sizeof arr[0], cmp_i32);
    int sorted = 1;
    for (int i = 1; i < 500; i++)
        sorted &= arr[i - 1] <= arr[i];
    printf("qsort          %d %08lx\n", sorted, (unsigned long)crc32((uint8_t *)arr, sizeof arr));

    /* setjmp/longjmp */
    int r = setjmp(jb);
    if (r == 0)
        deep(20);
    printf("longjmp        %d\n", r);

    /* formatting */
    char line[160];
    snprintf(line, sizeof line, "%d|%u|%x|%08X|%lld|%s|%c|%5.2f|%e|%g|%-6s|%+d", -123, 4000000000u,
             0xabcu, 0x1F2Eu, -9000000000000LL, "str", 'Z', 3.14159, 6.02e23, 1e-5, "ab", 7);
    printf("printf         %s\n", line);
    printf("strtod         %.9g %ld\n", strtod("2.718281828", NULL), strtol("-0x7fff", NULL, 16));

    /* heap */
    void *blocks[32];
    size_t total = 0;
    for (int i = 0; i < 32; i++) {
        blocks[i] = malloc(16 + i * 37);
        memset(blocks[i], i, 16 + i * 37);
        total += 16 + i * 37;
    }
    for (int i = 0; i < 32; i += 2)
        free(blocks[i]);
    for (int i = 0; i < 32; i += 2)
        blocks[i] = calloc(1, 50);
    int heap_ok = 1;
    for (int i = 1; i < 32; i += 2)
        heap_ok &= ((uint8_t *)blocks[i])[15] == i;
    for (int i = 0; i < 32; i++)
        free(blocks[i]);
    printf("heap           %d %u\n", heap_ok, (unsigned)total);
    return 0;
}
