/*
 * ARMv7E-M (Cortex-M4F) CPU: state, decoded-instruction form, and the
 * contract between the run loop (armv7m_cpu.c), the decoders (thumb_decode.c,
 * vfp.c), the instruction handlers (thumb_exec.c, vfp.c) and the system parts
 * every Cortex-M has (armv7m_sys.c: NVIC, SCB, SysTick, DWT, MPU, exception
 * entry/return, fault escalation).
 *
 * Execution model
 * - Instructions are decoded once into insn_t and kept in blocks keyed by
 *   (address, ITSTATE at block start). A block ends at the first instruction
 *   flagged INSN_END (anything that may write the PC or change exception
 *   state) or after CPU_BLOCK_MAX instructions. Writes to a page that holds
 *   decoded code (through the bus code-write hook) drop the whole cache.
 * - Before a handler of an insn flagged INSN_PCREAD (set by the block
 *   builder when any register field the operation reads names the PC) runs,
 *   the loop sets r[15] = insn->pc + 4 (the value an instruction reads as PC
 *   in Thumb state); other handlers use insn->pc, r[15] holds the start of
 *   the running block, and cpu->cycles has been charged insn->cycles. The
 *   loop stops at the first instruction boundary where cycles reach the
 *   slice limit, so events (interrupts, DMA, timers) land on the same
 *   instruction however the run is sliced or single-stepped. Handlers add
 *   data-dependent extras (taken branches, LDM register counts already in
 *   insn->cycles, divide length) to cpu->cycles; thumb_extra_bound() is
 *   their upper bound, which lets whole blocks run without a check per
 *   instruction (cpu_block_t.bound). A new kind of extra must be added there.
 * - Two ways run a block: the threaded executor (thumb_fast.c) for whole
 *   blocks, the loop in armv7m_cpu.c one instruction at a time (the block
 *   that may reach the limit; tracing, breakpoints, stepping). Both call the
 *   same handlers or the same op bodies (thumb_ops.h), so they agree.
 * - A handler that changes control flow calls cpu_branch()/cpu_bx_write_pc()
 *   or raises an exception; both set cpu->break_block, which makes the loop
 *   leave the block and continue at cpu->r[15] (or enter the exception).
 *   Setting break_block is also how a handler asks the loop to re-sample
 *   pending interrupts (MSR PRIMASK, CPSIE ...).
 * - A handler that faults (cpu_read/cpu_write returned false, or it called a
 *   cpu_*_fault function) must return at once without committing any
 *   register writes: the loop then takes the fault with the faulting
 *   instruction's address as the return address.
 * - Conditional execution inside IT blocks is resolved by the loop from
 *   insn->cond; handlers never look at ITSTATE. B<cond> (T1/T3) evaluates its
 *   own condition with cpu_cond_pass().
 *
 * Sleep and deep sleep
 * - WFI, WFE and SLEEPONEXIT put the core to sleep (cpu->sleeping) when
 *   nothing would wake it at once; the machine loop skips to the next event
 *   and wakes the core when armv7m_wakeup_pending() says so.
 * - With SCR.SLEEPDEEP set the SoC decides what the sleep means: once the
 *   core has decided to sleep, on_deep_sleep() (if set) is called. The SoC
 *   may then hold the core asleep (sleep_held: nothing but the SoC ends that
 *   sleep, e.g. the STM32's Stop mode until an EXTI wake-up and its latency),
 *   let it go on as an ordinary sleep, cancel the sleep (sleeping = false),
 *   or request a reset (Standby). It may stop the core clock: a sleeping
 *   core's cycle count stands still while its clock is at 0 Hz, and the core
 *   resumes at the time the clock comes back (cpu_set_hz).
 *
 * The CPU never sees host errors: undefined encodings decode to a handler
 * that raises UsageFault.UNDEFINSTR, and every memory access goes through
 * cpu_read()/cpu_write(), which turn MPU violations, bus errors and alignment
 * traps into MemManage/BusFault/UsageFault.
 */
#ifndef SIM_CPU_CPU_H
#define SIM_CPU_CPU_H

#include "../types.h"
#include "../bus.h"
#include "../sched.h"
#include "../clock.h"
#include "armv7m_sys.h"

typedef struct cpu cpu_t;
typedef struct insn insn_t;
typedef void (*insn_fn)(cpu_t *cpu, const insn_t *i);

/* insn_t.flags */
enum {
    INSN_S = 1 << 0,      /* sets flags (already resolved for IT blocks) */
    INSN_END = 1 << 1,    /* ends the decoded block */
    INSN_IT = 1 << 2,     /* IT instruction or inside an IT block: loop updates ITSTATE */
    INSN_32 = 1 << 3,     /* 32-bit encoding */
    INSN_FP = 1 << 4,     /* floating-point instruction (for stats/trace) */
    INSN_LOAD = 1 << 5,   /* single load/store: pipelining hints for timing */
    INSN_STORE = 1 << 6,
    INSN_PCREAD = 1 << 7, /* may read r[15]: the loop sets it to pc + 4 first */
};

/*
 * One decoded instruction. Field use is up to each handler; the common ones
 * are named for the ARM ARM pseudo-code (d, n, m, a / t, t2, imm32, shift).
 */
struct insn {
    insn_fn fn;           /* what the run loop calls: 'exec', or a wrapper that sets
                           * the PC register and/or checks the IT condition first */
    insn_fn exec;         /* the instruction's handler */
    uint32_t pc;          /* address of this instruction */
    uint32_t imm;         /* imm32 / offset / register list / packed fields */
    uint32_t raw;         /* 16-bit: hw1; 32-bit: hw1 << 16 | hw2 */
    uint8_t rd, rn, rm, ra;
    uint8_t shift_t, shift_n; /* SRType and amount (DecodeImmShift) */
    uint8_t len;          /* 2 or 4 */
    uint8_t cycles;       /* base cost, timing table (thumb_timing.h) */
    uint8_t cond;         /* condition from IT (0xE = always) */
    uint8_t itstate;      /* ITSTATE in effect while this insn executes */
    uint8_t it_next;      /* ITSTATE after this insn */
    uint8_t flags;        /* INSN_* */
    uint16_t op;          /* index in the instruction list (disassembly, stats) */
    uint16_t aux;         /* handler-specific */
    uint16_t rest;        /* base cycles of the instructions after this one in its block */
    uint8_t fx;           /* threaded executor: inline form of a conditional insn */
    const void *lbl;      /* threaded executor: where it dispatches this insn (thumb_fast.c) */
};

/* Shift types (ARM ARM SRType) */
enum { SRTYPE_LSL = 0, SRTYPE_LSR = 1, SRTYPE_ASR = 2, SRTYPE_ROR = 3, SRTYPE_RRX = 4 };

/* Exception numbers */
enum {
    EXC_RESET = 1, EXC_NMI = 2, EXC_HARDFAULT = 3, EXC_MEMMANAGE = 4, EXC_BUSFAULT = 5,
    EXC_USAGEFAULT = 6, EXC_SVCALL = 11, EXC_DEBUGMON = 12, EXC_PENDSV = 14,
    EXC_SYSTICK = 15, EXC_IRQ0 = 16,
};
#define CPU_MAX_IRQS 240

/* cpu_read/cpu_write access attributes */
enum {
    ACC_UNPRIV = 1 << 0,  /* LDRT/STRT: checked as unprivileged */
    ACC_ALIGN = 1 << 1,   /* must be naturally aligned regardless of CCR.UNALIGN_TRP */
    ACC_EXCL = 1 << 2,    /* exclusive access (alignment always checked) */
    ACC_FETCH = 1 << 3,   /* instruction fetch */
    ACC_STACK = 1 << 4,   /* exception stacking/unstacking (sys reports STKERR etc.) */
    ACC_NOFAULT = 1 << 5, /* probe: return false on error without raising a fault */
    ACC_LAZYFP = 1 << 6,  /* lazy FP state preservation */
};

/* Why cpu_run returned */
enum cpu_stop {
    CPU_STOP_NONE = 0,
    CPU_STOP_LIMIT,       /* reached the cycle limit */
    CPU_STOP_SLEEP,       /* WFI/WFE with nothing to do: skip to the next event */
    CPU_STOP_LOCKUP,      /* architectural lockup */
    CPU_STOP_BKPT,        /* BKPT with no debug monitor (semihosting is handled inside) */
    CPU_STOP_EXIT,        /* guest asked to exit (semihosting) */
    CPU_STOP_REQUEST,     /* cpu_request_stop() from an event/debugger/watchpoint */
    CPU_STOP_BREAK,       /* reached a debugger breakpoint (not executed yet) */
    CPU_STOP_WATCH,       /* an instruction touched a watched address (it completed) */
    CPU_STOP_STEP,        /* single step done */
};

#define CPU_MAX_BREAKPOINTS 64
#define CPU_MAX_WATCHPOINTS 16
enum { CPU_WATCH_WRITE = 1, CPU_WATCH_READ = 2, CPU_WATCH_ACCESS = 3 };
typedef struct cpu_watch {
    uint32_t addr, len;
    uint8_t kind;         /* CPU_WATCH_* */
} cpu_watch_t;

/*
 * Data-access TLB: direct-mapped, one entry per bus page (1 KiB), filled by
 * the slow path for pages of direct RAM (writes: not holding decoded code)
 * or direct RAM/ROM (reads) while no watchpoint is set; with the MPU on,
 * only for pages the MPU allows in full for the current privilege (it is
 * emptied on any MPU change and, at block starts, on a privilege change).
 * Unprivileged accesses of privileged code (LDRT/STRT) never use it.
 * Emptied with the block cache (bus generation change: wait states or
 * direct access changed; reset) and for one page when it starts holding
 * decoded code.
 */
#define CPU_TLB_BITS 8
#define CPU_TLB_SIZE (1u << CPU_TLB_BITS)
#define CPU_TLB_NONE 0xFFFFFFFFu
typedef struct cpu_tlb_entry {
    /* address of the page's first byte, or CPU_TLB_NONE: an aligned access
     * hits when its address masked with ~(page size - 1) | (size - 1)
     * equals it (one compare for page and alignment) */
    uint32_t tag;
    uint32_t wait_states;
    uintptr_t addend;     /* host address of guest address a: addend + a */
} cpu_tlb_entry_t;

#define CPU_BLOCK_MAX 32
#define CPU_BLOCK_HASH 4096

typedef struct cpu_block cpu_block_t;
/* A link to the block that followed last time, valid while no block has
 * been replaced since (epoch == cpu->chain_epoch) and its pc matches. */
typedef struct cpu_chain {
    cpu_block_t *to;
    uint64_t epoch;
} cpu_chain_t;

struct cpu_block {
    uint32_t pc;
    uint8_t itstate;
    bool fetch_fault;     /* insns[0] raises the fetch fault for 'pc' */
    uint16_t n;
    uint32_t gen;         /* valid iff == cpu->cache_gen */
    uint32_t cycles;      /* sum of the insns' base cycles, fetch wait states included */
    /* Upper bound of the cycles the first n - 1 instructions can take with
     * every data-dependent extra (wait states of each possible access,
     * divide length, refill): when cycles + entry + bound stays below the
     * slice limit, no instruction boundary inside the block can reach it,
     * so the block runs without a check per instruction. */
    uint32_t bound;
    uint8_t entry_ws;     /* fetch wait states when entered by a branch mid-line */
    cpu_chain_t chain[2]; /* successors: [0] falling through, [1] a taken branch */
    uint64_t mpu_ok;      /* the MPU allowed fetching it in this cpu->mpu_epoch */
    /* insns[n] is a sentinel: pc and itstate of the fall-through successor */
    insn_t insns[CPU_BLOCK_MAX + 1];
};

struct machine;

typedef bool (*cpu_bkpt_fn)(void *opaque, cpu_t *cpu, uint32_t imm);
typedef void (*cpu_trace_fn)(void *opaque, cpu_t *cpu, const insn_t *i);

struct cpu {
    /* --- architectural state --- */
    uint32_t r[16];           /* r[13] = active SP; r[15] = PC (+4 while executing) */
    uint32_t msp, psp;        /* banked SPs; the active one is in r[13] (see cpu_get_msp) */
    /* APSR.N and Z in one word that an instruction writes from its result
     * at once: N = nz < 0, Z = (uint32_t)nz == 0 (cpu_flag_n/z, set_nz);
     * any N/Z pair is representable (cpu_set_nz_flags). */
    int64_t nz;
    uint8_t c, v, q;          /* APSR flags, 0/1 each */
    uint8_t ge;               /* APSR.GE[3:0] */
    uint8_t itstate;          /* EPSR.IT for the next instruction to execute */
    uint8_t t_bit;            /* EPSR.T; 0 means the next instruction faults (INVSTATE) */
    uint16_t ipsr;            /* current exception number, 0 = thread mode */
    uint8_t primask, faultmask, basepri;
    uint8_t control;          /* nPRIV(0) SPSEL(1) FPCA(2) */
    uint32_t s[32];           /* FP registers S0..S31 (D[n] = S[2n+1]:S[2n]) */
    uint32_t fpscr;
    bool excl_valid;          /* local exclusive monitor */
    uint32_t excl_addr;
    bool event_reg;           /* WFE/SEV event register */

    /* --- system (NVIC, SCB, SysTick, DWT, MPU, FP control) --- */
    armv7m_sys_t sys;

    /* --- run state --- */
    sim_cycles_t cycles;      /* total cycles since power-on */
    uint64_t insns;           /* instructions retired */
    bool break_block;         /* see contract */
    int sync_exc;             /* exception raised by the current instruction (0 = none) */
    uint32_t sync_return;     /* its return address when it is not the insn itself (SVC) */
    bool sync_return_set;
    bool sleep_wfe;           /* the sleep came from WFE (wakes on events too) */
    bool sleep_held;          /* deep sleep the SoC holds: only it ends the sleep (see top) */
    bool pc_written;          /* r[15] was written by the current instruction */
    sim_cycles_t slice_limit; /* cpu_run's limit, lowered when an MMIO access arms an earlier event */
    /* Conditions the run loop must look at between blocks, in one word so
     * that the common case (none) is a single test. */
    union {
        struct {
            bool locked_up;
            bool stop_requested;
            bool exc_check;       /* something changed that may let an exception preempt */
            bool sleeping;        /* in WFI/WFE sleep */
        };
        uint32_t attention;
    };
    enum cpu_stop stop;
    uint32_t lockup_pc;
    uint64_t exc_taken[16];   /* system exceptions entered, by number (reports: HardFaults) */

    /* --- timing --- */
    sim_clock_t *clk;         /* core clock (HCLK); NULL = fixed 'default_hz' */
    uint64_t hz;
    bool clk_stopped;         /* the core clock is at 0 Hz (hz then reads 1) */
    sim_cycles_t clk_base_cycles; /* time = base_ns + (cycles - base_cycles) / hz */
    sim_time_t clk_base_ns;
    bool nonseq;              /* next fetch follows a branch or exception (line refill) */

    /* --- wiring (not state) --- */
    bus_t *bus;
    sched_t *sched;
    cpu_bkpt_fn on_bkpt;      /* semihosting / debugger hook for BKPT */
    void *on_bkpt_opaque;
    cpu_trace_fn trace;       /* called before each instruction when set */
    void *trace_opaque;
    void (*on_sysreset)(void *opaque); /* AIRCR.SYSRESETREQ */
    void *on_sysreset_opaque;
    void (*on_deep_sleep)(void *opaque, cpu_t *cpu); /* SLEEPDEEP sleep begins (see top) */
    void *on_deep_sleep_opaque;
    unsigned num_irqs;        /* external interrupt lines implemented */
    unsigned prio_bits;       /* implemented priority bits (4 on STM32F4) */
    uint32_t cpuid;
    bool has_fpu;

    /* --- debugger --- */
    uint32_t breakpoints[CPU_MAX_BREAKPOINTS];
    unsigned nbreak;
    cpu_watch_t watch[CPU_MAX_WATCHPOINTS];
    unsigned nwatch;
    bool step_one;        /* cpu_run returns CPU_STOP_STEP after one instruction */
    bool break_skip;      /* resume from a breakpoint: do not stop at it again at once */
    bool watch_hit;
    uint32_t watch_addr;
    uint8_t watch_kind;
    uint32_t catch_exc_mask;  /* exceptions (bit n = exception n) that stop the run when taken */
    int caught_exc;           /* the exception that stopped it, 0 = none */

    cpu_tlb_entry_t tlb_rd[CPU_TLB_SIZE], tlb_wr[CPU_TLB_SIZE];
    unsigned tlb_ctx;         /* armv7m_mpu_context() the TLB was filled in (MPU on) */
    uint64_t mpu_epoch;       /* bumped when MPU permissions may have changed */

    /* --- decoded block cache --- */
    cpu_block_t *blocks;      /* CPU_BLOCK_HASH entries */
    uint32_t cache_gen;       /* a block is valid iff its gen equals this */
    uint64_t chain_epoch;     /* bumped when a valid block is replaced, the cache dropped
                               * or MPU permissions change */
    uint32_t bus_gen_seen;    /* bus->generation when the cache was last valid */
    uint64_t cache_flushes;
    uint64_t blocks_built;
    unsigned ws_max;          /* highest wait states of any bus region (block bounds) */
};

/* ---- life cycle (armv7m_cpu.c) ---- */
int cpu_init(cpu_t *cpu, bus_t *bus, sched_t *sched, unsigned num_irqs, unsigned prio_bits,
             bool has_fpu);
void cpu_free(cpu_t *cpu);
/* Power-on / system reset: reset state, then read SP and PC from VTOR (0). */
void cpu_reset(cpu_t *cpu);
/* Run until cpu->cycles >= limit or a stop condition; returns why. */
enum cpu_stop cpu_run(cpu_t *cpu, sim_cycles_t limit);
void cpu_request_stop(cpu_t *cpu);
void cpu_flush_cache(cpu_t *cpu);
/* Core clock: time base for converting cycles to nanoseconds. */
void cpu_set_clock(cpu_t *cpu, sim_clock_t *clk);
void cpu_set_hz(cpu_t *cpu, uint64_t hz);
sim_time_t cpu_time_of(const cpu_t *cpu, sim_cycles_t cycles);
/* First cycle count at or after virtual time t. */
sim_cycles_t cpu_cycles_at(const cpu_t *cpu, sim_time_t t);
/* Catch the cycle counter up to virtual time t (after sleeping). */
void cpu_sync_to_time(cpu_t *cpu, sim_time_t t);

/* ---- run loop internals shared by armv7m_cpu.c and thumb_fast.c ---- */
cpu_block_t *cpu_build_block(cpu_t *cpu, cpu_block_t *b, uint32_t pc, uint8_t itstate);
static inline unsigned cpu_block_hash(uint32_t pc, uint8_t itstate)
{
    return ((pc >> 1) ^ (pc >> 13) ^ ((uint32_t)itstate * 0x9E5u)) & (CPU_BLOCK_HASH - 1);
}
/* The decoded block for (pc, itstate), built on a miss. NULL when the bus
 * generation changed (wait states or direct access): the caller must go
 * through cpu_lookup_block, which flushes the cache first. */
static inline cpu_block_t *cpu_find_block(cpu_t *cpu, uint32_t pc, uint8_t itstate)
{
    if (unlikely(cpu->bus->generation != cpu->bus_gen_seen))
        return NULL;
    cpu_block_t *b = &cpu->blocks[cpu_block_hash(pc, itstate)];
    if (likely(b->gen == cpu->cache_gen && b->pc == pc && b->itstate == itstate))
        return b;
    return cpu_build_block(cpu, b, pc, itstate);
}
/*
 * Threaded executor (thumb_fast.c): runs block b, whose entry wait states
 * the caller has charged and for which cycles + b->bound < slice_limit,
 * then the blocks that follow while that holds and nothing needs the run
 * loop. Returns NULL at a block boundary (r[15], itstate, cycles, insns,
 * nonseq up to date) or the instruction that set break_block (cycles
 * charged up to and including it, insns counted up to before it).
 */
const insn_t *cpu_run_blocks(cpu_t *cpu, cpu_block_t *b);
/* Sets where the executor dispatches each insn of a built block (insn_t.lbl,
 * fx), the sentinel included. */
void thumb_fast_prepare(cpu_block_t *b);

/* ---- decode (thumb_decode.c; vfp.c for the coprocessor space) ---- */
/* Decode one instruction; never fails. 'itstate' is ITSTATE for this insn.
 * hw2 is only meaningful when hw1 starts a 32-bit encoding. Fills every field
 * except pc/cond/itstate/it_next, which the block builder sets. */
void thumb_decode(uint32_t pc, uint16_t hw1, uint16_t hw2, uint8_t itstate, insn_t *out);
static inline bool thumb_is_32bit(uint16_t hw1) { return (hw1 >> 11) >= 0x1D; }
/* Coprocessor-space encodings (hw1 = 111x 11xx xxxx xxxx). */
void vfp_decode(uint32_t pc, uint32_t raw32, uint8_t itstate, insn_t *out);
/* Handlers shared by every decoder */
void exec_undefined(cpu_t *cpu, const insn_t *i);       /* UsageFault UNDEFINSTR */
void exec_nocp(cpu_t *cpu, const insn_t *i);            /* UsageFault NOCP */
/* Name of an insn for traces/stats (thumb_decode.c). insn_t.op ranges:
 * thumb_decode.c below 0x400, thumb_dsp.c 0x400.., vfp.c 0x800.. */
const char *thumb_insn_name(const insn_t *i);
#define INSN_OP_DSP_BASE 0x400
#define INSN_OP_VFP_BASE 0x800
/* Register data-processing, multiply, divide and DSP groups (thumb_dsp.c):
 * every 32-bit encoding with hw1[15:9] == 1111101, plus PKHBT/PKHTB and
 * SSAT/USAT/SSAT16/USAT16. thumb_decode() offers every 32-bit encoding here
 * first; returns true when it decoded it. */
bool thumb_decode_dsp(uint32_t pc, uint16_t hw1, uint16_t hw2, insn_t *out);
const char *thumb_dsp_name(const insn_t *i);
const char *vfp_insn_name(const insn_t *i);
/* Upper bound of the cycles an insn can add to its base cycles when it
 * completes without setting break_block, with data wait states of at most
 * ws_max per access (thumb_decode.c; vfp_access_bound for FP insns). */
unsigned thumb_extra_bound(const insn_t *i, unsigned ws_max);
unsigned vfp_access_bound(const insn_t *i);

/* ---- flags and condition codes ---- */
static inline bool cpu_flag_n(const cpu_t *cpu) { return cpu->nz < 0; }
static inline bool cpu_flag_z(const cpu_t *cpu) { return (uint32_t)cpu->nz == 0; }
static inline void cpu_set_nz_flags(cpu_t *cpu, bool n, bool z)
{
    cpu->nz = (n ? INT64_MIN : 0) | (z ? 0 : 1);
}

static inline bool cpu_cond_pass(const cpu_t *cpu, unsigned cond)
{
    bool r;
    switch (cond >> 1) {
    case 0: r = cpu_flag_z(cpu); break;
    case 1: r = cpu->c; break;
    case 2: r = cpu_flag_n(cpu); break;
    case 3: r = cpu->v; break;
    case 4: r = cpu->c && !cpu_flag_z(cpu); break;
    case 5: r = cpu_flag_n(cpu) == cpu->v; break;
    case 6: r = !cpu_flag_z(cpu) && cpu_flag_n(cpu) == cpu->v; break;
    default: return true; /* AL (and 0xF, treated as always) */
    }
    return (cond & 1) ? !r : r;
}

/* ---- PSR / special registers ---- */
uint32_t cpu_get_xpsr(const cpu_t *cpu);
void cpu_set_apsr(cpu_t *cpu, uint32_t v);          /* N Z C V Q GE from bits */
void cpu_set_xpsr(cpu_t *cpu, uint32_t v);          /* all fields (unstacking, debugger) */
static inline bool cpu_in_handler(const cpu_t *cpu) { return cpu->ipsr != 0; }
static inline bool cpu_privileged(const cpu_t *cpu)
{
    return cpu->ipsr != 0 || !(cpu->control & 1);
}
static inline bool cpu_using_psp(const cpu_t *cpu)
{
    return cpu->ipsr == 0 && (cpu->control & 2);
}
static inline uint32_t cpu_get_msp(const cpu_t *cpu) { return cpu_using_psp(cpu) ? cpu->msp : cpu->r[13]; }
static inline uint32_t cpu_get_psp(const cpu_t *cpu) { return cpu_using_psp(cpu) ? cpu->r[13] : cpu->psp; }
void cpu_set_msp(cpu_t *cpu, uint32_t v);
void cpu_set_psp(cpu_t *cpu, uint32_t v);
/* Change IPSR and/or CONTROL.SPSEL and swap the banked SP accordingly. Always
 * use this (never assign ipsr/control bit 1 directly). */
void cpu_set_mode(cpu_t *cpu, uint16_t ipsr, uint8_t control);

/* ---- control flow (armv7m_cpu.c) ---- */
/* BranchWritePC / ALUWritePC: target with bit 0 ignored. */
static inline void cpu_branch(cpu_t *cpu, uint32_t addr)
{
    cpu->r[15] = addr & ~1u;
    cpu->itstate = 0;
    cpu->pc_written = true;
    cpu->break_block = true;
}
/* BXWritePC / LoadWritePC: interworking; in handler mode an EXC_RETURN value
 * (0xFxxxxxxx) performs an exception return. */
void cpu_bx_write_pc(cpu_t *cpu, uint32_t addr);

/* Hint instructions and BKPT, implemented by the run loop (armv7m_cpu.c). */
void cpu_do_bkpt(cpu_t *cpu, const insn_t *i, uint32_t imm8); /* semihosting/debugger/HardFault */
void cpu_do_wfi(cpu_t *cpu);
void cpu_do_wfe(cpu_t *cpu);
/* The core goes to sleep (WFI, WFE or SLEEPONEXIT, with nothing pending that
 * wakes it); with SCR.SLEEPDEEP the SoC's on_deep_sleep hook runs. */
void cpu_enter_sleep(cpu_t *cpu, bool wfe);
void cpu_do_sev(cpu_t *cpu);

/* ---- memory (armv7m_cpu.c) ---- */
/* Data access by the current instruction. On a fault the fault is raised and
 * false returned (the handler must return without side effects). Adds the
 * region's wait states to cpu->cycles. Handles bit-band, MPU, PPB privilege,
 * alignment per CCR.UNALIGN_TRP and 'acc'. Unaligned accesses are split into
 * bytes for MMIO. */
bool cpu_read_slow(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t *val, unsigned acc);
bool cpu_write_slow(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t val, unsigned acc);

/* An aligned access to a page in the TLB (RAM/flash, MPU off, no
 * watchpoints): true with its host address and the page's wait states. */
static inline bool cpu_tlb_rd(const cpu_t *cpu, uint32_t addr, unsigned size,
                              const uint8_t **p, unsigned *ws)
{
    const cpu_tlb_entry_t *e = &cpu->tlb_rd[(addr >> BUS_PAGE_SHIFT) & (CPU_TLB_SIZE - 1)];
    if (likely((addr & (~(BUS_PAGE_SIZE - 1) | (size - 1))) == e->tag)) {
        *ws = e->wait_states;
        *p = (const uint8_t *)(e->addend + addr);
        return true;
    }
    return false;
}

static inline bool cpu_tlb_wr(const cpu_t *cpu, uint32_t addr, unsigned size, uint8_t **p,
                              unsigned *ws)
{
    const cpu_tlb_entry_t *e = &cpu->tlb_wr[(addr >> BUS_PAGE_SHIFT) & (CPU_TLB_SIZE - 1)];
    if (likely((addr & (~(BUS_PAGE_SIZE - 1) | (size - 1))) == e->tag)) {
        *ws = e->wait_states;
        *p = (uint8_t *)(e->addend + addr);
        return true;
    }
    return false;
}

static inline uint32_t ld_host(const uint8_t *p, unsigned size)
{
    return size == 4 ? rd_le32(p) : size == 2 ? rd_le16(p) : p[0];
}

static inline void st_host(uint8_t *p, unsigned size, uint32_t val)
{
    if (size == 4)
        wr_le32(p, val);
    else if (size == 2)
        wr_le16(p, (uint16_t)val);
    else
        p[0] = (uint8_t)val;
}

/* Fast path: an aligned access to a page in the TLB. */
static inline bool cpu_read(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t *val, unsigned acc)
{
    unsigned ws;
    const uint8_t *p;
    if (likely(!(acc & ACC_UNPRIV) && cpu_tlb_rd(cpu, addr, size, &p, &ws))) {
        *val = ld_host(p, size);
        cpu->cycles += ws;
        return true;
    }
    return cpu_read_slow(cpu, addr, size, val, acc);
}

static inline bool cpu_write(cpu_t *cpu, uint32_t addr, unsigned size, uint32_t val, unsigned acc)
{
    unsigned ws;
    uint8_t *p;
    if (likely(!(acc & ACC_UNPRIV) && cpu_tlb_wr(cpu, addr, size, &p, &ws))) {
        st_host(p, size, val);
        cpu->cycles += ws;
        return true;
    }
    return cpu_write_slow(cpu, addr, size, val, acc);
}
void cpu_tlb_flush(cpu_t *cpu);
static inline bool cpu_read32(cpu_t *cpu, uint32_t addr, uint32_t *val)
{
    return cpu_read(cpu, addr, 4, val, 0);
}
static inline bool cpu_write32(cpu_t *cpu, uint32_t addr, uint32_t val)
{
    return cpu_write(cpu, addr, 4, val, 0);
}

/* ---- exceptions and faults (armv7m_sys.c) ---- */
/* Raise a synchronous exception for the current instruction. For SVC the
 * return address is the next instruction (pass it); for faults pass 0 and
 * set_return=false (return address = faulting instruction). */
void cpu_raise_sync(cpu_t *cpu, int exc, bool set_return, uint32_t return_addr);
/* Fault helpers: record the CFSR bits (and MMFAR/BFAR when addr_valid),
 * escalate to HardFault (FORCED) when the fault is disabled or cannot
 * preempt, lock up when a fault happens in NMI/HardFault priority. */
void cpu_usage_fault(cpu_t *cpu, uint32_t ufsr_bits);     /* UFSR bits, CFSR[31:16] >> 16 */
void cpu_mem_fault(cpu_t *cpu, uint32_t mmfsr_bits, uint32_t addr, bool addr_valid);
void cpu_bus_fault(cpu_t *cpu, uint32_t bfsr_bits, uint32_t addr, bool addr_valid);

/* UFSR bits (CFSR >> 16) */
enum { UFSR_UNDEFINSTR = 1 << 0, UFSR_INVSTATE = 1 << 1, UFSR_INVPC = 1 << 2,
       UFSR_NOCP = 1 << 3, UFSR_UNALIGNED = 1 << 8, UFSR_DIVBYZERO = 1 << 9 };
/* MMFSR bits (CFSR[7:0]) */
enum { MMFSR_IACCVIOL = 1 << 0, MMFSR_DACCVIOL = 1 << 1, MMFSR_MUNSTKERR = 1 << 3,
       MMFSR_MSTKERR = 1 << 4, MMFSR_MLSPERR = 1 << 5, MMFSR_MMARVALID = 1 << 7 };
/* BFSR bits (CFSR[15:8] >> 8) */
enum { BFSR_IBUSERR = 1 << 0, BFSR_PRECISERR = 1 << 1, BFSR_IMPRECISERR = 1 << 2,
       BFSR_UNSTKERR = 1 << 3, BFSR_STKERR = 1 << 4, BFSR_LSPERR = 1 << 5,
       BFSR_BFARVALID = 1 << 7 };

/* Exception entry (stacking, vector fetch, mode change) for exception 'exc'
 * with the given return address; handles tail-chaining state and lockup. */
void armv7m_exception_entry(cpu_t *cpu, int exc, uint32_t return_addr);
/* Exception return for an EXC_RETURN value (called by cpu_bx_write_pc). */
void armv7m_exception_return(cpu_t *cpu, uint32_t exc_return);
/* Highest-priority pending exception that may preempt now, or 0. */
int armv7m_pending_exception(cpu_t *cpu);
/* True when a pending exception (or event for WFE) should wake a sleeping core. */
bool armv7m_wakeup_pending(cpu_t *cpu, bool wfe);
/* MRS/MSR (SYSm encoding) and CPS. */
uint32_t armv7m_mrs(cpu_t *cpu, unsigned sysm);
void armv7m_msr(cpu_t *cpu, unsigned sysm, unsigned mask, uint32_t val);
void armv7m_cps(cpu_t *cpu, bool disable, bool affect_i, bool affect_f);
/* ExecuteFPCheck(): CPACR access (NOCP), FPCA/FPDSCR, lazy preservation.
 * Returns false if it raised a fault. */
bool armv7m_fp_check(cpu_t *cpu);
/* MPU check for one access; raises MemManage and returns false on violation.
 * Only called when sys.mpu_active. 'acc' is the cpu_read/cpu_write flags plus
 * write (bool) and fetch in ACC_FETCH. */
bool armv7m_mpu_check(cpu_t *cpu, uint32_t addr, bool write, unsigned acc);
/* What MPU checks of data accesses depend on besides the configuration
 * (privilege; the MPU being off at negative priority): the data TLB is
 * filled for one such context (cpu->tlb_ctx) and emptied when it changes. */
unsigned armv7m_mpu_context(const cpu_t *cpu);
/* The access is allowed, the same way, for every byte of the 1 KiB page at
 * base (which may then go into the data TLB). MPU on only. */
bool armv7m_mpu_page_allows(const cpu_t *cpu, uint32_t base, bool write);
/* Map the System Control Space and other PPB blocks on the bus. */
void armv7m_sys_map(cpu_t *cpu, bus_t *bus);
void armv7m_sys_init(cpu_t *cpu);
void armv7m_sys_reset(cpu_t *cpu);
/* External interrupt input n (IRQ number), level-sensitive: an irq_handler_fn. */
void armv7m_nvic_irq_input(void *cpu, int n, bool level);
void armv7m_set_pending(cpu_t *cpu, int exc);  /* NMI, PendSV, ... from models */
/* Called by the loop when the core goes to sleep / wakes, for SysTick-free idling. */
void armv7m_sys_cycles_changed(cpu_t *cpu);

#endif
