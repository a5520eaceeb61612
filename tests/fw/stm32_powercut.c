/*
 * Runs a test program on a board and cuts the power a given time after a
 * probe first fires (e.g. 400 ms into the first flash erase), restoring it
 * later: what the scenario runner does, reduced to what the stm32 tier
 * needs. The guest's output goes to stdout; the exit status is the guest's.
 *
 *   stm32-powercut ELF BOARD PROBE AFTER_MS OFF_MS [SEED]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/machine.h"
#include "sim/loader.h"
#include "sim/semihost.h"

typedef struct harness {
    machine_t *m;
    sim_time_t after, off;
    sched_event_t cut_ev;
    bool armed;
    bool exited;
    int exit_code;
} harness_t;

static void console(void *opaque, const char *source, const uint8_t *buf, size_t len)
{
    (void)opaque;
    (void)source;
    fwrite(buf, 1, len, stdout);
    fflush(stdout);
}

static void guest_exit(void *opaque, int code)
{
    harness_t *h = opaque;
    h->exited = true;
    h->exit_code = code;
    h->m->exit_requested = true;
}

static void cut(void *opaque)
{
    harness_t *h = opaque;
    machine_power_cut(h->m, h->off);
}

static void probe_fired(void *opaque, sim_probe_t *p)
{
    harness_t *h = opaque;
    (void)p;
    if (h->armed)
        return;
    h->armed = true;
    sched_after(&h->m->sched, &h->cut_ev, h->after);
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: stm32-powercut ELF BOARD PROBE AFTER_MS OFF_MS [SEED]\n");
        return 64;
    }
    harness_t h;
    memset(&h, 0, sizeof h);
    h.after = (sim_time_t)(atof(argv[4]) * 1e6);
    h.off = (sim_time_t)(atof(argv[5]) * 1e6);
    machine_t *m = machine_new(argc == 7 ? strtoull(argv[6], NULL, 0) : 1);
    h.m = m;
    m->console = console;
    if (machine_load_board(m, argv[2])) {
        fprintf(stderr, "stm32-powercut: %s\n", m->error);
        machine_free(m);
        return 65;
    }
    sim_probe_t *p = machine_find_probe(m, argv[3]);
    if (!p) {
        fprintf(stderr, "stm32-powercut: the board has no probe '%s'\n", argv[3]);
        machine_free(m);
        return 64;
    }
    p->watch = probe_fired;
    p->watch_opaque = &h;
    sched_event_init(&h.cut_ev, "harness.cut", cut, &h);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    loader_opts_t lo = { .format = LOADER_FMT_AUTO };
    loader_image_t img;
    char err[512];
    if (loader_load_file(&m->bus, argv[1], &lo, &img, err, sizeof err)) {
        fprintf(stderr, "stm32-powercut: %s\n", err);
        machine_free(m);
        return 65;
    }
    loader_image_free(&img);
    semihost_t sh;
    semihost_init(&sh, &m->sched, ".");
    sh.console = console;
    sh.on_exit = guest_exit;
    sh.on_exit_opaque = &h;
    m->cpu->on_bkpt = semihost_bkpt;
    m->cpu->on_bkpt_opaque = &sh;
    cpu_reset(m->cpu);
    machine_run(m, SIM_S(30));
    int rc = h.exited ? h.exit_code : 124;
    if (!h.armed)
        fprintf(stderr, "stm32-powercut: probe %s never fired\n", argv[3]);
    sched_cancel(&m->sched, &h.cut_ev);
    semihost_free(&sh);
    machine_free(m);
    return rc;
}
