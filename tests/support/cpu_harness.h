/*
 * A bare Cortex-M4F on a bus with 64 KiB of code RAM at 0 and 64 KiB of data
 * RAM at 0x20000000, for instruction-level tests: place halfwords, set
 * registers, run a number of instructions, inspect the result.
 */
#ifndef TESTS_CPU_HARNESS_H
#define TESTS_CPU_HARNESS_H

#include "sim/cpu/cpu.h"

#define H_CODE 0x00000000u
#define H_DATA 0x20000000u
#define H_STACK_TOP 0x20010000u

typedef struct harness {
    bus_t bus;
    sched_t sched;
    cpu_t cpu;
    uint8_t code[0x10000];
    uint8_t data[0x10000];
    uint32_t pc;          /* where the next h_emit goes */
} harness_t;

harness_t *h_new(void);
void h_free(harness_t *h);
/* Vector table: SP = H_STACK_TOP, reset = 0x100; handlers of exceptions
 * 2..15 and IRQ0..7 point at 0x200 + 8 * n (each a BKPT #n then BX LR). */
void h_reset(harness_t *h);
void h_emit16(harness_t *h, uint16_t hw);
void h_emit32(harness_t *h, uint32_t w);   /* hw1 << 16 | hw2 */
/* Run exactly n instructions (exception entries count as one). */
enum cpu_stop h_step(harness_t *h, unsigned n);
/* Run until a BKPT or n instructions; returns the BKPT immediate or -1. */
int h_run_to_bkpt(harness_t *h, unsigned n);
uint32_t h_read32(harness_t *h, uint32_t addr);
void h_write32(harness_t *h, uint32_t addr, uint32_t v);

#endif
