/*
 * ARMv7-M run loop: decoded-block cache, instruction dispatch, the data
 * memory path (alignment, PPB privilege, MPU, bus errors, wait states) and
 * the cycle <-> virtual time conversion. See cpu.h for the contract between
 * this file, the decoders and the system part (armv7m_sys.c).
 *
 * Timing model (cycle-approximate):
 * - every instruction costs its base cycles from the Cortex-M4 TRM table
 *   (thumb_timing.h, vfp.c), charged before it runs (the threaded executor
 *   charges a block at once and corrects with insn_t.rest);
 * - instruction fetch adds the region's wait states once per 16-byte line a
 *   block enters (the STM32 flash reads 128-bit lines; the flash controller
 *   model lowers the effective wait states when its ART cache is on), and
 *   once more at every block start (a branch target is a new fetch);
 * - data accesses add the region's wait states;
 * - handlers add data-dependent extras (taken branches, divides).
 * NOTE: the MPU is checked for instruction fetch once per block entry, not
 * per instruction; a block that runs across an MPU region border is checked
 * with the attributes of its first instruction.
 */
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "../log.h"

/* ---------------------------------------------------------------------- */
/* time base */

static void cpu_rebase(cpu_t *cpu)
{
    cpu->clk_base_ns = cpu_time_of(cpu, cpu->cycles);
    cpu->clk_base_cycles = cpu->cycles;
}

/* Both conversions take 64-bit arithmetic while the products fit (for
 * 1.8e10 cycles after a clock change), 128-bit beyond: the same exact
 * values either way. */
sim_time_t cpu_time_of(const cpu_t *cpu, sim_cycles_t cycles)
{
    if (cycles <= cpu->clk_base_cycles || !cpu->hz)
        return cpu->clk_base_ns;
    uint64_t dc = cycles - cpu->clk_base_cycles;
    if (dc <= UINT64_MAX / 1000000000u)
        return cpu->clk_base_ns + dc * 1000000000u / cpu->hz;
    unsigned __int128 d = (unsigned __int128)dc * 1000000000u;
    return cpu->clk_base_ns + (sim_time_t)(d / cpu->hz);
}

sim_cycles_t cpu_cycles_at(const cpu_t *cpu, sim_time_t t)
{
    if (t == SIM_TIME_NEVER)
        return UINT64_MAX;
    if (t <= cpu->clk_base_ns)
        return cpu->clk_base_cycles;
    uint64_t dt = t - cpu->clk_base_ns;
    if (cpu->hz && dt <= (UINT64_MAX - 999999999u) / cpu->hz)
        return cpu->clk_base_cycles + (dt * cpu->hz + 999999999u) / 1000000000u;
    unsigned __int128 c = (unsigned __int128)dt * cpu->hz + 999999999u;
    c /= 1000000000u;
    unsigned __int128 r = c + cpu->clk_base_cycles;
    return r > UINT64_MAX ? UINT64_MAX : (sim_cycles_t)r;
}

/* A stopped clock (0 Hz) counts as 1 Hz for a core that still runs; a
 * sleeping core's cycle count stands still until the clock comes back, and
 * the core goes on from the time it does. */
void cpu_set_hz(cpu_t *cpu, uint64_t hz)
{
    uint64_t eff = hz ? hz : 1;
    if (eff == cpu->hz && cpu->clk_stopped == !hz)
        return;
    if (cpu->clk_stopped && cpu->sleeping)
        cpu_sync_to_time(cpu, cpu->sched->now);
    cpu_rebase(cpu);
    cpu->hz = eff;
    cpu->clk_stopped = !hz;
    armv7m_sys_cycles_changed(cpu);
}

static void cpu_clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    cpu_t *cpu = opaque;
    (void)old_hz;
    cpu_set_hz(cpu, new_hz);
    /* The current slice was computed at the old rate. */
    cpu->break_block = true;
    cpu->slice_limit = 0;
}

void cpu_set_clock(cpu_t *cpu, sim_clock_t *clk)
{
    cpu->clk = clk;
    clock_listen(clk, cpu_clock_changed, cpu);
    cpu_set_hz(cpu, clock_hz(clk));
}

void cpu_sync_to_time(cpu_t *cpu, sim_time_t t)
{
    if (cpu->clk_stopped && cpu->sleeping) {
        if (t > cpu_time_of(cpu, cpu->cycles)) {
            cpu->clk_base_ns = t;
            cpu->clk_base_cycles = cpu->cycles;
        }
        return;
    }
    sim_cycles_t c = cpu_cycles_at(cpu, t);
    if (c > cpu->cycles)
        cpu->cycles = c;
}

/* ---------------------------------------------------------------------- */
/* life cycle */

static void cpu_code_written(void *opaque, uint32_t addr)
{
    cpu_t *cpu = opaque;
    (void)addr;
    cpu_flush_cache(cpu);
}

int cpu_init(cpu_t *cpu, bus_t *bus, sched_t *sched, unsigned num_irqs, unsigned prio_bits,
             bool has_fpu)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->bus = bus;
    cpu->sched = sched;
    cpu->num_irqs = num_irqs > CPU_MAX_IRQS ? CPU_MAX_IRQS : num_irqs;
    cpu->prio_bits = prio_bits ? prio_bits : 4;
    cpu->has_fpu = has_fpu;
    cpu->cpuid = 0x410FC241;
    cpu->hz = 16000000;
    cpu->blocks = calloc(CPU_BLOCK_HASH, sizeof *cpu->blocks);
    if (!cpu->blocks)
        return -1;
    cpu->cache_gen = 1;
    cpu->chain_epoch = 1;
    cpu->mpu_epoch = 1;
    cpu_tlb_flush(cpu);
    bus_set_code_write_hook(bus, cpu_code_written, cpu);
    armv7m_sys_init(cpu);
    return 0;
}

void cpu_free(cpu_t *cpu)
{
    free(cpu->blocks);
    cpu->blocks = NULL;
}

void cpu_tlb_flush(cpu_t *cpu)
{
    for (unsigned k = 0; k < CPU_TLB_SIZE; k++) {
        cpu->tlb_rd[k].tag = CPU_TLB_NONE;
        cpu->tlb_wr[k].tag = CPU_TLB_NONE;
    }
}

/* After a slow-path access that went to direct memory: let the next ones to
 * that page take the fast path. */
static void tlb_fill(cpu_t *cpu, uint32_t addr, bool write, unsigned acc)
{
    if (cpu->nwatch || (acc & ACC_UNPRIV))
        return;
    if (cpu->sys.mpu_active &&
        (armv7m_mpu_context(cpu) != cpu->tlb_ctx ||
         !armv7m_mpu_page_allows(cpu, addr & ~(BUS_PAGE_SIZE - 1), write)))
        return;
    const bus_region_t *r = bus_find(cpu->bus, addr);
    if (!r || r->kind == BUS_MMIO || !r->direct || (write && r->kind != BUS_RAM))
        return;
    uint32_t page = addr >> BUS_PAGE_SHIFT;
    if (write && bus_is_code(cpu->bus, addr))
        return;
    cpu_tlb_entry_t *e = &(write ? cpu->tlb_wr : cpu->tlb_rd)[page & (CPU_TLB_SIZE - 1)];
    uint32_t base = page << BUS_PAGE_SHIFT;
    e->tag = base;
    e->wait_states = r->wait_states;
    e->addend = (uintptr_t)(r->host + (base - r->base)) - base;
}

void cpu_flush_cache(cpu_t *cpu)
{
    cpu_tlb_flush(cpu);
    cpu->cache_gen++;
    if (cpu->cache_gen == 0) {
        for (unsigned i = 0; i < CPU_BLOCK_HASH; i++)
            cpu->blocks[i].gen = 0;
        cpu->cache_gen = 1;
    }
    cpu->cache_flushes++;
    cpu->chain_epoch++;
    cpu->ws_max = bus_max_wait_states(cpu->bus);
    cpu->break_block = true;
    bus_clear_code_marks(cpu->bus);
}

void cpu_reset(cpu_t *cpu)
{
    memset(cpu->r, 0, sizeof cpu->r);
    cpu->msp = cpu->psp = 0;
    cpu_set_nz_flags(cpu, false, false);
    cpu->c = cpu->v = cpu->q = 0;
    cpu->ge = 0;
    cpu->itstate = 0;
    cpu->ipsr = 0;
    cpu->primask = cpu->faultmask = cpu->basepri = 0;
    cpu->control = 0;
    memset(cpu->s, 0, sizeof cpu->s);
    cpu->fpscr = 0;
    cpu->excl_valid = false;
    cpu->event_reg = false;
    cpu->break_block = false;
    cpu->exc_check = true;
    cpu->sync_exc = 0;
    cpu->sync_return_set = false;
    cpu->sleeping = false;
    cpu->sleep_held = false;
    cpu->locked_up = false;
    cpu->stop_requested = false;
    cpu->pc_written = false;
    cpu->nonseq = true;
    armv7m_sys_reset(cpu);
    cpu_flush_cache(cpu);

    uint32_t vtor = cpu->sys.vtor;
    uint32_t sp, pc;
    if (bus_read(cpu->bus, vtor, 4, &sp) || bus_read(cpu->bus, vtor + 4, 4, &pc)) {
        log_msg(LOG_GUEST_ERROR, "cpu", "reset vector at 0x%08x is not readable: lockup", vtor);
        cpu->locked_up = true;
        cpu->lockup_pc = 0xFFFFFFFEu;
        return;
    }
    cpu->r[13] = sp & ~3u;
    cpu->t_bit = pc & 1;
    cpu->r[15] = pc & ~1u;
    cpu->r[14] = 0xFFFFFFFFu;
}

void cpu_request_stop(cpu_t *cpu)
{
    cpu->stop_requested = true;
    cpu->break_block = true;
}

/* ---------------------------------------------------------------------- */
/* PSR and stack pointers */

uint32_t cpu_get_xpsr(const cpu_t *cpu)
{
    return ((uint32_t)cpu_flag_n(cpu) << 31) | ((uint32_t)cpu_flag_z(cpu) << 30) |
           ((uint32_t)cpu->c << 29) |
           ((uint32_t)cpu->v << 28) | ((uint32_t)cpu->q << 27) |
           ((uint32_t)(cpu->itstate & 3) << 25) | ((uint32_t)cpu->t_bit << 24) |
           ((uint32_t)(cpu->ge & 0xF) << 16) | ((uint32_t)(cpu->itstate >> 2) << 10) |
           (cpu->ipsr & 0x1FF);
}

void cpu_set_apsr(cpu_t *cpu, uint32_t v)
{
    cpu_set_nz_flags(cpu, (v >> 31) & 1, (v >> 30) & 1);
    cpu->c = (v >> 29) & 1;
    cpu->v = (v >> 28) & 1;
    cpu->q = (v >> 27) & 1;
    cpu->ge = (v >> 16) & 0xF;
}

void cpu_set_xpsr(cpu_t *cpu, uint32_t v)
{
    cpu_set_apsr(cpu, v);
    cpu->itstate = (uint8_t)(((v >> 25) & 3) | (((v >> 10) & 0x3F) << 2));
    cpu->t_bit = (v >> 24) & 1;
    cpu_set_mode(cpu, (uint16_t)(v & 0x1FF), cpu->control);
}

void cpu_set_msp(cpu_t *cpu, uint32_t v)
{
    if (cpu_using_psp(cpu))
        cpu->msp = v & ~3u;
    else
        cpu->r[13] = v & ~3u;
}

void cpu_set_psp(cpu_t *cpu, uint32_t v)
{
    if (cpu_using_psp(cpu))
        cpu->r[13] = v & ~3u;
    else
        cpu->psp = v & ~3u;
}

void cpu_set_mode(cpu_t *cpu, uint16_t ipsr, uint8_t control)
{
    bool was_psp = cpu_using_psp(cpu);
    cpu->ipsr = ipsr;
    cpu->control = control;
    bool now_psp = cpu_using_psp(cpu);
    if (was_psp == now_psp)
        return;
    if (was_psp) {
        cpu->psp = cpu->r[13];
        cpu->r[13] = cpu->msp;
    } else {
        cpu->msp = cpu->r[13];
        cpu->r[13] = cpu->psp;
    }
}

/* ---------------------------------------------------------------------- */
/* control flow */

void cpu_bx_write_pc(cpu_t *cpu, uint32_t addr)
{
    cpu->pc_written = true;
    cpu->break_block = true;
    if (cpu->ipsr != 0 && (addr & 0xF0000000u) == 0xF0000000u) {
        armv7m_exception_return(cpu, addr);
        return;
    }
    cpu->itstate = 0;
    cpu->t_bit = addr & 1;
    cpu->r[15] = addr & ~1u;
}

void cpu_do_bkpt(cpu_t *cpu, const insn_t *i, uint32_t imm8)
{
    (void)i;
    if (cpu->on_bkpt && cpu->on_bkpt(cpu->on_bkpt_opaque, cpu, imm8))
        return;
    /* No debugger: BKPT escalates to HardFault with HFSR.DEBUGEVT. */
    log_once(LOG_GUEST_ERROR, "cpu", 0xB0B0, "BKPT #%u at 0x%08x with no debugger attached",
             imm8, i ? i->pc : 0);
    cpu->sys.hfsr |= 1u << 31;
    cpu_raise_sync(cpu, EXC_HARDFAULT, false, 0);
}

#define SCR_SLEEPDEEP (1u << 2)

void cpu_enter_sleep(cpu_t *cpu, bool wfe)
{
    cpu->sleeping = true;
    cpu->sleep_wfe = wfe;
    if ((cpu->sys.scr & SCR_SLEEPDEEP) && cpu->on_deep_sleep)
        cpu->on_deep_sleep(cpu->on_deep_sleep_opaque, cpu);
}

void cpu_do_wfi(cpu_t *cpu)
{
    cpu->break_block = true;
    if (armv7m_wakeup_pending(cpu, false))
        return;
    cpu_enter_sleep(cpu, false);
}

void cpu_do_wfe(cpu_t *cpu)
{
    cpu->break_block = true;
    if (cpu->event_reg) {
        cpu->event_reg = false;
        return;
    }
    if (armv7m_wakeup_pending(cpu, true))
        return;
    cpu_enter_sleep(cpu, true);
}

void cpu_do_sev(cpu_t *cpu)
{
    cpu->event_reg = true;
}

/* ---------------------------------------------------------------------- */
/* data memory path */

static bool in_ppb(uint32_t addr)
{
    return addr >= 0xE0000000u && addr < 0xE0100000u;
}

/* Models that run during this access see the CPU's own time, with every
 * event due by then already run, as if the access were an event of that
 * time armed after them: what a model sees then depends on the times of
 * things only, not on where the machine loop happened to end a slice. Once
 * something asked the CPU to stop (a power cut that an event started), the
 * rest waits for the machine loop. */
static void sync_sched_for_mmio(cpu_t *cpu)
{
    sim_time_t t = cpu_time_of(cpu, cpu->cycles);
    for (;;) {
        /* time stays where the stop came from (a power cut at its moment) */
        if (cpu->stop_requested)
            return;
        sim_time_t next = sched_next_deadline(cpu->sched);
        if (next > t) {
            sched_advance(cpu->sched, t);
            return;
        }
        sched_advance(cpu->sched, next);
        sched_run_due(cpu->sched);
    }
}

/* After an MMIO access a model may have armed an event before the end of
 * the current slice: shorten the slice and end the block. */
static void after_mmio(cpu_t *cpu)
{
    sim_cycles_t lim = cpu_cycles_at(cpu, sched_next_deadline(cpu->sched));
    if (lim < cpu->slice_limit)
        cpu->slice_limit = lim;
    cpu->break_block = true;
}

static bool check_alignment(cpu_t *cpu, uint32_t addr, unsigned size, unsigned acc)
{
    if (!(addr & (size - 1)))
        return true;
    if ((acc & (ACC_ALIGN | ACC_EXCL)) || (cpu->sys.ccr & (1u << 3))) {
        if (!(acc & ACC_NOFAULT))
            cpu_usage_fault(cpu, UFSR_UNALIGNED);
        return false;
    }
    return true;
}

static bool check_access(cpu_t *cpu, uint32_t addr, bool write, unsigned acc)
{
    bool priv = cpu_privileged(cpu) && !(acc & ACC_UNPRIV);
    if (in_ppb(addr) && !priv) {
        /* STIR may be written unprivileged when CCR.USERSETMPEND is set. */
        if (!(write && addr == 0xE000EF00u && (cpu->sys.ccr & (1u << 1)))) {
            if (!(acc & ACC_NOFAULT))
                cpu_bus_fault(cpu, BFSR_PRECISERR | BFSR_BFARVALID, addr, true);
            return false;
        }
    }
    if (cpu->sys.mpu_active && !armv7m_mpu_check(cpu, addr, write, acc))
        return false;
    return true;
}

static bool bus_access(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t *val, bool write,
                       unsigned acc)
{
    bus_region_t *r = bus_find(cpu->bus, addr);
    bool mmio = !r || r->kind == BUS_MMIO || !r->direct || (write && r->kind == BUS_ROM);
    int err;
    if (mmio)
        sync_sched_for_mmio(cpu);
    if (write)
        err = bus_write(cpu->bus, addr, size, *val);
    else
        err = bus_read(cpu->bus, addr, size, val);
    if (r)
        cpu->cycles += r->wait_states;
    if (mmio)
        after_mmio(cpu);
    if (err) {
        if (!(acc & ACC_NOFAULT))
            cpu_bus_fault(cpu, BFSR_PRECISERR | BFSR_BFARVALID, addr, true);
        return false;
    }
    return true;
}

static bool split_access(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t *val, bool write,
                         unsigned acc)
{
    /* An unaligned access is performed as bytes (what the M4's bus matrix
     * does for unaligned normal-memory accesses, seen from software). */
    uint32_t v = write ? *val : 0;
    for (unsigned k = 0; k < size; k++) {
        uint32_t b = (v >> (8 * k)) & 0xFF;
        if (!check_access(cpu, addr + k, write, acc))
            return false;
        if (!bus_access(cpu, addr + k, 1, &b, write, acc))
            return false;
        if (!write)
            v |= b << (8 * k);
    }
    if (!write)
        *val = v;
    return true;
}

/* Debugger watchpoints: the access completes, then the loop stops after the
 * instruction (GDB reports the data address). Stacking and lazy FP
 * preservation are not data accesses of an instruction and do not trigger. */
static void check_watch(cpu_t *cpu, uint32_t addr, unsigned size, uint8_t kind, unsigned acc)
{
    if (acc & (ACC_STACK | ACC_LAZYFP | ACC_FETCH | ACC_NOFAULT))
        return;
    for (unsigned k = 0; k < cpu->nwatch; k++) {
        const cpu_watch_t *w = &cpu->watch[k];
        if ((w->kind & kind) && addr < w->addr + w->len && w->addr < addr + size) {
            cpu->watch_hit = true;
            cpu->watch_addr = addr > w->addr ? addr : w->addr;
            cpu->watch_kind = kind;
            cpu->break_block = true;
            return;
        }
    }
}

bool cpu_read_slow(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t *val, unsigned acc)
{
    if (!check_alignment(cpu, addr, size, acc))
        return false;
    if (addr & (size - 1)) {
        if (!split_access(cpu, addr, size, val, false, acc))
            return false;
        if (unlikely(cpu->nwatch))
            check_watch(cpu, addr, size, CPU_WATCH_READ, acc);
        return true;
    }
    if (!check_access(cpu, addr, false, acc))
        return false;
    if (!bus_access(cpu, addr, size, val, false, acc))
        return false;
    if (unlikely(cpu->nwatch))
        check_watch(cpu, addr, size, CPU_WATCH_READ, acc);
    else
        tlb_fill(cpu, addr, false, acc);
    return true;
}

bool cpu_write_slow(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t val, unsigned acc)
{
    if (!check_alignment(cpu, addr, size, acc))
        return false;
    if (addr & (size - 1)) {
        if (!split_access(cpu, addr, size, &val, true, acc))
            return false;
        if (unlikely(cpu->nwatch))
            check_watch(cpu, addr, size, CPU_WATCH_WRITE, acc);
        return true;
    }
    if (!check_access(cpu, addr, true, acc))
        return false;
    if (!bus_access(cpu, addr, size, &val, true, acc))
        return false;
    if (unlikely(cpu->nwatch))
        check_watch(cpu, addr, size, CPU_WATCH_WRITE, acc);
    else
        tlb_fill(cpu, addr, true, acc);
    return true;
}

/* ---------------------------------------------------------------------- */
/* instruction fetch and block building */

enum { FETCH_OK = 0, FETCH_XN, FETCH_BUSERR };

/* Default memory map execute-never areas (ARMv7-M B3.1). */
static bool default_map_xn(uint32_t addr)
{
    return (addr >= 0x40000000u && addr < 0x60000000u) || addr >= 0xA0000000u;
}

static int fetch16(cpu_t *cpu, uint32_t addr, uint16_t *hw, unsigned *ws)
{
    if (default_map_xn(addr))
        return FETCH_XN;
    bus_region_t *r = bus_find(cpu->bus, addr);
    if (!r)
        return FETCH_BUSERR;
    if (r->flags & BUS_F_NOEXEC)
        return r->kind == BUS_MMIO ? FETCH_BUSERR : FETCH_XN;
    if (r->kind != BUS_MMIO && r->direct && addr - r->base <= r->size - 2) {
        *hw = rd_le16(r->host + (addr - r->base));
    } else {
        uint32_t v;
        if (bus_read(cpu->bus, addr, 2, &v))
            return FETCH_BUSERR;
        *hw = (uint16_t)v;
    }
    *ws = r->wait_states;
    return FETCH_OK;
}

static void exec_fetch_fault(cpu_t *cpu, const insn_t *i)
{
    if (i->aux == FETCH_XN)
        cpu_mem_fault(cpu, MMFSR_IACCVIOL, 0, false);
    else
        cpu_bus_fault(cpu, BFSR_IBUSERR, 0, false);
}

static inline uint8_t it_advance(uint8_t it)
{
    if ((it & 7) == 0)
        return 0;
    return (uint8_t)((it & 0xE0) | ((it << 1) & 0x1F));
}

/* A page that holds decoded code: writes to it must go through the bus,
 * which tells the cache to drop stale blocks. */
static inline void mark_code(cpu_t *cpu, uint32_t addr)
{
    bus_mark_code(cpu->bus, addr);
    cpu_tlb_entry_t *e = &cpu->tlb_wr[(addr >> BUS_PAGE_SHIFT) & (CPU_TLB_SIZE - 1)];
    if (e->tag == (addr & ~(BUS_PAGE_SIZE - 1)))
        e->tag = CPU_TLB_NONE;
}

/* Handlers that read the PC register or execute conditionally inside an IT
 * block go through this, so the common instruction needs neither test. */
static void exec_wrapped(cpu_t *cpu, const insn_t *i)
{
    if (i->flags & INSN_PCREAD)
        cpu->r[15] = i->pc + 4;
    if (i->cond == 0xE || cpu_cond_pass(cpu, i->cond))
        i->exec(cpu, i);
}

cpu_block_t *cpu_build_block(cpu_t *cpu, cpu_block_t *b, uint32_t pc, uint8_t itstate)
{
    uint8_t it = itstate;
    uint32_t bound = 0, last_bound = 0;
    if (b->gen == cpu->cache_gen)
        cpu->chain_epoch++; /* links to the block this slot held are stale */
    memset(b->chain, 0, sizeof b->chain);
    b->mpu_ok = 0;
    b->pc = pc;
    b->itstate = itstate;
    b->fetch_fault = false;
    b->n = 0;
    b->cycles = 0;
    b->entry_ws = 0;
    cpu->blocks_built++;
    while (b->n < CPU_BLOCK_MAX) {
        insn_t *in = &b->insns[b->n];
        uint16_t hw1 = 0, hw2 = 0;
        unsigned ws1 = 0, ws2 = 0;
        int f = fetch16(cpu, pc, &hw1, &ws1);
        if (f == FETCH_OK && thumb_is_32bit(hw1))
            f = fetch16(cpu, pc + 2, &hw2, &ws2);
        if (f != FETCH_OK) {
            if (b->n > 0)
                break;
            memset(in, 0, sizeof *in);
            in->fn = in->exec = exec_fetch_fault;
            in->aux = (uint16_t)f;
            in->pc = pc;
            in->len = 2;
            in->cond = 0xE;
            in->itstate = it;
            in->flags = INSN_END;
            b->fetch_fault = true;
            b->n = 1;
            last_bound = 0;
            pc += 2;
            break;
        }
        thumb_decode(pc, hw1, hw2, it, in);
        if (in->rn == 15 || in->rm == 15 || in->ra == 15 || in->rd == 15)
            in->flags |= INSN_PCREAD;
        in->pc = pc;
        in->itstate = it;
        in->cond = it ? (uint8_t)(it >> 4) : 0xE;
        if (it == 0 && (hw1 & 0xFF00) == 0xBF00 && (hw1 & 0xF)) {
            in->it_next = (uint8_t)(hw1 & 0xFF); /* IT: firstcond:mask */
            in->flags |= INSN_IT;
        } else {
            in->it_next = it_advance(it);
            if (it)
                in->flags |= INSN_IT;
        }
        /* Fetch cost, independent of where blocks start (so slicing and
         * single-stepping do not change timing): every 16-byte line that
         * sequential execution enters for the first time costs its wait
         * states; entering a line mid-way after a branch costs them too,
         * charged by the run loop from entry_ws. */
        uint32_t first = pc >> 4, last = (pc + in->len - 1) >> 4, prev = (pc - 1) >> 4;
        unsigned fetch = (first != prev ? ws1 : 0) + (last != first ? ws2 : 0);
        if (b->n == 0 && first == prev)
            b->entry_ws = (uint8_t)(ws1 > 255 ? 255 : ws1);
        unsigned total = in->cycles + fetch;
        in->cycles = (uint8_t)(total > 255 ? 255 : total);
        b->cycles += in->cycles;
        last_bound = in->cycles + thumb_extra_bound(in, cpu->ws_max);
        bound += last_bound;
        in->exec = in->fn;
        if (in->cond != 0xE || (in->flags & INSN_PCREAD))
            in->fn = exec_wrapped;
        mark_code(cpu, pc);
        if (in->len == 4)
            mark_code(cpu, pc + 2);
        b->n++;
        pc += in->len;
        it = in->it_next;
        if (in->flags & INSN_END)
            break;
    }
    b->bound = bound - last_bound;
    /* the sentinel: where sequential execution leaves the block */
    insn_t *end = &b->insns[b->n];
    memset(end, 0, sizeof *end);
    end->pc = pc;
    end->itstate = it;
    end->cond = 0xE;
    uint32_t rest = 0;
    for (unsigned k = b->n; k-- > 0;) {
        b->insns[k].rest = (uint16_t)rest;
        rest += b->insns[k].cycles;
    }
    thumb_fast_prepare(b);
    b->gen = cpu->cache_gen;
    return b;
}

static inline cpu_block_t *lookup_block(cpu_t *cpu, uint32_t pc, uint8_t itstate)
{
    if (unlikely(cpu->bus->generation != cpu->bus_gen_seen)) {
        cpu->bus_gen_seen = cpu->bus->generation;
        cpu_flush_cache(cpu);
    }
    return cpu_find_block(cpu, pc, itstate);
}

/* ---------------------------------------------------------------------- */
/* run loop */

static void take_sync_exception(cpu_t *cpu, const insn_t *i)
{
    int exc = cpu->sync_exc;
    uint32_t ret;
    cpu->sync_exc = 0;
    if (cpu->sync_return_set) {
        ret = cpu->sync_return;
        cpu->itstate = i ? i->it_next : 0;
    } else {
        ret = i ? i->pc : cpu->r[15];
        cpu->itstate = i ? i->itstate : cpu->itstate;
    }
    cpu->sync_return_set = false;
    if (!cpu->locked_up)
        armv7m_exception_entry(cpu, exc, ret);
    cpu->pc_written = false;
}

/* Fetch-time MPU check for the block at pc (execute permission). The data
 * TLB follows privilege changes here: they all end a block. */
static bool mpu_fetch_ok(cpu_t *cpu, uint32_t pc)
{
    if (!cpu->sys.mpu_active)
        return true;
    unsigned ctx = armv7m_mpu_context(cpu);
    if (unlikely(ctx != cpu->tlb_ctx)) {
        cpu_tlb_flush(cpu);
        cpu->tlb_ctx = ctx;
        cpu->mpu_epoch++;
        cpu->chain_epoch++;
    }
    /* a decoded block remembers that its fetch passed in this MPU epoch */
    cpu_block_t *b = &cpu->blocks[cpu_block_hash(pc, cpu->itstate)];
    bool decoded = b->gen == cpu->cache_gen && b->pc == pc && b->itstate == cpu->itstate;
    if (decoded && b->mpu_ok == cpu->mpu_epoch)
        return true;
    if (!armv7m_mpu_check(cpu, pc, false, ACC_FETCH))
        return false;
    if (decoded)
        b->mpu_ok = cpu->mpu_epoch;
    return true;
}

static bool at_breakpoint(const cpu_t *cpu, uint32_t pc)
{
    for (unsigned k = 0; k < cpu->nbreak; k++)
        if (cpu->breakpoints[k] == pc)
            return true;
    return false;
}

/*
 * The loop leaves at the first instruction boundary where cycles >= limit,
 * so the instruction at which an event becomes visible does not depend on
 * block boundaries. A block whose bound keeps every boundary inside it below
 * the limit goes to the threaded executor (thumb_fast.c), which runs it and
 * its successors whole; the block that may reach the limit retires its
 * instructions one by one against it. With tracing, breakpoints or
 * single-stepping on, each pass runs one instruction.
 */
enum cpu_stop cpu_run(cpu_t *cpu, sim_cycles_t limit)
{
    cpu->slice_limit = limit;
    cpu->stop = CPU_STOP_NONE;
    bool stepped = false;
    if (unlikely(cpu->nwatch))
        cpu_tlb_flush(cpu); /* watched addresses must take the slow path */
    for (;;) {
        if (likely(!cpu->attention && !stepped))
            goto run_block;
        if (unlikely(cpu->locked_up))
            return cpu->stop = CPU_STOP_LOCKUP;
        if (unlikely(cpu->stop_requested)) {
            cpu->stop_requested = false;
            return cpu->stop = CPU_STOP_REQUEST;
        }
        if (unlikely(stepped))
            return cpu->stop = CPU_STOP_STEP;
        /* The slice ends at this boundary before a pending exception is
         * taken, as a single step would: an event that ran during an access
         * of the last instruction may have made one pending. */
        if (unlikely(cpu->cycles >= cpu->slice_limit))
            return cpu->stop = CPU_STOP_LIMIT;
        if (unlikely(cpu->sleeping && cpu->sleep_held))
            return cpu->stop = CPU_STOP_SLEEP; /* only the SoC wakes it */
        if (unlikely(cpu->exc_check)) {
            cpu->exc_check = false;
            int exc = armv7m_pending_exception(cpu);
            if (exc) {
                cpu->sleeping = false;
                armv7m_exception_entry(cpu, exc, cpu->r[15]);
                cpu->pc_written = false;
                cpu->break_block = false;
                cpu->nonseq = true;
                stepped = cpu->step_one;
                continue;
            }
        }
        if (unlikely(cpu->sleeping))
            return cpu->stop = CPU_STOP_SLEEP;
    run_block:
        if (unlikely(cpu->cycles >= cpu->slice_limit))
            return cpu->stop = CPU_STOP_LIMIT;

        uint32_t pc = cpu->r[15];
        if (unlikely(cpu->nbreak) && !cpu->break_skip && at_breakpoint(cpu, pc))
            return cpu->stop = CPU_STOP_BREAK;
        cpu->break_skip = false;
        if (unlikely(!cpu->t_bit)) {
            cpu_usage_fault(cpu, UFSR_INVSTATE);
            if (cpu->sync_exc)
                take_sync_exception(cpu, NULL);
            cpu->break_block = false;
            cpu->nonseq = true;
            stepped = cpu->step_one;
            continue;
        }
        if (unlikely(!mpu_fetch_ok(cpu, pc))) {
            if (cpu->sync_exc)
                take_sync_exception(cpu, NULL);
            cpu->break_block = false;
            cpu->nonseq = true;
            stepped = cpu->step_one;
            continue;
        }

        cpu_block_t *b = lookup_block(cpu, pc, cpu->itstate);
        const insn_t *i = b->insns;
        const insn_t *end = i + b->n;
        bool one = cpu->trace || cpu->nbreak || cpu->step_one;
        if (cpu->nonseq) {
            cpu->cycles += b->entry_ws;
            cpu->nonseq = false;
        }
        cpu->break_block = false;
        const insn_t *first = i;
        if (likely(!one) && cpu->cycles + b->bound < cpu->slice_limit) {
            /* no boundary inside the block can reach the limit */
            i = cpu_run_blocks(cpu, b);
            first = i;
        } else if (unlikely(one)) {
            /* tracing, breakpoints, single step: one instruction per pass */
            cpu->cycles += i->cycles;
            if (cpu->trace)
                cpu->trace(cpu->trace_opaque, cpu, i);
            i->fn(cpu, i);
            if (!cpu->break_block) {
                cpu->insns++;
                cpu->r[15] = i->pc + i->len;
                cpu->itstate = i->it_next;
                i = NULL;
            }
        } else {
            const insn_t *last = end - 1;
            for (;;) {
                cpu->cycles += i->cycles;
                i->fn(cpu, i);
                if (unlikely(cpu->break_block))
                    break;
                if (i == last || cpu->cycles >= cpu->slice_limit) {
                    cpu->insns += (uint64_t)(i - first) + 1;
                    cpu->r[15] = i->pc + i->len;
                    cpu->itstate = i->it_next;
                    i = NULL;
                    break;
                }
                i++;
            }
        }
        if (one)
            stepped = cpu->step_one;
        if (likely(i == NULL))
            continue;
        /* The instruction at i wrote the PC, faulted or asked for a re-check. */
        cpu->break_block = false;
        cpu->insns += (uint64_t)(i - first);
        if (cpu->sync_exc) {
            take_sync_exception(cpu, i);
            cpu->nonseq = true;
            continue;
        }
        cpu->insns++;
        if (cpu->pc_written) {
            cpu->pc_written = false;
            cpu->nonseq = true;
        } else {
            cpu->r[15] = i->pc + i->len;
            cpu->itstate = i->it_next;
        }
        if (unlikely(cpu->watch_hit))
            return cpu->stop = CPU_STOP_WATCH;
    }
}
