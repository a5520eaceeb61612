/*
 * Ed25519 signature verification (RFC 8032 section 5.1.7), our own code for
 * the bootloader and the update agent. Verification handles public data
 * only, so it is not written to run in constant time.
 */
#ifndef FW_ED25519_H
#define FW_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if sig (R || S) is a valid signature of msg under the public key pub.
 * Rejects a non-canonical S (S >= L) and a public key or R that is not the
 * encoding of a curve point. */
bool ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pub[32]);

#endif
