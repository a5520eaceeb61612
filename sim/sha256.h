/*
 * SHA-256 (FIPS 180-4), used for the hashes in reports (firmware, UART log,
 * trace, pcap) and by host tools. Incremental interface.
 */
#ifndef SIM_SHA256_H
#define SIM_SHA256_H

#include "types.h"

typedef struct sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    unsigned fill;
} sha256_t;

void sha256_init(sha256_t *c);
void sha256_update(sha256_t *c, const void *data, size_t len);
void sha256_final(sha256_t *c, uint8_t out[32]);
void sha256_hex(const uint8_t digest[32], char out[65]);
/* Hash a whole file; returns 0 or -1 (errno set). */
int sha256_file(const char *path, uint8_t out[32]);

#endif
