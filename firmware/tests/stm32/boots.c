/*
 * What real STM32F407 boots touch first, access for access: the start-up of
 * a Zephyr image (NVIC and SysTick cleared, BASEPRI lock, CONTROL = 2 on the
 * process stack, VTOR, FPU with lazy stacking, a byte write to every NVIC
 * priority, fault enables, DIV_0_TRP, the MPU, the RCC driver's sequence,
 * the USART reset-line toggle, the boot banner polled out on TXE, a 10 kHz
 * SysTick and context switches through PendSV between two threads that both
 * use the FPU), then the clock set-up of libopencm3 and of RIOT, each once
 * from the clock the previous one left, as a chain-loaded image finds it.
 * Their ready-bit loops have no time-out on the real chip; here each one is
 * bounded so a wrong model fails a check instead of hanging the run.
 */
#include "stm32_test.h"

#define NVIC_ICER(n) REG(0xE000E180u + 4u * (n))
#define NVIC_ICPR(n) REG(0xE000E280u + 4u * (n))
#define NVIC_IPR8(n) REG8(0xE000E400u + (n))
#define SCB_ICSR REG(0xE000ED04u)
#define SCB_CCR REG(0xE000ED14u)
#define SCB_SHPR2 REG(0xE000ED1Cu)
#define SCB_SHPR3 REG(0xE000ED20u)
#define SCB_CPACR REG(0xE000ED88u)
#define FPU_FPCCR REG(0xE000EF34u)
#define MPU_CTRL REG(0xE000ED94u)
#define MPU_RNR REG(0xE000ED98u)
#define MPU_RBAR REG(0xE000ED9Cu)
#define MPU_RASR REG(0xE000EDA0u)
#define USART2_SR REG(USART2 + 0x00)
#define USART2_DR REG(USART2 + 0x04)
#define USART2_BRR REG(USART2 + 0x08)
#define USART2_CR1 REG(USART2 + 0x0C)
#define USART2_CR2 REG(USART2 + 0x10)
#define USART2_CR3 REG(USART2 + 0x14)

#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 1)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define SWS(v) (((v) >> 2) & 3u)

#define IRQS 82 /* STM32F407 interrupt lines */

/* A loop the real code runs without a time-out: 1 if it ended. */
#define SPIN(cond)                                                                              \
    ({                                                                                          \
        uint32_t n_ = 0;                                                                        \
        while (!(cond) && ++n_ < 20000000u)                                                     \
            ;                                                                                   \
        n_ < 20000000u;                                                                         \
    })

/* SYSCLK from the registers, as HAL_RCC_GetSysClockFreq computes it. */
static uint32_t sysclk_hz(void)
{
    uint32_t cfgr = RCC_CFGR, pll = RCC_PLLCFGR;
    if (SWS(cfgr) == 0)
        return 16000000u;
    if (SWS(cfgr) == 1)
        return 8000000u;
    uint32_t src = (pll & (1u << 22)) ? 8000000u : 16000000u;
    uint32_t m = pll & 0x3Fu, n = (pll >> 6) & 0x1FFu, p = (((pll >> 16) & 3u) + 1u) * 2u;
    return (uint32_t)((uint64_t)src * n / m / p);
}

static volatile uint32_t systicks;
static void systick_handler(void) { systicks++; }

/* ---- two threads switched by PendSV, as an RTOS kernel does ---- */

/* named by pendsv_handler's assembly, so not static */
uint32_t thread_sp[2] __attribute__((used));
uint32_t current_thread __attribute__((used));
static uint32_t worker_stack[256] __attribute__((aligned(8)));
static volatile uint32_t worker_rounds, worker_fp_bad;

/* Saves r4-r11, EXC_RETURN and, for a thread with an FP context, s16-s31 on
 * the outgoing process stack; restores the other thread. */
__attribute__((naked)) static void pendsv_handler(void)
{
    __asm__ volatile("mrs r0, psp\n"
                     "tst lr, #0x10\n"
                     "it eq\n"
                     "vstmdbeq r0!, {s16-s31}\n"
                     "stmdb r0!, {r4-r11, lr}\n"
                     "ldr r1, =current_thread\n"
                     "ldr r2, [r1]\n"
                     "ldr r3, =thread_sp\n"
                     "str r0, [r3, r2, lsl #2]\n"
                     "eor r2, r2, #1\n"
                     "str r2, [r1]\n"
                     "ldr r0, [r3, r2, lsl #2]\n"
                     "ldmia r0!, {r4-r11, lr}\n"
                     "tst lr, #0x10\n"
                     "it eq\n"
                     "vldmiaeq r0!, {s16-s31}\n"
                     "msr psp, r0\n"
                     "bx lr\n");
}

/* Loads s0 (stacked by the hardware) and s16 (by the kernel) with a and b,
 * yields through PendSV and reports whether both came back. */
static int yield_keeping_fp(float a, float b)
{
    float got0, got16;
    __asm__ volatile("vmov.f32 s0, %2\n"
                     "vmov.f32 s16, %3\n"
                     "str %5, [%4]\n"
                     "dsb\n"
                     "isb\n"
                     "vmov.f32 %0, s0\n"
                     "vmov.f32 %1, s16\n"
                     : "=&t"(got0), "=&t"(got16)
                     : "t"(a), "t"(b), "r"(&SCB_ICSR), "r"(1u << 28)
                     : "s0", "s16", "memory");
    return got0 == a && got16 == b;
}

static void worker(void)
{
    for (;;) {
        float x = 3.25f * (float)worker_rounds;
        if (!yield_keeping_fp(x, -x - 1.0f))
            worker_fp_bad++;
        worker_rounds++;
    }
}

static void start_worker(void)
{
    uint32_t *sp = worker_stack + 256;
    *--sp = 0x01000000u;                    /* xPSR: Thumb */
    *--sp = (uint32_t)worker & ~1u;         /* PC */
    *--sp = 0xFFFFFFFFu;                    /* LR: the thread never returns */
    for (int k = 0; k < 5; k++)
        *--sp = 0;                          /* r12, r3-r0 */
    *--sp = 0xFFFFFFFDu;                    /* EXC_RETURN: thread, PSP, no FP */
    for (int k = 0; k < 8; k++)
        *--sp = 0;                          /* r11-r4 */
    thread_sp[1] = (uint32_t)sp;
    current_thread = 0;
}

/* Runs fn in thread mode on the process stack at top (CONTROL = 2), as
 * Zephyr's reset code leaves the core, and comes back on the main stack. */
__attribute__((naked)) static void run_on_psp(void (*fn)(void), uint32_t *top)
{
    (void)fn;
    (void)top;
    __asm__ volatile("push {r4, lr}\n"
                     "msr psp, r1\n"
                     "movs r4, #2\n"
                     "msr control, r4\n"
                     "isb\n"
                     "blx r0\n"
                     "movs r4, #0\n"
                     "msr control, r4\n"
                     "isb\n"
                     "pop {r4, pc}\n");
}

static volatile uintptr_t boot_alias = 0; /* address 0, out of the compiler's sight */
static uint32_t boot_stack[1024] __attribute__((aligned(8)));
static int zephyr_pass;

static void uart_poll_out(const char *s)
{
    int ok = 1;
    for (; *s; s++) {
        ok &= SPIN(USART2_SR & (1u << 7));
        USART2_DR = (uint8_t)*s;
    }
    ok &= SPIN(USART2_SR & (1u << 6));
    check("Zephyr: the banner's TXE loops end", ok);
}

static void zephyr_boot(void)
{
    int ok;
    printf("-- Zephyr start-up, %s\n", zephyr_pass ? "chain-loaded on the PLL" : "from reset");
    /* z_arm_reset with CONFIG_INIT_ARCH_HW_AT_BOOT */
    for (int k = 0; k < 8; k++) {
        NVIC_ICER(k) = 0xFFFFFFFFu;
        NVIC_ICPR(k) = 0xFFFFFFFFu;
    }
    SYST_CSR = 0;
    MPU_CTRL = 0;
    __asm__ volatile("msr basepri, %0" ::"r"(0x10u));
    uint32_t control;
    __asm__ volatile("mrs %0, control" : "=r"(control));
    check("Zephyr: thread mode on PSP (CONTROL = 2)", (control & 3u) == 2u);

    /* z_prep_c */
    SCB_VTOR = 0x08000000u;
    __asm__ volatile("dsb\nisb");
    check("Zephyr: VTOR = 0x08000000 reads back", SCB_VTOR == 0x08000000u);
    const volatile uint32_t *alias = (const volatile uint32_t *)boot_alias;
    check("Zephyr: the boot alias shows the vectors",
          alias[0] == REG(0x08000000u) && alias[1] == REG(0x08000004u));
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\nisb");
    FPU_FPCCR = 0xC0000000u;
    __asm__ volatile("vmsr fpscr, %0" ::"r"(0u));
    vectors_to_ram();
    set_handler(14, pendsv_handler);
    set_handler(15, systick_handler);
    ok = 1;
    for (int k = 0; k < IRQS; k++)
        NVIC_IPR8(k) = 0x20;
    for (int k = 0; k < IRQS; k++)
        ok &= NVIC_IPR8(k) == 0x20;
    check("Zephyr: 82 NVIC priority bytes read back", ok);

    /* z_cstart: exceptions and the MPU */
    SCB_SHPR2 = 0;                                /* SVCall 0 */
    SCB_SHPR3 = (SCB_SHPR3 & 0xFF00FFFFu) | 0x00FF0000u; /* PendSV lowest */
    check("Zephyr: PendSV priority keeps 4 bits", ((SCB_SHPR3 >> 16) & 0xFFu) == 0xF0u);
    SCB_SHCSR |= 7u << 16;
    SCB_CCR |= 1u << 4;
    check("Zephyr: fault enables and DIV_0_TRP read back",
          ((SCB_SHCSR >> 16) & 7u) == 7u && (SCB_CCR & (1u << 4)));
    MPU_RNR = 0;
    MPU_RBAR = 0x08000000u;
    MPU_RASR = (6u << 24) | (19u << 1) | 1u;      /* 1 MiB, read-only, executable */
    MPU_RNR = 1;
    MPU_RBAR = 0x20000000u;
    MPU_RASR = (1u << 28) | (3u << 24) | (16u << 1) | 1u; /* 128 KiB, RW, XN */
    MPU_CTRL = 5;                                 /* ENABLE | PRIVDEFENA */
    __asm__ volatile("dsb\nisb");
    check("Zephyr: runs on with the MPU on", MPU_CTRL == 5u && REG(0x08000000u) != 0);
    FLASH_ACR |= 7u << 8;                         /* PRFTEN | ICEN | DCEN */

    /* stm32_clock_control_init */
    RCC_APB1ENR |= 1u << 28;
    (void)RCC_APB1ENR;
    FLASH_ACR = (FLASH_ACR & ~0xFu) | 5u;         /* LL_SetFlashLatency, read back */
    ok = (FLASH_ACR & 0xFu) == 5u || (FLASH_ACR & 0xFu) == 5u;
    check("Zephyr: flash latency reads back", ok);
    RCC_CR |= CR_HSEON;
    check("Zephyr: HSERDY loop ends", SPIN(RCC_CR & CR_HSERDY));
    if (SWS(RCC_CFGR) == 2) {
        RCC_CFGR &= ~3u;
        check("Zephyr: back on HSI before the PLL is changed", SPIN(SWS(RCC_CFGR) == 0));
    }
    RCC_CR &= ~CR_PLLON;
    check("Zephyr: PLLRDY == 0 loop ends", SPIN(!(RCC_CR & CR_PLLRDY)));
    RCC_PLLCFGR &= ~(3u << 16);                   /* P = 2 */
    RCC_PLLCFGR = (RCC_PLLCFGR & ~(0xFu << 24)) | (7u << 24); /* Q = 7 */
    RCC_PLLCFGR = (RCC_PLLCFGR & ~((1u << 22) | 0x7FFFu | (3u << 16))) | (1u << 22) |
                  (336u << 6) | 8u;               /* HSE, M = 8, N = 336 */
    check("Zephyr: PLLCFGR reads back",
          (RCC_PLLCFGR & 0x0F437FFFu) == ((7u << 24) | (1u << 22) | (336u << 6) | 8u));
    RCC_CR |= CR_PLLON;
    check("Zephyr: PLLRDY loop ends", SPIN(RCC_CR & CR_PLLRDY));
    RCC_CFGR &= ~(0xFu << 4);                     /* HPRE /1 */
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    check("Zephyr: SWS == PLL loop ends", SPIN(SWS(RCC_CFGR) == 2));
    RCC_CFGR = (RCC_CFGR & ~(0x3Fu << 10)) | (5u << 10) | (4u << 13); /* APB1 /4, APB2 /2 */
    check("Zephyr: 168 MHz from the registers", sysclk_hz() == 168000000u);

    /* console pins, then the UART driver with its reset-line toggle */
    RCC_AHB1ENR |= 1u;
    (void)RCC_AHB1ENR;
    REG(GPIOA + 0x00) = (REG(GPIOA + 0x00) & ~0xF0u) | 0xA0u;
    REG(GPIOA + 0x04) &= ~0xCu;
    REG(GPIOA + 0x08) |= 0xF0u;
    REG(GPIOA + 0x0C) = (REG(GPIOA + 0x0C) & ~0xF0u) | 0x40u;
    REG(GPIOA + 0x20) = (REG(GPIOA + 0x20) & ~0xFF00u) | 0x7700u;
    RCC_APB1ENR |= 1u << 17;
    (void)RCC_APB1ENR;
    RCC_APB1RSTR |= 1u << 17;
    RCC_APB1RSTR &= ~(1u << 17);
    check("Zephyr: USART2 back at its reset values",
          USART2_CR1 == 0 && USART2_BRR == 0 && USART2_SR == 0x00C0u);
    USART2_CR1 &= ~(1u << 13);
    USART2_CR1 = (USART2_CR1 & ~((1u << 12) | (1u << 10) | (1u << 9))) | (1u << 3) | (1u << 2);
    USART2_CR2 &= ~(3u << 12);
    USART2_CR3 = 0;
    USART2_BRR = (42000000u + 115200u / 2) / 115200u;
    USART2_CR1 |= 1u << 13;
    uart_poll_out("*** Booting Zephyr OS build glitchbox ***\n");

    /* SysTick at 10 kHz, the kernel unlocks interrupts and switches threads */
    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | 0x10000000u;
    SYST_RVR = 168000000u / 10000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7;
    start_worker();
    worker_rounds = 0;
    worker_fp_bad = 0;
    __asm__ volatile("msr basepri, %0" ::"r"(0u));
    uint32_t ticks0 = systicks;
    uint64_t t0 = elapsed_us();
    int fp_ok = 1;
    for (uint32_t k = 0; k < 50; k++)
        fp_ok &= yield_keeping_fp(1.5f + (float)k, 100.0f - (float)k);
    /* the worker finishes one round per switch back, its last still open */
    check("Zephyr: 50 switches there and back", worker_rounds == 49);
    check("Zephyr: both threads keep s0 and s16", fp_ok && worker_fp_bad == 0);
    while (elapsed_us() - t0 < 20000)
        ;
    uint32_t got = systicks - ticks0;
    uint64_t us = elapsed_us() - t0;
    check("Zephyr: SysTick ticks at 10 kHz", got + 1 >= us / 100 && got <= us / 100 + 1);
    SYST_CSR = 0;
    MPU_CTRL = 0;
    __asm__ volatile("dsb\nisb");
}

/* libopencm3 rcc_clock_setup_pll(&rcc_hse_8mhz_3v3[RCC_CLOCK_3V3_168MHZ]) */
static void libopencm3_clock(void)
{
    printf("-- libopencm3 clock set-up from %lu Hz\n", (unsigned long)sysclk_hz());
    RCC_CR |= CR_HSION;
    check("libopencm3: HSIRDY loop ends", SPIN(RCC_CR & CR_HSIRDY));
    RCC_CFGR &= ~3u;                              /* SW = HSI, no wait */
    RCC_CR |= CR_HSEON;
    check("libopencm3: HSERDY loop ends", SPIN(RCC_CR & CR_HSERDY));
    RCC_APB1ENR |= 1u << 28;
    PWR_CR |= 1u << 14;
    RCC_CFGR = (RCC_CFGR & ~(0xFu << 4)) | (0u << 4);
    RCC_CFGR = (RCC_CFGR & ~(7u << 10)) | (5u << 10);
    RCC_CFGR = (RCC_CFGR & ~(7u << 13)) | (4u << 13);
    RCC_CR &= ~CR_PLLON;                          /* no wait for PLLRDY to fall */
    RCC_PLLCFGR = 8u | (336u << 6) | (0u << 16) | (1u << 22) | (7u << 24);
    RCC_CR |= CR_PLLON;
    check("libopencm3: PLLRDY loop ends", SPIN(RCC_CR & CR_PLLRDY));
    FLASH_ACR = (3u << 9) | 5u;                   /* DCEN | ICEN | 5 wait states */
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    check("libopencm3: SWS == PLL loop ends", SPIN(SWS(RCC_CFGR) == 2));
    RCC_CR &= ~CR_HSION;
    check("libopencm3: 168 MHz, HSI off", sysclk_hz() == 168000000u && !(RCC_CR & CR_HSION));
}

/* RIOT cortexm_init and stmclk_init_sysclk (f2f4f7, 8 MHz HSE, 168 MHz) */
static void riot_clock(void)
{
    printf("-- RIOT start-up from %lu Hz\n", (unsigned long)sysclk_hz());
    SCB_CPACR |= 0xFu << 20;
    SCB_VTOR = 0x08000000u;
    for (int k = 0; k < IRQS; k++)
        NVIC_IPR8(k) = 0x10;
    SCB_CCR |= 1u << 9;                           /* STKALIGN */
    vectors_to_ram();
    __asm__ volatile("cpsid i");
    RCC_CIR = 0;
    RCC_CR |= CR_HSION;
    check("RIOT: HSIRDY loop ends", SPIN(RCC_CR & CR_HSIRDY));
    RCC_CFGR = 0u | (0u << 4) | (5u << 10) | (4u << 13);
    check("RIOT: SWS == HSI loop ends", SPIN(SWS(RCC_CFGR) == 0));
    FLASH_ACR = 5u | (7u << 8);
    RCC_CR = CR_HSION | (16u << 3);               /* everything but the HSI off */
    check("RIOT: HSE and PLL stop", !(RCC_CR & (CR_HSEON | CR_PLLON)));
    RCC_CR |= CR_HSEON;
    check("RIOT: HSERDY loop ends", SPIN(RCC_CR & CR_HSERDY));
    RCC_PLLCFGR = 8u | (336u << 6) | (0u << 16) | (1u << 22) | (7u << 24);
    RCC_CR |= CR_PLLON;
    check("RIOT: PLLRDY loop ends", SPIN(RCC_CR & CR_PLLRDY));
    RCC_CFGR |= 2u;
    check("RIOT: SWS == PLL loop ends", SPIN(SWS(RCC_CFGR) == 2));
    RCC_CR &= ~CR_HSION;
    __asm__ volatile("cpsie i");
    check("RIOT: 168 MHz", sysclk_hz() == 168000000u);
    usart2_init((42000000u + 115200u / 2) / 115200u);
    usart2_puts("main(): This is RIOT! (glitchbox)\n");
    check("RIOT: USART2 prints after the clock change", 1);
}

int main(void)
{
    zephyr_pass = 0;
    run_on_psp(zephyr_boot, boot_stack + 1024);
    zephyr_pass = 1;
    run_on_psp(zephyr_boot, boot_stack + 1024);
    libopencm3_clock();
    libopencm3_clock();
    riot_clock();
    riot_clock();
    return failures;
}
