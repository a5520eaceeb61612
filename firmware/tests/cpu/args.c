/*
 * Semihosting command line and time base: argv as the C library builds it
 * from SYS_GET_CMDLINE (run with the arguments in args.args), and
 * SYS_TICKFREQ / SYS_ELAPSED (the rate differs between hosts: glitchbox
 * counts microseconds of virtual time, QEMU nanoseconds of host time).
 */
#include <stdint.h>
#include <stdio.h>

static uint32_t semihost(uint32_t op, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uint32_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt #0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static uint64_t elapsed(void)
{
    uint32_t t[2];
    semihost(0x30, (uint32_t)t); /* SYS_ELAPSED */
    return (uint64_t)t[1] << 32 | t[0];
}

int main(int argc, char **argv)
{
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] %s\n", i, argv[i]);
    uint32_t f = semihost(0x31, 0); /* SYS_TICKFREQ */
    printf("tickfreq in MHz %d\n", f >= 1000000u && f % 1000000u == 0);
    uint64_t a = elapsed();
    for (volatile int k = 0; k < 1000; k++)
        ;
    uint64_t b = elapsed();
    printf("elapsed advances %d\n", b > a);
    return 0;
}
