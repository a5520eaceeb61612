/*
 * Common types and helpers shared by every part of the simulator.
 *
 * Time is counted in virtual nanoseconds (sim_time_t). CPU cycles are a
 * separate count (sim_cycles_t) that the CPU converts to time at its current
 * core clock; nothing else in the simulator uses cycles.
 */
#ifndef SIM_TYPES_H
#define SIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_time_t;   /* virtual nanoseconds since power-on */
typedef uint64_t sim_cycles_t; /* CPU clock cycles */

#define SIM_TIME_NEVER UINT64_MAX

#define SIM_NS(x) ((sim_time_t)(x))
#define SIM_US(x) ((sim_time_t)(x) * 1000ull)
#define SIM_MS(x) ((sim_time_t)(x) * 1000000ull)
#define SIM_S(x)  ((sim_time_t)(x) * 1000000000ull)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define SIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SIM_UNUSED __attribute__((unused))
#else
#define likely(x)   (x)
#define unlikely(x) (x)
#define SIM_PRINTF(f, a)
#define SIM_UNUSED
#endif

/* Bit-field helpers: extract/deposit 'len' bits at 'shift'. */
static inline uint32_t bits32(uint32_t v, unsigned shift, unsigned len)
{
    return len >= 32 ? v >> shift : (v >> shift) & ((1u << len) - 1u);
}
static inline uint32_t deposit32(uint32_t v, unsigned shift, unsigned len, uint32_t f)
{
    uint32_t mask = (len >= 32 ? 0xFFFFFFFFu : ((1u << len) - 1u)) << shift;
    return (v & ~mask) | ((f << shift) & mask);
}

/* The value of a hex digit, or -1. */
static inline int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static inline uint16_t rd_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void wr_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wr_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline uint16_t rd_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t rd_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline void wr_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#endif
