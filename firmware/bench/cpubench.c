/*
 * CPU-bound workload for speed measurements: CRC-32, a SHA-256-like mixing
 * loop, integer matrix multiply, insertion sort and a float kernel, repeated
 * ROUNDS times. Prints a checksum so a wrong result cannot pass as fast.
 */
#include <stdint.h>
#include <stdio.h>

#ifndef ROUNDS
#define ROUNDS 40
#endif

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, uint32_t n, uint32_t c)
{
    c = ~c;
    while (n--)
        c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static uint32_t mix(uint32_t *w, unsigned n)
{
    uint32_t a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372, d = 0xa54ff53a;
    for (unsigned i = 0; i < n; i++) {
        uint32_t t = d + (ROR(a, 6) ^ ROR(a, 11) ^ ROR(a, 25)) + ((a & b) ^ (~a & c)) + w[i & 63];
        d = c;
        c = b;
        b = a;
        a = t + (ROR(b, 2) ^ ROR(b, 13) ^ ROR(b, 22));
        w[i & 63] ^= t;
    }
    return a ^ b ^ c ^ d;
}

static int32_t ma[16][16], mb[16][16], mc[16][16];

static uint32_t matmul(void)
{
    uint32_t s = 0;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            int32_t acc = 0;
            for (int k = 0; k < 16; k++)
                acc += ma[i][k] * mb[k][j];
            mc[i][j] = acc;
            s += (uint32_t)acc;
        }
    return s;
}

static uint32_t isort(uint32_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    return v[n / 2];
}

static float fkernel(float x)
{
    float s = 0.0f;
    for (int i = 1; i < 200; i++)
        s += x / (float)i - s * 0.001f;
    return s;
}

int main(void)
{
    static uint8_t data[4096];
    static uint32_t w[64], v[300];
    uint32_t seed = 1, sum = 0;
    crc_init();
    for (unsigned i = 0; i < sizeof data; i++) {
        seed = seed * 1664525u + 1013904223u;
        data[i] = (uint8_t)(seed >> 24);
    }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            ma[i][j] = i * 3 - j;
            mb[i][j] = j * 7 - i * 2;
        }
    for (int r = 0; r < ROUNDS; r++) {
        sum ^= crc32(data, sizeof data, (uint32_t)r);
        for (int i = 0; i < 64; i++)
            w[i] = (uint32_t)(i * r) ^ sum;
        sum += mix(w, 4096);
        sum += matmul();
        for (int i = 0; i < 300; i++) {
            seed = seed * 1664525u + 1013904223u;
            v[i] = seed;
        }
        sum += isort(v, 300);
        float f = fkernel((float)r + 0.5f);
        uint32_t fb;
        __builtin_memcpy(&fb, &f, 4);
        sum ^= fb;
    }
    printf("cpubench checksum %08lx\n", (unsigned long)sum);
    return 0;
}
