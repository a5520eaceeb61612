/*
 * The MPU as RTOSes program it. Zephyr (ARMv7-M): each region through
 * RNR/RBAR/RASR, a 32-byte no-access stack guard that catches stack
 * overflows in privileged code, PRIVDEFENA so that the kernel sees the
 * default map behind its regions. FreeRTOS-MPU: regions through RBAR with
 * VALID and REGION and the RBAR_An/RASR_An aliases (CMSIS ARM_MPU_Load),
 * read-only flash, privileged-only RAM, unprivileged tasks with a stack
 * region of their own whose subregions are switched off in part.
 * Observed: MemManage with CFSR and MMFAR, region priority, subregions, the
 * background region, execute-never, every access permission for
 * privileged and unprivileged code, LDRT/STRT, HFNMIENA with FAULTMASK,
 * escalation to HardFault, and the register interface. Prints one line per
 * observation; the same on any correct Cortex-M4.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "../common/testlib.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_VTOR REG(0xE000ED08)
#define SCB_SHCSR REG(0xE000ED24)
#define SCB_CFSR REG(0xE000ED28)
#define SCB_HFSR REG(0xE000ED2C)
#define SCB_MMFAR REG(0xE000ED34)
#define SCB_BFAR REG(0xE000ED38)
#define MPU_TYPE REG(0xE000ED90)
#define MPU_CTRL REG(0xE000ED94)
#define MPU_RNR REG(0xE000ED98)
#define MPU_RBAR REG(0xE000ED9C)
#define MPU_RASR REG(0xE000EDA0)
#define MPU_RBAR_A(n) REG(0xE000ED9C + 8 * (n))

/* RASR fields (ARMv7-M ARM B3.5.9) */
#define RASR_XN (1u << 28)
#define RASR_AP(ap) ((uint32_t)(ap) << 24)
#define RASR_TEX_SCB(tex, s, c, b) (((uint32_t)(tex) << 19) | ((s) << 18) | ((c) << 17) | ((b) << 16))
#define RASR_SRD(m) ((uint32_t)(m) << 8)
#define RASR_SIZE(log2) ((uint32_t)((log2) - 1) << 1)
#define RASR_EN 1u
#define RBAR_VALID (1u << 4)
#define CTRL_ENABLE 1u
#define CTRL_HFNMIENA 2u
#define CTRL_PRIVDEFENA 4u
/* AP: 0 none, 1 priv RW, 2 priv RW unpriv RO, 3 RW, 5 priv RO, 6 RO */

#define NVEC 32
static uint32_t vectors[NVEC] __attribute__((aligned(128)));

/* Memory the regions cover. */
static uint32_t task_stack[256] __attribute__((aligned(1024)));   /* 1 KiB region */
static uint32_t guard_area[16] __attribute__((aligned(64)));      /* guard = first 32 bytes */
static uint32_t shared[64] __attribute__((aligned(256)));         /* 256-byte region */
static uint32_t priv_data[8] __attribute__((aligned(32)));
static uint16_t ram_code[8] __attribute__((aligned(32)));
#define PSRAM 0x21000000u  /* no region covers it: the background map */
#define GUARD ((uint32_t)guard_area)

/* ---- faults: record, then skip the faulting instruction (or return from
 * a call into code that may not execute) ---- */
#define LOG_MAX 24
static volatile struct fault_rec {
    uint32_t exc, cfsr, hfsr, mmfar, bfar;
} fault_log[LOG_MAX];
static volatile unsigned nfaults;

void fault_c(uint32_t *frame, uint32_t exc);
void fault_c(uint32_t *frame, uint32_t exc)
{
    uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR;
    if (nfaults < LOG_MAX) {
        volatile struct fault_rec *f = &fault_log[nfaults];
        f->exc = exc;
        f->cfsr = cfsr;
        f->hfsr = hfsr;
        f->mmfar = (cfsr & 0x80) ? SCB_MMFAR : 0;
        f->bfar = (cfsr & 0x8000) ? SCB_BFAR : 0;
    }
    nfaults++;
    SCB_CFSR = cfsr;
    SCB_HFSR = hfsr;
    if (cfsr & 1u) {
        /* IACCVIOL: the fetch of a called function; return to the caller */
        frame[6] = frame[5] & ~1u;
        return;
    }
    uint16_t hw = *(uint16_t *)frame[6];
    frame[6] += (hw >> 11) >= 0x1D ? 4 : 2;
}

TL_FAULT_ENTRY(fault_entry, fault_c)

/* SVC #1: back to privileged thread mode */
void svc_c(void);
void svc_c(void)
{
    uint32_t c;
    __asm__ volatile("mrs %0, control" : "=r"(c));
    c &= ~1u;
    __asm__ volatile("msr control, %0\n\tisb" ::"r"(c));
}

__attribute__((naked)) static void svc_entry(void)
{
    __asm__ volatile("push {r4, lr}\n\t"
                     "bl svc_c\n\t"
                     "pop {r4, pc}\n");
}

/* Run fn unprivileged on its own stack (PSP), then come back through SVC. */
__attribute__((naked)) static void unprivileged_call(void (*fn)(void), uint32_t psp_top)
{
    (void)fn;
    (void)psp_top;
    __asm__ volatile("push {r4, lr}\n\t"
                     "msr psp, r1\n\t"
                     "mrs r2, control\n\t"
                     "orr r2, r2, #3\n\t"
                     "msr control, r2\n\t"
                     "isb\n\t"
                     "blx r0\n\t"
                     "svc #1\n\t"
                     "mrs r2, control\n\t"
                     "bic r2, r2, #2\n\t"
                     "msr control, r2\n\t"
                     "isb\n\t"
                     "pop {r4, pc}\n");
}

/* Single accesses whose fault the handler skips; a faulting load returns
 * 0xDEADDEAD. */
static uint32_t rd(uint32_t a)
{
    uint32_t v = 0xDEADDEADu;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
    return v;
}

static void wr(uint32_t a, uint32_t v)
{
    __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
}

static uint32_t rdt(uint32_t a)
{
    uint32_t v = 0xDEADDEADu;
    __asm__ volatile("ldrt %0, [%1]" : "+r"(v) : "r"(a) : "memory");
    return v;
}

static void wrt(uint32_t a, uint32_t v)
{
    __asm__ volatile("strt %0, [%1]" ::"r"(v), "r"(a) : "memory");
}

static void sync(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

/* An address as the name of what holds it and the offset into that. */
static void print_addr(const char *tag, uint32_t a)
{
    static const struct { const char *name; uint32_t base, size; } where[] = {
        { "guard", (uint32_t)guard_area, sizeof guard_area },
        { "stack", (uint32_t)task_stack, sizeof task_stack },
        { "shared", (uint32_t)shared, sizeof shared },
        { "priv", (uint32_t)priv_data, sizeof priv_data },
        { "psram", PSRAM, 0x1000 },
        { "code", 0, 0x400000 },
    };
    for (unsigned k = 0; k < sizeof where / sizeof where[0]; k++)
        if (a - where[k].base < where[k].size) {
            printf(" %s=%s+%lu", tag, where[k].name, (unsigned long)(a - where[k].base));
            return;
        }
    printf(" %s=%08lx", tag, (unsigned long)a);
}

/* One line per recorded fault, addresses as region + offset. */
static void show(const char *what)
{
    printf("%-22s faults=%u", what, nfaults);
    for (unsigned k = 0; k < nfaults && k < LOG_MAX; k++) {
        volatile struct fault_rec *f = &fault_log[k];
        printf(" [exc=%lu cfsr=%08lx hfsr=%08lx", (unsigned long)f->exc, (unsigned long)f->cfsr,
               (unsigned long)f->hfsr);
        if (f->cfsr & 0x80)
            print_addr("mmfar", f->mmfar);
        if (f->cfsr & 0x8000)
            print_addr("bfar", f->bfar);
        printf("]");
    }
    printf("\n");
    nfaults = 0;
}

static void region(unsigned n, uint32_t base, uint32_t rasr)
{
    MPU_RNR = n;
    MPU_RBAR = base;
    MPU_RASR = rasr;
}

/* ---- register interface ---- */
static void test_registers(void)
{
    printf("type                   %08lx\n", (unsigned long)MPU_TYPE);
    printf("ctrl-reset             %08lx\n", (unsigned long)MPU_CTRL);
    /* RNR selects; RBAR reads back ADDR and the region number */
    region(2, 0x20001000u, RASR_XN | RASR_AP(3) | RASR_SIZE(12) | RASR_EN);
    printf("rbar-rnr               %08lx rasr=%08lx\n", (unsigned long)MPU_RBAR,
           (unsigned long)MPU_RASR);
    /* RBAR with VALID writes RNR too */
    MPU_RBAR = 0x20002000u | RBAR_VALID | 5;
    MPU_RASR = 0xFFFFFFFFu; /* reserved bits read as zero */
    printf("rbar-valid             rnr=%lu rbar=%08lx rasr=%08lx\n", (unsigned long)MPU_RNR,
           (unsigned long)MPU_RBAR, (unsigned long)MPU_RASR);
    MPU_RASR = 0;
    /* four regions at once through the aliases (CMSIS ARM_MPU_Load) */
    for (unsigned k = 0; k < 4; k++) {
        MPU_RBAR_A(k) = (0x20010000u + 0x1000u * k) | RBAR_VALID | (4 + k);
        REG(0xE000EDA0 + 8 * k) = RASR_AP(k) | RASR_SRD(1u << k) | RASR_SIZE(12) | RASR_EN;
    }
    for (unsigned k = 4; k < 8; k++) {
        MPU_RNR = k;
        printf("alias-region-%u         rbar=%08lx rasr=%08lx\n", k, (unsigned long)MPU_RBAR,
               (unsigned long)MPU_RASR);
    }
    printf("rnr-after-aliases      %lu\n", (unsigned long)MPU_RNR);
    for (unsigned k = 0; k < 8; k++)
        region(k, 0, 0);
}

/*
 * The RTOS layout:
 *  0 code (and constants): 4 MiB, read-only for everyone, executable
 *  1 RAM: 4 MiB, privileged RW / unprivileged RO, execute-never
 *  2 peripherals: 512 MiB from 0x40000000, RW, device memory, execute-never
 *  3 the task's stack: 1 KiB RW; subregion 1 (bytes 128-255) switched off
 *  4 the stack guard: 32 bytes, no access
 *  5 shared buffer: 256 bytes RW for everyone
 *  6 privileged-only data: 32 bytes priv RW, unprivileged none
 *  7 the upper half of the shared buffer: read-only for everyone (wins over 5)
 */
static void setup_rtos(uint32_t ctrl)
{
    region(0, 0x00000000u, RASR_AP(6) | RASR_TEX_SCB(0, 0, 1, 0) | RASR_SIZE(22) | RASR_EN);
    region(1, 0x20000000u, RASR_XN | RASR_AP(2) | RASR_TEX_SCB(1, 1, 1, 1) | RASR_SIZE(22) | RASR_EN);
    MPU_RBAR = 0x40000000u | RBAR_VALID | 2;
    MPU_RASR = RASR_XN | RASR_AP(3) | RASR_TEX_SCB(0, 1, 0, 1) | RASR_SIZE(29) | RASR_EN;
    MPU_RBAR = (uint32_t)task_stack | RBAR_VALID | 3;
    MPU_RASR = RASR_XN | RASR_AP(3) | RASR_SRD(0x02) | RASR_TEX_SCB(1, 1, 1, 1) | RASR_SIZE(10) | RASR_EN;
    region(4, GUARD, RASR_XN | RASR_AP(0) | RASR_SIZE(5) | RASR_EN);
    region(5, (uint32_t)shared, RASR_XN | RASR_AP(3) | RASR_SIZE(8) | RASR_EN);
    region(6, (uint32_t)priv_data, RASR_XN | RASR_AP(1) | RASR_SIZE(5) | RASR_EN);
    region(7, (uint32_t)shared + 128, RASR_XN | RASR_AP(6) | RASR_SIZE(7) | RASR_EN);
    MPU_CTRL = ctrl;
    sync();
}

static void mpu_off(void)
{
    MPU_CTRL = 0;
    sync();
}

static void test_privileged(void)
{
    setup_rtos(CTRL_ENABLE | CTRL_PRIVDEFENA);
    uint32_t v = rd((uint32_t)&priv_data[1]);
    wr((uint32_t)&priv_data[1], 5);
    show("priv-own-data");
    (void)v;
    /* Zephyr's stack guard: no access even for the kernel */
    wr(GUARD + 8, 1);
    rd(GUARD + 28);
    wr(GUARD + 32, 2); /* just past the guard: RAM again */
    show("priv-stack-guard");
    /* LDM whose second word is in the guard: MMFAR names that word */
    __asm__ volatile("ldm %0, {r2, r3}" ::"r"(GUARD - 4) : "r2", "r3", "memory");
    show("priv-ldm-into-guard");
    /* code is read-only for everyone */
    wr(0x100, 0);
    printf("priv-code-read         %d\n", rd(0x0) != 0xDEADDEADu);
    show("priv-code-write");
    /* region 7 (read-only) wins over region 5 (RW) where they overlap */
    wr((uint32_t)&shared[4], 1);
    wr((uint32_t)&shared[40], 2);
    printf("priv-shared-read       %lu\n", (unsigned long)rd((uint32_t)&shared[40]));
    show("priv-overlap");
    /* the background region (PRIVDEFENA): PSRAM is in no region */
    wr(PSRAM, 0x1234);
    printf("priv-background        %08lx\n", (unsigned long)rd(PSRAM));
    show("priv-background");
    /* disabled subregion of the stack region: the RAM region applies */
    wr((uint32_t)&task_stack[40], 7);
    show("priv-subregion-off");
    /* execute-never: code copied to RAM does not run; the background map
     * lets privileged code run from PSRAM */
    ram_code[0] = 0x2007; /* movs r0, #7 */
    ram_code[1] = 0x4770; /* bx lr */
    memcpy((void *)PSRAM, ram_code, sizeof ram_code);
    sync();
    uint32_t (*f)(void) = (uint32_t(*)(void))((uint32_t)ram_code | 1);
    uint32_t (*g)(void) = (uint32_t(*)(void))(PSRAM | 1);
    uint32_t rf = f(), rg = g();
    printf("priv-exec              xn=%lu background=%lu\n", (unsigned long)(rf == 7),
           (unsigned long)rg);
    show("priv-exec");
    /* LDRT/STRT: checked as unprivileged */
    rdt((uint32_t)&priv_data[0]);
    wrt((uint32_t)&shared[2], 3);
    wrt((uint32_t)&priv_data[0], 4);
    show("priv-ldrt-strt");
    mpu_off();
}

static void test_no_background(void)
{
    setup_rtos(CTRL_ENABLE);
    wr(PSRAM + 4, 1);
    show("nobg-background");
    mpu_off();
}

static void test_faultmask_and_escalation(void)
{
    setup_rtos(CTRL_ENABLE | CTRL_PRIVDEFENA);
    /* FAULTMASK raises the priority to -1: without HFNMIENA the MPU is off */
    __asm__ volatile("cpsid f" ::: "memory");
    wr(GUARD + 4, 0x55);
    uint32_t v = rd(GUARD + 4);
    __asm__ volatile("cpsie f" ::: "memory");
    printf("faultmask-guard        %08lx\n", (unsigned long)v);
    show("faultmask");
    /* MemManage disabled in SHCSR: the fault escalates to HardFault */
    SCB_SHCSR &= ~(1u << 16);
    wr(GUARD, 1);
    SCB_SHCSR |= 1u << 16;
    show("escalated");
    /* MPU off: everything is reachable again */
    mpu_off();
    wr(GUARD, 9);
    printf("mpu-off-guard          %lu\n", (unsigned long)rd(GUARD));
    show("mpu-off");
}

/* ---- an unprivileged task; it writes its results into its own stack
 * region, the only RAM it may write besides the shared buffer ---- */
#define TASK_OUT (&task_stack[200])

static void task(void)
{
    volatile uint32_t *out = TASK_OUT;
    unsigned k = 0;
    out[k++] = rd((uint32_t)&shared[1]);        /* region 5: RW */
    wr((uint32_t)&shared[1], 0x77);
    out[k++] = rd((uint32_t)&shared[1]);
    wr((uint32_t)&shared[33], 1);               /* region 7: read-only */
    out[k++] = rd((uint32_t)&priv_data[0]);     /* region 6: privileged only */
    out[k++] = rd((uint32_t)&vectors[0]) != 0xDEADDEADu; /* RAM: unprivileged read */
    wr((uint32_t)&task_stack[40], 1);           /* subregion off: RAM is read-only */
    wr((uint32_t)&task_stack[100], 2);          /* subregion on: RW */
    out[k++] = rd((uint32_t)&task_stack[100]);
    rd(PSRAM + 8);                              /* background: privileged only */
    rd(0xE000ED00);                             /* SCB: privileged only (BusFault) */
    out[k++] = rd(0x40004008) != 0xDEADDEADu;   /* UART0 CTRL: peripheral region */
    uint32_t (*g)(void) = (uint32_t(*)(void))(PSRAM | 1);
    out[k++] = g() == 7;                        /* fetch from the background */
}

static void test_unprivileged(void)
{
    memset(shared, 0, sizeof shared);
    setup_rtos(CTRL_ENABLE | CTRL_PRIVDEFENA);
    unprivileged_call(task, (uint32_t)&task_stack[256]);
    uint32_t ctl;
    __asm__ volatile("mrs %0, control" : "=r"(ctl));
    mpu_off();
    printf("task-results          ");
    for (unsigned k = 0; k < 7; k++)
        printf(" %lx", (unsigned long)TASK_OUT[k]);
    printf(" control=%lx\n", (unsigned long)ctl);
    show("task");
}

int main(void)
{
    const uint32_t *old = (const uint32_t *)SCB_VTOR;
    for (int i = 0; i < NVEC; i++)
        vectors[i] = old[i];
    for (int i = 3; i <= 6; i++)
        vectors[i] = (uint32_t)fault_entry;
    vectors[11] = (uint32_t)svc_entry;
    SCB_VTOR = (uint32_t)vectors;
    SCB_SHCSR |= 7u << 16; /* MemManage, BusFault, UsageFault enabled */
    sync();
    test_registers();
    test_privileged();
    test_no_background();
    test_faultmask_and_escalation();
    test_unprivileged();
    printf("done\n");
    return 0;
}
