/*
 * Landlock through raw syscalls (<linux/landlock.h> of Debian 12 knows ABI 2
 * only, so the later rights and fields are spelled out here; their values
 * are the kernel's stable ABI). The ruleset handles every filesystem right
 * the running kernel knows, so whatever has no rule is denied; rights the
 * kernel does not know are masked off, as the kernel would refuse them.
 */
#include "edge/sandbox.h"
#include "edge/fail.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Filesystem rights by ABI version (Documentation/userspace-api/landlock.rst). */
#define FS_READ_FILE        (1ull << 2)
#define FS_READ_DIR         (1ull << 3)
#define FS_ABI1             ((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define FS_REFER            (1ull << 13)       /* ABI 2 */
#define FS_TRUNCATE         (1ull << 14)       /* ABI 3 */
#define FS_IOCTL_DEV        (1ull << 15)       /* ABI 5 */
#define NET_BIND_TCP        (1ull << 0)        /* ABI 4 */
#define NET_CONNECT_TCP     (1ull << 1)        /* ABI 4 */
#define SCOPE_ABSTRACT_UNIX (1ull << 0)        /* ABI 6 */
#define SCOPE_SIGNAL        (1ull << 1)        /* ABI 6 */

/* struct landlock_ruleset_attr as of ABI 6; an older kernel accepts the
 * larger struct as long as the fields it does not know are zero. */
struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

int
ke_sandbox_site_dir(const char *release_dir, char *out, size_t n)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", release_dir) >= (int)sizeof p)
        return -1;
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    char *slash = strrchr(p, '/');
    const char *last = slash ? slash + 1 : p;
    if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || strcmp(p, "/") == 0) {
        /* Nothing to strip lexically: name the directory itself, then its parent. */
        char real[PATH_MAX];
        if (!realpath(p, real))
            return -1;
        snprintf(p, sizeof p, "%s", real);
        slash = strrchr(p, '/');
    }
    if (!slash)
        return snprintf(out, n, ".") >= (int)n ? -1 : 0;
    if (slash == p)
        return snprintf(out, n, "/") >= (int)n ? -1 : 0;
    *slash = '\0';
    return snprintf(out, n, "%s", p) >= (int)n ? -1 : 0;
}

/* Allows access beneath path (a directory, or a file when access holds file
 * rights only). */
static int
allow(int ruleset, const char *path, uint64_t access, char *err, size_t errsz)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return ke_fail(err, errsz, "sandbox: cannot open '%s': %s", path, strerror(errno));
    struct landlock_path_beneath_attr pb = { .allowed_access = access, .parent_fd = fd };
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    if (rc != 0)
        return ke_fail(err, errsz, "sandbox: cannot add a rule for '%s': %s", path, strerror(e));
    return 0;
}

/* The folder of a file path: "a/b.pem" -> "a", "b.pem" -> ".". */
static void
dir_of(const char *path, char *out, size_t n)
{
    snprintf(out, n, "%s", path);
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

/* Certificates and keys may be replaced between reloads, usually by a new
 * file renamed over the old one (or a symlink moved, as certbot does), and a
 * Landlock rule on a file follows its inode, not its name: so the rule is on
 * the folder that holds the name and on the one that holds what it points
 * to, for reading files only (not listing). */
static int
allow_cert_file(int ruleset, const char *path, char *err, size_t errsz)
{
    char dir[PATH_MAX], real[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    if (allow(ruleset, dir, FS_READ_FILE, err, errsz) != 0)
        return -1;
    if (realpath(path, real)) {
        dir_of(real, dir, sizeof dir);
        if (allow(ruleset, dir, FS_READ_FILE, err, errsz) != 0)
            return -1;
    }
    return 0;
}

int
ke_sandbox_prepare(const struct ke_config *cfg, struct ke_sandbox *sb, char *err, size_t errsz)
{
    sb->fd = -1;
    sb->abi = 0;
    sb->site[0] = '\0';
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) {
        if (errno == ENOSYS || errno == EOPNOTSUPP) {
            ke_fail(err, errsz, "this kernel has no Landlock (%s)",
                    errno == ENOSYS ? "not built in" : "disabled at boot");
            return 1;
        }
        return ke_fail(err, errsz, "sandbox: cannot query Landlock: %s", strerror(errno));
    }
    sb->abi = (int)abi;
    struct ruleset_attr attr = { 0, 0, 0 };
    attr.handled_access_fs = FS_ABI1;
    if (abi >= 2)
        attr.handled_access_fs |= FS_REFER;
    if (abi >= 3)
        attr.handled_access_fs |= FS_TRUNCATE;
    if (abi >= 5)
        attr.handled_access_fs |= FS_IOCTL_DEV;
    /* Every listener is bound before the sandbox, and kiln-edge connects
     * nowhere: no TCP bind or connect at all afterwards. */
    if (abi >= 4)
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
    /* No signals to processes outside the sandbox, no abstract unix sockets
     * outside it (kiln-edge uses neither). */
    if (abi >= 6)
        attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (fd < 0)
        return ke_fail(err, errsz, "sandbox: cannot create a Landlock ruleset (ABI %ld): %s", abi,
                       strerror(errno));
    if (ke_sandbox_site_dir(cfg->release_dir, sb->site, sizeof sb->site) != 0) {
        close(fd);
        return ke_fail(err, errsz, "sandbox: cannot find the folder that holds '%s'",
                       cfg->release_dir);
    }
    if (allow(fd, sb->site, FS_READ_FILE | FS_READ_DIR, err, errsz) != 0)
        goto fail;
    char real[PATH_MAX];
    if (realpath(sb->site, real)) /* for the startup line: "/srv/www", not "." */
        snprintf(sb->site, sizeof sb->site, "%s", real);
    /* The spare descriptor the workers and libuv give up and take again when
     * out of descriptors (edge/conn.c): reading /dev/null and nothing else. */
    if (allow(fd, "/dev/null", FS_READ_FILE, err, errsz) != 0)
        goto fail;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* Sanitizer builds only (make test, make tsan): LeakSanitizer reads
     * /proc/self/task and /proc/self/maps at exit, and reports a fatal error
     * when it cannot. The process's own /proc directory; its magic links
     * (root, cwd, fd/N) lead to files that Landlock checks where they are. */
    char self[64];
    snprintf(self, sizeof self, "/proc/%ld", (long)getpid());
    if (allow(fd, self, FS_READ_FILE | FS_READ_DIR, err, errsz) != 0)
        goto fail;
#endif
    for (unsigned i = 0; i < cfg->n_certs; i++)
        if (allow_cert_file(fd, cfg->certs[i].cert, err, errsz) != 0 ||
            allow_cert_file(fd, cfg->certs[i].key, err, errsz) != 0)
            goto fail;
    sb->fd = fd;
    return 0;
fail:
    close(fd);
    return -1;
}

int
ke_sandbox_enforce(struct ke_sandbox *sb, char *err, size_t errsz)
{
    if (sb->fd < 0)
        return 0;
    int rc = 0;
    /* Required to confine oneself without CAP_SYS_ADMIN (after --user), and
     * wanted anyway: no execve can gain privileges afterwards. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        rc = ke_fail(err, errsz, "sandbox: cannot set no_new_privs: %s", strerror(errno));
    else if (syscall(SYS_landlock_restrict_self, sb->fd, 0) != 0)
        rc = ke_fail(err, errsz, "sandbox: cannot enforce the Landlock ruleset: %s",
                     strerror(errno));
    close(sb->fd);
    sb->fd = -1;
    return rc;
}
