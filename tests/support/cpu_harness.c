/* Instruction-level test bench for the CPU (see cpu_harness.h). */
#include <stdlib.h>
#include <string.h>
#include "cpu_harness.h"

static int last_bkpt;

static bool on_bkpt(void *opaque, cpu_t *cpu, uint32_t imm)
{
    (void)opaque;
    last_bkpt = (int)imm;
    cpu_request_stop(cpu);
    return true;
}

harness_t *h_new(void)
{
    harness_t *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    bus_init(&h->bus);
    sched_init(&h->sched);
    bus_map_ram(&h->bus, "code", H_CODE, sizeof h->code, h->code, 0, 0);
    bus_map_ram(&h->bus, "data", H_DATA, sizeof h->data, h->data, 0, 0);
    cpu_init(&h->cpu, &h->bus, &h->sched, 32, 3, true);
    armv7m_sys_map(&h->cpu, &h->bus);
    cpu_set_hz(&h->cpu, 1000000);
    h->cpu.on_bkpt = on_bkpt;
    h_reset(h);
    return h;
}

void h_free(harness_t *h)
{
    cpu_free(&h->cpu);
    sched_free(&h->sched);
    bus_free(&h->bus);
    free(h);
}

/* Word accesses through the bus, as the CPU would make them (registers see
 * one 32-bit access, not four byte accesses). */
void h_write32(harness_t *h, uint32_t addr, uint32_t v)
{
    bus_write(&h->bus, addr, 4, v);
    bus_notify_write(&h->bus, addr, 4);
}

uint32_t h_read32(harness_t *h, uint32_t addr)
{
    uint32_t v = 0;
    bus_read(&h->bus, addr, 4, &v);
    return v;
}

void h_reset(harness_t *h)
{
    memset(h->code, 0, sizeof h->code);
    h_write32(h, 0, H_STACK_TOP);
    h_write32(h, 4, 0x100 | 1);
    for (unsigned n = 2; n < 16 + 8; n++) {
        uint32_t at = 0x200 + 8 * n;
        h_write32(h, 4 * n, at | 1);
        uint8_t code[4] = { (uint8_t)n, 0xBE, 0x70, 0x47 }; /* BKPT #n; BX LR */
        bus_debug_write(&h->bus, at, code, 4);
    }
    cpu_reset(&h->cpu);
    h->pc = 0x100;
}

void h_emit16(harness_t *h, uint16_t hw)
{
    uint8_t b[2] = { (uint8_t)hw, (uint8_t)(hw >> 8) };
    bus_debug_write(&h->bus, h->pc, b, 2);
    h->pc += 2;
}

void h_emit32(harness_t *h, uint32_t w)
{
    h_emit16(h, (uint16_t)(w >> 16));
    h_emit16(h, (uint16_t)w);
}

enum cpu_stop h_step(harness_t *h, unsigned n)
{
    enum cpu_stop st = CPU_STOP_NONE;
    h->cpu.step_one = true;
    for (unsigned k = 0; k < n; k++) {
        st = cpu_run(&h->cpu, h->cpu.cycles + 1000000);
        if (st != CPU_STOP_STEP)
            break;
    }
    h->cpu.step_one = false;
    return st;
}

int h_run_to_bkpt(harness_t *h, unsigned n)
{
    last_bkpt = -1;
    for (unsigned k = 0; k < n && last_bkpt < 0; k++) {
        h->cpu.step_one = true;
        enum cpu_stop st = cpu_run(&h->cpu, h->cpu.cycles + 1000000);
        h->cpu.step_one = false;
        if (st == CPU_STOP_LOCKUP)
            break;
    }
    return last_bkpt;
}
