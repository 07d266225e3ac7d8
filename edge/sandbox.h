/*
 * kiln-edge's Landlock sandbox (--sandbox, on by default; docs/security.md):
 * after startup the process can read only the site's folder (the one that
 * holds RELEASE_DIR) and the folders of its certificate files; it can write,
 * create, remove, truncate or execute nothing, and with Landlock ABI 4 or
 * later it can bind or connect no TCP socket. Descriptors opened before
 * (listeners, the access log, stderr, mapped release files) keep working.
 * Two steps, because the rules are gathered while still root (the folders
 * may be unreachable for the service user) and enforced after the switch.
 */
#ifndef KE_SANDBOX_H
#define KE_SANDBOX_H

#include "edge/config.h"

#include <stddef.h>

struct ke_sandbox {
    int fd;          /* the Landlock ruleset, -1 when there is none */
    int abi;         /* the kernel's Landlock ABI version, 0 without Landlock */
    char site[4096]; /* the folder readable with everything in it */
};

/*
 * Builds the ruleset for cfg into sb. Returns 0 (sb->fd is the ruleset),
 * 1 when the kernel has no Landlock (sb->fd is -1; why in err: the caller
 * logs it and serves unconfined), or -1 with one line in err: the sandbox
 * was asked for and cannot be built, a startup error.
 */
int ke_sandbox_prepare(const struct ke_config *cfg, struct ke_sandbox *sb, char *err, size_t errsz);

/*
 * Confines the calling thread and every thread it creates afterwards to the
 * ruleset (Landlock applies per thread: call it before the workers start),
 * and closes it. Sets no_new_privs. Returns 0, or -1 with one line in err.
 */
int ke_sandbox_enforce(struct ke_sandbox *sb, char *err, size_t errsz);

/* The folder kiln-edge's sandbox lets it read for release_dir: the folder
 * that holds it (for "/srv/site/current", "/srv/site"), found without
 * following release_dir itself when it is a symlink. Returns 0 or -1. */
int ke_sandbox_site_dir(const char *release_dir, char *out, size_t n);

#endif
