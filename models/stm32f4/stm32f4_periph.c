/* Helpers shared by the STM32F4 peripheral models: see stm32f4_periph.h. */
#include <stdio.h>
#include <string.h>
#include "stm32f4_periph.h"

int stm32f4_regs_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    regs_read(dev, off, size, v);
    return 0;
}

int stm32f4_regs_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    regs_write(dev, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_regs_ops = { stm32f4_regs_read, stm32f4_regs_write };

int stm32f4_control_bool(const cJSON *value, bool *out, char *err, size_t errlen)
{
    if (cJSON_IsBool(value)) {
        *out = cJSON_IsTrue(value);
        return 0;
    }
    if (cJSON_IsNumber(value) && (value->valuedouble == 0 || value->valuedouble == 1)) {
        *out = value->valuedouble != 0;
        return 0;
    }
    snprintf(err, errlen, "expected true or false");
    return -1;
}

int stm32f4_control_number(const cJSON *value, double min, double max, double *out, char *err,
                           size_t errlen)
{
    if (!cJSON_IsNumber(value) || value->valuedouble < min || value->valuedouble > max) {
        snprintf(err, errlen, "expected a number from %g to %g", min, max);
        return -1;
    }
    *out = value->valuedouble;
    return 0;
}

int stm32f4_control_timing(const cJSON *value, bool *max, char *err, size_t errlen)
{
    const char *v = cJSON_GetStringValue(value);
    if (!v || (strcmp(v, "typical") && strcmp(v, "max"))) {
        snprintf(err, errlen, "expected \"typical\" or \"max\"");
        return -1;
    }
    *max = !strcmp(v, "max");
    return 0;
}
