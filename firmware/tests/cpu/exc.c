/*
 * The Cortex-M4 exception model as firmware sees it: SVC, PendSV, NVIC
 * priorities and preemption, masking, tail-chaining, faults and their status
 * registers, escalation, the MPU, unprivileged execution, PSP, FP lazy
 * stacking and SysTick. Prints one line per observation; nothing here
 * depends on timing, so any correct Cortex-M4 prints the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "../common/testlib.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_ICSR REG(0xE000ED04)
#define SCB_VTOR REG(0xE000ED08)
#define SCB_AIRCR REG(0xE000ED0C)
#define SCB_CCR REG(0xE000ED14)
#define SCB_SHPR1 REG(0xE000ED18)
#define SCB_SHPR2 REG(0xE000ED1C)
#define SCB_SHPR3 REG(0xE000ED20)
#define SCB_SHCSR REG(0xE000ED24)
#define SCB_CFSR REG(0xE000ED28)
#define SCB_HFSR REG(0xE000ED2C)
#define SCB_MMFAR REG(0xE000ED34)
#define SCB_BFAR REG(0xE000ED38)
#define SCB_CPACR REG(0xE000ED88)
#define FPCCR REG(0xE000EF34)
#define FPCAR REG(0xE000EF38)
#define NVIC_ISER0 REG(0xE000E100)
#define NVIC_ISPR0 REG(0xE000E200)
#define NVIC_ICPR0 REG(0xE000E280)
#define NVIC_IABR0 REG(0xE000E300)
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xE000E400 + (n)))
#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)
#define MPU_TYPE REG(0xE000ED90)
#define MPU_CTRL REG(0xE000ED94)
#define MPU_RNR REG(0xE000ED98)
#define MPU_RBAR REG(0xE000ED9C)
#define MPU_RASR REG(0xE000EDA0)

#define NVEC 48
static uint32_t vectors[NVEC] __attribute__((aligned(256)));

static char log_buf[256];
static unsigned log_len;
static void note(char c)
{
    if (log_len < sizeof log_buf - 1)
        log_buf[log_len++] = c;
    log_buf[log_len] = 0;
}
static void log_reset(void)
{
    log_len = 0;
    log_buf[0] = 0;
}

/* ---- fault handling: record status, skip the faulting instruction ---- */
static volatile uint32_t fault_cfsr, fault_hfsr, fault_addr, fault_exc, fault_count;

void fault_c(uint32_t *frame, uint32_t exc);
void fault_c(uint32_t *frame, uint32_t exc)
{
    fault_exc = exc;
    fault_cfsr = SCB_CFSR;
    fault_hfsr = SCB_HFSR;
    fault_addr = (fault_cfsr & 0x80) ? SCB_MMFAR : (fault_cfsr & 0x8000) ? SCB_BFAR : 0;
    fault_count++;
    SCB_CFSR = fault_cfsr;
    SCB_HFSR = fault_hfsr;
    if (fault_cfsr & (1u << 17)) {
        /* INVSTATE: resume at the same address in Thumb state */
        frame[7] |= 1u << 24;
        return;
    }
    uint16_t hw = *(uint16_t *)frame[6];
    frame[6] += (hw >> 11) >= 0x1D ? 4 : 2;
}

TL_FAULT_ENTRY(fault_entry, fault_c)

/* ---- SVC: r0 = r0 + r1 * svc number ---- */
static volatile uint32_t svc_lr;
void svc_c(uint32_t *frame, uint32_t lr);
void svc_c(uint32_t *frame, uint32_t lr)
{
    uint8_t num = *(uint8_t *)(frame[6] - 2);
    svc_lr = lr;
    if (num == 99) {
        /* back to privileged thread mode */
        uint32_t c;
        __asm__ volatile("mrs %0, control" : "=r"(c));
        c &= ~1u;
        __asm__ volatile("msr control, %0\n\tisb" ::"r"(c));
        return;
    }
    frame[0] = frame[0] + frame[1] * num;
}

__attribute__((naked)) static void svc_entry(void)
{
    __asm__ volatile("tst lr, #4\n\t"
                     "ite eq\n\t"
                     "mrseq r0, msp\n\t"
                     "mrsne r0, psp\n\t"
                     "mov r1, lr\n\t"
                     "push {r4, lr}\n\t"
                     "bl svc_c\n\t"
                     "pop {r4, pc}\n");
}

static uint32_t svc3(uint32_t a, uint32_t b)
{
    register uint32_t r0 __asm__("r0") = a;
    register uint32_t r1 __asm__("r1") = b;
    __asm__ volatile("svc #3" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* ---- IRQ handlers that log their order ---- */
static volatile int pend_in_irq0 = -1;
static void irq0(void)
{
    note('0');
    if (pend_in_irq0 >= 0) {
        NVIC_ISPR0 = 1u << pend_in_irq0;
        __asm__ volatile("dsb\n\tisb");
    }
    note('a');
}
static void irq1(void) { note('1'); }
static void irq2(void) { note('2'); }
static void pendsv(void) { note('P'); }

static volatile uint32_t systick_count;
static void systick(void) { systick_count++; }

/* FP use inside an interrupt: clobbers s0-s3 and records lazy-stacking state. */
static volatile uint32_t fp_irq_lr, fp_irq_fpccr;
static void irq3_fp(void)
{
    uint32_t lr;
    __asm__ volatile("mov %0, lr" : "=r"(lr));
    fp_irq_lr = lr;
    fp_irq_fpccr = FPCCR;
    __asm__ volatile("vmov.f32 s0, #2.0\n\tvmov.f32 s1, #3.0\n\tvadd.f32 s2, s0, s1" ::: "s0", "s1", "s2");
}

static void install(void)
{
    const uint32_t *old = (const uint32_t *)SCB_VTOR;
    for (int i = 0; i < NVEC; i++)
        vectors[i] = old[i];
    for (int i = 2; i <= 6; i++)
        vectors[i] = (uint32_t)fault_entry;
    vectors[11] = (uint32_t)svc_entry;
    vectors[14] = (uint32_t)pendsv;
    vectors[15] = (uint32_t)systick;
    vectors[16] = (uint32_t)irq0;
    vectors[17] = (uint32_t)irq1;
    vectors[18] = (uint32_t)irq2;
    vectors[19] = (uint32_t)irq3_fp;
    SCB_VTOR = (uint32_t)vectors;
    __asm__ volatile("dsb\n\tisb");
}

static void show_fault(const char *what)
{
    printf("%-16s count=%lu exc=%lu cfsr=%08lx hfsr=%08lx addr=%08lx\n", what,
           (unsigned long)fault_count, (unsigned long)fault_exc, (unsigned long)fault_cfsr,
           (unsigned long)fault_hfsr, (unsigned long)fault_addr);
    fault_count = fault_exc = fault_cfsr = fault_hfsr = fault_addr = 0;
}

static void test_svc(void)
{
    uint32_t r = svc3(100, 7);
    printf("svc              r0=%lu lr=%08lx\n", (unsigned long)r, (unsigned long)svc_lr);
}

static void test_priorities(void)
{
    NVIC_IPR(0) = 0xC0;
    NVIC_IPR(1) = 0x40;
    NVIC_IPR(2) = 0x80;
    NVIC_ISER0 = 7;
    /* all three pending at once while masked: taken in priority order */
    log_reset();
    __asm__ volatile("cpsid i");
    NVIC_ISPR0 = 7;
    printf("pending-masked   ispr=%lx log=%s\n", (unsigned long)(NVIC_ISPR0 & 7), log_buf);
    __asm__ volatile("cpsie i\n\tisb");
    printf("priority-order   log=%s\n", log_buf);
    /* preemption: irq0 (low) pends irq1 (high) -> nested */
    log_reset();
    pend_in_irq0 = 1;
    NVIC_ISPR0 = 1;
    __asm__ volatile("dsb\n\tisb");
    printf("preempt          log=%s\n", log_buf);
    /* no preemption: irq0 pends irq0-priority-equal irq2 after raising its priority */
    NVIC_IPR(2) = 0xC0;
    log_reset();
    pend_in_irq0 = 2;
    NVIC_ISPR0 = 1;
    __asm__ volatile("dsb\n\tisb");
    printf("tail-chain       log=%s\n", log_buf);
    pend_in_irq0 = -1;
    /* BASEPRI masks priority >= 0x80 only */
    NVIC_IPR(2) = 0x80;
    log_reset();
    __asm__ volatile("msr basepri, %0\n\tisb" ::"r"(0x80));
    NVIC_ISPR0 = 7;
    __asm__ volatile("dsb\n\tisb");
    printf("basepri          log=%s\n", log_buf);
    __asm__ volatile("msr basepri, %0\n\tisb" ::"r"(0));
    printf("basepri-clear    log=%s\n", log_buf);
    /* BASEPRI_MAX only raises */
    uint32_t bp;
    __asm__ volatile("msr basepri, %1\n\tmsr basepri_max, %2\n\tmsr basepri_max, %3\n\tmrs %0, basepri"
                     : "=r"(bp) : "r"(0x80), "r"(0xC0), "r"(0x40));
    printf("basepri-max      %02lx\n", (unsigned long)bp);
    __asm__ volatile("msr basepri, %0" ::"r"(0));
    /* PRIGROUP: with group split at bit 7, 0x40 and 0x80 differ only in sub-priority? no:
     * PRIGROUP=6 -> group bit 7 only: 0x40 and 0x00 are the same group. */
    SCB_AIRCR = 0x05FA0000 | (6u << 8);
    NVIC_IPR(0) = 0x40;
    NVIC_IPR(1) = 0x00;
    log_reset();
    pend_in_irq0 = 1;
    NVIC_ISPR0 = 1;
    __asm__ volatile("dsb\n\tisb");
    printf("prigroup         log=%s aircr=%08lx\n", log_buf, (unsigned long)SCB_AIRCR);
    SCB_AIRCR = 0x05FA0000;
    pend_in_irq0 = -1;
    /* PendSV at lowest priority runs after the IRQ that set it */
    SCB_SHPR3 = (SCB_SHPR3 & 0xFF00FFFF) | (0xFFu << 16);
    log_reset();
    SCB_ICSR = 1u << 28;
    __asm__ volatile("dsb\n\tisb");
    /* only the top three priority bits are implemented on every Cortex-M4 */
    printf("pendsv           log=%s shpr3=%08lx\n", log_buf, (unsigned long)(SCB_SHPR3 & 0xE0E0E0E0u));
    NVIC_ICPR0 = 0xFFFFFFFF;
}

static void test_faults(void)
{
    /* UsageFault disabled -> HardFault FORCED */
    SCB_SHCSR &= ~(7u << 16);
    __asm__ volatile("udf #1");
    show_fault("udf-hardfault");
    SCB_SHCSR |= 7u << 16;
    __asm__ volatile("udf #2");
    show_fault("udf-usage");
    __asm__ volatile(".short 0xdeff"); /* UDF T1 with imm 0xff */
    show_fault("udf16");
    /* divide by zero trap */
    SCB_CCR |= 1u << 4;
    volatile uint32_t z = 0, q = 5;
    uint32_t d;
    __asm__ volatile("udiv %0, %1, %2" : "=r"(d) : "r"(q), "r"(z));
    show_fault("div0-trap");
    SCB_CCR &= ~(1u << 4);
    __asm__ volatile("mov %0, #1\n\tudiv %0, %1, %2" : "=&r"(d) : "r"(q), "r"(z));
    printf("div0-notrap      %lu\n", (unsigned long)d);
    /* unaligned: allowed for LDR, always trapped for LDRD/LDM, trapped for all with UNALIGN_TRP */
    static uint32_t words[4] = { 0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00 };
    uint8_t *p = (uint8_t *)words + 1;
    uint32_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(p));
    printf("unaligned-ldr    %08lx\n", (unsigned long)v);
    uint32_t v2;
    __asm__ volatile("ldrd %0, %1, [%2]" : "=r"(v), "=r"(v2) : "r"(p));
    show_fault("unaligned-ldrd");
    SCB_CCR |= 1u << 3;
    __asm__ volatile("ldrh %0, [%1]" : "=r"(v) : "r"(p));
    show_fault("unaligned-trap");
    SCB_CCR &= ~(1u << 3);
    /* bus fault on an address with nothing behind it */
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(0x30000000u));
    show_fault("busfault-load");
    /* bus fault disabled -> HardFault */
    SCB_SHCSR &= ~(1u << 17);
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(0x30000010u));
    show_fault("busfault-forced");
    SCB_SHCSR |= 1u << 17;
    /* branch to an address with bit 0 clear: INVSTATE */
    __asm__ volatile("adr r0, 1f\n\t"
                     "mov lr, r0\n\t"
                     "add lr, lr, #1\n\t"
                     "bx r0\n\t"
                     ".align 2\n"
                     "1: nop\n\tnop\n" ::: "r0", "lr");
    printf("invstate         count=%lu cfsr=%08lx\n", (unsigned long)fault_count,
           (unsigned long)fault_cfsr);
    fault_count = fault_cfsr = 0;
    printf("shcsr            %08lx\n", (unsigned long)(SCB_SHCSR & 0x70000));
}

static void test_mpu(void)
{
    static uint32_t guarded[8] __attribute__((aligned(32)));
    printf("mpu-type         %08lx\n", (unsigned long)MPU_TYPE);
    /* region 0: the guarded buffer, read-only for everyone, execute never */
    MPU_RNR = 0;
    MPU_RBAR = (uint32_t)guarded;
    MPU_RASR = (1u << 28) | (6u << 24) | (4u << 1) | 1u; /* XN, AP=110, 32 bytes, enable */
    MPU_CTRL = 5; /* ENABLE | PRIVDEFENA */
    __asm__ volatile("dsb\n\tisb");
    uint32_t v = guarded[1];
    guarded[2] = 7;
    show_fault("mpu-write");
    printf("mpu-read         %lu\n", (unsigned long)v);
    MPU_RNR = 0;
    printf("mpu-rasr         %08lx rbar=%08lx\n", (unsigned long)MPU_RASR,
           (unsigned long)(MPU_RBAR - (uint32_t)guarded));
    MPU_CTRL = 0;
    __asm__ volatile("dsb\n\tisb");
}

static void test_unprivileged(void)
{
    static uint32_t psp_stack[256] __attribute__((aligned(8)));
    uint32_t top = (uint32_t)&psp_stack[256];
    /* thread mode on PSP, unprivileged */
    __asm__ volatile("msr psp, %0\n\t"
                     "mrs r0, control\n\t"
                     "orr r0, r0, #3\n\t"
                     "msr control, r0\n\t"
                     "isb" ::"r"(top) : "r0", "memory");
    uint32_t ctl, pm;
    __asm__ volatile("mrs %0, control" : "=r"(ctl));
    /* PRIMASK writes are ignored when unprivileged */
    __asm__ volatile("cpsid i\n\tmrs %0, primask" : "=r"(pm));
    uint32_t r = svc3(1, 2); /* SVC works, LR shows PSP */
    uint32_t lr = svc_lr;
    volatile uint32_t x = SCB_ICSR; /* SCS is privileged only: BusFault */
    (void)x;
    __asm__ volatile("svc #99" ::: "memory");
    __asm__ volatile("mrs %0, control" : "=r"(ctl));
    /* back to MSP */
    __asm__ volatile("mrs r0, control\n\tbic r0, r0, #2\n\tmsr control, r0\n\tisb" ::: "r0");
    printf("unpriv           primask=%lu svc=%lu lr=%08lx control=%lx\n", (unsigned long)pm,
           (unsigned long)r, (unsigned long)lr, (unsigned long)ctl);
    show_fault("unpriv-scs");
}

static void test_fp_lazy(void)
{
    NVIC_IPR(3) = 0x80;
    NVIC_ISER0 = 1u << 3;
    float keep;
    uint32_t lspact_before;
    __asm__ volatile("vmov.f32 s0, #1.5\n\t" ::: "s0");
    lspact_before = FPCCR & 1;
    NVIC_ISPR0 = 1u << 3;
    __asm__ volatile("dsb\n\tisb\n\tvmov %0, s0" : "=r"(keep));
    uint32_t kb;
    memcpy(&kb, &keep, 4);
    printf("fp-lazy          lr=%08lx fpccr=%08lx s0=%08lx before=%lu after=%08lx\n",
           (unsigned long)fp_irq_lr, (unsigned long)fp_irq_fpccr, (unsigned long)kb,
           (unsigned long)lspact_before, (unsigned long)FPCCR);
}

static void test_systick(void)
{
    systick_count = 0;
    SYST_RVR = 999;
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (systick_count < 5)
        __asm__ volatile("nop");
    SYST_CSR = 0;
    printf("systick          count=%lu rvr=%lu\n", (unsigned long)systick_count,
           (unsigned long)SYST_RVR);
    /* COUNTFLAG is set by a wrap and cleared by reading CSR */
    SYST_RVR = 200000;
    SYST_CVR = 0;
    SYST_CSR = 5;
    while (!(SYST_CSR & (1u << 16)))
        ;
    uint32_t again = SYST_CSR & (1u << 16);
    SYST_CSR = 0;
    printf("countflag        again=%lu\n", (unsigned long)again);
}

static void test_wfi(void)
{
    /* WFI wakes on a pending interrupt even with PRIMASK set, without taking it. */
    log_reset();
    NVIC_IPR(0) = 0x80;
    NVIC_ISER0 = 1;
    __asm__ volatile("cpsid i");
    NVIC_ISPR0 = 1;
    __asm__ volatile("wfi");
    printf("wfi-masked       log=%s\n", log_buf);
    __asm__ volatile("cpsie i\n\tisb");
    printf("wfi-taken        log=%s\n", log_buf);
    /* SEV then WFE returns at once */
    __asm__ volatile("sev\n\twfe");
    printf("wfe-after-sev    ok\n");
}

int main(void)
{
    install();
    SCB_SHCSR |= 7u << 16;
    test_svc();
    test_priorities();
    test_faults();
    test_mpu();
    test_unprivileged();
    test_fp_lazy();
    test_systick();
    test_wfi();
    printf("cpacr            %08lx\n", (unsigned long)SCB_CPACR);
    printf("done\n");
    return 0;
}
