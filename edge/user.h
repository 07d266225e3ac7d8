/*
 * The service user kiln-edge switches to after startup (--user NAME[:GROUP]):
 * resolved once, before anything is bound or loaded, so a name that does not
 * exist is a startup error; dropped to for good once every listener is bound
 * and the certificates are loaded (docs/security.md).
 */
#ifndef KE_USER_H
#define KE_USER_H

#include <stddef.h>
#include <sys/types.h>

struct ke_user {
    char name[256]; /* as given: "www-data", "kiln:ssl-cert" */
    uid_t uid;
    gid_t gid; /* GROUP's, or the user's primary group */
};

/*
 * Resolves "NAME[:GROUP]" (names, or numeric ids) through the system's user
 * and group databases. Returns 0 with u filled, or -1 with one line in err.
 * Call it before the sandbox: the databases are files under /etc.
 */
int ke_user_resolve(const char *spec, struct ke_user *u, char *err, size_t errsz);

/*
 * Switches the process to u for good: supplementary groups cleared, real,
 * effective and saved group and user ids set, then checked, and a switch
 * back to root tried and required to fail. Must run while the process has
 * one thread (glibc broadcasts set*id to threads, but a failure there is
 * fatal). Returns 0, or -1 with one line in err (the process then exits).
 */
int ke_user_drop(const struct ke_user *u, char *err, size_t errsz);

#endif
