/* Logging: see log.h. Output is deterministic: only virtual time is printed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "sched.h"

static unsigned log_mask = LOG_ERROR | LOG_WARN | LOG_INFO | LOG_GUEST_ERROR | LOG_UNIMP;
static const sched_t *log_clock;
static bool log_quiet;
static unsigned log_counts[8];

/* Keys already printed by log_once(): open-addressed set of hashes. */
#define ONCE_SLOTS 4096
static uint64_t once_keys[ONCE_SLOTS];
static unsigned once_used;

void log_set_mask(unsigned mask) { log_mask = mask; }
unsigned log_get_mask(void) { return log_mask; }
void log_set_clock(const struct sched *s) { log_clock = s; }
void log_set_quiet(bool quiet) { log_quiet = quiet; }

static unsigned cat_index(enum log_cat cat)
{
    unsigned i = 0;
    while (i < 7 && !((unsigned)cat & (1u << i)))
        i++;
    return i;
}

unsigned log_count(enum log_cat cat) { return log_counts[cat_index(cat)]; }

static const char *cat_name(enum log_cat cat)
{
    switch (cat) {
    case LOG_ERROR: return "error";
    case LOG_WARN: return "warning";
    case LOG_INFO: return "info";
    case LOG_GUEST_ERROR: return "guest error";
    case LOG_UNIMP: return "unimplemented";
    case LOG_TRACE: return "trace";
    }
    return "log";
}

static void log_vmsg(enum log_cat cat, const char *tag, const char *fmt, va_list ap)
{
    log_counts[cat_index(cat)]++;
    if (!(log_mask & cat) || (log_quiet && cat != LOG_ERROR))
        return;
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (log_clock) {
        sim_time_t t = log_clock->now;
        fprintf(stderr, "[%llu.%09llu] ", (unsigned long long)(t / 1000000000ull),
                (unsigned long long)(t % 1000000000ull));
    }
    fprintf(stderr, "%s: %s%s%s\n", cat_name(cat), tag ? tag : "", tag ? ": " : "", buf);
}

void log_msg(enum log_cat cat, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(cat, tag, fmt, ap);
    va_end(ap);
}

static uint64_t once_hash(const char *tag, const char *fmt, uint64_t key)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = tag ? tag : ""; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    for (const char *p = fmt; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h ^= key + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h ? h : 1;
}

bool log_once(enum log_cat cat, const char *tag, uint64_t key, const char *fmt, ...)
{
    uint64_t h = once_hash(tag, fmt, key);
    unsigned i = (unsigned)(h % ONCE_SLOTS);
    for (unsigned probe = 0; probe < ONCE_SLOTS; probe++, i = (i + 1) % ONCE_SLOTS) {
        if (once_keys[i] == h)
            return false;
        if (once_keys[i] == 0)
            break;
    }
    if (once_used < ONCE_SLOTS * 3 / 4) {
        once_keys[i] = h;
        once_used++;
    }
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(cat, tag, fmt, ap);
    va_end(ap);
    return true;
}

void log_once_reset(void)
{
    memset(once_keys, 0, sizeof once_keys);
    once_used = 0;
}
