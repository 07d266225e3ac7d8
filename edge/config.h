/*
 * kiln-edge's configuration: every option, its default, and the parsers for
 * the command line and the config file (one "name value" per line, the same
 * names as the long options). The file is read first, then the command line
 * overrides it. A struct ke_config is plain data, filled once at startup and
 * read-only afterwards (workers read it without locks).
 */
#ifndef KE_CONFIG_H
#define KE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define KE_MAX_LISTEN 16
#define KE_MAX_CERTS  16

struct ke_listen {
    char text[96];                /* as written: "127.0.0.1:8080", "[::1]:8443" */
    struct sockaddr_storage addr; /* parsed, port included */
    socklen_t addr_len;
};

enum ke_log_format { KE_LOG_COMBINED, KE_LOG_JSON };

/* One --tls-cert FILE --tls-key FILE pair: a PEM chain (leaf first) and its
 * private key. */
struct ke_cert_pair {
    char cert[1024];
    char key[1024];
};

/* Cache policy classes (docs/cdn.md): what --cache-control and friends name. */
enum ke_policy {
    KE_POLICY_IMMUTABLE, /* fingerprinted URLs */
    KE_POLICY_ENTRY,     /* entry documents (*.html) */
    KE_POLICY_SW,        /* sw.js */
    KE_POLICY_OTHER,     /* other stable URLs */
    KE_POLICY_COUNT
};

/* The cache headers a policy sets. */
enum ke_cache_header { KE_CH_BROWSER, KE_CH_CDN, KE_CH_SURROGATE, KE_CH_COUNT };

#define KE_CACHE_VALUE_MAX 256
#define KE_MAX_CACHE_RULES 32

/* A per-glob override: URL paths matching glob get value for header. */
struct ke_cache_rule {
    char glob[KE_CACHE_VALUE_MAX];
    enum ke_cache_header header;
    char value[KE_CACHE_VALUE_MAX]; /* "" = header not sent */
};

#define KE_PURGE_SURROGATE_KEY 1u /* Surrogate-Key: a b c (Fastly, Akamai, Varnish xkey) */
#define KE_PURGE_CACHE_TAG     2u /* Cache-Tag: a,b,c (Cloudflare) */

struct ke_config {
    char release_dir[4096]; /* RELEASE_DIR: kiln-manifest.json inside, or a plain directory */

    struct ke_listen listen[KE_MAX_LISTEN]; /* -l/--listen, repeatable; default 127.0.0.1:8080;
                                               "off" empties the list */
    unsigned n_listen;
    unsigned workers;       /* -w/--workers; default: number of CPUs */
    struct ke_listen admin; /* --admin ADDR:PORT: /metrics, /healthz, POST /-/reload */
    bool admin_on;          /* default off */

    char access_log[4096]; /* --access-log FILE|-|off; default off ("") ; "-" is stdout */
    enum ke_log_format access_log_format; /* --access-log-format combined|json */

    char spa_fallback[1024]; /* --spa-fallback /index.html: entry document served for
                                unknown navigation paths; "" = off (default) */
    unsigned keep_releases;  /* --keep-releases N: previous releases whose immutable
                                assets stay servable after a reload; default 2 */

    /* Limits (RFC 9112 parsing and resource bounds). */
    size_t max_head;       /* --max-header-size BYTES: request line + headers; 8192 */
    size_t max_target;     /* --max-uri-size BYTES: request-target; 4096 */
    unsigned max_headers;  /* --max-headers N; 64 */
    unsigned max_requests; /* --max-requests N per connection; 1000 (0 = unlimited) */
    unsigned max_conns;    /* --max-connections N per worker; 16384 */
    size_t mem_max;        /* --mem-max BYTES: files up to this size are read into
                              memory; larger ones are mapped; 65536 */

    /* Timeouts, milliseconds. */
    unsigned header_timeout; /* --header-timeout: first byte to full head; 10000 */
    unsigned idle_timeout;   /* --idle-timeout: keep-alive between requests; 60000 */
    unsigned send_timeout;   /* --send-timeout: a write making no progress; 60000 */
    unsigned drain_timeout;  /* --drain-timeout: on SIGTERM, in-flight limit; 10000 */

    /* TLS (docs/tls.md). */
    struct ke_listen listen_tls[KE_MAX_LISTEN]; /* --listen-tls ADDR:PORT, repeatable; none */
    unsigned n_listen_tls;
    struct ke_listen redirect_http[KE_MAX_LISTEN]; /* --redirect-http ADDR:PORT: plain HTTP
                                                      answered with 301 to https; none */
    unsigned n_redirect_http;
    struct ke_cert_pair certs[KE_MAX_CERTS]; /* --tls-cert/--tls-key pairs; the first is the
                                                default when SNI names none of them */
    unsigned n_certs;
    unsigned hsts;                /* --hsts SECONDS|off: Strict-Transport-Security max-age on
                                     TLS responses; 0 = off (default) */
    unsigned tls_session_timeout; /* --tls-session-timeout: session cache entries and ticket
                                     keys live this long (ms); 3600000 */
    unsigned tls_session_cache;   /* --tls-session-cache N: session-ID cache entries shared by
                                     all workers, 0 = off; 1024 */

    /* Cache-Control max-age for files that are neither fingerprinted nor entry
     * documents (unreferenced files, plain directory mode); --max-age SECONDS; 300 */
    unsigned max_age_other;

    /* CDN origin (docs/cdn.md). policy[class][header]: --cache-control,
     * --cdn-cache-control, --surrogate-control CLASS VALUE; "" = not sent
     * (for the browser header of "other": "public, max-age=<max-age>"). */
    char policy[KE_POLICY_COUNT][KE_CH_COUNT][KE_CACHE_VALUE_MAX];
    struct ke_cache_rule rules[KE_MAX_CACHE_RULES]; /* the same options with a /GLOB */
    unsigned n_rules;
    bool no_transform;   /* --no-transform on: ", no-transform" on every Cache-Control */
    unsigned purge_keys; /* --purge-keys: KE_PURGE_* bits; default Surrogate-Key */
    bool link_preload;   /* --link-preload: Link on entry documents; default on */
    bool early_hints;    /* --early-hints: 103 before entry documents' navigations; off */
    bool http2;          /* --http2: ALPN h2 and h2c with prior knowledge; on */
    /* HTTP/2 limits per connection (docs/kiln-edge.md#http2). */
    unsigned h2_max_streams;       /* --http2-max-streams: SETTINGS_MAX_CONCURRENT_STREAMS; 100 */
    unsigned h2_max_resets;        /* --http2-max-resets: client RST_STREAM burst, refilled at
                                      a 30th a second (rapid reset); 1000 */
    unsigned h2_max_continuations; /* --http2-max-continuations per header block; 8 */
    unsigned h2_max_glitches;      /* --http2-max-glitches: resets sent, protocol errors, empty
                                      frames: burst, refilled at a 10th a second; 100 */
    unsigned h2_max_control;       /* --http2-max-control: SETTINGS and PING a second; 100 */

    /* Least privilege (docs/security.md). */
    char user[256];  /* --user NAME[:GROUP]: switched to for good after binding and
                        loading the certificates; "" = stay as started (default) */
    bool allow_root; /* --allow-root: keep serving as root without --user; off */
    bool sandbox;    /* --sandbox: Landlock confines reads to the site and the
                        certificates' folders after startup; on */
};

/* Fills c with the defaults listed above. */
void ke_config_defaults(struct ke_config *c);

/*
 * Parses argv (after ke_config_defaults). Handles --config FILE by reading the
 * file first, wherever the option appears, then applying the command line.
 * Returns 0 with c filled; 1 when --help or --version was printed (exit 0);
 * -1 on a usage or config error, with one line naming the cause written to
 * err ("kiln-edge.conf:12: unknown option 'listen-tls'").
 */
int ke_config_parse_args(struct ke_config *c, int argc, char **argv, char *err, size_t errsz);

/* Parses "ADDR:PORT" ("127.0.0.1:8080", "[::1]:8080", "*:80", "localhost:8080"
 * is rejected: numeric addresses only) into l. Returns 0 or -1. */
int ke_listen_parse(const char *s, struct ke_listen *l);

#endif
