/*
 * A/B bootloader: reports the reset cause, lets boot_select() (bootsel.c)
 * pick and verify the image, then starts it with the independent watchdog
 * running, so an image that hangs before it confirms comes back here and is
 * rolled back. The watchdog cannot be stopped once started (RM0090 21.3.1),
 * so the application must kick it for as long as it runs.
 */
#include <stdio.h>
#include "bootsel.h"
#include "platform.h"
#include "stm32f407.h"

#define APP_WATCHDOG_MS 4000u

static const char *reset_cause(uint32_t csr)
{
    if (csr & RCC_CSR_IWDGRSTF)
        return "watchdog";
    if (csr & RCC_CSR_SFTRSTF)
        return "software";
    if (csr & RCC_CSR_PORRSTF)
        return "power-on";
    if (csr & RCC_CSR_PINRSTF)
        return "pin";
    return "unknown";
}

static void __attribute__((noreturn)) start(unsigned slot)
{
    const uint32_t *vectors = (const uint32_t *)(uintptr_t)(SLOT_ADDR(slot) + HEADER_SIZE);
    console_quiesce();
    watchdog_start(APP_WATCHDOG_MS);
    SYST_CSR = 0;
    SCB_VTOR = (uint32_t)(uintptr_t)vectors;
    __asm__ volatile("msr msp, %0\n\tdsb\n\tisb\n\tbx %1" : : "r"(vectors[0]), "r"(vectors[1]));
    __builtin_unreachable();
}

int main(void)
{
    /* 168 MHz: the signature check takes a few million cycles */
    clock_init(true);
    console_init();
    uint32_t csr = RCC_CSR;
    RCC_CSR |= RCC_CSR_RMVF;
    printf("boot: glitchbox A/B bootloader, reset cause %s\n", reset_cause(csr));
    image_header_t h;
    unsigned slot = boot_select((csr & RCC_CSR_IWDGRSTF) != 0, &h);
    if (slot != SLOT_NONE)
        start(slot);
    printf("boot: no bootable image\n");
    console_flush();
    for (;;)
        __asm__ volatile("wfi");
}
