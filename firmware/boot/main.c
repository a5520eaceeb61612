/*
 * A/B bootloader. Picks the image to start from the boot state: a slot on
 * trial is started at most MAX_TRIAL_BOOTS times, after which the device
 * rolls back to the confirmed slot; every image is verified (header and
 * SHA-256) before it runs; if the chosen slot is bad, the other one is used.
 * The watchdog is started before the jump, so an image that hangs comes back
 * here and counts as a failed trial.
 */
#include <stdio.h>
#include "bootstate.h"
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
    console_flush();
    watchdog_start(APP_WATCHDOG_MS);
    SYST_CSR = 0;
    SCB_VTOR = (uint32_t)(uintptr_t)vectors;
    __asm__ volatile("msr msp, %0\n\tdsb\n\tisb\n\tbx %1" : : "r"(vectors[0]), "r"(vectors[1]));
    __builtin_unreachable();
}

static char slot_name(unsigned s) { return s ? 'B' : 'A'; }

int main(void)
{
    clock_init(false);
    console_init();
    uint32_t csr = RCC_CSR;
    RCC_CSR |= RCC_CSR_RMVF;
    printf("boot: glitchbox A/B bootloader, reset cause %s\n", reset_cause(csr));

    boot_state_t st;
    if (!state_read(&st)) {
        st.active = 0;
        st.pending = SLOT_NONE;
        st.tries = 0;
        st.pending_version = 0;
        printf("boot: no boot state, starting fresh\n");
        if (!image_valid(0, NULL) && image_valid(1, NULL))
            st.active = 1;
        if (state_write(&st))
            printf("boot: cannot write boot state\n");
    }
    image_header_t h;
    if (st.pending != SLOT_NONE) {
        if (st.tries >= MAX_TRIAL_BOOTS) {
            printf("boot: slot %c did not confirm after %u boots, rolling back to slot %c\n",
                   slot_name(st.pending), st.tries, slot_name(st.active));
            st.pending = SLOT_NONE;
            st.tries = 0;
            state_write(&st);
        } else if (!image_valid(st.pending, &h)) {
            printf("boot: slot %c on trial is not valid, staying on slot %c\n",
                   slot_name(st.pending), slot_name(st.active));
            st.pending = SLOT_NONE;
            st.tries = 0;
            state_write(&st);
        } else {
            unsigned slot = st.pending;
            st.tries++;
            if (state_write(&st))
                printf("boot: cannot write boot state\n");
            printf("boot: trial of slot %c version %lu (boot %u of %u)\n", slot_name(slot),
                   (unsigned long)h.version, st.tries, MAX_TRIAL_BOOTS);
            start(slot);
        }
    }
    for (unsigned n = 0; n < 2; n++) {
        unsigned slot = n ? st.active ^ 1u : st.active;
        if (!image_valid(slot, &h)) {
            printf("boot: slot %c has no valid image\n", slot_name(slot));
            continue;
        }
        if (slot != st.active) {
            st.active = (uint8_t)slot;
            st.pending = SLOT_NONE;
            st.tries = 0;
            state_write(&st);
        }
        printf("boot: starting slot %c version %lu\n", slot_name(slot), (unsigned long)h.version);
        start(slot);
    }
    printf("boot: no bootable image\n");
    console_flush();
    for (;;)
        __asm__ volatile("wfi");
}
