/*
 * The bootloader's decision: which slot to start, from the boot state, the
 * reset cause and the images. Separate from main.c so the host tests can
 * run it against a simulated flash with power cuts at every operation.
 */
#ifndef FW_BOOTSEL_H
#define FW_BOOTSEL_H

#include <stdbool.h>
#include "bootstate.h"

/* Returns the slot to start (and its header in *h), or SLOT_NONE when no
 * slot holds a valid image. Writes the state as the decision requires:
 * counts a trial boot, rolls a trial back, adopts the other slot when the
 * active one is broken. 'watchdog_reset': the last reset came from the IWDG. */
unsigned boot_select(bool watchdog_reset, image_header_t *h);

#endif
