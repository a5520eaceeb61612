/*
 * Logging for models and the engine.
 *
 * Categories follow the emulator convention:
 *   LOG_GUEST_ERROR - the guest did something the hardware does not allow
 *                     (bad offset, write to a read-only register ...);
 *   LOG_UNIMP       - a feature we know of but do not model;
 *   LOG_WARN        - something a user should see once (over-clocked PLL ...);
 *   LOG_INFO        - progress messages of the front ends;
 *   LOG_TRACE       - verbose model tracing, off unless enabled.
 * Messages go to stderr, prefixed with the virtual time when a clock is set
 * (log_set_clock). Nothing here reads host time.
 *
 * log_once() keys on the format string pointer plus a caller-supplied key, so
 * "first access to unmodelled peripheral X" is printed once per X.
 */
#ifndef SIM_LOG_H
#define SIM_LOG_H

#include "types.h"

enum log_cat {
    LOG_ERROR = 1 << 0,
    LOG_WARN = 1 << 1,
    LOG_INFO = 1 << 2,
    LOG_GUEST_ERROR = 1 << 3,
    LOG_UNIMP = 1 << 4,
    LOG_TRACE = 1 << 5,
};

struct sched;

void log_set_mask(unsigned mask);           /* categories printed; default all but TRACE */
unsigned log_get_mask(void);
void log_set_clock(const struct sched *s);  /* prefix messages with virtual time */
void log_set_quiet(bool quiet);             /* suppress everything but LOG_ERROR */
void log_msg(enum log_cat cat, const char *tag, const char *fmt, ...) SIM_PRINTF(3, 4);
/* Print only the first time this (tag, key) pair is seen. Returns true if printed. */
bool log_once(enum log_cat cat, const char *tag, uint64_t key, const char *fmt, ...) SIM_PRINTF(4, 5);
/* Forget everything log_once() has seen (a new simulation starts). */
void log_once_reset(void);
/* Count of messages emitted per category since start (for reports and tests). */
unsigned log_count(enum log_cat cat);

#endif
