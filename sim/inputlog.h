/*
 * Outside input, recorded for replay.
 *
 * Whatever enters a run at a moment the outside world chooses (a key typed on
 * the console, a button clicked in the UI, a frame from the host's network in
 * live mode, a fault injected from the GDB monitor) goes through the input
 * log. It is applied at the next tick of the log, an event every 1 ms of
 * virtual time counted from power-on, and recorded with that tick's time. A
 * replay applies the same records at the same ticks, so a run with outside
 * input is reproduced exactly without the outside world: the ticks are
 * events at fixed virtual times and the CPU retires instructions against
 * them the same way in both runs. (Applying input at once, wherever the
 * host's timing put the CPU, could not be replayed.)
 *
 * Records are JSON objects: {"t_ns": T, "kind": K, ...}. Built-in kinds:
 *   "uart"      "target": "mcu.usart2", "hex": bytes  (queued at the UART's pace)
 *   "control"   "target": "eth.erratum.x", "value": any
 *   "pin"       "target": "mcu.PA0", "level": "low" | "high" | "release"
 *   "power_cut" "off_ns": N
 * and the ones front ends register (the network's "link", "frame").
 *
 * Not recorded: what a debugger does to the target itself (writing memory
 * or registers, `monitor reset`): a run changed that way is a different run.
 */
#ifndef SIM_INPUTLOG_H
#define SIM_INPUTLOG_H

#include <cjson/cJSON.h>
#include "machine.h"

#define INPUTLOG_TICK_NS SIM_MS(1)
#define INPUTLOG_MAX_KINDS 8
#define INPUTLOG_MAX_UARTS 8
#define INPUTLOG_MAX_PINS 16

typedef struct input_log input_log_t;
/* Applies one record of a registered kind; -1 with the reason. */
typedef int (*input_apply_fn)(void *opaque, const cJSON *rec, char *err, size_t errlen);
/* Called at every tick of a live run to pick up input (read the terminal). */
typedef void (*input_poll_fn)(void *opaque, input_log_t *il);

struct input_log {
    machine_t *m;
    sched_event_t tick;
    bool started;
    bool replaying;
    cJSON *records;           /* live: what was applied; replay: what to apply */
    int next;                 /* replay: the next record */
    cJSON *pending;           /* live: submitted, applied at the next tick */
    struct { char kind[16]; input_apply_fn fn; void *opaque; } kinds[INPUTLOG_MAX_KINDS];
    unsigned nkinds;
    struct { endpoint_t *ep; uint8_t *buf; size_t len, cap; } uart[INPUTLOG_MAX_UARTS];
    unsigned nuart;
    struct { char target[64]; gpio_pin_t pin; } pins[INPUTLOG_MAX_PINS];
    unsigned npins;
    input_poll_fn poll;
    void *poll_opaque;
    uint64_t applied;
    char error[384];          /* a record that could not be applied */
};

void inputlog_init(input_log_t *il, machine_t *m);
void inputlog_free(input_log_t *il);
int inputlog_register(input_log_t *il, const char *kind, input_apply_fn fn, void *opaque);
/* Replay these records (a JSON array, copied) instead of taking live input.
 * -1 with the reason for a malformed record. */
int inputlog_set_replay(input_log_t *il, const cJSON *records, char *err, size_t errlen);
/* Arm the ticks (call once the machine is reset; idempotent). */
void inputlog_start(input_log_t *il);
/* Live input: queue a record (taken over) for the next tick. Ignored while
 * replaying. */
void inputlog_submit(input_log_t *il, cJSON *rec);
/* Helpers building records for the built-in kinds. */
void inputlog_submit_uart(input_log_t *il, const char *uart, const uint8_t *buf, size_t len);
void inputlog_submit_control(input_log_t *il, const char *control, const cJSON *value);
void inputlog_submit_pin(input_log_t *il, const char *pin, const char *level);
/* The records applied so far (live) or to apply (replay). */
static inline const cJSON *inputlog_records(const input_log_t *il) { return il->records; }

#endif
