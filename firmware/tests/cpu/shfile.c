/*
 * Semihosting files through the C library: a file written through one
 * stream is read through a second one opened on it while the first is still
 * open (each flush must reach the host file at once), w+ read-back after a
 * seek, append, ftell/fseek and remove. The file lives in the
 * semihosting root (the working directory under QEMU) and is removed at the
 * end.
 */
#include <stdio.h>
#include <string.h>
#include "../common/testlib.h"

int main(void)
{
    const char *name = "gb-shfile.tmp";
    char buf[64];
    FILE *w = fopen(name, "w+");
    tl_check("open w+", w != NULL);
    if (!w)
        return 1;
    fputs("hello, semihosting\n", w);
    fflush(w);
    FILE *r = fopen(name, "r");
    tl_check("open r", r != NULL);
    if (r) {
        tl_check("second stream sees the flushed data", fgets(buf, sizeof buf, r) != NULL);
        printf("second stream: %s", buf);
        fclose(r);
    }
    tl_check("seek", fseek(w, 7, SEEK_SET) == 0);
    size_t n = fread(buf, 1, 11, w);
    buf[n] = 0;
    printf("read back after seek: '%s'\n", buf);
    tl_check("read back", strcmp(buf, "semihosting") == 0);
    fclose(w);
    FILE *a = fopen(name, "a");
    fputs("more\n", a);
    fclose(a);
    r = fopen(name, "r");
    fseek(r, 0, SEEK_END);
    long len = ftell(r);
    printf("length after append: %ld\n", len);
    tl_check("length", len == 24);
    fclose(r);
    tl_check("remove", remove(name) == 0);
    tl_check("removed", fopen(name, "r") == NULL);
    printf("shfile: %d failures\n", tl_failures);
    return tl_failures;
}
