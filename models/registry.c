/* Every model class a board file can name. */
#include "sim/machine.h"
#include "models/mps2/mps2_an386.h"
#include "models/stm32f4/stm32f407.h"
#include "models/enc28j60/enc28j60.h"
#include "models/board/led.h"
#include "models/board/button.h"
#include "models/board/lis3dsh.h"

const model_class_t *const model_classes[] = {
    &mps2_an386_class,
    &stm32f407_class,
    &enc28j60_class,
    &led_class,
    &button_class,
    &lis3dsh_class,
    NULL,
};
