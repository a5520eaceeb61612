/*
 * The Cortex-M4 system level (ARMv7-M ARM, chapter B1 "System level
 * programmers' model" and B3 "System address map"): exception priorities,
 * entry and return with the basic and extended (FP) frames, tail-chaining,
 * fault status and escalation, lockup, MRS/MSR/CPS, FP enable and lazy state
 * preservation, the MPU, and the System Control Space registers (NVIC, SCB,
 * SysTick, MPU, FP, DWT, debug) mapped on the bus.
 *
 * Timing: exception entry costs 12 cycles, a tail-chained entry 6, a return
 * 12 (Cortex-M4 TRM 3.3.2 / interrupt latency), plus the wait states of the
 * stack memory. SysTick and DWT.CYCCNT are functions of the core cycle count.
 *
 * Not modelled: the ITM/TPIU/FPB/ETM trace units (read as zero, logged once),
 * DWT comparators (registers only), DebugMonitor stepping, the
 * implementation-defined ACTLR bits (stored, no effect).
 */
#include <string.h>
#include "cpu.h"
#include "../log.h"

#define ENTRY_CYCLES 12
#define TAILCHAIN_CYCLES 6
#define RETURN_CYCLES 12

#define PRIO_NONE 256

/* SCS register offsets from 0xE000E000 */
enum {
    SCS_ICTR = 0x004, SCS_ACTLR = 0x008,
    SYST_CSR = 0x010, SYST_RVR = 0x014, SYST_CVR = 0x018, SYST_CALIB = 0x01C,
    NVIC_ISER = 0x100, NVIC_ICER = 0x180, NVIC_ISPR = 0x200, NVIC_ICPR = 0x280,
    NVIC_IABR = 0x300, NVIC_IPR = 0x400,
    SCB_CPUID = 0xD00, SCB_ICSR = 0xD04, SCB_VTOR = 0xD08, SCB_AIRCR = 0xD0C, SCB_SCR = 0xD10,
    SCB_CCR = 0xD14, SCB_SHPR1 = 0xD18, SCB_SHCSR = 0xD24, SCB_CFSR = 0xD28, SCB_HFSR = 0xD2C,
    SCB_DFSR = 0xD30, SCB_MMFAR = 0xD34, SCB_BFAR = 0xD38, SCB_AFSR = 0xD3C,
    SCB_ID_PFR0 = 0xD40, SCB_CPACR = 0xD88,
    MPU_TYPE = 0xD90, MPU_CTRL = 0xD94, MPU_RNR = 0xD98, MPU_RBAR = 0xD9C, MPU_RASR = 0xDA0,
    DCB_DHCSR = 0xDF0, DCB_DCRSR = 0xDF4, DCB_DCRDR = 0xDF8, DCB_DEMCR = 0xDFC,
    NVIC_STIR = 0xF00, FP_FPCCR = 0xF34, FP_FPCAR = 0xF38, FP_FPDSCR = 0xF3C,
    FP_MVFR0 = 0xF40, FP_MVFR1 = 0xF44, SCS_PID4 = 0xFD0,
};

/* SHCSR bits */
enum { SHCSR_MEMFAULTACT = 1 << 0, SHCSR_BUSFAULTACT = 1 << 1, SHCSR_USGFAULTACT = 1 << 3,
       SHCSR_SVCALLACT = 1 << 7, SHCSR_MONITORACT = 1 << 8, SHCSR_PENDSVACT = 1 << 10,
       SHCSR_SYSTICKACT = 1 << 11, SHCSR_USGFAULTPENDED = 1 << 12,
       SHCSR_MEMFAULTPENDED = 1 << 13, SHCSR_BUSFAULTPENDED = 1 << 14,
       SHCSR_SVCALLPENDED = 1 << 15, SHCSR_MEMFAULTENA = 1 << 16, SHCSR_BUSFAULTENA = 1 << 17,
       SHCSR_USGFAULTENA = 1 << 18 };
/* FPCCR bits */
enum { FPCCR_LSPACT = 1u << 0, FPCCR_USER = 1u << 1, FPCCR_THREAD = 1u << 3,
       FPCCR_HFRDY = 1u << 4, FPCCR_MMRDY = 1u << 5, FPCCR_BFRDY = 1u << 6,
       FPCCR_MONRDY = 1u << 8, FPCCR_LSPEN = 1u << 30, FPCCR_ASPEN = 1u << 31 };
/* HFSR */
enum { HFSR_VECTTBL = 1u << 1, HFSR_FORCED = 1u << 30, HFSR_DEBUGEVT = 1u << 31 };
#define CONTROL_NPRIV 1u
#define CONTROL_SPSEL 2u
#define CONTROL_FPCA 4u

static unsigned nexc(const cpu_t *cpu)
{
    return EXC_IRQ0 + cpu->num_irqs;
}

/* ---------------------------------------------------------------------- */
/* priorities */

static uint8_t prio_mask(const cpu_t *cpu)
{
    return (uint8_t)(0xFF << (8 - cpu->prio_bits));
}

/* Group priority of a configurable priority byte. */
static int group_prio(const cpu_t *cpu, uint8_t p)
{
    unsigned sub_bits = cpu->sys.aircr_prigroup + 1;
    return (int)(p & (uint8_t)(0xFF << sub_bits));
}

static int exc_prio(const cpu_t *cpu, int exc)
{
    if (exc == EXC_RESET)
        return -3;
    if (exc == EXC_NMI)
        return -2;
    if (exc == EXC_HARDFAULT)
        return -1;
    return cpu->sys.prio[exc];
}

static int exc_group_prio(const cpu_t *cpu, int exc)
{
    int p = exc_prio(cpu, exc);
    return p < 0 ? p : group_prio(cpu, (uint8_t)p);
}

/* ExecutionPriority() */
static int execution_priority(const cpu_t *cpu)
{
    int highest = PRIO_NONE;
    if (cpu->sys.nactive) {
        for (unsigned e = 1; e < nexc(cpu); e++)
            if (cpu->sys.active[e]) {
                int p = exc_group_prio(cpu, (int)e);
                if (p < highest)
                    highest = p;
            }
    }
    int boosted = PRIO_NONE;
    if (cpu->basepri & prio_mask(cpu))
        boosted = group_prio(cpu, cpu->basepri & prio_mask(cpu));
    if (cpu->primask)
        boosted = 0;
    if (cpu->faultmask)
        boosted = -1;
    return boosted < highest ? boosted : highest;
}

/* Execution priority ignoring PRIMASK/FAULTMASK/BASEPRI (for WFI wake-up). */
static int active_priority(const cpu_t *cpu)
{
    int highest = PRIO_NONE;
    for (unsigned e = 1; e < nexc(cpu) && cpu->sys.nactive; e++)
        if (cpu->sys.active[e]) {
            int p = exc_group_prio(cpu, (int)e);
            if (p < highest)
                highest = p;
        }
    return highest;
}

static bool exc_enabled(const cpu_t *cpu, int e)
{
    if (e >= EXC_IRQ0)
        return cpu->sys.enabled[e];
    return true;
}

/* Highest-priority pending exception, or 0; its group priority in *gp. */
static int best_pending(const cpu_t *cpu, int *gp)
{
    int best = 0, bp = PRIO_NONE + 1, bsub = 0x1000;
    for (unsigned e = 2; e < nexc(cpu); e++) {
        if (!cpu->sys.pending[e] || !exc_enabled(cpu, (int)e))
            continue;
        int p = exc_group_prio(cpu, (int)e);
        int sub = exc_prio(cpu, (int)e);
        if (p < bp || (p == bp && sub < bsub)) {
            best = (int)e;
            bp = p;
            bsub = sub;
        }
    }
    *gp = bp;
    return best;
}

int armv7m_pending_exception(cpu_t *cpu)
{
    int gp;
    int e = best_pending(cpu, &gp);
    if (e && gp < execution_priority(cpu))
        return e;
    return 0;
}

bool armv7m_wakeup_pending(cpu_t *cpu, bool wfe)
{
    int gp;
    int e = best_pending(cpu, &gp);
    /* WFI wakes on any pending exception that would preempt were PRIMASK clear. */
    if (e) {
        int limit = active_priority(cpu);
        if (cpu->basepri & prio_mask(cpu)) {
            int b = group_prio(cpu, cpu->basepri & prio_mask(cpu));
            if (b < limit)
                limit = b;
        }
        if (cpu->faultmask && limit > -1)
            limit = -1;
        if (gp < limit)
            return true;
    }
    if (wfe) {
        if (cpu->event_reg)
            return true;
        /* SEVONPEND: a newly pending interrupt is an event */
        if ((cpu->sys.scr & (1u << 4)) && e)
            return true;
    }
    return false;
}

void armv7m_set_pending(cpu_t *cpu, int exc)
{
    if (exc <= 0 || (unsigned)exc >= nexc(cpu))
        return;
    if (!cpu->sys.pending[exc] && (cpu->sys.scr & (1u << 4)))
        cpu->event_reg = true;
    cpu->sys.pending[exc] = 1;
    cpu->exc_check = true;
    cpu->break_block = true;
}

void armv7m_nvic_irq_input(void *opaque, int n, bool level)
{
    cpu_t *cpu = opaque;
    if (n < 0 || (unsigned)n >= cpu->num_irqs)
        return;
    int e = EXC_IRQ0 + n;
    bool was = cpu->sys.level[e];
    cpu->sys.level[e] = level;
    if (level && !was)
        armv7m_set_pending(cpu, e);
}

/* ---------------------------------------------------------------------- */
/* faults */

static void lockup(cpu_t *cpu)
{
    if (!cpu->locked_up)
        log_msg(LOG_GUEST_ERROR, "cpu", "lockup: fault while at priority %d (pc 0x%08x, "
                "CFSR 0x%08x HFSR 0x%08x)", execution_priority(cpu), cpu->r[15],
                cpu->sys.cfsr, cpu->sys.hfsr);
    cpu->locked_up = true;
    cpu->lockup_pc = 0xEFFFFFFEu;
    cpu->sync_exc = 0;
    cpu->break_block = true;
}

/* A synchronous exception for the current instruction: escalate to
 * HardFault when it is disabled or cannot preempt, lock up when even
 * HardFault cannot. */
static void raise_fault(cpu_t *cpu, int exc, uint32_t enable_bit)
{
    int cur = execution_priority(cpu);
    if (exc != EXC_HARDFAULT) {
        bool enabled = !enable_bit || (cpu->sys.shcsr & enable_bit);
        if (!enabled || exc_group_prio(cpu, exc) >= cur) {
            cpu->sys.hfsr |= HFSR_FORCED;
            exc = EXC_HARDFAULT;
        }
    }
    if (exc == EXC_HARDFAULT && cur <= -1) {
        lockup(cpu);
        return;
    }
    cpu->sync_exc = exc;
    cpu->break_block = true;
}

void cpu_raise_sync(cpu_t *cpu, int exc, bool set_return, uint32_t return_addr)
{
    cpu->sync_return_set = set_return;
    cpu->sync_return = return_addr;
    if (exc == EXC_SVCALL || exc == EXC_DEBUGMON) {
        int cur = execution_priority(cpu);
        if (exc_group_prio(cpu, exc) >= cur) {
            cpu->sys.hfsr |= HFSR_FORCED;
            exc = EXC_HARDFAULT;
            if (cur <= -1) {
                lockup(cpu);
                return;
            }
        }
        cpu->sync_exc = exc;
        cpu->break_block = true;
        return;
    }
    raise_fault(cpu, exc, 0);
}

void cpu_usage_fault(cpu_t *cpu, uint32_t ufsr_bits)
{
    cpu->sys.cfsr |= ufsr_bits << 16;
    cpu->sync_return_set = false;
    raise_fault(cpu, EXC_USAGEFAULT, SHCSR_USGFAULTENA);
}

void cpu_mem_fault(cpu_t *cpu, uint32_t mmfsr_bits, uint32_t addr, bool addr_valid)
{
    cpu->sys.cfsr |= mmfsr_bits & 0xFF;
    if (addr_valid) {
        cpu->sys.mmfar = addr;
        cpu->sys.cfsr |= MMFSR_MMARVALID;
    }
    cpu->sync_return_set = false;
    raise_fault(cpu, EXC_MEMMANAGE, SHCSR_MEMFAULTENA);
}

void cpu_bus_fault(cpu_t *cpu, uint32_t bfsr_bits, uint32_t addr, bool addr_valid)
{
    cpu->sys.cfsr |= (bfsr_bits & 0xFF) << 8;
    if (addr_valid) {
        cpu->sys.bfar = addr;
        cpu->sys.cfsr |= BFSR_BFARVALID << 8;
    }
    cpu->sync_return_set = false;
    raise_fault(cpu, EXC_BUSFAULT, SHCSR_BUSFAULTENA);
}

/* A fault during stacking/unstacking/lazy FP save: pended, not synchronous
 * (it becomes a derived exception taken after the current entry). */
static void pend_fault(cpu_t *cpu, int exc, uint32_t enable_bit)
{
    bool enabled = cpu->sys.shcsr & enable_bit;
    if (!enabled || exc_group_prio(cpu, exc) >= execution_priority(cpu)) {
        cpu->sys.hfsr |= HFSR_FORCED;
        exc = EXC_HARDFAULT;
    }
    if (exc == EXC_HARDFAULT && execution_priority(cpu) <= -1 && cpu->sys.active[EXC_HARDFAULT]) {
        lockup(cpu);
        return;
    }
    armv7m_set_pending(cpu, exc);
}

/* ---------------------------------------------------------------------- */
/* MPU */

static bool mpu_region_hit(const cpu_t *cpu, unsigned r, uint32_t addr)
{
    uint32_t rasr = cpu->sys.mpu_rasr[r];
    if (!(rasr & 1))
        return false;
    unsigned size_field = (rasr >> 1) & 0x1F;
    if (size_field < 4)
        return false; /* below 32 bytes is UNPREDICTABLE: treat as disabled */
    uint64_t size = 1ull << (size_field + 1);
    uint32_t base = cpu->sys.mpu_rbar[r] & ~(uint32_t)(size - 1) & ~0x1Fu;
    if ((uint64_t)addr - base >= size || addr < base)
        return false;
    if (size >= 256) {
        unsigned sub = (unsigned)(((uint64_t)addr - base) / (size / 8));
        if ((rasr >> (8 + sub)) & 1)
            return false;
    }
    return true;
}

/* Execution priority below zero (HardFault, NMI or FAULTMASK), where the
 * MPU is off unless HFNMIENA: the same test as execution_priority() < 0. */
static bool negative_priority(const cpu_t *cpu)
{
    return cpu->faultmask || cpu->sys.active[EXC_HARDFAULT] || cpu->sys.active[EXC_NMI];
}

/* Data access permission of an MPU region's AP field (ARMv7-M B3.5.9). */
static bool ap_permits(unsigned ap, bool priv, bool write)
{
    switch (ap) {
    case 1: return priv;
    case 2: return priv || !write;
    case 3: return true;
    case 5: return priv && !write;
    case 6: case 7: return !write;
    default: return false;
    }
}

bool armv7m_mpu_check(cpu_t *cpu, uint32_t addr, bool write, unsigned acc)
{
    uint32_t ctrl = cpu->sys.mpu_ctrl;
    if (!(ctrl & 1))
        return true;
    if (addr >= 0xE0000000u && addr < 0xE0100000u)
        return true; /* PPB: always the default map */
    if (!(ctrl & 2) && negative_priority(cpu))
        return true; /* HFNMIENA clear: MPU off at negative priority */
    bool priv = cpu_privileged(cpu) && !(acc & ACC_UNPRIV);
    bool fetch = acc & ACC_FETCH;
    int hit = -1;
    for (int r = 7; r >= 0; r--)
        if (mpu_region_hit(cpu, (unsigned)r, addr)) {
            hit = r;
            break;
        }
    bool ok;
    if (hit < 0) {
        ok = priv && (ctrl & 4); /* PRIVDEFENA */
    } else {
        uint32_t rasr = cpu->sys.mpu_rasr[hit];
        ok = ap_permits((rasr >> 24) & 7, priv, write);
        if (fetch && (rasr & (1u << 28)))
            ok = false;
    }
    if (ok)
        return true;
    if (acc & ACC_NOFAULT)
        return false;
    if (fetch)
        cpu_mem_fault(cpu, MMFSR_IACCVIOL, 0, false);
    else if (acc & ACC_STACK)
        cpu->sys.cfsr |= write ? MMFSR_MSTKERR : MMFSR_MUNSTKERR;
    else if (acc & ACC_LAZYFP)
        cpu->sys.cfsr |= MMFSR_MLSPERR;
    else
        cpu_mem_fault(cpu, MMFSR_DACCVIOL, addr, true);
    return false;
}

unsigned armv7m_mpu_context(const cpu_t *cpu)
{
    bool bypass = !(cpu->sys.mpu_ctrl & 2) && negative_priority(cpu);
    return (cpu_privileged(cpu) ? 1u : 0u) | (bypass ? 2u : 0u);
}

/* How region r covers the 1 KiB page at base: not at all (or only through
 * disabled subregions), all of it, or part of it. */
enum { COVER_NONE, COVER_ALL, COVER_PART };
static int region_cover(const cpu_t *cpu, unsigned r, uint32_t base)
{
    uint32_t rasr = cpu->sys.mpu_rasr[r];
    unsigned size_field = (rasr >> 1) & 0x1F;
    if (!(rasr & 1) || size_field < 4)
        return COVER_NONE;
    uint64_t size = 1ull << (size_field + 1);
    uint32_t rbase = cpu->sys.mpu_rbar[r] & ~(uint32_t)(size - 1) & ~0x1Fu;
    if (size < BUS_PAGE_SIZE) /* aligned to its size: inside one page */
        return (rbase & ~(BUS_PAGE_SIZE - 1)) == base ? COVER_PART : COVER_NONE;
    if ((uint64_t)base - rbase >= size || base < rbase)
        return COVER_NONE;
    unsigned srd = (rasr >> 8) & 0xFF;
    uint64_t sub = size / 8;
    unsigned first = (unsigned)(((uint64_t)base - rbase) / sub);
    unsigned count = sub >= BUS_PAGE_SIZE ? 1 : (unsigned)(BUS_PAGE_SIZE / sub);
    unsigned bits = (srd >> first) & ((1u << count) - 1);
    if (bits == 0)
        return COVER_ALL;
    return bits == (1u << count) - 1 ? COVER_NONE : COVER_PART;
}

bool armv7m_mpu_page_allows(const cpu_t *cpu, uint32_t base, bool write)
{
    uint32_t ctrl = cpu->sys.mpu_ctrl;
    if (!(ctrl & 2) && negative_priority(cpu))
        return true;
    bool priv = cpu_privileged(cpu);
    for (int r = 7; r >= 0; r--) {
        int c = region_cover(cpu, (unsigned)r, base);
        if (c == COVER_PART)
            return false;
        if (c == COVER_ALL)
            return ap_permits((cpu->sys.mpu_rasr[r] >> 24) & 7, priv, write);
    }
    return priv && (ctrl & 4);
}

/* Decoded blocks do not depend on the MPU (the run loop checks the fetch
 * of a block in each MPU epoch), but the data TLB holds only pages the
 * configuration allows and links between blocks skip the fetch check: any
 * change empties the one and makes the others stale. */
static void mpu_update(cpu_t *cpu)
{
    cpu->sys.mpu_active = cpu->sys.mpu_ctrl & 1;
    cpu_tlb_flush(cpu);
    cpu->tlb_ctx = armv7m_mpu_context(cpu);
    cpu->mpu_epoch++;
    cpu->chain_epoch++;
    cpu->break_block = true;
}

/* ---------------------------------------------------------------------- */
/* stacking */

/* Stack access: bus errors and MPU violations become STKERR/UNSTKERR-class
 * faults, pended (derived exceptions), never synchronous. */
static bool stack_access(cpu_t *cpu, uint32_t addr, uint32_t *val, bool write, bool lazy)
{
    unsigned acc = ACC_NOFAULT | (lazy ? ACC_LAZYFP : ACC_STACK);
    if (cpu->sys.mpu_active && !armv7m_mpu_check(cpu, addr, write, acc)) {
        cpu->sys.cfsr |= lazy ? MMFSR_MLSPERR : write ? MMFSR_MSTKERR : MMFSR_MUNSTKERR;
        pend_fault(cpu, EXC_MEMMANAGE, SHCSR_MEMFAULTENA);
        return false;
    }
    bool ok = write ? cpu_write(cpu, addr, 4, *val, ACC_NOFAULT | ACC_STACK)
                    : cpu_read(cpu, addr, 4, val, ACC_NOFAULT | ACC_STACK);
    if (!ok) {
        cpu->sys.cfsr |= (uint32_t)(lazy ? BFSR_LSPERR : write ? BFSR_STKERR : BFSR_UNSTKERR) << 8;
        pend_fault(cpu, EXC_BUSFAULT, SHCSR_BUSFAULTENA);
    }
    return ok;
}

/* FPCCR ready bits recorded when lazy space is reserved. */
static uint32_t fpccr_ready(cpu_t *cpu)
{
    uint32_t v = 0;
    int cur = execution_priority(cpu);
    if (!cpu_privileged(cpu))
        v |= FPCCR_USER;
    if (cpu->ipsr == 0)
        v |= FPCCR_THREAD;
    if (-1 < cur)
        v |= FPCCR_HFRDY;
    if ((cpu->sys.shcsr & SHCSR_MEMFAULTENA) && exc_group_prio(cpu, EXC_MEMMANAGE) < cur)
        v |= FPCCR_MMRDY;
    if ((cpu->sys.shcsr & SHCSR_BUSFAULTENA) && exc_group_prio(cpu, EXC_BUSFAULT) < cur)
        v |= FPCCR_BFRDY;
    if ((cpu->sys.demcr & (1u << 16)) && exc_group_prio(cpu, EXC_DEBUGMON) < cur)
        v |= FPCCR_MONRDY;
    return v;
}

/* PushStack(): returns false if the frame could not be written (the
 * exception is still taken; the fault is pended). */
static bool push_stack(cpu_t *cpu, uint32_t return_addr, uint32_t *exc_return)
{
    bool fp = cpu->has_fpu && (cpu->control & CONTROL_FPCA);
    uint32_t framesize = fp ? 0x68 : 0x20;
    bool force = fp || (cpu->sys.ccr & (1u << 9));
    uint32_t sp = cpu->r[13];
    uint32_t align = force ? (sp >> 2) & 1 : 0;
    uint32_t frame = (sp - framesize) & ~(force ? 4u : 0u);
    bool on_psp = cpu_using_psp(cpu);
    cpu->r[13] = frame;
    uint32_t xpsr = (cpu_get_xpsr(cpu) & ~(1u << 9)) | (align << 9);
    uint32_t vals[8] = { cpu->r[0], cpu->r[1], cpu->r[2], cpu->r[3], cpu->r[12], cpu->r[14],
                         return_addr, xpsr };
    bool ok = true;
    for (unsigned k = 0; k < 8 && ok; k++)
        ok = stack_access(cpu, frame + 4 * k, &vals[k], true, false);
    if (fp && ok) {
        if (cpu->sys.fpccr & FPCCR_LSPEN) {
            cpu->sys.fpcar = frame + 0x20;
            cpu->sys.fpccr = (cpu->sys.fpccr & ~(FPCCR_USER | FPCCR_THREAD | FPCCR_HFRDY |
                                                 FPCCR_MMRDY | FPCCR_BFRDY | FPCCR_MONRDY)) |
                             fpccr_ready(cpu) | FPCCR_LSPACT;
        } else {
            for (unsigned k = 0; k < 16 && ok; k++)
                ok = stack_access(cpu, frame + 0x20 + 4 * k, &cpu->s[k], true, false);
            if (ok)
                ok = stack_access(cpu, frame + 0x60, &cpu->fpscr, true, false);
        }
    }
    uint32_t er;
    if (cpu->ipsr != 0)
        er = 0xFFFFFFF1u;
    else
        er = on_psp ? 0xFFFFFFFDu : 0xFFFFFFF9u;
    if (fp)
        er &= ~0x10u;
    *exc_return = er;
    return ok;
}

/* ExceptionTaken() */
static void exception_taken(cpu_t *cpu, int exc)
{
    uint32_t vec;
    uint32_t addr = (cpu->sys.vtor & ~0x7Fu) + 4u * (unsigned)exc;
    if (!cpu_read(cpu, addr, 4, &vec, ACC_NOFAULT)) {
        /* Vector table read error: HardFault (VECTTBL), or lockup. */
        cpu->sys.hfsr |= HFSR_VECTTBL;
        if (exc == EXC_HARDFAULT || exc == EXC_NMI || execution_priority(cpu) <= -1) {
            lockup(cpu);
            return;
        }
        exc = EXC_HARDFAULT;
        addr = (cpu->sys.vtor & ~0x7Fu) + 4u * EXC_HARDFAULT;
        if (!cpu_read(cpu, addr, 4, &vec, ACC_NOFAULT)) {
            lockup(cpu);
            return;
        }
    }
    cpu->r[15] = vec & ~1u;
    cpu->t_bit = vec & 1;
    cpu->itstate = 0;
    cpu_set_mode(cpu, (uint16_t)exc, cpu->control & ~(CONTROL_FPCA | CONTROL_SPSEL));
    if (!cpu->sys.active[exc]) {
        cpu->sys.active[exc] = 1;
        cpu->sys.nactive++;
    }
    cpu->sys.pending[exc] = 0;
    cpu->excl_valid = false;
    cpu->event_reg = true;
    cpu->break_block = true;
    cpu->exc_check = true;
    cpu->sleeping = false;
    if (exc < EXC_IRQ0)
        cpu->exc_taken[exc]++;
    if (exc < 32 && (cpu->catch_exc_mask >> exc) & 1) {
        /* a debugger catches this exception before its handler runs */
        cpu->caught_exc = exc;
        cpu_request_stop(cpu);
    }
}

void armv7m_exception_entry(cpu_t *cpu, int exc, uint32_t return_addr)
{
    if (cpu->locked_up)
        return;
    uint32_t er;
    push_stack(cpu, return_addr, &er);
    cpu->r[14] = er;
    cpu->cycles += ENTRY_CYCLES;
    exception_taken(cpu, exc);
}

static void deactivate(cpu_t *cpu, int exc)
{
    if (cpu->sys.active[exc]) {
        cpu->sys.active[exc] = 0;
        cpu->sys.nactive--;
    }
    if (exc != EXC_NMI)
        cpu->faultmask = 0;
    /* A level-sensitive interrupt still asserted pends again. */
    if (exc >= EXC_IRQ0 && cpu->sys.level[exc])
        cpu->sys.pending[exc] = 1;
}

static void invpc(cpu_t *cpu, uint32_t exc_return)
{
    cpu->sys.cfsr |= (uint32_t)UFSR_INVPC << 16;
    cpu->r[14] = exc_return;
    int exc = EXC_USAGEFAULT;
    if (!(cpu->sys.shcsr & SHCSR_USGFAULTENA) ||
        exc_group_prio(cpu, EXC_USAGEFAULT) >= execution_priority(cpu)) {
        cpu->sys.hfsr |= HFSR_FORCED;
        exc = EXC_HARDFAULT;
        if (execution_priority(cpu) <= -1) {
            lockup(cpu);
            return;
        }
    }
    exception_taken(cpu, exc);
}

void armv7m_exception_return(cpu_t *cpu, uint32_t exc_return)
{
    int ret_exc = cpu->ipsr & 0x1FF;
    unsigned nested = cpu->sys.nactive;
    cpu->pc_written = true;
    cpu->break_block = true;
    cpu->exc_check = true;
    cpu->cycles += RETURN_CYCLES;
    if ((exc_return & 0x0FFFFFE0u) != 0x0FFFFFE0u || (!cpu->has_fpu && !(exc_return & 0x10))) {
        deactivate(cpu, ret_exc);
        invpc(cpu, exc_return);
        return;
    }
    if (!cpu->sys.active[ret_exc]) {
        deactivate(cpu, ret_exc);
        invpc(cpu, exc_return);
        return;
    }
    bool to_thread, use_psp;
    switch (exc_return & 0xF) {
    case 0x1: to_thread = false; use_psp = false; break;
    case 0x9: to_thread = true; use_psp = false; break;
    case 0xD: to_thread = true; use_psp = true; break;
    default:
        deactivate(cpu, ret_exc);
        invpc(cpu, exc_return);
        return;
    }
    if (to_thread && nested != 1 && !(cpu->sys.ccr & 1u)) {
        deactivate(cpu, ret_exc);
        invpc(cpu, exc_return);
        return;
    }
    deactivate(cpu, ret_exc);

    /* Tail-chaining: a pending exception that can preempt the context we
     * would return to is taken without unstacking and restacking. */
    {
        int gp;
        int e = best_pending(cpu, &gp);
        if (e) {
            /* Execution priority of the return target: active exceptions
             * remain, masks unchanged. */
            if (gp < execution_priority(cpu)) {
                cpu->r[14] = exc_return;
                cpu->cycles -= RETURN_CYCLES;
                cpu->cycles += TAILCHAIN_CYCLES;
                exception_taken(cpu, e);
                return;
            }
        }
    }

    /* PopStack() */
    bool fp = !(exc_return & 0x10);
    uint32_t framesize = fp ? 0x68 : 0x20;
    bool force = fp || (cpu->sys.ccr & (1u << 9));
    uint32_t frame = use_psp ? cpu_get_psp(cpu) : cpu_get_msp(cpu);
    uint32_t vals[8];
    bool ok = true;
    for (unsigned k = 0; k < 8 && ok; k++)
        ok = stack_access(cpu, frame + 4 * k, &vals[k], false, false);
    uint32_t s[16], fpscr = 0;
    bool restore_fp = false;
    if (ok && fp) {
        if (cpu->sys.fpccr & FPCCR_LSPACT) {
            cpu->sys.fpccr &= ~FPCCR_LSPACT;
        } else {
            restore_fp = true;
            for (unsigned k = 0; k < 16 && ok; k++)
                ok = stack_access(cpu, frame + 0x20 + 4 * k, &s[k], false, false);
            if (ok)
                ok = stack_access(cpu, frame + 0x60, &fpscr, false, false);
        }
    }
    /* Switch mode and stack first: an unstacking error is taken from the
     * returned-to context with the frame left where it was. */
    uint8_t control = (uint8_t)((cpu->control & ~(CONTROL_SPSEL | CONTROL_FPCA)) |
                                (use_psp ? CONTROL_SPSEL : 0) | (fp ? CONTROL_FPCA : 0));
    uint16_t new_ipsr = ok ? (uint16_t)(vals[7] & 0x1FF) : 0;
    if (!ok) {
        /* UNSTKERR: leave SP unchanged, take the (pended) fault. */
        cpu_set_mode(cpu, to_thread ? 0 : (uint16_t)ret_exc, control);
        cpu->r[15] = vals[6] & ~1u;
        cpu->exc_check = true;
        return;
    }
    uint32_t spmask = ((vals[7] >> 9) & 1) && force ? 4u : 0u;
    uint32_t new_sp = (frame + framesize) | spmask;
    if ((to_thread && new_ipsr != 0) || (!to_thread && new_ipsr == 0)) {
        /* Illegal IPSR in the frame for the mode returned to. */
        cpu->sys.cfsr |= (uint32_t)UFSR_INVPC << 16;
        cpu->r[14] = exc_return;
        cpu_set_mode(cpu, (uint16_t)ret_exc, control);
        exception_taken(cpu, (cpu->sys.shcsr & SHCSR_USGFAULTENA) ? EXC_USAGEFAULT : EXC_HARDFAULT);
        return;
    }
    cpu->r[0] = vals[0];
    cpu->r[1] = vals[1];
    cpu->r[2] = vals[2];
    cpu->r[3] = vals[3];
    cpu->r[12] = vals[4];
    cpu->r[14] = vals[5];
    if (restore_fp) {
        memcpy(cpu->s, s, sizeof s);
        cpu->fpscr = fpscr;
    }
    cpu_set_mode(cpu, new_ipsr, control);
    cpu->r[13] = new_sp;
    cpu->r[15] = vals[6] & ~1u;
    cpu_set_apsr(cpu, vals[7]);
    cpu->itstate = (uint8_t)(((vals[7] >> 25) & 3) | (((vals[7] >> 10) & 0x3F) << 2));
    cpu->t_bit = (vals[7] >> 24) & 1;
    cpu->excl_valid = false;
    cpu->event_reg = true;
    if (to_thread && nested == 1 && (cpu->sys.scr & (1u << 1))) {
        /* SLEEPONEXIT; a pending interrupt is taken at once instead */
        if (armv7m_wakeup_pending(cpu, false)) {
            cpu->sleeping = true;
            cpu->sleep_wfe = false;
        } else {
            cpu_enter_sleep(cpu, false);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* MRS / MSR / CPS */

uint32_t armv7m_mrs(cpu_t *cpu, unsigned sysm)
{
    uint32_t xpsr = cpu_get_xpsr(cpu);
    bool priv = cpu_privileged(cpu);
    switch (sysm) {
    case 0: return xpsr & 0xF80F0000u;                         /* APSR */
    case 1: return xpsr & 0xF80F01FFu;                         /* IAPSR */
    case 2: return xpsr & 0xF80F0000u;                         /* EAPSR: EPSR reads as 0 */
    case 3: return xpsr & 0xF80F01FFu;                         /* XPSR */
    case 5: return xpsr & 0x1FFu;                              /* IPSR */
    case 6: return 0;                                          /* EPSR */
    case 7: return xpsr & 0x1FFu;                              /* IEPSR */
    case 8: return priv ? cpu_get_msp(cpu) : 0;
    case 9: return priv ? cpu_get_psp(cpu) : 0;
    case 16: return cpu->primask;
    case 17: case 18: return cpu->basepri;
    case 19: return cpu->faultmask;
    case 20: return cpu->has_fpu ? cpu->control & 7 : cpu->control & 3;
    default:
        log_once(LOG_GUEST_ERROR, "cpu", 0x3000 + sysm, "MRS of unknown special register %u", sysm);
        return 0;
    }
}

void armv7m_msr(cpu_t *cpu, unsigned sysm, unsigned mask, uint32_t val)
{
    bool priv = cpu_privileged(cpu);
    if (sysm <= 3) {
        if (mask & 2) {
            cpu_set_nz_flags(cpu, (val >> 31) & 1, (val >> 30) & 1);
            cpu->c = (val >> 29) & 1;
            cpu->v = (val >> 28) & 1;
            cpu->q = (val >> 27) & 1;
        }
        if (mask & 1)
            cpu->ge = (val >> 16) & 0xF;
        return;
    }
    if (!priv)
        return;
    switch (sysm) {
    case 8: cpu_set_msp(cpu, val); break;
    case 9: cpu_set_psp(cpu, val); break;
    case 16: cpu->primask = val & 1; break;
    case 17: cpu->basepri = (uint8_t)val & prio_mask(cpu); break;
    case 18: {
        uint8_t v = (uint8_t)val & prio_mask(cpu);
        if (v && (v < cpu->basepri || !cpu->basepri))
            cpu->basepri = v;
        break;
    }
    case 19:
        if (execution_priority(cpu) > -1 || !(val & 1))
            cpu->faultmask = val & 1;
        break;
    case 20: {
        uint8_t c = (uint8_t)(val & (cpu->has_fpu ? 7 : 3));
        if (cpu->ipsr != 0)
            c = (uint8_t)((c & ~CONTROL_SPSEL) | (cpu->control & CONTROL_SPSEL));
        cpu_set_mode(cpu, cpu->ipsr, c);
        break;
    }
    default:
        log_once(LOG_GUEST_ERROR, "cpu", 0x3100 + sysm, "MSR to unknown special register %u", sysm);
        break;
    }
}

void armv7m_cps(cpu_t *cpu, bool disable, bool affect_i, bool affect_f)
{
    if (!cpu_privileged(cpu))
        return;
    if (affect_i)
        cpu->primask = disable;
    if (affect_f) {
        if (!disable)
            cpu->faultmask = 0;
        else if (execution_priority(cpu) > -1)
            cpu->faultmask = 1;
    }
}

/* ---------------------------------------------------------------------- */
/* floating point */

bool armv7m_fp_check(cpu_t *cpu)
{
    if (!cpu->has_fpu) {
        cpu_usage_fault(cpu, UFSR_UNDEFINSTR);
        return false;
    }
    unsigned cp10 = (cpu->sys.cpacr >> 20) & 3;
    bool ok = cpu_privileged(cpu) ? (cp10 == 1 || cp10 == 3) : cp10 == 3;
    if (!ok) {
        cpu_usage_fault(cpu, UFSR_NOCP);
        return false;
    }
    if (cpu->sys.fpccr & FPCCR_LSPACT) {
        /* PreserveFPState(): the space was reserved at exception entry. */
        uint32_t a = cpu->sys.fpcar & ~7u;
        bool good = true;
        for (unsigned k = 0; k < 16 && good; k++)
            good = stack_access(cpu, a + 4 * k, &cpu->s[k], true, true);
        if (good)
            good = stack_access(cpu, a + 0x40, &cpu->fpscr, true, true);
        cpu->sys.fpccr &= ~FPCCR_LSPACT;
        if (!good) {
            cpu->break_block = true;
            cpu->exc_check = true;
        }
    }
    if ((cpu->sys.fpccr & FPCCR_ASPEN) && !(cpu->control & CONTROL_FPCA)) {
        cpu->fpscr = (cpu->fpscr & ~0x07C00000u) | (cpu->sys.fpdscr & 0x07C00000u);
        cpu->control |= CONTROL_FPCA;
    }
    return true;
}

/* ---------------------------------------------------------------------- */
/* SysTick: value and COUNTFLAG as functions of the cycle count */

static uint64_t syst_ticks(const cpu_t *cpu, sim_cycles_t at)
{
    uint64_t d = at > cpu->sys.syst_base ? at - cpu->sys.syst_base : 0;
    if (!(cpu->sys.syst_csr & 4))
        d /= cpu->sys.syst_ext_div ? cpu->sys.syst_ext_div : 1;
    return d;
}

static sim_cycles_t syst_cycles_per_tick(const cpu_t *cpu)
{
    return (cpu->sys.syst_csr & 4) ? 1 : (cpu->sys.syst_ext_div ? cpu->sys.syst_ext_div : 1);
}

static uint32_t syst_value(const cpu_t *cpu)
{
    if (!(cpu->sys.syst_csr & 1))
        return cpu->sys.syst_v0;
    uint64_t k = syst_ticks(cpu, cpu->cycles), v0 = cpu->sys.syst_v0;
    if (k <= v0)
        return (uint32_t)(v0 - k);
    uint64_t period = (uint64_t)cpu->sys.syst_rvr + 1;
    uint64_t after = k - v0 - 1;
    return (uint32_t)(cpu->sys.syst_rvr - after % period);
}

/* Tick index (since base) of the first zero reached at or after tick k0
 * (k0 >= 1); UINT64_MAX when the counter will not reach zero again. */
static uint64_t syst_next_zero(const cpu_t *cpu, uint64_t k0)
{
    uint64_t v0 = cpu->sys.syst_v0, period = (uint64_t)cpu->sys.syst_rvr + 1;
    if (!v0 && !cpu->sys.syst_rvr)
        return UINT64_MAX;
    uint64_t first = v0 ? v0 : period;
    if (k0 <= first)
        return first;
    if (cpu->sys.syst_rvr == 0)
        return UINT64_MAX; /* a zero reload value stops the counter */
    return first + ((k0 - first + period - 1) / period) * period;
}

/* COUNTFLAG: did the count reach zero after cycle 'from', up to 'to'? */
static bool syst_zero_between(const cpu_t *cpu, sim_cycles_t from, sim_cycles_t to)
{
    if (!(cpu->sys.syst_csr & 1) || to <= from)
        return false;
    uint64_t kf = from <= cpu->sys.syst_base ? 0 : syst_ticks(cpu, from);
    uint64_t z = syst_next_zero(cpu, kf + 1);
    return z != UINT64_MAX && z <= syst_ticks(cpu, to);
}

/* Schedule the interrupt at the first zero after cycle 'ref'. */
static void syst_schedule_after(cpu_t *cpu, sim_cycles_t ref)
{
    sched_cancel(cpu->sched, &cpu->sys.syst_event);
    if (!(cpu->sys.syst_csr & 1) || !(cpu->sys.syst_csr & 2))
        return;
    uint64_t k = ref <= cpu->sys.syst_base ? 0 : syst_ticks(cpu, ref);
    uint64_t z = syst_next_zero(cpu, k + 1);
    if (z == UINT64_MAX)
        return;
    sim_cycles_t at = cpu->sys.syst_base + z * syst_cycles_per_tick(cpu);
    sched_at(cpu->sched, &cpu->sys.syst_event, cpu_time_of(cpu, at));
}

static void syst_schedule(cpu_t *cpu)
{
    syst_schedule_after(cpu, cpu->cycles);
}

static void syst_fire(void *opaque)
{
    cpu_t *cpu = opaque;
    if ((cpu->sys.syst_csr & 3) == 3)
        armv7m_set_pending(cpu, EXC_SYSTICK);
    /* The core may be behind the event (asleep) or slightly past it (it
     * runs in slices): the next zero follows the one that just fired. */
    sim_cycles_t fired = cpu_cycles_at(cpu, cpu->sched->now);
    syst_schedule_after(cpu, fired > cpu->cycles ? fired : cpu->cycles);
}

/* Rebase the counter at the current cycle (on any control change). */
static void syst_rebase(cpu_t *cpu)
{
    cpu->sys.syst_v0 = syst_value(cpu);
    cpu->sys.syst_base = cpu->cycles;
}

void armv7m_sys_cycles_changed(cpu_t *cpu)
{
    /* The core clock changed: events scheduled in time must move. */
    syst_schedule(cpu);
}

/* ---------------------------------------------------------------------- */
/* System Control Space */

static uint32_t icsr_read(cpu_t *cpu)
{
    uint32_t v = cpu->ipsr & 0x1FF;
    int gp;
    int pend = best_pending(cpu, &gp);
    v |= (uint32_t)(pend & 0x1FF) << 12;
    bool isr_pending = false;
    for (unsigned e = EXC_IRQ0; e < nexc(cpu); e++)
        isr_pending |= cpu->sys.pending[e];
    if (isr_pending)
        v |= 1u << 22;
    /* RETTOBASE: no other active exception than the current one */
    if (cpu->ipsr && cpu->sys.nactive <= 1)
        v |= 1u << 11;
    if (cpu->sys.pending[EXC_NMI])
        v |= 1u << 31;
    if (cpu->sys.pending[EXC_PENDSV])
        v |= 1u << 28;
    if (cpu->sys.pending[EXC_SYSTICK])
        v |= 1u << 26;
    return v;
}

static void icsr_write(cpu_t *cpu, uint32_t v)
{
    if (v & (1u << 31))
        armv7m_set_pending(cpu, EXC_NMI);
    if (v & (1u << 28))
        armv7m_set_pending(cpu, EXC_PENDSV);
    else if (v & (1u << 27))
        cpu->sys.pending[EXC_PENDSV] = 0;
    if (v & (1u << 26))
        armv7m_set_pending(cpu, EXC_SYSTICK);
    else if (v & (1u << 25))
        cpu->sys.pending[EXC_SYSTICK] = 0;
}

static uint32_t shcsr_read(cpu_t *cpu)
{
    uint32_t v = cpu->sys.shcsr & (SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA);
    const struct { int exc; uint32_t act, pend; } m[] = {
        { EXC_MEMMANAGE, SHCSR_MEMFAULTACT, SHCSR_MEMFAULTPENDED },
        { EXC_BUSFAULT, SHCSR_BUSFAULTACT, SHCSR_BUSFAULTPENDED },
        { EXC_USAGEFAULT, SHCSR_USGFAULTACT, SHCSR_USGFAULTPENDED },
        { EXC_SVCALL, SHCSR_SVCALLACT, SHCSR_SVCALLPENDED },
        { EXC_DEBUGMON, SHCSR_MONITORACT, 0 },
        { EXC_PENDSV, SHCSR_PENDSVACT, 0 },
        { EXC_SYSTICK, SHCSR_SYSTICKACT, 0 },
    };
    for (unsigned k = 0; k < sizeof m / sizeof m[0]; k++) {
        if (cpu->sys.active[m[k].exc])
            v |= m[k].act;
        if (m[k].pend && cpu->sys.pending[m[k].exc])
            v |= m[k].pend;
    }
    return v;
}

static void shcsr_write(cpu_t *cpu, uint32_t v)
{
    cpu->sys.shcsr = v & (SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA);
    /* Active and pended bits are writable (context restore by an RTOS). */
    const struct { int exc; uint32_t act, pend; } m[] = {
        { EXC_MEMMANAGE, SHCSR_MEMFAULTACT, SHCSR_MEMFAULTPENDED },
        { EXC_BUSFAULT, SHCSR_BUSFAULTACT, SHCSR_BUSFAULTPENDED },
        { EXC_USAGEFAULT, SHCSR_USGFAULTACT, SHCSR_USGFAULTPENDED },
        { EXC_SVCALL, SHCSR_SVCALLACT, SHCSR_SVCALLPENDED },
        { EXC_DEBUGMON, SHCSR_MONITORACT, 0 },
        { EXC_PENDSV, SHCSR_PENDSVACT, 0 },
        { EXC_SYSTICK, SHCSR_SYSTICKACT, 0 },
    };
    for (unsigned k = 0; k < sizeof m / sizeof m[0]; k++) {
        bool act = v & m[k].act;
        if (act != (bool)cpu->sys.active[m[k].exc]) {
            cpu->sys.active[m[k].exc] = act;
            cpu->sys.nactive += act ? 1 : (unsigned)-1;
        }
        if (m[k].pend)
            cpu->sys.pending[m[k].exc] = (v & m[k].pend) != 0;
    }
    cpu->exc_check = true;
}

static const uint32_t id_regs[] = {
    /* ID_PFR0 PFR1 DFR0 AFR0 MMFR0-3 ISAR0-4 (Cortex-M4 TRM 4.3) */
    0x00000030, 0x00000200, 0x00100000, 0x00000000, 0x00100030, 0x00000000, 0x01000000,
    0x00000000, 0x01101110, 0x02111000, 0x21112231, 0x01111110, 0x01310132,
};

/* CoreSight identification of the SCS (PID4..PID7, PID0..PID3, CID0..CID3). */
static const uint8_t scs_ids[12] = { 0x04, 0, 0, 0, 0x0C, 0xB0, 0x0B, 0x00, 0x0D, 0xE0, 0x05, 0xB1 };

static uint32_t scs_read32(cpu_t *cpu, uint32_t off)
{
    armv7m_sys_t *s = &cpu->sys;
    if (off >= NVIC_ISER && off < NVIC_ISER + 0x40) {
        unsigned base = EXC_IRQ0 + (off - NVIC_ISER) * 8;
        uint32_t v = 0;
        for (unsigned k = 0; k < 32; k++)
            if (base + k < nexc(cpu) && s->enabled[base + k])
                v |= 1u << k;
        return v;
    }
    if (off >= NVIC_ICER && off < NVIC_ICER + 0x40)
        return scs_read32(cpu, off - NVIC_ICER + NVIC_ISER);
    if ((off >= NVIC_ISPR && off < NVIC_ISPR + 0x40) || (off >= NVIC_ICPR && off < NVIC_ICPR + 0x40) ||
        (off >= NVIC_IABR && off < NVIC_IABR + 0x40)) {
        uint32_t rel = off >= NVIC_IABR ? off - NVIC_IABR : off >= NVIC_ICPR ? off - NVIC_ICPR : off - NVIC_ISPR;
        const uint8_t *arr = off >= NVIC_IABR ? s->active : s->pending;
        unsigned base = EXC_IRQ0 + rel * 8;
        uint32_t v = 0;
        for (unsigned k = 0; k < 32; k++)
            if (base + k < nexc(cpu) && arr[base + k])
                v |= 1u << k;
        return v;
    }
    if (off >= NVIC_IPR && off < NVIC_IPR + 0x3F0) {
        unsigned e = EXC_IRQ0 + (off - NVIC_IPR);
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; k++)
            if (e + k < nexc(cpu))
                v |= (uint32_t)s->prio[e + k] << (8 * k);
        return v;
    }
    if (off >= SCB_SHPR1 && off < SCB_SHPR1 + 12) {
        unsigned e = 4 + (off - SCB_SHPR1);
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; k++) {
            unsigned x = e + k;
            if (x == 4 || x == 5 || x == 6 || x == 11 || x == 12 || x == 14 || x == 15)
                v |= (uint32_t)s->prio[x] << (8 * k);
        }
        return v;
    }
    if (off >= SCB_ID_PFR0 && off < SCB_ID_PFR0 + sizeof id_regs)
        return id_regs[(off - SCB_ID_PFR0) / 4];
    if (off >= SCS_PID4 && off < SCS_PID4 + 48)
        return scs_ids[(off - SCS_PID4) / 4];
    if (off >= MPU_RBAR && off < MPU_RBAR + 0x20) {
        bool is_rasr = (off - MPU_RBAR) & 4;
        unsigned r = s->mpu_rnr & 7;
        return is_rasr ? s->mpu_rasr[r] : (s->mpu_rbar[r] & ~0x1Fu) | r;
    }
    switch (off) {
    case SCS_ICTR: return (cpu->num_irqs + 31) / 32 - 1;
    case SCS_ACTLR: return s->actlr;
    case SYST_CSR: {
        uint32_t v = s->syst_csr & 7;
        if (syst_zero_between(cpu, s->syst_flag_seen, cpu->cycles))
            v |= 1u << 16;
        s->syst_flag_seen = cpu->cycles;
        return v;
    }
    case SYST_RVR: return s->syst_rvr;
    case SYST_CVR: return syst_value(cpu);
    case SYST_CALIB: return s->syst_calib;
    case SCB_CPUID: return cpu->cpuid;
    case SCB_ICSR: return icsr_read(cpu);
    case SCB_VTOR: return s->vtor;
    case SCB_AIRCR: return 0xFA050000u | (s->aircr_prigroup << 8);
    case SCB_SCR: return s->scr;
    case SCB_CCR: return s->ccr;
    case SCB_SHCSR: return shcsr_read(cpu);
    case SCB_CFSR: return s->cfsr;
    case SCB_HFSR: return s->hfsr;
    case SCB_DFSR: return s->dfsr;
    case SCB_MMFAR: return s->mmfar;
    case SCB_BFAR: return s->bfar;
    case SCB_AFSR: return s->afsr;
    case SCB_CPACR: return s->cpacr;
    case MPU_TYPE: return 0x00000800u;
    case MPU_CTRL: return s->mpu_ctrl;
    case MPU_RNR: return s->mpu_rnr;
    case DCB_DHCSR: return s->dhcsr;
    case DCB_DEMCR: return s->demcr;
    case DCB_DCRSR: case DCB_DCRDR: return 0;
    case NVIC_STIR: return 0;
    case FP_FPCCR: return cpu->has_fpu ? s->fpccr : 0;
    case FP_FPCAR: return cpu->has_fpu ? s->fpcar : 0;
    case FP_FPDSCR: return cpu->has_fpu ? s->fpdscr : 0;
    case FP_MVFR0: return cpu->has_fpu ? 0x10110021u : 0;
    case FP_MVFR1: return cpu->has_fpu ? 0x11000011u : 0;
    default:
        log_once(LOG_GUEST_ERROR, "scs", off, "read of reserved System Control Space offset 0x%03x", off);
        return 0;
    }
}

static void scs_write32(cpu_t *cpu, uint32_t off, uint32_t v)
{
    armv7m_sys_t *s = &cpu->sys;
    if ((off >= NVIC_ISER && off < NVIC_ISER + 0x40) || (off >= NVIC_ICER && off < NVIC_ICER + 0x40)) {
        bool set = off < NVIC_ICER;
        unsigned base = EXC_IRQ0 + (off - (set ? NVIC_ISER : NVIC_ICER)) * 8;
        for (unsigned k = 0; k < 32; k++)
            if ((v >> k) & 1 && base + k < nexc(cpu))
                s->enabled[base + k] = set;
        cpu->exc_check = true;
        return;
    }
    if ((off >= NVIC_ISPR && off < NVIC_ISPR + 0x40) || (off >= NVIC_ICPR && off < NVIC_ICPR + 0x40)) {
        bool set = off < NVIC_ICPR;
        unsigned base = EXC_IRQ0 + (off - (set ? NVIC_ISPR : NVIC_ICPR)) * 8;
        for (unsigned k = 0; k < 32; k++)
            if ((v >> k) & 1 && base + k < nexc(cpu)) {
                if (set)
                    armv7m_set_pending(cpu, (int)(base + k));
                else
                    s->pending[base + k] = s->level[base + k] && !s->active[base + k];
            }
        cpu->exc_check = true;
        return;
    }
    if (off >= NVIC_IABR && off < NVIC_IABR + 0x40)
        return;
    if (off >= MPU_RBAR && off < MPU_RBAR + 0x20) {
        bool is_rasr = (off - MPU_RBAR) & 4;
        if (is_rasr) {
            s->mpu_rasr[s->mpu_rnr & 7] = v & 0x173FFF3Fu;
        } else {
            if (v & 0x10)
                s->mpu_rnr = v & 7;
            s->mpu_rbar[s->mpu_rnr & 7] = v & ~0x1Fu;
        }
        /* a region change applies from the next instruction on */
        mpu_update(cpu);
        return;
    }
    switch (off) {
    case SCS_ACTLR: s->actlr = v & 0x307; return;
    case SYST_CSR:
        syst_rebase(cpu);
        s->syst_csr = v & 7;
        syst_schedule(cpu);
        return;
    case SYST_RVR:
        s->syst_rvr = v & 0x00FFFFFFu;
        syst_schedule(cpu);
        return;
    case SYST_CVR:
        /* Any write clears the counter and COUNTFLAG. */
        s->syst_v0 = 0;
        s->syst_base = cpu->cycles;
        s->syst_flag_seen = cpu->cycles;
        syst_schedule(cpu);
        return;
    case SCB_ICSR: icsr_write(cpu, v); return;
    case SCB_VTOR: s->vtor = v & 0xFFFFFF80u; return;
    case SCB_AIRCR:
        if ((v >> 16) != 0x05FA) {
            log_once(LOG_GUEST_ERROR, "scs", 0xD0C, "AIRCR write without VECTKEY ignored");
            return;
        }
        s->aircr_prigroup = (v >> 8) & 7;
        if (v & 1) { /* VECTRESET: UNPREDICTABLE outside debug; treat as VECTCLRACTIVE */
            memset(s->active, 0, sizeof s->active);
            s->nactive = 0;
        }
        if (v & 2) {
            memset(s->active, 0, sizeof s->active);
            s->nactive = 0;
        }
        if (v & 4) {
            log_msg(LOG_INFO, "cpu", "system reset requested (AIRCR.SYSRESETREQ)");
            if (cpu->on_sysreset)
                cpu->on_sysreset(cpu->on_sysreset_opaque);
            cpu_request_stop(cpu);
        }
        cpu->exc_check = true;
        return;
    case SCB_SCR: s->scr = v & 0x16; return;
    case SCB_CCR: s->ccr = (v & 0x31B) | 0x200; return;
    case SCB_SHPR1: case SCB_SHPR1 + 4: case SCB_SHPR1 + 8: {
        unsigned e = 4 + (off - SCB_SHPR1);
        for (unsigned k = 0; k < 4; k++) {
            unsigned x = e + k;
            if (x == 4 || x == 5 || x == 6 || x == 11 || x == 12 || x == 14 || x == 15)
                s->prio[x] = (uint8_t)(v >> (8 * k)) & prio_mask(cpu);
        }
        cpu->exc_check = true;
        return;
    }
    case SCB_SHCSR: shcsr_write(cpu, v); return;
    case SCB_CFSR: s->cfsr &= ~v; return;
    case SCB_HFSR: s->hfsr &= ~(v & 0xC0000002u); return;
    case SCB_DFSR: s->dfsr &= ~v; return;
    case SCB_MMFAR: s->mmfar = v; return;
    case SCB_BFAR: s->bfar = v; return;
    case SCB_AFSR: s->afsr &= ~v; return;
    case SCB_CPACR:
        s->cpacr = cpu->has_fpu ? v & 0x00F00000u : 0;
        return;
    case MPU_CTRL: s->mpu_ctrl = v & 7; mpu_update(cpu); return;
    case MPU_RNR: s->mpu_rnr = v & 0xFF; return;
    case DCB_DHCSR:
        if ((v >> 16) == 0xA05F)
            s->dhcsr = (s->dhcsr & ~0xFu) | (v & 0xE); /* C_DEBUGEN only by a debugger */
        return;
    case DCB_DEMCR: s->demcr = v & 0x010F07F1u; return;
    case DCB_DCRSR: case DCB_DCRDR: return;
    case NVIC_STIR:
        if ((v & 0x1FF) < cpu->num_irqs)
            armv7m_set_pending(cpu, EXC_IRQ0 + (int)(v & 0x1FF));
        return;
    case FP_FPCCR:
        if (cpu->has_fpu)
            s->fpccr = (s->fpccr & ~0xC000017Bu) | (v & 0xC000017Bu);
        return;
    case FP_FPCAR: if (cpu->has_fpu) s->fpcar = v & ~7u; return;
    case FP_FPDSCR: if (cpu->has_fpu) s->fpdscr = v & 0x07C00000u; return;
    default:
        log_once(LOG_GUEST_ERROR, "scs", 0x10000 + off,
                 "write of reserved or read-only System Control Space offset 0x%03x", off);
        return;
    }
}

/* Byte and halfword accesses: IPR, SHPR and the rest through word RMW. */
static int scs_read(void *dev, uint32_t off, unsigned size, uint32_t *value)
{
    cpu_t *cpu = dev;
    uint32_t w = scs_read32(cpu, off & ~3u);
    *value = size == 4 ? w : (w >> (8 * (off & 3))) & (size == 2 ? 0xFFFFu : 0xFFu);
    return 0;
}

static int scs_write(void *dev, uint32_t off, unsigned size, uint32_t value)
{
    cpu_t *cpu = dev;
    if (size == 4) {
        scs_write32(cpu, off, value);
        return 0;
    }
    bool byte_reg = (off >= NVIC_IPR && off < NVIC_IPR + 0x3F0) || (off >= SCB_SHPR1 && off < SCB_SHPR1 + 12);
    if (byte_reg) {
        for (unsigned k = 0; k < size; k++) {
            unsigned idx = off + k;
            uint8_t b = (uint8_t)(value >> (8 * k)) & prio_mask(cpu);
            if (idx >= NVIC_IPR && idx < NVIC_IPR + 0x3F0) {
                unsigned e = EXC_IRQ0 + (idx - NVIC_IPR);
                if (e < nexc(cpu))
                    cpu->sys.prio[e] = b;
            } else {
                unsigned e = 4 + (idx - SCB_SHPR1);
                if (e == 4 || e == 5 || e == 6 || e == 11 || e == 12 || e == 14 || e == 15)
                    cpu->sys.prio[e] = b;
            }
        }
        cpu->exc_check = true;
        return 0;
    }
    /* Other registers: merge into the word (CFSR sub-registers are byte-addressed). */
    uint32_t shift = 8 * (off & 3), mask = (size == 2 ? 0xFFFFu : 0xFFu) << shift;
    if (off >= SCB_CFSR && off < SCB_CFSR + 4) {
        scs_write32(cpu, SCB_CFSR, (value << shift) & mask);
        return 0;
    }
    uint32_t w = scs_read32(cpu, off & ~3u);
    scs_write32(cpu, off & ~3u, (w & ~mask) | ((value << shift) & mask));
    return 0;
}

static const bus_ops_t scs_ops = { scs_read, scs_write };

/* DWT: CTRL (NUMCOMP=4 and the counter enable), CYCCNT, counters, comparators. */
static int dwt_read(void *dev, uint32_t off, unsigned size, uint32_t *value)
{
    cpu_t *cpu = dev;
    armv7m_sys_t *s = &cpu->sys;
    uint32_t v = 0;
    bool counting = (s->dwt_ctrl & 1) && (s->demcr & (1u << 24));
    switch (off & ~3u) {
    case 0x000: v = 0x40000000u | (s->dwt_ctrl & 0x1FFF); break;
    case 0x004: v = counting ? (uint32_t)(cpu->cycles - s->cyccnt_base) : s->cyccnt_frozen; break;
    default:
        if ((off & ~3u) >= 0x20 && (off & ~3u) < 0x60) {
            unsigned k = ((off & ~3u) - 0x20) / 16, r = ((off & ~3u) - 0x20) % 16;
            v = r == 0 ? s->dwt_comp[k] : r == 4 ? s->dwt_mask[k] : r == 8 ? s->dwt_function[k] : 0;
        } else if ((off & ~3u) >= 0xFD0) {
            static const uint8_t ids[12] = { 0x04, 0, 0, 0, 0x02, 0xB0, 0x3B, 0x00, 0x0D, 0xE0, 0x05, 0xB1 };
            v = ids[((off & ~3u) - 0xFD0) / 4];
        }
        break;
    }
    *value = size == 4 ? v : (v >> (8 * (off & 3))) & (size == 2 ? 0xFFFFu : 0xFFu);
    return 0;
}

static int dwt_write(void *dev, uint32_t off, unsigned size, uint32_t value)
{
    cpu_t *cpu = dev;
    armv7m_sys_t *s = &cpu->sys;
    (void)size;
    bool counting = (s->dwt_ctrl & 1) && (s->demcr & (1u << 24));
    switch (off & ~3u) {
    case 0x000: {
        uint32_t cur = counting ? (uint32_t)(cpu->cycles - s->cyccnt_base) : s->cyccnt_frozen;
        s->dwt_ctrl = value & 0x1FFF;
        s->cyccnt_frozen = cur;
        s->cyccnt_base = cpu->cycles - cur;
        break;
    }
    case 0x004:
        s->cyccnt_frozen = value;
        s->cyccnt_base = cpu->cycles - value;
        break;
    default:
        if ((off & ~3u) >= 0x20 && (off & ~3u) < 0x60) {
            unsigned k = ((off & ~3u) - 0x20) / 16, r = ((off & ~3u) - 0x20) % 16;
            if (r == 0)
                s->dwt_comp[k] = value;
            else if (r == 4)
                s->dwt_mask[k] = value & 0x1F;
            else if (r == 8)
                s->dwt_function[k] = value & 0xF;
        }
        break;
    }
    return 0;
}

static const bus_ops_t dwt_ops = { dwt_read, dwt_write };

/* ITM, FPB, TPIU, ETM and the ROM table: present, not modelled. */
static int trace_read(void *dev, uint32_t off, unsigned size, uint32_t *value)
{
    (void)dev;
    (void)size;
    log_once(LOG_UNIMP, "scs", 0xE0000000u + off, "trace/debug unit at 0x%08x is not modelled (reads 0)",
             0xE0000000u + off);
    *value = 0;
    return 0;
}

static int trace_write(void *dev, uint32_t off, unsigned size, uint32_t value)
{
    (void)dev;
    (void)size;
    (void)value;
    log_once(LOG_UNIMP, "scs", 0xE0000000u + off, "trace/debug unit at 0x%08x is not modelled (write ignored)",
             0xE0000000u + off);
    return 0;
}

static const bus_ops_t trace_ops = { trace_read, trace_write };

void armv7m_sys_map(cpu_t *cpu, bus_t *bus)
{
    bus_map_mmio(bus, "ITM", 0xE0000000u, 0x1000, &trace_ops, cpu, BUS_F_NOEXEC, 0);
    bus_map_mmio(bus, "DWT", 0xE0001000u, 0x1000, &dwt_ops, cpu, BUS_F_NOEXEC, 0);
    bus_map_mmio(bus, "FPB", 0xE0002000u, 0x1000, &trace_ops, cpu, BUS_F_NOEXEC, 0);
    bus_map_mmio(bus, "SCS", 0xE000E000u, 0x1000, &scs_ops, cpu, BUS_F_NOEXEC, 0);
    bus_map_mmio(bus, "TPIU", 0xE0040000u, 0x1000, &trace_ops, cpu, BUS_F_NOEXEC, 0);
    bus_map_mmio(bus, "ETM", 0xE0041000u, 0x1000, &trace_ops, cpu, BUS_F_NOEXEC, 0);
    bus_map_mmio(bus, "ROM table", 0xE00FF000u, 0x1000, &trace_ops, cpu, BUS_F_NOEXEC, 0);
}

void armv7m_sys_init(cpu_t *cpu)
{
    sched_event_init(&cpu->sys.syst_event, "systick", syst_fire, cpu);
    cpu->sys.syst_ext_div = 8;
}

void armv7m_sys_reset(cpu_t *cpu)
{
    armv7m_sys_t *s = &cpu->sys;
    if (cpu->sched)
        sched_cancel(cpu->sched, &s->syst_event);
    sched_event_t ev = s->syst_event;
    uint32_t div = s->syst_ext_div, calib = s->syst_calib;
    memset(s, 0, sizeof *s);
    s->syst_event = ev;
    s->syst_ext_div = div ? div : 8;
    s->syst_calib = calib;
    s->ccr = 0x200;
    if (cpu->has_fpu)
        s->fpccr = FPCCR_ASPEN | FPCCR_LSPEN;
    s->syst_base = cpu->cycles;
    s->syst_flag_seen = cpu->cycles;
    cpu->primask = cpu->faultmask = cpu->basepri = 0;
    cpu->control = 0;
}
