/*
 * Dropping root for the service user. setgroups, then the group ids, then
 * the user ids: once the user ids are not 0 the process may no longer change
 * its groups. Every id (real, effective, saved) is set, so nothing can be
 * switched back, and that is verified rather than assumed.
 */
#include "edge/user.h"
#include "common/ascii.h"
#include "edge/fail.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A decimal id ("65534"), or -1 when s is not one. */
static long long
numeric_id(const char *s)
{
    long long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (!kc_is_digit(*s))
            return -1;
        v = v * 10 + (*s - '0');
        if (v > 4294967294ll)
            return -1;
    }
    return v;
}

int
ke_user_resolve(const char *spec, struct ke_user *u, char *err, size_t errsz)
{
    char name[256], buf[16384];
    if (strlen(spec) >= sizeof name)
        return ke_fail(err, errsz, "--user: '%s' is too long", spec);
    snprintf(name, sizeof name, "%s", spec);
    char *group = strchr(name, ':');
    if (group)
        *group++ = '\0';
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", spec);

    struct passwd pw, *pwp = NULL;
    errno = 0;
    int rc = getpwnam_r(name, &pw, buf, sizeof buf, &pwp);
    if (pwp) {
        u->uid = pw.pw_uid;
        u->gid = pw.pw_gid;
    } else if (numeric_id(name) >= 0) {
        u->uid = (uid_t)numeric_id(name);
        errno = 0;
        rc = getpwuid_r(u->uid, &pw, buf, sizeof buf, &pwp);
        if (!pwp && !group)
            return ke_fail(err, errsz, "--user: no user with id %s, and no GROUP given", name);
        if (pwp)
            u->gid = pw.pw_gid;
    } else {
        return ke_fail(err, errsz, "--user: no such user '%s'%s%s", name, rc ? ": " : "",
                       rc ? strerror(rc) : "");
    }
    if (group) {
        struct group gr, *grp = NULL;
        rc = getgrnam_r(group, &gr, buf, sizeof buf, &grp);
        if (grp)
            u->gid = gr.gr_gid;
        else if (numeric_id(group) >= 0)
            u->gid = (gid_t)numeric_id(group);
        else
            return ke_fail(err, errsz, "--user: no such group '%s'%s%s", group, rc ? ": " : "",
                           rc ? strerror(rc) : "");
    }
    return 0;
}

int
ke_user_drop(const struct ke_user *u, char *err, size_t errsz)
{
    if (geteuid() != 0) {
        /* Not root: only "switching" to who we already are works. */
        if (getuid() == u->uid && geteuid() == u->uid && getgid() == u->gid && getegid() == u->gid)
            return 0;
        return ke_fail(err, errsz,
                       "--user %s: cannot switch user: kiln-edge is not running as root", u->name);
    }
    if (setgroups(0, NULL) != 0)
        return ke_fail(err, errsz, "--user %s: cannot clear the supplementary groups: %s", u->name,
                       strerror(errno));
    if (setresgid(u->gid, u->gid, u->gid) != 0)
        return ke_fail(err, errsz, "--user %s: cannot switch to group %u: %s", u->name,
                       (unsigned)u->gid, strerror(errno));
    if (setresuid(u->uid, u->uid, u->uid) != 0)
        return ke_fail(err, errsz, "--user %s: cannot switch to user %u: %s", u->name,
                       (unsigned)u->uid, strerror(errno));
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != u->uid || e != u->uid ||
        s != u->uid || rg != u->gid || eg != u->gid || sg != u->gid)
        return ke_fail(err, errsz, "--user %s: the ids did not all change", u->name);
    gid_t extra[1];
    int n = getgroups(1, extra);
    if (n > 1 || (n == 1 && extra[0] != u->gid))
        return ke_fail(err, errsz, "--user %s: supplementary groups remain", u->name);
    /* The point of it all: no way back. */
    if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
        return ke_fail(err, errsz, "--user %s: root could be regained after the switch", u->name);
    if (u->gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
        return ke_fail(err, errsz, "--user %s: group 0 could be regained after the switch",
                       u->name);
    return 0;
}
