/*
 * ARM semihosting (the "Semihosting for AArch32 and AArch64" specification,
 * version 2): the guest executes BKPT 0xAB with the operation in R0 and a
 * parameter (often a pointer to a parameter block) in R1; the result goes to
 * R0. This covers the calls newlib's rdimon and picolibc's semihost libraries
 * make, plus the feature file ":semihosting-features".
 *
 * Determinism: CLOCK, TIME, ELAPSED and TICKFREQ come from the virtual clock
 * (TIME counts from a fixed epoch, 'epoch' below); console input is whatever
 * was queued with semihost_set_stdin(), never the host terminal. Guest file
 * access is confined to 'root' (no absolute paths, no ".."), so a run depends
 * only on the files it was given.
 */
#ifndef SIM_SEMIHOST_H
#define SIM_SEMIHOST_H

#include <stdio.h>
#include "types.h"
#include "sched.h"
#include "cpu/cpu.h"

#define SEMIHOST_MAX_FILES 32
#define SEMIHOST_DEFAULT_EPOCH 1704067200u /* 2024-01-01T00:00:00Z */
#define SEMIHOST_CMDLINE_MAX 255          /* bytes of SYS_GET_CMDLINE text */

/* Semihosting operation numbers */
enum {
    SH_SYS_OPEN = 0x01, SH_SYS_CLOSE = 0x02, SH_SYS_WRITEC = 0x03, SH_SYS_WRITE0 = 0x04,
    SH_SYS_WRITE = 0x05, SH_SYS_READ = 0x06, SH_SYS_READC = 0x07, SH_SYS_ISERROR = 0x08,
    SH_SYS_ISTTY = 0x09, SH_SYS_SEEK = 0x0A, SH_SYS_FLEN = 0x0C, SH_SYS_TMPNAM = 0x0D,
    SH_SYS_REMOVE = 0x0E, SH_SYS_RENAME = 0x0F, SH_SYS_CLOCK = 0x10, SH_SYS_TIME = 0x11,
    SH_SYS_SYSTEM = 0x12, SH_SYS_ERRNO = 0x13, SH_SYS_GET_CMDLINE = 0x15,
    SH_SYS_HEAPINFO = 0x16, SH_SYS_EXIT = 0x18, SH_SYS_EXIT_EXTENDED = 0x20,
    SH_SYS_ELAPSED = 0x30, SH_SYS_TICKFREQ = 0x31,
};
/* ADP stop reasons (SYS_EXIT) */
#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define SH_ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

typedef void (*semihost_console_fn)(void *opaque, const char *source, const uint8_t *buf,
                                    size_t len);

enum semihost_file_kind { SH_FILE_FREE = 0, SH_FILE_HOST, SH_FILE_STDIN, SH_FILE_STDOUT,
                          SH_FILE_STDERR, SH_FILE_FEATURES };

typedef struct semihost_file {
    enum semihost_file_kind kind;
    int fd;               /* host file descriptor (SH_FILE_HOST); unbuffered, so a
                           * second handle on the same file sees every write at once */
    uint32_t pos;              /* for the feature file */
} semihost_file_t;

typedef struct semihost {
    sched_t *sched;
    char root[1024];
    semihost_console_fn console;   /* guest stdout/stderr */
    void *console_opaque;
    void (*on_exit)(void *opaque, int code); /* the guest asked to exit */
    void *on_exit_opaque;
    uint32_t epoch;                /* SYS_TIME at virtual time 0 */
    char cmdline[SEMIHOST_CMDLINE_MAX + 1];
    /* Console input queued for the guest (SYS_READ on :tt, SYS_READC). */
    uint8_t *stdin_buf;
    size_t stdin_len, stdin_pos;
    semihost_file_t files[SEMIHOST_MAX_FILES];
    int guest_errno;
    /* Set when the guest asked to exit. */
    bool exited;
    int exit_code;
    uint32_t exit_reason;
    uint64_t calls;
} semihost_t;

void semihost_init(semihost_t *sh, sched_t *sched, const char *root);
void semihost_free(semihost_t *sh);
/* Queue console input (copied). */
void semihost_set_stdin(semihost_t *sh, const uint8_t *buf, size_t len);
void semihost_set_cmdline(semihost_t *sh, const char *cmdline);
/* cpu_bkpt_fn: handles BKPT 0xAB; returns false for other immediates. */
bool semihost_bkpt(void *opaque, cpu_t *cpu, uint32_t imm);
/* Perform one call on behalf of 'cpu' (exposed for tests). */
uint32_t semihost_call(semihost_t *sh, cpu_t *cpu, uint32_t op, uint32_t param);

#endif
