/* Durations and bit rates (see units.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "units.h"

int units_parse_time(const char *s, sim_time_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double mul;
    if (!*end || !strcmp(end, "s"))
        mul = 1e9;
    else if (!strcmp(end, "ms"))
        mul = 1e6;
    else if (!strcmp(end, "us"))
        mul = 1e3;
    else if (!strcmp(end, "ns"))
        mul = 1;
    else if (!strcmp(end, "min"))
        mul = 60e9;
    else
        return -1;
    double ns = v * mul;
    if (ns > 1.8e19)
        return -1;
    *out = (sim_time_t)(ns + 0.5);
    return 0;
}

int units_parse_rate(const char *s, uint64_t *bps)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double mul;
    if (*end == 'G')
        mul = 1e9, end++;
    else if (*end == 'M')
        mul = 1e6, end++;
    else if (*end == 'k')
        mul = 1e3, end++;
    else
        mul = 1;
    if (!strcmp(end, "bps"))
        end += 3;
    else if (!strncmp(end, "bit", 3))
        end += 3;
    else
        return -1;
    if (*end && strcmp(end, "/s"))
        return -1;
    if (v * mul > 1e12)
        return -1;
    *bps = (uint64_t)(v * mul + 0.5);
    return 0;
}
