/*
 * ARM semihosting (see semihost.h). Guest memory is reached through the bus
 * debug path so a call has no MMIO side effects and costs no guest cycles
 * beyond the BKPT itself. Host errors become the guest's SYS_ERRNO value
 * (host errno numbers; newlib and picolibc use the same values for the
 * common ones), never a simulator error.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "semihost.h"
#include "log.h"

#define SH_PATH_MAX 1024
#define SH_FEATURE_BYTES 5

/* ":semihosting-features": magic "SHFB" and one feature byte
 * (bit 0 SYS_EXIT_EXTENDED, bit 1 separate stdout/stderr via ":tt" modes). */
static const uint8_t feature_file[SH_FEATURE_BYTES] = { 0x53, 0x48, 0x46, 0x42, 0x03 };

void semihost_init(semihost_t *sh, sched_t *sched, const char *root)
{
    memset(sh, 0, sizeof *sh);
    sh->sched = sched;
    snprintf(sh->root, sizeof sh->root, "%s", root && *root ? root : ".");
    sh->epoch = SEMIHOST_DEFAULT_EPOCH;
}

void semihost_free(semihost_t *sh)
{
    for (unsigned k = 0; k < SEMIHOST_MAX_FILES; k++)
        if (sh->files[k].kind == SH_FILE_HOST)
            close(sh->files[k].fd);
    free(sh->stdin_buf);
    memset(sh->files, 0, sizeof sh->files);
    sh->stdin_buf = NULL;
    sh->sched = NULL;
}

void semihost_set_stdin(semihost_t *sh, const uint8_t *buf, size_t len)
{
    free(sh->stdin_buf);
    sh->stdin_buf = NULL;
    sh->stdin_len = sh->stdin_pos = 0;
    if (!len)
        return;
    sh->stdin_buf = malloc(len);
    if (!sh->stdin_buf)
        return;
    memcpy(sh->stdin_buf, buf, len);
    sh->stdin_len = len;
}

void semihost_set_cmdline(semihost_t *sh, const char *cmdline)
{
    snprintf(sh->cmdline, sizeof sh->cmdline, "%s", cmdline ? cmdline : "");
}

/* ---------------------------------------------------------------------- */
/* guest memory */

static bool arg(cpu_t *cpu, uint32_t block, unsigned n, uint32_t *out)
{
    uint8_t b[4];
    if (bus_debug_read(cpu->bus, block + 4 * n, b, 4) != 4)
        return false;
    *out = rd_le32(b);
    return true;
}

static bool put_word(cpu_t *cpu, uint32_t addr, uint32_t v)
{
    uint8_t b[4];
    wr_le32(b, v);
    return bus_debug_write(cpu->bus, addr, b, 4) == 4;
}

/* Copy a guest string of known length; NUL inside is rejected as a path. */
static bool guest_string(cpu_t *cpu, uint32_t addr, uint32_t len, char *out, size_t outlen)
{
    if (len >= outlen)
        return false;
    if (bus_debug_read(cpu->bus, addr, out, len) != len)
        return false;
    out[len] = 0;
    return strlen(out) == len;
}

/* Resolve a guest path under the root; refuses escapes from it. */
static bool host_path(semihost_t *sh, const char *guest, char *out, size_t outlen)
{
    if (!*guest || guest[0] == '/')
        return false;
    for (const char *p = guest; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    int n = snprintf(out, outlen, "%s/%s", sh->root, guest);
    return n > 0 && (size_t)n < outlen;
}

static sim_time_t now_ns(semihost_t *sh, cpu_t *cpu)
{
    (void)sh;
    return cpu_time_of(cpu, cpu->cycles);
}

static int alloc_handle(semihost_t *sh)
{
    /* Handle 0 is never given out: some C libraries treat it as "none". */
    for (int k = 1; k < SEMIHOST_MAX_FILES; k++)
        if (sh->files[k].kind == SH_FILE_FREE)
            return k;
    return -1;
}

static semihost_file_t *handle(semihost_t *sh, uint32_t h)
{
    if (h == 0 || h >= SEMIHOST_MAX_FILES || sh->files[h].kind == SH_FILE_FREE)
        return NULL;
    return &sh->files[h];
}

static uint32_t fail_errno(semihost_t *sh, int e)
{
    sh->guest_errno = e;
    return 0xFFFFFFFFu;
}

static void console(semihost_t *sh, const char *src, const uint8_t *buf, size_t len)
{
    if (sh->console && len)
        sh->console(sh->console_opaque, src, buf, len);
}

/* ---------------------------------------------------------------------- */
/* calls */

static uint32_t sys_open(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t name, mode, len;
    if (!arg(cpu, p, 0, &name) || !arg(cpu, p, 1, &mode) || !arg(cpu, p, 2, &len))
        return fail_errno(sh, EFAULT);
    char gname[SH_PATH_MAX];
    if (!guest_string(cpu, name, len, gname, sizeof gname))
        return fail_errno(sh, EFAULT);
    if (mode > 11)
        return fail_errno(sh, EINVAL);
    int h = alloc_handle(sh);
    if (h < 0)
        return fail_errno(sh, EMFILE);
    semihost_file_t *f = &sh->files[h];
    if (!strcmp(gname, ":tt")) {
        f->kind = mode < 4 ? SH_FILE_STDIN : mode < 8 ? SH_FILE_STDOUT : SH_FILE_STDERR;
        return (uint32_t)h;
    }
    if (!strcmp(gname, ":semihosting-features")) {
        if (mode > 1)
            return fail_errno(sh, EACCES);
        f->kind = SH_FILE_FEATURES;
        f->pos = 0;
        return (uint32_t)h;
    }
    /* ISO C fopen modes r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b */
    static const int oflags[3] = { 0, O_CREAT | O_TRUNC, O_CREAT | O_APPEND };
    int flags = oflags[mode / 4] | ((mode & 2) ? O_RDWR : mode < 4 ? O_RDONLY : O_WRONLY);
    char path[SH_PATH_MAX + 1100];
    if (!host_path(sh, gname, path, sizeof path))
        return fail_errno(sh, EACCES);
    int fd = open(path, flags | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail_errno(sh, errno);
    f->kind = SH_FILE_HOST;
    f->fd = fd;
    return (uint32_t)h;
}

static uint32_t sys_close(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t h;
    if (!arg(cpu, p, 0, &h))
        return fail_errno(sh, EFAULT);
    semihost_file_t *f = handle(sh, h);
    if (!f)
        return fail_errno(sh, EBADF);
    int rc = 0;
    if (f->kind == SH_FILE_HOST)
        rc = close(f->fd);
    memset(f, 0, sizeof *f);
    return rc ? fail_errno(sh, EIO) : 0;
}

/* Returns the number of bytes NOT written. */
static uint32_t sys_write(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t h, buf, len;
    if (!arg(cpu, p, 0, &h) || !arg(cpu, p, 1, &buf) || !arg(cpu, p, 2, &len))
        return fail_errno(sh, EFAULT);
    semihost_file_t *f = handle(sh, h);
    if (!f || f->kind == SH_FILE_STDIN || f->kind == SH_FILE_FEATURES) {
        sh->guest_errno = EBADF;
        return len;
    }
    uint8_t chunk[4096];
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
        size_t got = bus_debug_read(cpu->bus, buf + done, chunk, n);
        if (f->kind == SH_FILE_HOST) {
            ssize_t w = write(f->fd, chunk, got);
            if (w > 0)
                done += (uint32_t)w;
            if (w < 0 || (size_t)w != got) {
                sh->guest_errno = w < 0 ? errno : ENOSPC;
                break;
            }
        } else {
            console(sh, f->kind == SH_FILE_STDERR ? "stderr" : "stdout", chunk, got);
            done += (uint32_t)got;
        }
        if (got != n) {
            sh->guest_errno = EFAULT;
            break;
        }
    }
    return len - done;
}

/* Returns the number of bytes NOT read (len means end of file). */
static uint32_t sys_read(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t h, buf, len;
    if (!arg(cpu, p, 0, &h) || !arg(cpu, p, 1, &buf) || !arg(cpu, p, 2, &len))
        return fail_errno(sh, EFAULT);
    semihost_file_t *f = handle(sh, h);
    if (!f || f->kind == SH_FILE_STDOUT || f->kind == SH_FILE_STDERR)
        return fail_errno(sh, EBADF);
    uint8_t chunk[4096];
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
        size_t got;
        if (f->kind == SH_FILE_HOST) {
            ssize_t r = read(f->fd, chunk, n);
            if (r < 0) {
                sh->guest_errno = errno;
                break;
            }
            got = (size_t)r;
        } else if (f->kind == SH_FILE_FEATURES) {
            got = f->pos < SH_FEATURE_BYTES ? SH_FEATURE_BYTES - f->pos : 0;
            if (got > n)
                got = n;
            memcpy(chunk, feature_file + f->pos, got);
            f->pos += (uint32_t)got;
        } else {
            /* Console input: return what is queued now, like a line-buffered tty. */
            got = sh->stdin_len - sh->stdin_pos;
            if (got > n)
                got = n;
            memcpy(chunk, sh->stdin_buf + sh->stdin_pos, got);
            sh->stdin_pos += got;
        }
        if (got && bus_debug_write(cpu->bus, buf + done, chunk, got) != got) {
            sh->guest_errno = EFAULT;
            break;
        }
        done += (uint32_t)got;
        if (got < n || f->kind == SH_FILE_STDIN)
            break;
    }
    return len - done;
}

static uint32_t sys_seek(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t h, pos;
    if (!arg(cpu, p, 0, &h) || !arg(cpu, p, 1, &pos))
        return fail_errno(sh, EFAULT);
    semihost_file_t *f = handle(sh, h);
    if (!f)
        return fail_errno(sh, EBADF);
    if (f->kind == SH_FILE_FEATURES) {
        if (pos > SH_FEATURE_BYTES)
            return fail_errno(sh, EINVAL);
        f->pos = pos;
        return 0;
    }
    if (f->kind != SH_FILE_HOST)
        return fail_errno(sh, ESPIPE);
    return lseek(f->fd, (off_t)pos, SEEK_SET) < 0 ? fail_errno(sh, errno) : 0;
}

static uint32_t sys_flen(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t h;
    if (!arg(cpu, p, 0, &h))
        return fail_errno(sh, EFAULT);
    semihost_file_t *f = handle(sh, h);
    if (!f)
        return fail_errno(sh, EBADF);
    if (f->kind == SH_FILE_FEATURES)
        return SH_FEATURE_BYTES;
    if (f->kind != SH_FILE_HOST)
        return 0;
    struct stat st;
    if (fstat(f->fd, &st))
        return fail_errno(sh, errno);
    return st.st_size > 0xFFFFFFFEll ? fail_errno(sh, EOVERFLOW) : (uint32_t)st.st_size;
}

static uint32_t sys_istty(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t h;
    if (!arg(cpu, p, 0, &h))
        return fail_errno(sh, EFAULT);
    semihost_file_t *f = handle(sh, h);
    if (!f)
        return fail_errno(sh, EBADF);
    return f->kind == SH_FILE_STDIN || f->kind == SH_FILE_STDOUT || f->kind == SH_FILE_STDERR;
}

static uint32_t sys_tmpnam(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t buf, id, len;
    if (!arg(cpu, p, 0, &buf) || !arg(cpu, p, 1, &id) || !arg(cpu, p, 2, &len))
        return fail_errno(sh, EFAULT);
    char name[32];
    int n = snprintf(name, sizeof name, "semihost-%02x.tmp", id & 0xFF);
    if ((uint32_t)n + 1 > len)
        return fail_errno(sh, ERANGE);
    if (bus_debug_write(cpu->bus, buf, name, (size_t)n + 1) != (size_t)n + 1)
        return fail_errno(sh, EFAULT);
    return 0;
}

static uint32_t sys_remove(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t name, len;
    char g[SH_PATH_MAX], path[SH_PATH_MAX + 1100];
    if (!arg(cpu, p, 0, &name) || !arg(cpu, p, 1, &len) || !guest_string(cpu, name, len, g, sizeof g))
        return fail_errno(sh, EFAULT);
    if (!host_path(sh, g, path, sizeof path))
        return fail_errno(sh, EACCES);
    return remove(path) ? fail_errno(sh, errno) : 0;
}

static uint32_t sys_rename(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t a, alen, b, blen;
    char ga[SH_PATH_MAX], gb[SH_PATH_MAX], pa[SH_PATH_MAX + 1100], pb[SH_PATH_MAX + 1100];
    if (!arg(cpu, p, 0, &a) || !arg(cpu, p, 1, &alen) || !arg(cpu, p, 2, &b) ||
        !arg(cpu, p, 3, &blen) || !guest_string(cpu, a, alen, ga, sizeof ga) ||
        !guest_string(cpu, b, blen, gb, sizeof gb))
        return fail_errno(sh, EFAULT);
    if (!host_path(sh, ga, pa, sizeof pa) || !host_path(sh, gb, pb, sizeof pb))
        return fail_errno(sh, EACCES);
    return rename(pa, pb) ? fail_errno(sh, errno) : 0;
}

static uint32_t sys_get_cmdline(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    uint32_t buf, len;
    if (!arg(cpu, p, 0, &buf) || !arg(cpu, p, 1, &len))
        return fail_errno(sh, EFAULT);
    size_t n = strlen(sh->cmdline);
    if (n + 1 > len)
        return fail_errno(sh, ERANGE);
    if (bus_debug_write(cpu->bus, buf, sh->cmdline, n + 1) != n + 1 ||
        !put_word(cpu, p + 4, (uint32_t)n))
        return fail_errno(sh, EFAULT);
    return 0;
}

static uint32_t sys_heapinfo(semihost_t *sh, cpu_t *cpu, uint32_t p)
{
    /* Zeros mean "unknown": the C libraries then use their linker-script
     * symbols, which is what the firmware was built for. */
    uint32_t block;
    if (!arg(cpu, p, 0, &block))
        return fail_errno(sh, EFAULT);
    for (unsigned k = 0; k < 4; k++)
        if (!put_word(cpu, block + 4 * k, 0))
            return fail_errno(sh, EFAULT);
    return 0;
}

static void do_exit(semihost_t *sh, cpu_t *cpu, uint32_t reason, uint32_t subcode, bool ext)
{
    sh->exited = true;
    sh->exit_reason = reason;
    if (reason == SH_ADP_STOPPED_APPLICATION_EXIT)
        sh->exit_code = ext ? (int)subcode : 0;
    else
        sh->exit_code = 1;
    if (sh->on_exit)
        sh->on_exit(sh->on_exit_opaque, sh->exit_code);
    cpu_request_stop(cpu);
}

uint32_t semihost_call(semihost_t *sh, cpu_t *cpu, uint32_t op, uint32_t p)
{
    sh->calls++;
    switch (op) {
    case SH_SYS_OPEN: return sys_open(sh, cpu, p);
    case SH_SYS_CLOSE: return sys_close(sh, cpu, p);
    case SH_SYS_WRITEC: {
        uint8_t c;
        if (bus_debug_read(cpu->bus, p, &c, 1) != 1)
            return fail_errno(sh, EFAULT);
        console(sh, "stdout", &c, 1);
        return 0;
    }
    case SH_SYS_WRITE0: {
        uint8_t chunk[256];
        size_t n = 0;
        for (uint32_t a = p;; a++) {
            uint8_t c;
            if (bus_debug_read(cpu->bus, a, &c, 1) != 1 || !c)
                break;
            chunk[n++] = c;
            if (n == sizeof chunk) {
                console(sh, "stdout", chunk, n);
                n = 0;
            }
        }
        console(sh, "stdout", chunk, n);
        return 0;
    }
    case SH_SYS_WRITE: return sys_write(sh, cpu, p);
    case SH_SYS_READ: return sys_read(sh, cpu, p);
    case SH_SYS_READC:
        if (sh->stdin_pos < sh->stdin_len)
            return sh->stdin_buf[sh->stdin_pos++];
        return 0xFFFFFFFFu;
    case SH_SYS_ISERROR: {
        uint32_t v;
        if (!arg(cpu, p, 0, &v))
            return fail_errno(sh, EFAULT);
        return (int32_t)v < 0;
    }
    case SH_SYS_ISTTY: return sys_istty(sh, cpu, p);
    case SH_SYS_SEEK: return sys_seek(sh, cpu, p);
    case SH_SYS_FLEN: return sys_flen(sh, cpu, p);
    case SH_SYS_TMPNAM: return sys_tmpnam(sh, cpu, p);
    case SH_SYS_REMOVE: return sys_remove(sh, cpu, p);
    case SH_SYS_RENAME: return sys_rename(sh, cpu, p);
    case SH_SYS_CLOCK: return (uint32_t)(now_ns(sh, cpu) / 10000000u);
    case SH_SYS_TIME: return sh->epoch + (uint32_t)(now_ns(sh, cpu) / 1000000000u);
    case SH_SYS_SYSTEM:
        /* Running host commands would make the run depend on the host. */
        log_once(LOG_UNIMP, "semihost", op, "SYS_SYSTEM refused: host commands are not run");
        return fail_errno(sh, ENOSYS);
    case SH_SYS_ERRNO: return (uint32_t)sh->guest_errno;
    case SH_SYS_GET_CMDLINE: return sys_get_cmdline(sh, cpu, p);
    case SH_SYS_HEAPINFO: return sys_heapinfo(sh, cpu, p);
    case SH_SYS_EXIT:
        /* AArch32: R1 holds the reason itself, not a parameter block. */
        do_exit(sh, cpu, p, 0, false);
        return 0;
    case SH_SYS_EXIT_EXTENDED: {
        uint32_t reason, sub;
        if (!arg(cpu, p, 0, &reason) || !arg(cpu, p, 1, &sub))
            return fail_errno(sh, EFAULT);
        do_exit(sh, cpu, reason, sub, true);
        return 0;
    }
    case SH_SYS_ELAPSED: {
        /* Ticks of SYS_TICKFREQ: microseconds of virtual time. QEMU counts
         * nanoseconds (1 GHz); firmware that reads TICKFREQ sees no
         * difference, and the STM32 bring-up tests count microseconds. */
        uint64_t ticks = now_ns(sh, cpu) / 1000u;
        if (!put_word(cpu, p, (uint32_t)ticks) || !put_word(cpu, p + 4, (uint32_t)(ticks >> 32)))
            return fail_errno(sh, EFAULT);
        return 0;
    }
    case SH_SYS_TICKFREQ: return 1000000u;
    default:
        log_once(LOG_UNIMP, "semihost", op, "unknown semihosting operation 0x%02x", op);
        return fail_errno(sh, ENOSYS);
    }
}

bool semihost_bkpt(void *opaque, cpu_t *cpu, uint32_t imm)
{
    if (imm != 0xAB)
        return false;
    semihost_t *sh = opaque;
    cpu->r[0] = semihost_call(sh, cpu, cpu->r[0], cpu->r[1]);
    return true;
}
