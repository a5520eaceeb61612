/*
 * SHA-512 (FIPS 180-4 section 6.4), the hash inside Ed25519. Incremental
 * interface; built for the target and for the host tests alike.
 */
#ifndef FW_SHA512_H
#define FW_SHA512_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha512 {
    uint64_t h[8];
    uint64_t len;             /* bytes hashed so far (messages below 2^61 bytes) */
    uint8_t buf[128];
    unsigned fill;
} sha512_t;

void sha512_init(sha512_t *c);
void sha512_update(sha512_t *c, const void *data, size_t len);
void sha512_final(sha512_t *c, uint8_t out[64]);

#endif
