/*
 * Cache policy: the defaults per class, the "CLASS VALUE" / "/GLOB VALUE"
 * option syntax, and the header lines a resource gets. The browser header
 * and the CDN's are separate so that a CDN can keep an entry document for a
 * minute (and serve it stale while it revalidates, or when the origin fails)
 * while browsers revalidate every time. Glob rules apply in the order given;
 * the last one that matches a path wins, per header.
 */
#include "edge/cache.h"
#include "common/ascii.h"
#include "edge/fail.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const class_name[KE_POLICY_COUNT] = { "immutable", "entry", "sw", "other" };
static const char *const header_name[KE_CH_COUNT] = { "Cache-Control", "CDN-Cache-Control",
                                                      "Surrogate-Control" };

static void
set(struct ke_config *c, enum ke_policy p, enum ke_cache_header h, const char *v)
{
    snprintf(c->policy[p][h], sizeof c->policy[p][h], "%s", v);
}

void
ke_cache_defaults(struct ke_config *c)
{
    memset(c->policy, 0, sizeof c->policy);
    c->n_rules = 0;
    /* A fingerprinted URL never changes meaning: a year, and "immutable" so
     * browsers skip revalidation on reload. CDNs read the same header. */
    set(c, KE_POLICY_IMMUTABLE, KE_CH_BROWSER, "public, max-age=31536000, immutable");
    /* Entry documents name the current assets: browsers revalidate every
     * time (a 304 is cheap); a CDN may keep them a minute, refresh them in
     * the background for another minute, and fall back to its copy for a
     * day when the origin fails. A deploy purges them (purge.json). */
    set(c, KE_POLICY_ENTRY, KE_CH_BROWSER, "no-cache");
    set(c, KE_POLICY_ENTRY, KE_CH_CDN,
        "max-age=60, stale-while-revalidate=60, stale-if-error=86400");
    /* The service worker decides when clients update: never served stale
     * while revalidating, only when the origin is down. */
    set(c, KE_POLICY_SW, KE_CH_BROWSER, "no-cache");
    set(c, KE_POLICY_SW, KE_CH_CDN, "max-age=60, stale-if-error=86400");
    /* Other stable URLs: "public, max-age=<--max-age>" (the empty value). */
    c->no_transform = false;
    c->purge_keys = KE_PURGE_SURROGATE_KEY;
    c->link_preload = true;
    c->early_hints = false;
}

int
ke_cache_apply(struct ke_config *c, enum ke_cache_header h, const char *val, char *why,
               size_t whysz)
{
    size_t sn = strcspn(val, " \t");
    const char *v = val + sn;
    while (kc_is_blank(*v))
        v++;
    if (*v == '\0')
        return ke_fail(why, whysz, "'%s': want CLASS or /GLOB, then a value", val);
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return ke_fail(why, whysz, "the value may hold printable ASCII only");
    if (strlen(v) >= KE_CACHE_VALUE_MAX || sn >= KE_CACHE_VALUE_MAX)
        return ke_fail(why, whysz, "too long (at most %d bytes each)", KE_CACHE_VALUE_MAX - 1);
    bool off = strcmp(v, "off") == 0;
    if (off && h == KE_CH_BROWSER)
        return ke_fail(why, whysz, "Cache-Control cannot be off");
    if (val[0] == '/') {
        if (c->n_rules == KE_MAX_CACHE_RULES)
            return ke_fail(why, whysz, "too many glob rules (at most %d)", KE_MAX_CACHE_RULES);
        struct ke_cache_rule *r = &c->rules[c->n_rules++];
        snprintf(r->glob, sizeof r->glob, "%.*s", (int)sn, val);
        r->header = h;
        snprintf(r->value, sizeof r->value, "%s", off ? "" : v);
        return 0;
    }
    for (int p = 0; p < KE_POLICY_COUNT; p++)
        if (strlen(class_name[p]) == sn && strncmp(val, class_name[p], sn) == 0) {
            set(c, (enum ke_policy)p, h, off ? "" : v);
            return 0;
        }
    return ke_fail(why, whysz, "'%.*s' is not immutable, entry, sw, other or a /GLOB", (int)sn,
                   val);
}

int
ke_cache_lines(const struct ke_config *c, enum ke_policy p, const char *path, char *out,
               size_t outsz)
{
    const char *v[KE_CH_COUNT];
    for (int h = 0; h < KE_CH_COUNT; h++)
        v[h] = c->policy[p][h];
    for (unsigned i = 0; i < c->n_rules; i++)
        if (fnmatch(c->rules[i].glob, path, 0) == 0)
            v[c->rules[i].header] = c->rules[i].value;
    size_t n = 0;
    for (int h = 0; h < KE_CH_COUNT; h++) {
        char dflt[64];
        const char *val = v[h];
        if (h == KE_CH_BROWSER && !*val) {
            snprintf(dflt, sizeof dflt, "public, max-age=%u", c->max_age_other);
            val = dflt;
        }
        if (!*val)
            continue;
        /* no-transform keeps a CDN from minifying or recompressing: altered
         * bytes would fail the integrity hashes kiln-build put in the pages. */
        int k = snprintf(out + n, outsz - n, "%s: %s%s\r\n", header_name[h], val,
                         h == KE_CH_BROWSER && c->no_transform ? ", no-transform" : "");
        if (k < 0 || (size_t)k >= outsz - n)
            return -1;
        n += (size_t)k;
    }
    return (int)n;
}
