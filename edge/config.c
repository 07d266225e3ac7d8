/*
 * kiln-edge's options: one table names every option once, and both the
 * command line (getopt_long) and the config file ("name value" lines) are
 * applied through it, so the two can never disagree on a name, a unit or a
 * range. Order of application: defaults, then the --config file, then the
 * command line. Errors are one line: "FILE:LINE: reason" or "--opt: reason".
 */
#include "edge/config.h"
#include "edge/cache.h"
#include "common/ascii.h"
#include "edge/fail.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KE_VERSION "0.1.0"

/* How a value is read and where it goes. */
enum kind {
    K_RELEASE,    /* char[4096] release_dir; file only (the CLI takes it positionally) */
    K_LISTEN,     /* accumulates into listen[], listen_tls[] or redirect_http[] (off) */
    K_ADMIN,      /* ADDR:PORT or off */
    K_CERT,       /* starts a certificate pair */
    K_KEY,        /* completes the last pair */
    K_HSTS,       /* seconds or off */
    K_WORKERS,    /* N or auto */
    K_UINT,       /* unsigned at off, [min, max] */
    K_SIZE,       /* size_t at off, bytes with k/m suffix */
    K_MS,         /* unsigned at off, milliseconds with ms/s/m suffix */
    K_ACCESS_LOG, /* FILE, "-" or off */
    K_LOG_FORMAT, /* combined or json */
    K_SPA,        /* /PATH or off */
    K_CACHE,      /* CLASS|/GLOB VALUE; min is the enum ke_cache_header */
    K_ONOFF,      /* on or off: bool at off */
    K_PURGE_KEYS, /* surrogate-key, cache-tag, both or off */
    K_USER,       /* NAME[:GROUP] or off */
    K_CONFIG,     /* CLI only */
    K_HELP,       /* CLI only */
    K_VERSION,    /* CLI only */
};

struct opt {
    const char *name;
    int short_name; /* 0 when the option has no short form */
    enum kind kind;
    size_t off; /* into struct ke_config, for K_UINT, K_SIZE and K_MS; for K_LISTEN, which list */
    unsigned long long min, max;
};

#define OFF(f) offsetof(struct ke_config, f)
enum { LIST_PLAIN, LIST_TLS, LIST_REDIRECT, LIST_N };
#define MS_MAX 86400000ull /* 24 h: longer timeouts are typos, not intent */

static const struct opt opts[] = {
    { "release", 0, K_RELEASE, 0, 0, 0 },
    { "listen", 'l', K_LISTEN, LIST_PLAIN, 0, 0 },
    { "workers", 'w', K_WORKERS, 0, 1, 256 },
    { "admin", 0, K_ADMIN, 0, 0, 0 },
    { "access-log", 0, K_ACCESS_LOG, 0, 0, 0 },
    { "access-log-format", 0, K_LOG_FORMAT, 0, 0, 0 },
    { "spa-fallback", 0, K_SPA, 0, 0, 0 },
    { "keep-releases", 0, K_UINT, OFF(keep_releases), 0, 64 },
    { "max-header-size", 0, K_SIZE, OFF(max_head), 1024, 1048576 },
    { "max-uri-size", 0, K_SIZE, OFF(max_target), 64, 1048576 },
    { "max-headers", 0, K_UINT, OFF(max_headers), 1, 1024 },
    { "max-requests", 0, K_UINT, OFF(max_requests), 0, UINT_MAX },
    { "max-connections", 0, K_UINT, OFF(max_conns), 1, 1048576 },
    { "mem-max", 0, K_SIZE, OFF(mem_max), 0, 67108864 },
    { "header-timeout", 0, K_MS, OFF(header_timeout), 1, MS_MAX },
    { "idle-timeout", 0, K_MS, OFF(idle_timeout), 1, MS_MAX },
    { "send-timeout", 0, K_MS, OFF(send_timeout), 1, MS_MAX },
    { "drain-timeout", 0, K_MS, OFF(drain_timeout), 1, MS_MAX },
    { "max-age", 0, K_UINT, OFF(max_age_other), 0, 31536000 },
    { "listen-tls", 0, K_LISTEN, LIST_TLS, 0, 0 },
    { "redirect-http", 0, K_LISTEN, LIST_REDIRECT, 0, 0 },
    { "tls-cert", 0, K_CERT, 0, 0, 0 },
    { "tls-key", 0, K_KEY, 0, 0, 0 },
    { "hsts", 0, K_HSTS, 0, 0, 0 },
    { "tls-session-timeout", 0, K_MS, OFF(tls_session_timeout), 1000, MS_MAX },
    { "tls-session-cache", 0, K_UINT, OFF(tls_session_cache), 0, 1000000 },
    { "cache-control", 0, K_CACHE, 0, KE_CH_BROWSER, 0 },
    { "cdn-cache-control", 0, K_CACHE, 0, KE_CH_CDN, 0 },
    { "surrogate-control", 0, K_CACHE, 0, KE_CH_SURROGATE, 0 },
    { "no-transform", 0, K_ONOFF, OFF(no_transform), 0, 0 },
    { "purge-keys", 0, K_PURGE_KEYS, 0, 0, 0 },
    { "link-preload", 0, K_ONOFF, OFF(link_preload), 0, 0 },
    { "early-hints", 0, K_ONOFF, OFF(early_hints), 0, 0 },
    { "http2", 0, K_ONOFF, OFF(http2), 0, 0 },
    { "http2-max-streams", 0, K_UINT, OFF(h2_max_streams), 1, 1000 },
    { "http2-max-resets", 0, K_UINT, OFF(h2_max_resets), 1, 1000000 },
    { "http2-max-continuations", 0, K_UINT, OFF(h2_max_continuations), 0, 1000 },
    { "http2-max-glitches", 0, K_UINT, OFF(h2_max_glitches), 1, 1000000 },
    { "http2-max-control", 0, K_UINT, OFF(h2_max_control), 1, 1000000 },
    { "user", 0, K_USER, 0, 0, 0 },
    { "allow-root", 0, K_ONOFF, OFF(allow_root), 0, 0 },
    { "sandbox", 0, K_ONOFF, OFF(sandbox), 0, 0 },
    { "config", 0, K_CONFIG, 0, 0, 0 },
    { "help", 'h', K_HELP, 0, 0, 0 },
    { "version", 'V', K_VERSION, 0, 0, 0 },
};
#define N_OPTS (sizeof opts / sizeof opts[0])
/* getopt_long returns OPT_VAL0 + index for a long option without a short form. */
#define OPT_VAL0 256

/* Where the values being applied come from: each list (of --listen values,
 * of certificate pairs...) is replaced by the first value of each source and
 * extended by the rest. */
struct source {
    bool listen_seen[LIST_N];
    bool certs_seen;
};

static void
usage(FILE *to)
{
    fputs("usage: kiln-edge [OPTIONS] RELEASE_DIR\n"
          "Serve a kiln release (a directory with kiln-manifest.json, or a plain one).\n\n"
          "  -l, --listen ADDR:PORT     listen address, repeatable; IPv4, [IPv6] or *\n"
          "                             (default: 127.0.0.1:8080)\n"
          "  -w, --workers N|auto       worker threads, 1..256 (default: number of CPUs)\n"
          "      --admin ADDR:PORT|off  /metrics, /healthz, POST /-/reload (default: off)\n"
          "      --access-log FILE|-|off  access log; - is stdout (default: off)\n"
          "      --access-log-format combined|json  (default: combined)\n"
          "      --spa-fallback PATH|off  entry document for unknown navigation paths\n"
          "                             (default: off)\n"
          "      --keep-releases N      previous releases whose immutable assets stay\n"
          "                             servable after a reload (default: 2)\n"
          "      --max-age SECONDS      Cache-Control max-age of other files (default: 300)\n"
          "      --listen-tls ADDR:PORT HTTPS listen address, repeatable (default: none)\n"
          "      --tls-cert FILE        PEM certificate chain, leaf first; repeatable, each\n"
          "                             followed by its --tls-key; chosen by SNI, the first\n"
          "                             is the default\n"
          "      --tls-key FILE         PEM private key (RSA or ECDSA) of the last --tls-cert\n"
          "      --redirect-http ADDR:PORT  plain HTTP listener answering 301 to https\n"
          "      --hsts SECONDS|off     Strict-Transport-Security max-age (default: off)\n"
          "      --tls-session-timeout TIME  session resumption lifetime (default: 1h)\n"
          "      --tls-session-cache N  session-ID cache entries, 0 = off (default: 1024)\n"
          "      --cache-control CLASS|/GLOB VALUE      browser Cache-Control of a class\n"
          "      --cdn-cache-control CLASS|/GLOB VALUE|off  CDN-Cache-Control\n"
          "      --surrogate-control CLASS|/GLOB VALUE|off  Surrogate-Control\n"
          "                             (CLASS: immutable, entry, sw, other; see docs/cdn.md)\n"
          "      --no-transform on|off  add no-transform to Cache-Control (default: off)\n"
          "      --purge-keys surrogate-key|cache-tag|both|off  (default: surrogate-key)\n"
          "      --link-preload on|off  Link preload headers on entry documents (default: on)\n"
          "      --early-hints on|off   103 Early Hints, HTTP/1.1 and h2 (default: off)\n"
          "      --http2 on|off         HTTP/2: ALPN h2 on TLS listeners, h2c with prior\n"
          "                             knowledge on plain ones (default: on)\n"
          "      --http2-max-streams N  concurrent streams per connection (default: 100)\n"
          "      --http2-max-resets N   client RST_STREAMs: a burst of N, then N/30 a second\n"
          "                             (rapid reset; default: 1000)\n"
          "      --http2-max-continuations N  CONTINUATION frames per header block (default: 8)\n"
          "      --http2-max-glitches N resets kiln-edge must send, protocol errors, empty\n"
          "                             frames: a burst of N, then N/10 a second (default: 100)\n"
          "      --http2-max-control N  SETTINGS and PING frames a second (default: 100)\n"
          "      --max-header-size SIZE request line + headers (default: 8k)\n"
          "      --max-uri-size SIZE    request target (default: 4k)\n"
          "      --max-headers N        header fields per request (default: 64)\n"
          "      --max-requests N       requests per connection, 0 = no limit (default: 1000)\n"
          "      --max-connections N    open connections per worker (default: 16384)\n"
          "      --mem-max SIZE         files up to SIZE are held in memory, larger ones\n"
          "                             mapped (default: 64k)\n"
          "      --header-timeout TIME  first byte to complete head (default: 10s)\n"
          "      --idle-timeout TIME    keep-alive wait between requests (default: 60s)\n"
          "      --send-timeout TIME    a write making no progress (default: 60s)\n"
          "      --drain-timeout TIME   on SIGTERM, limit for in-flight requests (default: 10s)\n"
          "      --user NAME[:GROUP]    after binding and loading the keys, switch to this\n"
          "                             user (and its group, or GROUP) for good\n"
          "      --allow-root on|off    keep serving as root when started as root without\n"
          "                             --user (default: off: refuse to start)\n"
          "      --sandbox on|off       Landlock: after startup read only the site and the\n"
          "                             certificates, write and execute nothing (default: on)\n"
          "      --config FILE          read options from FILE first (\"name value\" lines)\n"
          "  -h, --help                 this help\n"
          "  -V, --version              print the version\n\n"
          "SIZE: bytes, or a number with k or m (KiB, MiB). TIME: milliseconds, or a\n"
          "number with ms, s, m or h.\n",
          to);
}

/* Online CPUs this process may run on (a cpuset or taskset limits it below
 * sysconf's count), clamped to the workers range. */
static unsigned
cpu_count(void)
{
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > 256)
        n = 256;
    return (unsigned)n;
}

void
ke_config_defaults(struct ke_config *c)
{
    memset(c, 0, sizeof *c);
    (void)ke_listen_parse("127.0.0.1:8080", &c->listen[0]);
    c->n_listen = 1;
    c->workers = cpu_count();
    c->admin_on = false;
    c->access_log_format = KE_LOG_COMBINED;
    c->keep_releases = 2;
    c->max_head = 8192;
    c->max_target = 4096;
    c->max_headers = 64;
    c->max_requests = 1000;
    c->max_conns = 16384;
    c->mem_max = 65536;
    c->header_timeout = 10000;
    c->idle_timeout = 60000;
    c->send_timeout = 60000;
    c->drain_timeout = 10000;
    c->http2 = true;
    c->h2_max_streams = 100;
    c->h2_max_resets = 1000;
    c->h2_max_continuations = 8;
    c->h2_max_glitches = 100;
    c->h2_max_control = 100;
    c->max_age_other = 300;
    c->tls_session_timeout = 3600000;
    c->tls_session_cache = 1024;
    c->sandbox = true;
    ke_cache_defaults(c);
}

/* Reads a decimal port: 1..65535, digits only (no sign, no spaces). */
static int
parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;
    size_t n = 0;
    for (; kc_is_digit(s[n]); n++) {
        v = v * 10 + (unsigned long)(s[n] - '0');
        if (v > 65535)
            return -1;
    }
    if (n == 0 || s[n] != '\0' || v == 0)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/*
 * ke_listen_parse with a reason: returns NULL on success, else a static
 * phrase saying which part is wrong. l is written only on success.
 */
static const char *
listen_parse(const char *s, struct ke_listen *l)
{
    char host[64];
    const char *port;
    bool v6 = false;

    if (strlen(s) >= sizeof l->text)
        return "address too long";
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close)
            return "missing ']' after IPv6 address";
        if (close[1] != ':')
            return "missing ':PORT'";
        if ((size_t)(close - s - 1) >= sizeof host)
            return "invalid address";
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        port = close + 2;
        v6 = true;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon)
            return "missing ':PORT'";
        if ((size_t)(colon - s) >= sizeof host)
            return "invalid address";
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
        if (strchr(host, ':'))
            return "IPv6 address must be in brackets";
    }

    uint16_t p;
    if (parse_port(port, &p) != 0)
        return "invalid port (want 1..65535)";

    struct ke_listen out;
    memset(&out, 0, sizeof out);
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out.addr;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return "invalid address (want a numeric IPv4 or [IPv6] address, or *)";
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(p);
        out.addr_len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&out.addr;
        if (strcmp(host, "*") == 0)
            a->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return "invalid address (want a numeric IPv4 or [IPv6] address, or *)";
        a->sin_family = AF_INET;
        a->sin_port = htons(p);
        out.addr_len = sizeof *a;
    }
    snprintf(out.text, sizeof out.text, "%s", s);
    *l = out;
    return NULL;
}

int
ke_listen_parse(const char *s, struct ke_listen *l)
{
    return listen_parse(s, l) ? -1 : 0;
}

static bool
same_addr(const struct ke_listen *a, const struct ke_listen *b)
{
    return a->addr_len == b->addr_len && memcmp(&a->addr, &b->addr, a->addr_len) == 0;
}

/* Reads digits into *v; returns the first byte after them, or NULL when there
 * are none or the number exceeds 10^15 (far past every range below, so the
 * unit multiplications that follow cannot overflow). */
static const char *
parse_digits(const char *s, unsigned long long *v)
{
    const char *p = s;
    *v = 0;
    while (kc_is_digit(*p)) {
        *v = *v * 10 + (unsigned long long)(*p - '0');
        if (*v > 1000000000000000ull)
            return NULL;
        p++;
    }
    return p == s ? NULL : p;
}

/* Copies a path-like value into dst[dstsz]; "" is refused by the caller's
 * missing-value check, an over-long one here. */
static int
set_string(char *dst, size_t dstsz, const char *v, char *why, size_t whysz)
{
    if (strlen(v) >= dstsz)
        return ke_fail(why, whysz, "value too long (at most %zu bytes)", dstsz - 1);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/*
 * Applies one option's value to c. On error returns -1 with the reason,
 * without the "FILE:LINE: " or "--opt: " prefix, in why. val is never NULL
 * nor empty (the callers report a missing value themselves).
 */
static int
apply(struct ke_config *c, const struct opt *o, const char *val, struct source *src, char *why,
      size_t whysz)
{
    unsigned long long v;
    const char *end;

    switch (o->kind) {
    case K_RELEASE: return set_string(c->release_dir, sizeof c->release_dir, val, why, whysz);
    case K_LISTEN: {
        struct ke_listen *list = o->off == LIST_TLS        ? c->listen_tls
                                 : o->off == LIST_REDIRECT ? c->redirect_http
                                                           : c->listen;
        unsigned *n = o->off == LIST_TLS        ? &c->n_listen_tls
                      : o->off == LIST_REDIRECT ? &c->n_redirect_http
                                                : &c->n_listen;
        if (!src->listen_seen[o->off]) {
            *n = 0; /* the first of a source replaces the earlier list */
            src->listen_seen[o->off] = true;
        }
        if (strcmp(val, "off") == 0) {
            *n = 0;
            return 0;
        }
        struct ke_listen l;
        const char *bad = listen_parse(val, &l);
        if (bad)
            return ke_fail(why, whysz, "%s: '%s'", bad, val);
        for (unsigned i = 0; i < *n; i++)
            if (same_addr(&list[i], &l))
                return ke_fail(why, whysz, "'%s' is listed twice", val);
        if (*n == KE_MAX_LISTEN)
            return ke_fail(why, whysz, "too many addresses (at most %d)", KE_MAX_LISTEN);
        list[(*n)++] = l;
        return 0;
    }
    case K_CERT:
        if (!src->certs_seen) {
            c->n_certs = 0;
            src->certs_seen = true;
        }
        if (c->n_certs == KE_MAX_CERTS)
            return ke_fail(why, whysz, "too many certificates (at most %d)", KE_MAX_CERTS);
        c->certs[c->n_certs].key[0] = '\0';
        if (set_string(c->certs[c->n_certs].cert, sizeof c->certs[0].cert, val, why, whysz) != 0)
            return -1;
        c->n_certs++;
        return 0;
    case K_KEY:
        if (!src->certs_seen || c->n_certs == 0 || c->certs[c->n_certs - 1].key[0])
            return ke_fail(why, whysz, "'%s' follows no tls-cert (give tls-cert FILE first)", val);
        return set_string(c->certs[c->n_certs - 1].key, sizeof c->certs[0].key, val, why, whysz);
    case K_HSTS:
        if (strcmp(val, "off") == 0) {
            c->hsts = 0;
            return 0;
        }
        end = parse_digits(val, &v);
        if (!end || *end || v > 63072000)
            return ke_fail(why, whysz, "'%s' is not 'off' or seconds 0..63072000 (2 years)", val);
        c->hsts = (unsigned)v;
        return 0;
    case K_ADMIN: {
        if (strcmp(val, "off") == 0) {
            c->admin_on = false;
            memset(&c->admin, 0, sizeof c->admin);
            return 0;
        }
        const char *bad = listen_parse(val, &c->admin);
        if (bad)
            return ke_fail(why, whysz, "%s: '%s'", bad, val);
        c->admin_on = true;
        return 0;
    }
    case K_WORKERS:
        if (strcmp(val, "auto") == 0) {
            c->workers = cpu_count();
            return 0;
        }
        end = parse_digits(val, &v);
        if (!end || *end)
            return ke_fail(why, whysz, "'%s' is not a number or 'auto'", val);
        if (v < o->min || v > o->max)
            return ke_fail(why, whysz, "'%s' is out of range %llu..%llu", val, o->min, o->max);
        c->workers = (unsigned)v;
        return 0;
    case K_UINT:
        end = parse_digits(val, &v);
        if (!end || *end)
            return ke_fail(why, whysz, "'%s' is not a number", val);
        if (v < o->min || v > o->max)
            return ke_fail(why, whysz, "'%s' is out of range %llu..%llu", val, o->min, o->max);
        *(unsigned *)((char *)c + o->off) = (unsigned)v;
        return 0;
    case K_SIZE:
        end = parse_digits(val, &v);
        if (end && (*end == 'k' || *end == 'K')) {
            v *= 1024;
            end++;
        } else if (end && (*end == 'm' || *end == 'M')) {
            v *= 1048576;
            end++;
        }
        if (!end || *end)
            return ke_fail(why, whysz, "'%s' is not a size (bytes, or a number with k or m)", val);
        if (v < o->min || v > o->max)
            return ke_fail(why, whysz, "'%s' is out of range %llu..%llu bytes", val, o->min,
                           o->max);
        *(size_t *)((char *)c + o->off) = (size_t)v;
        return 0;
    case K_MS:
        end = parse_digits(val, &v);
        if (end && strcmp(end, "ms") == 0) {
            end += 2;
        } else if (end && strcmp(end, "s") == 0) {
            v *= 1000;
            end++;
        } else if (end && strcmp(end, "m") == 0) {
            v *= 60000;
            end++;
        } else if (end && strcmp(end, "h") == 0) {
            v *= 3600000;
            end++;
        }
        if (!end || *end)
            return ke_fail(why, whysz,
                           "'%s' is not a duration (milliseconds, or a number with ms, s, m or h)",
                           val);
        if (v < o->min || v > o->max)
            return ke_fail(why, whysz, "'%s' is out of range %llu..%llu ms", val, o->min, o->max);
        *(unsigned *)((char *)c + o->off) = (unsigned)v;
        return 0;
    case K_ACCESS_LOG:
        if (strcmp(val, "off") == 0) {
            c->access_log[0] = '\0';
            return 0;
        }
        return set_string(c->access_log, sizeof c->access_log, val, why, whysz);
    case K_LOG_FORMAT:
        if (strcmp(val, "combined") == 0)
            c->access_log_format = KE_LOG_COMBINED;
        else if (strcmp(val, "json") == 0)
            c->access_log_format = KE_LOG_JSON;
        else
            return ke_fail(why, whysz, "'%s' is not 'combined' or 'json'", val);
        return 0;
    case K_SPA:
        if (strcmp(val, "off") == 0) {
            c->spa_fallback[0] = '\0';
            return 0;
        }
        if (val[0] != '/')
            return ke_fail(why, whysz, "'%s' is not a URL path starting with '/'", val);
        return set_string(c->spa_fallback, sizeof c->spa_fallback, val, why, whysz);
    case K_CACHE: return ke_cache_apply(c, (enum ke_cache_header)o->min, val, why, whysz);
    case K_ONOFF:
        if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
            return ke_fail(why, whysz, "'%s' is not 'on' or 'off'", val);
        *(bool *)((char *)c + o->off) = strcmp(val, "on") == 0;
        return 0;
    case K_PURGE_KEYS:
        if (strcmp(val, "surrogate-key") == 0)
            c->purge_keys = KE_PURGE_SURROGATE_KEY;
        else if (strcmp(val, "cache-tag") == 0)
            c->purge_keys = KE_PURGE_CACHE_TAG;
        else if (strcmp(val, "both") == 0)
            c->purge_keys = KE_PURGE_SURROGATE_KEY | KE_PURGE_CACHE_TAG;
        else if (strcmp(val, "off") == 0)
            c->purge_keys = 0;
        else
            return ke_fail(why, whysz, "'%s' is not surrogate-key, cache-tag, both or off", val);
        return 0;
    case K_USER:
        if (strcmp(val, "off") == 0) {
            c->user[0] = '\0';
            return 0;
        }
        if (val[0] == ':' || val[strlen(val) - 1] == ':')
            return ke_fail(why, whysz, "'%s' is not NAME or NAME:GROUP", val);
        return set_string(c->user, sizeof c->user, val, why, whysz);
    case K_CONFIG:
    case K_HELP:
    case K_VERSION: break;
    }
    return ke_fail(why, whysz, "only valid on the command line");
}

static const struct opt *
find_opt(const char *name)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

/*
 * Applies the config file at path to c. Each line is blank, a comment (first
 * non-blank byte '#'), or "name value": the name is a long option's name, the
 * value the rest of the line with surrounding blanks removed (so a '#' after
 * the value is part of it). Stops at the first error, with "PATH:LINE: reason"
 * in err. Returns 0 or -1.
 */
static int
load_file(struct ke_config *c, const char *path, char *err, size_t errsz)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsz, "--config: cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    struct source src = { { false }, false };
    char line[8192], why[512];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f)) {
            snprintf(err, errsz, "%s:%u: line too long (at most %zu bytes)", path, lineno,
                     sizeof line - 2);
            rc = -1;
            break;
        }
        while (n > 0 && kc_is_space(line[n - 1]))
            line[--n] = '\0';
        char *name = line;
        while (kc_is_space(*name))
            name++;
        if (*name == '\0' || *name == '#')
            continue;
        char *val = name;
        while (*val && !kc_is_space(*val))
            val++;
        if (*val)
            *val++ = '\0';
        while (kc_is_space(*val))
            val++;

        const struct opt *o = find_opt(name);
        if (!o || o->kind == K_HELP || o->kind == K_VERSION) {
            snprintf(err, errsz, "%s:%u: unknown option '%s'", path, lineno, name);
            rc = -1;
            break;
        }
        if (o->kind == K_CONFIG) {
            snprintf(err, errsz, "%s:%u: 'config' is only valid on the command line", path, lineno);
            rc = -1;
            break;
        }
        if (*val == '\0') {
            snprintf(err, errsz, "%s:%u: missing value for '%s'", path, lineno, name);
            rc = -1;
            break;
        }
        if (apply(c, o, val, &src, why, sizeof why) != 0) {
            snprintf(err, errsz, "%s:%u: %s: %s", path, lineno, name, why);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errsz, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    return rc;
}

/* Fills longopts from the table, NULL-terminated. */
static void
build_longopts(struct option *longopts)
{
    size_t k = 0;
    for (size_t i = 0; i < N_OPTS; i++) {
        if (opts[i].kind == K_RELEASE)
            continue; /* positional on the command line */
        bool arg = opts[i].kind != K_HELP && opts[i].kind != K_VERSION;
        longopts[k].name = opts[i].name;
        longopts[k].has_arg = arg ? required_argument : no_argument;
        longopts[k].flag = NULL;
        longopts[k].val = opts[i].short_name ? opts[i].short_name : OPT_VAL0 + (int)i;
        k++;
    }
    memset(&longopts[k], 0, sizeof longopts[k]);
}

/* The table entry getopt_long's return value (or optopt) stands for. */
static const struct opt *
opt_for_val(int val)
{
    if (val >= OPT_VAL0 && val < OPT_VAL0 + (int)N_OPTS)
        return &opts[val - OPT_VAL0];
    for (size_t i = 0; i < N_OPTS; i++)
        if (val != 0 && opts[i].short_name == val)
            return &opts[i];
    return NULL;
}

/*
 * Cross-option checks, after every source was applied: the ones no single
 * value can fail.
 */
static int
check(const struct ke_config *c, char *err, size_t errsz)
{
    if (c->release_dir[0] == '\0') {
        snprintf(err, errsz, "missing RELEASE_DIR (try 'kiln-edge --help')");
        return -1;
    }
    if (c->max_target > c->max_head) {
        snprintf(err, errsz, "max-uri-size (%zu) exceeds max-header-size (%zu)", c->max_target,
                 c->max_head);
        return -1;
    }
    /* Every address once, across all listener kinds and the admin port. */
    const struct ke_listen *all[3 * KE_MAX_LISTEN + 1];
    unsigned n = 0;
    for (unsigned i = 0; i < c->n_listen; i++)
        all[n++] = &c->listen[i];
    for (unsigned i = 0; i < c->n_listen_tls; i++)
        all[n++] = &c->listen_tls[i];
    for (unsigned i = 0; i < c->n_redirect_http; i++)
        all[n++] = &c->redirect_http[i];
    if (c->admin_on)
        all[n++] = &c->admin;
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (same_addr(all[i], all[j])) {
                snprintf(err, errsz, "address '%s' is given for two listeners", all[j]->text);
                return -1;
            }
    if (c->n_listen + c->n_listen_tls + c->n_redirect_http == 0) {
        snprintf(err, errsz, "nothing to listen on (give listen or listen-tls)");
        return -1;
    }
    for (unsigned i = 0; i < c->n_certs; i++)
        if (!c->certs[i].key[0]) {
            snprintf(err, errsz, "tls-cert '%s' has no tls-key after it", c->certs[i].cert);
            return -1;
        }
    if (c->n_listen_tls && !c->n_certs) {
        snprintf(err, errsz, "listen-tls needs a certificate (give tls-cert FILE tls-key FILE)");
        return -1;
    }
    if (!c->n_listen_tls && (c->n_certs || c->n_redirect_http)) {
        snprintf(err, errsz, "%s without listen-tls", c->n_certs ? "tls-cert" : "redirect-http");
        return -1;
    }
    return 0;
}

/*
 * Two getopt_long passes over copies of argv (GNU getopt permutes what it
 * scans, and a pass that stopped at an error would leave an order the other
 * pass reads differently): the first finds --help, --version and --config,
 * so the file is applied before any command-line option wherever --config
 * stands; the second applies the rest in order and reports errors. getopt
 * keeps global state; optind = 0 makes glibc start afresh, so this may be
 * called more than once per process (the unit tests do). argv is not changed.
 */
int
ke_config_parse_args(struct ke_config *c, int argc, char **argv, char *err, size_t errsz)
{
    struct option longopts[N_OPTS + 1];
    const char *shortopts = ":l:w:hV";
    const char *config = NULL;
    char why[512];
    int ch, rc = -1;

    build_longopts(longopts);
    err[0] = '\0';
    opterr = 0;
    if (argc < 1) {
        snprintf(err, errsz, "no arguments");
        return -1;
    }
    char **av = malloc(((size_t)argc + 1) * sizeof *av);
    if (!av) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }

    memcpy(av, argv, (size_t)argc * sizeof *av);
    av[argc] = NULL;
    optind = 0;
    while ((ch = getopt_long(argc, av, shortopts, longopts, NULL)) != -1) {
        const struct opt *o = opt_for_val(ch);
        if (!o)
            continue; /* errors are reported by the second pass */
        if (o->kind == K_HELP) {
            usage(stdout);
            rc = 1;
            goto out;
        }
        if (o->kind == K_VERSION) {
            printf("kiln-edge " KE_VERSION "\n");
            rc = 1;
            goto out;
        }
        if (o->kind == K_CONFIG) {
            if (config) {
                snprintf(err, errsz, "--config: given more than once");
                goto out;
            }
            config = optarg;
        }
    }
    if (config && *config == '\0') {
        snprintf(err, errsz, "--config: missing value");
        goto out;
    }
    if (config && load_file(c, config, err, errsz) != 0)
        goto out;

    struct source cli = { { false }, false };
    memcpy(av, argv, (size_t)argc * sizeof *av);
    optind = 0;
    while ((ch = getopt_long(argc, av, shortopts, longopts, NULL)) != -1) {
        const struct opt *o;
        if (ch == '?') {
            /* optopt: 0 for an unknown long option; a known option's value
             * when a long option that takes none was given one (--help=x). */
            o = opt_for_val(optopt);
            if (optopt == 0)
                snprintf(err, errsz, "unknown option '%s'", av[optind - 1]);
            else if (o)
                snprintf(err, errsz, "--%s: takes no value", o->name);
            else
                snprintf(err, errsz, "unknown option '-%c'", optopt);
            goto out;
        }
        if (ch == ':') {
            o = opt_for_val(optopt);
            snprintf(err, errsz, "--%s: missing value", o ? o->name : "?");
            goto out;
        }
        o = opt_for_val(ch);
        if (!o || o->kind == K_CONFIG)
            continue;
        if (*optarg == '\0') {
            snprintf(err, errsz, "--%s: missing value", o->name);
            goto out;
        }
        if (apply(c, o, optarg, &cli, why, sizeof why) != 0) {
            snprintf(err, errsz, "--%s: %s", o->name, why);
            goto out;
        }
    }
    if (optind < argc - 1) {
        snprintf(err, errsz, "unexpected argument '%s' (one RELEASE_DIR only)", av[optind + 1]);
        goto out;
    }
    if (optind == argc - 1) {
        if (av[optind][0] == '\0') {
            snprintf(err, errsz, "RELEASE_DIR is empty");
            goto out;
        }
        if (set_string(c->release_dir, sizeof c->release_dir, av[optind], why, sizeof why) != 0) {
            snprintf(err, errsz, "RELEASE_DIR: %s", why);
            goto out;
        }
    }
    rc = check(c, err, errsz);
out:
    free(av);
    return rc;
}
