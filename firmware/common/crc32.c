/* CRC-32 as Ethernet and zlib compute it (polynomial 0xEDB88320 reflected). */
#include "platform.h"

uint32_t crc32_buf(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = 0xFFFFFFFFu;
    while (len--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}
