/*
 * Seeded random streams. One master seed per run; each component derives its
 * own stream from (seed, its name), so adding a component or a draw in one
 * component never changes another's draws. xoshiro256** seeded via splitmix64.
 * Nothing here reads host entropy.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include "types.h"

typedef struct rng {
    uint64_t s[4];
} rng_t;

void rng_seed(rng_t *r, uint64_t seed);
/* Derive the stream for 'name' from the master seed. */
void rng_stream(rng_t *r, uint64_t master_seed, const char *name);
uint64_t rng_next(rng_t *r);
static inline uint32_t rng_u32(rng_t *r) { return (uint32_t)(rng_next(r) >> 32); }
/* Uniform in [0, n), unbiased; n > 0. */
uint64_t rng_below(rng_t *r, uint64_t n);
/* Uniform double in [0, 1). */
double rng_unit(rng_t *r);
/* True with probability p (0..1). */
bool rng_chance(rng_t *r, double p);
uint64_t rng_hash_name(const char *name); /* FNV-1a 64 */

#endif
