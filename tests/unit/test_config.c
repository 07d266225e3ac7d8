/*
 * kiln-edge's options (edge/config.c): defaults, the command line, the config
 * file, which one wins, and the exact one-line errors an operator sees. Also
 * checks that the shipped kiln-edge.conf states the real
 * defaults, so the documentation cannot drift from the code.
 */
#include "edge/config.h"
#include "tests/kt.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

static struct ke_config cfg, want;
static char err[8192];
static char tmp_path[64];

/* Runs ke_config_parse_args on defaults with "kiln-edge" and the NULL-ended
 * arguments. */
static int
parse(const char *arg, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    argv[argc++] = "kiln-edge";
    va_start(ap, arg);
    for (const char *a = arg; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    ke_config_defaults(&cfg);
    err[0] = '\0';
    return ke_config_parse_args(&cfg, argc, argv, err, sizeof err);
}

/* Writes text to a fresh file under /tmp; its name is in tmp_path until
 * rm_tmp(). */
static void rm_tmp(void);

static const char *
write_tmp(const char *text)
{
    rm_tmp(); /* one at a time: a failed check may have skipped the last rm_tmp */
    snprintf(tmp_path, sizeof tmp_path, "/tmp/kiln-edge-conf-XXXXXX");
    int fd = mkstemp(tmp_path);
    KT_CHECK(fd >= 0);
    size_t n = strlen(text);
    KT_CHECK(write(fd, text, n) == (ssize_t)n);
    close(fd);
    return tmp_path;
}

static void
rm_tmp(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
    tmp_path[0] = '\0';
}

/* err with the temp file's name replaced by "F", so tests can state the
 * exact text. */
static const char *
err_f(void)
{
    static char out[8192];
    size_t n = strlen(tmp_path);
    if (n && strncmp(err, tmp_path, n) == 0)
        snprintf(out, sizeof out, "F%s", err + n);
    else
        snprintf(out, sizeof out, "%s", err);
    return out;
}

/* Parses a config file holding text, plus "dist" as RELEASE_DIR. */
static int
parse_file(const char *text)
{
    const char *p = write_tmp(text);
    int rc = parse("--config", p, "dist", NULL);
    return rc;
}

static unsigned
port_of(const struct ke_listen *l)
{
    if (l->addr.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&l->addr)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)&l->addr)->sin6_port);
}

static void
check_same_listen(const struct ke_listen *a, const struct ke_listen *b)
{
    KT_EQ_STR(a->text, b->text);
    KT_EQ_INT(a->addr_len, b->addr_len);
    KT_CHECK(memcmp(&a->addr, &b->addr, a->addr_len) == 0);
}

/* Every field of a equals b's. */
static void
check_same(const struct ke_config *a, const struct ke_config *b)
{
    KT_EQ_STR(a->release_dir, b->release_dir);
    KT_EQ_INT(a->n_listen, b->n_listen);
    for (unsigned i = 0; i < a->n_listen; i++)
        check_same_listen(&a->listen[i], &b->listen[i]);
    KT_EQ_INT(a->workers, b->workers);
    KT_EQ_INT(a->admin_on, b->admin_on);
    if (a->admin_on)
        check_same_listen(&a->admin, &b->admin);
    KT_EQ_STR(a->access_log, b->access_log);
    KT_EQ_INT(a->access_log_format, b->access_log_format);
    KT_EQ_STR(a->spa_fallback, b->spa_fallback);
    KT_EQ_INT(a->keep_releases, b->keep_releases);
    KT_EQ_INT(a->max_head, b->max_head);
    KT_EQ_INT(a->max_target, b->max_target);
    KT_EQ_INT(a->max_headers, b->max_headers);
    KT_EQ_INT(a->max_requests, b->max_requests);
    KT_EQ_INT(a->max_conns, b->max_conns);
    KT_EQ_INT(a->mem_max, b->mem_max);
    KT_EQ_INT(a->header_timeout, b->header_timeout);
    KT_EQ_INT(a->idle_timeout, b->idle_timeout);
    KT_EQ_INT(a->send_timeout, b->send_timeout);
    KT_EQ_INT(a->drain_timeout, b->drain_timeout);
    KT_EQ_INT(a->max_age_other, b->max_age_other);
    for (int p = 0; p < KE_POLICY_COUNT; p++)
        for (int h = 0; h < KE_CH_COUNT; h++)
            KT_EQ_STR(a->policy[p][h], b->policy[p][h]);
    KT_EQ_INT(a->n_rules, b->n_rules);
    KT_EQ_INT(a->no_transform, b->no_transform);
    KT_EQ_INT(a->purge_keys, b->purge_keys);
    KT_EQ_INT(a->link_preload, b->link_preload);
    KT_EQ_INT(a->early_hints, b->early_hints);
    KT_EQ_INT(a->http2, b->http2);
    KT_EQ_STR(a->user, b->user);
    KT_EQ_INT(a->allow_root, b->allow_root);
    KT_EQ_INT(a->sandbox, b->sandbox);
    KT_EQ_INT(a->n_listen_tls, b->n_listen_tls);
    for (unsigned i = 0; i < a->n_listen_tls; i++)
        check_same_listen(&a->listen_tls[i], &b->listen_tls[i]);
    KT_EQ_INT(a->n_redirect_http, b->n_redirect_http);
    for (unsigned i = 0; i < a->n_redirect_http; i++)
        check_same_listen(&a->redirect_http[i], &b->redirect_http[i]);
    KT_EQ_INT(a->n_certs, b->n_certs);
    for (unsigned i = 0; i < a->n_certs; i++) {
        KT_EQ_STR(a->certs[i].cert, b->certs[i].cert);
        KT_EQ_STR(a->certs[i].key, b->certs[i].key);
    }
    KT_EQ_INT(a->hsts, b->hsts);
    KT_EQ_INT(a->tls_session_timeout, b->tls_session_timeout);
    KT_EQ_INT(a->tls_session_cache, b->tls_session_cache);
}

static void
t_defaults(void)
{
    ke_config_defaults(&cfg);
    KT_EQ_STR(cfg.release_dir, "");
    KT_EQ_INT(cfg.n_listen, 1);
    KT_EQ_STR(cfg.listen[0].text, "127.0.0.1:8080");
    KT_EQ_INT(cfg.listen[0].addr.ss_family, AF_INET);
    KT_EQ_INT(port_of(&cfg.listen[0]), 8080);
    KT_CHECK(cfg.workers >= 1 && cfg.workers <= 256);
    KT_CHECK(!cfg.admin_on);
    KT_EQ_STR(cfg.access_log, "");
    KT_EQ_INT(cfg.access_log_format, KE_LOG_COMBINED);
    KT_EQ_STR(cfg.spa_fallback, "");
    KT_EQ_INT(cfg.keep_releases, 2);
    KT_EQ_INT(cfg.max_head, 8192);
    KT_EQ_INT(cfg.max_target, 4096);
    KT_EQ_INT(cfg.max_headers, 64);
    KT_EQ_INT(cfg.max_requests, 1000);
    KT_EQ_INT(cfg.max_conns, 16384);
    KT_EQ_INT(cfg.mem_max, 65536);
    KT_EQ_INT(cfg.header_timeout, 10000);
    KT_EQ_INT(cfg.idle_timeout, 60000);
    KT_EQ_INT(cfg.send_timeout, 60000);
    KT_EQ_INT(cfg.drain_timeout, 10000);
    KT_EQ_INT(cfg.max_age_other, 300);
}

static void
t_release_only(void)
{
    KT_EQ_INT(parse("dist", NULL), 0);
    KT_EQ_STR(cfg.release_dir, "dist");
    want = cfg;
    ke_config_defaults(&cfg);
    snprintf(cfg.release_dir, sizeof cfg.release_dir, "dist");
    check_same(&want, &cfg);
}

static void
t_missing_release(void)
{
    KT_EQ_INT(parse("-w", "2", NULL), -1);
    KT_EQ_STR(err, "missing RELEASE_DIR (try 'kiln-edge --help')");
    KT_EQ_INT(parse("a", "b", NULL), -1);
    KT_EQ_STR(err, "unexpected argument 'b' (one RELEASE_DIR only)");
}

static void
t_every_option_cli(void)
{
    KT_EQ_INT(parse("--listen", "10.0.0.1:80", "-l", "[::1]:8443", "--workers", "3",
                    "--admin=127.0.0.1:9090", "--access-log", "/var/log/edge.log",
                    "--access-log-format", "json", "--spa-fallback", "/index.html",
                    "--keep-releases", "5", "--max-header-size", "16k", "--max-uri-size", "2k",
                    "--max-headers", "100", "--max-requests", "0", "--max-connections", "500",
                    "--mem-max", "1m", "--header-timeout", "5s", "--idle-timeout", "2m",
                    "--send-timeout", "1500ms", "--drain-timeout", "250", "--max-age", "60", "site",
                    NULL),
              0);
    KT_EQ_STR(cfg.release_dir, "site");
    KT_EQ_INT(cfg.n_listen, 2);
    KT_EQ_STR(cfg.listen[0].text, "10.0.0.1:80");
    KT_EQ_STR(cfg.listen[1].text, "[::1]:8443");
    KT_EQ_INT(cfg.listen[1].addr.ss_family, AF_INET6);
    KT_EQ_INT(cfg.workers, 3);
    KT_CHECK(cfg.admin_on);
    KT_EQ_STR(cfg.admin.text, "127.0.0.1:9090");
    KT_EQ_INT(port_of(&cfg.admin), 9090);
    KT_EQ_STR(cfg.access_log, "/var/log/edge.log");
    KT_EQ_INT(cfg.access_log_format, KE_LOG_JSON);
    KT_EQ_STR(cfg.spa_fallback, "/index.html");
    KT_EQ_INT(cfg.keep_releases, 5);
    KT_EQ_INT(cfg.max_head, 16384);
    KT_EQ_INT(cfg.max_target, 2048);
    KT_EQ_INT(cfg.max_headers, 100);
    KT_EQ_INT(cfg.max_requests, 0);
    KT_EQ_INT(cfg.max_conns, 500);
    KT_EQ_INT(cfg.mem_max, 1048576);
    KT_EQ_INT(cfg.header_timeout, 5000);
    KT_EQ_INT(cfg.idle_timeout, 120000);
    KT_EQ_INT(cfg.send_timeout, 1500);
    KT_EQ_INT(cfg.drain_timeout, 250);
    KT_EQ_INT(cfg.max_age_other, 60);
}

static void
t_every_option_file(void)
{
    int rc = parse_file("# a comment\n"
                        "\n"
                        "release site\n"
                        "listen 10.0.0.1:80\n"
                        "  listen\t[::1]:8443  \r\n"
                        "workers 3\n"
                        "admin 127.0.0.1:9090\n"
                        "access-log -\n"
                        "access-log-format json\n"
                        "spa-fallback /app/index.html\n"
                        "keep-releases 5\n"
                        "max-header-size 16k\n"
                        "max-uri-size 2K\n"
                        "max-headers 100\n"
                        "max-requests 0\n"
                        "max-connections 500\n"
                        "mem-max 1M\n"
                        "header-timeout 5s\n"
                        "idle-timeout 2m\n"
                        "send-timeout 1500ms\n"
                        "drain-timeout 250\n"
                        "max-age 60\n"
                        "   # an indented comment\n");
    rm_tmp();
    KT_EQ_STR(err, "");
    KT_EQ_INT(rc, 0);
    KT_EQ_STR(cfg.release_dir, "dist"); /* the argument wins over the file's line */
    KT_EQ_INT(cfg.n_listen, 2);
    KT_EQ_STR(cfg.listen[0].text, "10.0.0.1:80");
    KT_EQ_STR(cfg.listen[1].text, "[::1]:8443");
    KT_EQ_INT(cfg.workers, 3);
    KT_CHECK(cfg.admin_on);
    KT_EQ_STR(cfg.admin.text, "127.0.0.1:9090");
    KT_EQ_STR(cfg.access_log, "-");
    KT_EQ_INT(cfg.access_log_format, KE_LOG_JSON);
    KT_EQ_STR(cfg.spa_fallback, "/app/index.html");
    KT_EQ_INT(cfg.keep_releases, 5);
    KT_EQ_INT(cfg.max_head, 16384);
    KT_EQ_INT(cfg.max_target, 2048);
    KT_EQ_INT(cfg.max_headers, 100);
    KT_EQ_INT(cfg.max_requests, 0);
    KT_EQ_INT(cfg.max_conns, 500);
    KT_EQ_INT(cfg.mem_max, 1048576);
    KT_EQ_INT(cfg.header_timeout, 5000);
    KT_EQ_INT(cfg.idle_timeout, 120000);
    KT_EQ_INT(cfg.send_timeout, 1500);
    KT_EQ_INT(cfg.drain_timeout, 250);
    KT_EQ_INT(cfg.max_age_other, 60);
}

static void
t_release_from_file(void)
{
    const char *p = write_tmp("release /srv/www/current\n");
    int rc = parse("--config", p, NULL);
    rm_tmp();
    KT_EQ_INT(rc, 0);
    KT_EQ_STR(cfg.release_dir, "/srv/www/current");
}

static void
t_cli_overrides_file(void)
{
    const char *p = write_tmp("workers 5\nidle-timeout 1s\naccess-log /tmp/a.log\n"
                              "admin 127.0.0.1:9090\nlisten 10.0.0.1:80\n");
    /* --config after the options still goes first: the command line wins. */
    int rc = parse("-w", "7", "--access-log", "off", "--admin", "off", "-l", "*:81", "--config", p,
                   "dist", NULL);
    rm_tmp();
    KT_EQ_STR(err, "");
    KT_EQ_INT(rc, 0);
    KT_EQ_INT(cfg.workers, 7);
    KT_EQ_INT(cfg.idle_timeout, 1000); /* from the file */
    KT_EQ_STR(cfg.access_log, "");
    KT_CHECK(!cfg.admin_on);
    KT_EQ_INT(cfg.n_listen, 1);
    KT_EQ_STR(cfg.listen[0].text, "*:81");
}

static void
t_repeated_listen(void)
{
    KT_EQ_INT(parse("-l", "127.0.0.1:1", "-l", "127.0.0.1:2", "--listen", "[::]:3", "d", NULL), 0);
    KT_EQ_INT(cfg.n_listen, 3);
    KT_EQ_INT(port_of(&cfg.listen[0]), 1);
    KT_EQ_INT(port_of(&cfg.listen[1]), 2);
    KT_EQ_INT(port_of(&cfg.listen[2]), 3);

    /* File lines accumulate, replacing the default; CLI ones replace them. */
    const char *p = write_tmp("listen 127.0.0.1:1\nlisten 127.0.0.1:2\n");
    int rc = parse("--config", p, "d", NULL);
    KT_EQ_INT(rc, 0);
    KT_EQ_INT(cfg.n_listen, 2);
    KT_EQ_STR(cfg.listen[0].text, "127.0.0.1:1");
    KT_EQ_STR(cfg.listen[1].text, "127.0.0.1:2");
    rc = parse("--config", p, "-l", "127.0.0.1:3", "d", NULL);
    rm_tmp();
    KT_EQ_INT(rc, 0);
    KT_EQ_INT(cfg.n_listen, 1);
    KT_EQ_STR(cfg.listen[0].text, "127.0.0.1:3");
}

static void
t_listen_limits(void)
{
    KT_EQ_INT(parse("-l", "127.0.0.1:80", "-l", "127.0.0.1:80", "d", NULL), -1);
    KT_EQ_STR(err, "--listen: '127.0.0.1:80' is listed twice");

    char *argv[40];
    char addrs[17][32];
    int argc = 0;
    argv[argc++] = "kiln-edge";
    for (int i = 0; i < 17; i++) {
        snprintf(addrs[i], sizeof addrs[i], "127.0.0.1:%d", 1000 + i);
        argv[argc++] = "-l";
        argv[argc++] = addrs[i];
    }
    argv[argc++] = "d";
    argv[argc] = NULL;
    ke_config_defaults(&cfg);
    KT_EQ_INT(ke_config_parse_args(&cfg, argc, argv, err, sizeof err), -1);
    KT_EQ_STR(err, "--listen: too many addresses (at most 16)");

    KT_EQ_INT(parse("-l", "127.0.0.1:80", "--admin", "127.0.0.1:80", "d", NULL), -1);
    KT_EQ_STR(err, "address '127.0.0.1:80' is given for two listeners");
}

static void
t_listen_parse_good(void)
{
    struct ke_listen l;
    KT_EQ_INT(ke_listen_parse("1.2.3.4:80", &l), 0);
    KT_EQ_INT(l.addr.ss_family, AF_INET);
    KT_EQ_INT(l.addr_len, sizeof(struct sockaddr_in));
    KT_EQ_INT(ntohl(((struct sockaddr_in *)&l.addr)->sin_addr.s_addr), 0x01020304);
    KT_EQ_INT(port_of(&l), 80);

    KT_EQ_INT(ke_listen_parse("*:8080", &l), 0);
    KT_EQ_INT(l.addr.ss_family, AF_INET);
    KT_EQ_INT(((struct sockaddr_in *)&l.addr)->sin_addr.s_addr, htonl(INADDR_ANY));
    KT_EQ_STR(l.text, "*:8080");

    KT_EQ_INT(ke_listen_parse("[::1]:8080", &l), 0);
    KT_EQ_INT(l.addr.ss_family, AF_INET6);
    KT_EQ_INT(l.addr_len, sizeof(struct sockaddr_in6));
    KT_CHECK(memcmp(&((struct sockaddr_in6 *)&l.addr)->sin6_addr, &in6addr_loopback, 16) == 0);
    KT_EQ_INT(port_of(&l), 8080);
    KT_EQ_STR(l.text, "[::1]:8080");

    KT_EQ_INT(ke_listen_parse("[::]:65535", &l), 0);
    KT_CHECK(memcmp(&((struct sockaddr_in6 *)&l.addr)->sin6_addr, &in6addr_any, 16) == 0);
    KT_EQ_INT(port_of(&l), 65535);

    KT_EQ_INT(ke_listen_parse("[2001:db8::a:b]:1", &l), 0);
    KT_EQ_INT(ke_listen_parse("[::ffff:10.0.0.1]:443", &l), 0);
    KT_EQ_INT(ke_listen_parse("0.0.0.0:1", &l), 0);
}

static void
t_listen_parse_bad(void)
{
    static const char *const bad[] = {
        "",
        "1.2.3.4",
        "1.2.3.4:",
        "1.2.3.4:0",
        "1.2.3.4:65536",
        "1.2.3.4:99999999999999999999",
        "1.2.3.4:+80",
        "1.2.3.4:-1",
        "1.2.3.4:80x",
        "1.2.3.4: 80",
        "localhost:8080",
        "example.com:80",
        "1.2.3:80",
        "256.1.1.1:80",
        ":80",
        "::1:80",
        "[::1]",
        "[::1]80",
        "[::1:80",
        "[localhost]:80",
        "[1.2.3.4]:80",
        "[fe80::1%eth0]:80",
        "*:0",
        "[*]:80",
    };
    struct ke_listen l;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (ke_listen_parse(bad[i], &l) == 0)
            KT_FAIL_("'%s' was accepted", bad[i]);
    }
}

static void
t_bad_port_cli(void)
{
    KT_EQ_INT(parse("-l", "127.0.0.1:70000", "d", NULL), -1);
    KT_EQ_STR(err, "--listen: invalid port (want 1..65535): '127.0.0.1:70000'");
    KT_EQ_INT(parse("--admin", "[::1]:0", "d", NULL), -1);
    KT_EQ_STR(err, "--admin: invalid port (want 1..65535): '[::1]:0'");
}

static void
t_bad_address_file(void)
{
    int rc = parse_file("# listeners\nlisten 127.0.0.1:80\nlisten localhost:8080\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:3: listen: invalid address (want a numeric IPv4 or [IPv6] address, "
                       "or *): 'localhost:8080'");
    rm_tmp();
    rc = parse_file("listen ::1:80\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: listen: IPv6 address must be in brackets: '::1:80'");
    rm_tmp();
    rc = parse_file("\n\nadmin [::1:80\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:3: admin: missing ']' after IPv6 address: '[::1:80'");
    rm_tmp();
}

static void
t_unknown_option(void)
{
    int rc = parse_file("workers 2\n\nlisten-quic 127.0.0.1:443\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:3: unknown option 'listen-quic'");
    rm_tmp();
    rc = parse_file("help yes\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: unknown option 'help'");
    rm_tmp();
    rc = parse_file("config other.conf\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: 'config' is only valid on the command line");
    rm_tmp();

    KT_EQ_INT(parse("--listen-quic", "x", "d", NULL), -1);
    KT_EQ_STR(err, "unknown option '--listen-quic'");
    KT_EQ_INT(parse("-x", "d", NULL), -1);
    KT_EQ_STR(err, "unknown option '-x'");
    KT_EQ_INT(parse("--help=yes", "d", NULL), -1);
    KT_EQ_STR(err, "--help: takes no value");
    KT_EQ_INT(parse("--release", "x", "d", NULL), -1);
    KT_EQ_STR(err, "unknown option '--release'");
}

static void
t_missing_value(void)
{
    int rc = parse_file("workers 2\nidle-timeout   \n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:2: missing value for 'idle-timeout'");
    rm_tmp();
    rc = parse_file("listen\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: missing value for 'listen'");
    rm_tmp();

    KT_EQ_INT(parse("d", "--workers", NULL), -1);
    KT_EQ_STR(err, "--workers: missing value");
    KT_EQ_INT(parse("d", "-l", NULL), -1);
    KT_EQ_STR(err, "--listen: missing value");
    KT_EQ_INT(parse("--access-log=", "d", NULL), -1);
    KT_EQ_STR(err, "--access-log: missing value");
    KT_EQ_INT(parse("d", "--config", NULL), -1);
    KT_EQ_STR(err, "--config: missing value");
}

static void
t_bad_duration(void)
{
    int rc = parse_file("header-timeout 10s\nidle-timeout 60 s\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:2: idle-timeout: '60 s' is not a duration (milliseconds, or a number "
                       "with ms, s, m or h)");
    rm_tmp();
    rc = parse_file("send-timeout 1d\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: send-timeout: '1d' is not a duration (milliseconds, or a number "
                       "with ms, s, m or h)");
    rm_tmp();
    KT_EQ_INT(parse("--drain-timeout", "0", "d", NULL), -1);
    KT_EQ_STR(err, "--drain-timeout: '0' is out of range 1..86400000 ms");
    KT_EQ_INT(parse("--idle-timeout", "1441m", "d", NULL), -1);
    KT_EQ_STR(err, "--idle-timeout: '1441m' is out of range 1..86400000 ms");
    KT_EQ_INT(parse("--idle-timeout", "-5s", "d", NULL), -1);
    KT_EQ_STR(err, "--idle-timeout: '-5s' is not a duration (milliseconds, or a number with ms, "
                   "s, m or h)");
    KT_EQ_INT(parse("--idle-timeout", "2h", "d", NULL), 0);
    KT_EQ_INT(cfg.idle_timeout, 7200000);
    KT_EQ_INT(parse("--idle-timeout", "s", "d", NULL), -1);
    KT_EQ_INT(parse("--idle-timeout", "1.5s", "d", NULL), -1);
    KT_EQ_INT(parse("--idle-timeout", "99999999999999999999", "d", NULL), -1);
}

static void
t_duration_units(void)
{
    KT_EQ_INT(parse("--idle-timeout", "1500", "--send-timeout", "1500ms", "--header-timeout", "3s",
                    "--drain-timeout", "2m", "d", NULL),
              0);
    KT_EQ_INT(cfg.idle_timeout, 1500);
    KT_EQ_INT(cfg.send_timeout, 1500);
    KT_EQ_INT(cfg.header_timeout, 3000);
    KT_EQ_INT(cfg.drain_timeout, 120000);
    KT_EQ_INT(parse("--idle-timeout", "1440m", "d", NULL), 0);
    KT_EQ_INT(cfg.idle_timeout, 86400000);
}

static void
t_size_units(void)
{
    KT_EQ_INT(
        parse("--max-header-size", "65536", "--max-uri-size", "8k", "--mem-max", "2M", "d", NULL),
        0);
    KT_EQ_INT(cfg.max_head, 65536);
    KT_EQ_INT(cfg.max_target, 8192);
    KT_EQ_INT(cfg.mem_max, 2 * 1048576);
    KT_EQ_INT(parse("--mem-max", "0", "d", NULL), 0);
    KT_EQ_INT(cfg.mem_max, 0);

    KT_EQ_INT(parse("--mem-max", "4kb", "d", NULL), -1);
    KT_EQ_STR(err, "--mem-max: '4kb' is not a size (bytes, or a number with k or m)");
    KT_EQ_INT(parse("--max-header-size", "2m", "d", NULL), -1);
    KT_EQ_STR(err, "--max-header-size: '2m' is out of range 1024..1048576 bytes");
    KT_EQ_INT(parse("--max-header-size", "4k", "--max-uri-size", "8k", "d", NULL), -1);
    KT_EQ_STR(err, "max-uri-size (8192) exceeds max-header-size (4096)");
}

static void
t_number_ranges(void)
{
    KT_EQ_INT(parse("-w", "0", "d", NULL), -1);
    KT_EQ_STR(err, "--workers: '0' is out of range 1..256");
    KT_EQ_INT(parse("-w", "257", "d", NULL), -1);
    KT_EQ_STR(err, "--workers: '257' is out of range 1..256");
    KT_EQ_INT(parse("-w", "two", "d", NULL), -1);
    KT_EQ_STR(err, "--workers: 'two' is not a number or 'auto'");
    KT_EQ_INT(parse("-w", "256", "d", NULL), 0);
    KT_EQ_INT(cfg.workers, 256);
    KT_EQ_INT(parse("-w", "auto", "d", NULL), 0);
    want = cfg;
    ke_config_defaults(&cfg);
    KT_EQ_INT(want.workers, cfg.workers);

    KT_EQ_INT(parse("--keep-releases", "65", "d", NULL), -1);
    KT_EQ_STR(err, "--keep-releases: '65' is out of range 0..64");
    KT_EQ_INT(parse("--max-headers", "0", "d", NULL), -1);
    KT_EQ_INT(parse("--max-connections", "0", "d", NULL), -1);
    KT_EQ_INT(parse("--max-requests", "4294967296", "d", NULL), -1);
    KT_EQ_INT(parse("--max-requests", "4294967295", "d", NULL), 0);
    KT_EQ_INT(cfg.max_requests, 4294967295u);
    KT_EQ_INT(parse("--max-age", "31536001", "d", NULL), -1);
    KT_EQ_STR(err, "--max-age: '31536001' is out of range 0..31536000");
    KT_EQ_INT(parse("--max-age", "0", "d", NULL), 0);
    KT_EQ_INT(cfg.max_age_other, 0);
}

static void
t_cdn_options(void)
{
    KT_EQ_INT(parse("--cache-control", "entry public, no-cache", "--cdn-cache-control", "sw off",
                    "--surrogate-control", "/assets/* max-age=600", "--early-hints", "on",
                    "--purge-keys", "both", "--link-preload", "off", "d", NULL),
              0);
    KT_EQ_STR(cfg.policy[KE_POLICY_ENTRY][KE_CH_BROWSER], "public, no-cache");
    KT_EQ_STR(cfg.policy[KE_POLICY_SW][KE_CH_CDN], "");
    KT_EQ_INT(cfg.n_rules, 1);
    KT_EQ_STR(cfg.rules[0].glob, "/assets/*");
    KT_EQ_STR(cfg.rules[0].value, "max-age=600");
    KT_EQ_INT(cfg.rules[0].header, KE_CH_SURROGATE);
    KT_EQ_INT(cfg.early_hints, 1);
    KT_EQ_INT(cfg.link_preload, 0);
    KT_EQ_INT(cfg.purge_keys, KE_PURGE_SURROGATE_KEY | KE_PURGE_CACHE_TAG);
    KT_EQ_INT(parse("--cache-control", "entry off", "d", NULL), -1);
    KT_EQ_STR(err, "--cache-control: Cache-Control cannot be off");
    KT_EQ_INT(parse("--cache-control", "page no-cache", "d", NULL), -1);
    KT_EQ_STR(err, "--cache-control: 'page' is not immutable, entry, sw, other or a /GLOB");
    KT_EQ_INT(parse("--cdn-cache-control", "entry", "d", NULL), -1);
    KT_EQ_STR(err, "--cdn-cache-control: 'entry': want CLASS or /GLOB, then a value");
    KT_EQ_INT(parse("--early-hints", "yes", "d", NULL), -1);
    KT_EQ_STR(err, "--early-hints: 'yes' is not 'on' or 'off'");
    KT_EQ_INT(parse("d", NULL), 0);
    KT_EQ_INT(cfg.http2, 1);
    KT_EQ_INT(parse("--http2", "off", "d", NULL), 0);
    KT_EQ_INT(cfg.http2, 0);
    KT_EQ_INT(parse("--purge-keys", "xkey", "d", NULL), -1);
}

static void
t_enums_and_paths(void)
{
    KT_EQ_INT(parse("--access-log-format", "clf", "d", NULL), -1);
    KT_EQ_STR(err, "--access-log-format: 'clf' is not 'combined' or 'json'");
    KT_EQ_INT(parse("--spa-fallback", "index.html", "d", NULL), -1);
    KT_EQ_STR(err, "--spa-fallback: 'index.html' is not a URL path starting with '/'");
    KT_EQ_INT(parse("--spa-fallback", "/index.html", "--spa-fallback", "off", "d", NULL), 0);
    KT_EQ_STR(cfg.spa_fallback, "");
    KT_EQ_INT(parse("--access-log", "-", "d", NULL), 0);
    KT_EQ_STR(cfg.access_log, "-");
}

static void
t_config_file_errors(void)
{
    KT_EQ_INT(parse("--config", "/nonexistent/kiln-edge.conf", "d", NULL), -1);
    KT_EQ_STR(err, "--config: cannot read '/nonexistent/kiln-edge.conf': No such file or "
                   "directory");
    KT_EQ_INT(parse("--config", "a", "--config", "b", "d", NULL), -1);
    KT_EQ_STR(err, "--config: given more than once");
    int rc = parse_file("workers 0\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: workers: '0' is out of range 1..256");
    rm_tmp();
    rc = parse_file("max-age 300 # five minutes\n");
    KT_EQ_INT(rc, -1);
    KT_EQ_STR(err_f(), "F:1: max-age: '300 # five minutes' is not a number");
    rm_tmp();
}

/* Captures what fn writes to stdout. */
static int
capture_stdout(const char *arg, char *out, size_t outsz)
{
    char path[] = "/tmp/kiln-edge-out-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -99;
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    int rc = parse(arg, "d", NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ssize_t n = pread(fd, out, outsz - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return rc;
}

static void
t_help_and_version(void)
{
    char out[8192];
    KT_EQ_INT(capture_stdout("--version", out, sizeof out), 1);
    KT_EQ_STR(out, "kiln-edge 0.1.0\n");
    KT_EQ_INT(capture_stdout("-V", out, sizeof out), 1);
    KT_EQ_STR(out, "kiln-edge 0.1.0\n");
    KT_EQ_INT(capture_stdout("--help", out, sizeof out), 1);
    KT_CHECK(strncmp(out, "usage: kiln-edge [OPTIONS] RELEASE_DIR\n", 39) == 0);
    KT_CHECK(strstr(out, "--max-connections") != NULL);
    KT_EQ_INT(capture_stdout("-h", out, sizeof out), 1);
    KT_CHECK(strncmp(out, "usage: ", 7) == 0);
}

static void
t_example_conf_is_defaults(void)
{
    int rc = parse("--config", "kiln-edge.conf", "dist", NULL);
    KT_EQ_STR(err, "");
    KT_EQ_INT(rc, 0);
    want = cfg;
    ke_config_defaults(&cfg);
    snprintf(cfg.release_dir, sizeof cfg.release_dir, "dist");
    check_same(&want, &cfg);
}

static void
t_privilege_options(void)
{
    KT_EQ_INT(parse("d", NULL), 0);
    KT_EQ_STR(cfg.user, "");
    KT_CHECK(!cfg.allow_root);
    KT_CHECK(cfg.sandbox);
    KT_EQ_INT(
        parse("--user", "www-data:ssl-cert", "--allow-root", "on", "--sandbox", "off", "d", NULL),
        0);
    KT_EQ_STR(cfg.user, "www-data:ssl-cert");
    KT_CHECK(cfg.allow_root);
    KT_CHECK(!cfg.sandbox);
    KT_EQ_INT(parse("--user", "nobody", "--user", "off", "d", NULL), 0);
    KT_EQ_STR(cfg.user, "");
    KT_EQ_INT(parse("--user", "nobody:", "d", NULL), -1);
    KT_EQ_STR(err, "--user: 'nobody:' is not NAME or NAME:GROUP");
    KT_EQ_INT(parse("--user", ":staff", "d", NULL), -1);
    KT_EQ_INT(parse("--sandbox", "yes", "d", NULL), -1);
    KT_EQ_STR(err, "--sandbox: 'yes' is not 'on' or 'off'");
}

static void
t_tls_options(void)
{
    KT_EQ_INT(parse("--listen-tls", "127.0.0.1:8443", "--tls-cert", "a.crt", "--tls-key", "a.key",
                    "--tls-cert", "b.crt", "--tls-key", "b.key", "--redirect-http",
                    "127.0.0.1:8081", "--hsts", "31536000", "--tls-session-timeout", "30m",
                    "--tls-session-cache", "0", "d", NULL),
              0);
    KT_EQ_INT(cfg.n_listen_tls, 1);
    KT_EQ_STR(cfg.listen_tls[0].text, "127.0.0.1:8443");
    KT_EQ_INT(cfg.n_listen, 1); /* the default plain listener stays */
    KT_EQ_INT(cfg.n_certs, 2);
    KT_EQ_STR(cfg.certs[0].cert, "a.crt");
    KT_EQ_STR(cfg.certs[0].key, "a.key");
    KT_EQ_STR(cfg.certs[1].cert, "b.crt");
    KT_EQ_STR(cfg.certs[1].key, "b.key");
    KT_EQ_INT(cfg.n_redirect_http, 1);
    KT_EQ_INT(cfg.hsts, 31536000);
    KT_EQ_INT(cfg.tls_session_timeout, 1800000);
    KT_EQ_INT(cfg.tls_session_cache, 0);

    /* "listen off": HTTPS only. */
    KT_EQ_INT(parse("--listen", "off", "--listen-tls", "127.0.0.1:8443", "--tls-cert", "a.crt",
                    "--tls-key", "a.key", "d", NULL),
              0);
    KT_EQ_INT(cfg.n_listen, 0);
    KT_EQ_INT(parse("--listen", "off", "d", NULL), -1);
    KT_EQ_STR(err, "nothing to listen on (give listen or listen-tls)");
}

static void
t_tls_option_errors(void)
{
    KT_EQ_INT(parse("--listen-tls", "127.0.0.1:8443", "d", NULL), -1);
    KT_EQ_STR(err, "listen-tls needs a certificate (give tls-cert FILE tls-key FILE)");
    KT_EQ_INT(parse("--tls-key", "a.key", "d", NULL), -1);
    KT_EQ_STR(err, "--tls-key: 'a.key' follows no tls-cert (give tls-cert FILE first)");
    KT_EQ_INT(parse("--listen-tls", "127.0.0.1:8443", "--tls-cert", "a.crt", "d", NULL), -1);
    KT_EQ_STR(err, "tls-cert 'a.crt' has no tls-key after it");
    KT_EQ_INT(parse("--tls-cert", "a.crt", "--tls-key", "a.key", "d", NULL), -1);
    KT_EQ_STR(err, "tls-cert without listen-tls");
    KT_EQ_INT(parse("--redirect-http", "127.0.0.1:80", "d", NULL), -1);
    KT_EQ_STR(err, "redirect-http without listen-tls");
    KT_EQ_INT(
        parse("--listen-tls", "127.0.0.1:8080", "--tls-cert", "a", "--tls-key", "b", "d", NULL),
        -1);
    KT_EQ_STR(err, "address '127.0.0.1:8080' is given for two listeners");
    KT_EQ_INT(parse("--hsts", "1y", "d", NULL), -1);
    KT_EQ_STR(err, "--hsts: '1y' is not 'off' or seconds 0..63072000 (2 years)");
    KT_EQ_INT(parse("--tls-session-timeout", "500ms", "d", NULL), -1);
    KT_EQ_STR(err, "--tls-session-timeout: '500ms' is out of range 1000..86400000 ms");
}

static void
t_tls_file_pairs(void)
{
    /* A file's pairs are replaced as a whole by the command line's. */
    const char *path = write_tmp("listen-tls 127.0.0.1:8443\ntls-cert f.crt\ntls-key f.key\n"
                                 "tls-cert g.crt\ntls-key g.key\n");
    KT_EQ_INT(parse("--config", path, "d", NULL), 0);
    KT_EQ_INT(cfg.n_certs, 2);
    KT_EQ_INT(parse("--config", path, "--tls-cert", "c.crt", "--tls-key", "c.key", "d", NULL), 0);
    KT_EQ_INT(cfg.n_certs, 1);
    KT_EQ_STR(cfg.certs[0].cert, "c.crt");
    rm_tmp();
}

int
main(void)
{
    KT_RUN(t_defaults, "defaults: 127.0.0.1:8080, CPUs workers, admin and access log off");
    KT_RUN(t_release_only, "RELEASE_DIR alone gives the defaults");
    KT_RUN(t_missing_release, "no RELEASE_DIR, or two, is a usage error");
    KT_RUN(t_every_option_cli, "every option from the command line");
    KT_RUN(t_every_option_file, "every option from a config file");
    KT_RUN(t_release_from_file, "RELEASE_DIR from a 'release' line");
    KT_RUN(t_cli_overrides_file, "command line overrides the file wherever --config stands");
    KT_RUN(t_repeated_listen, "repeated listen accumulates; CLI --listen replaces the file's");
    KT_RUN(t_listen_limits, "duplicate, 17th and admin-clashing listen addresses are errors");
    KT_RUN(t_listen_parse_good, "IPv4, *, IPv6 in brackets parse with their port");
    KT_RUN(t_listen_parse_bad, "names, bad ports, unbracketed IPv6, scope ids are rejected");
    KT_RUN(t_bad_port_cli, "bad port on the command line names the option");
    KT_RUN(t_bad_address_file, "bad address in the file names FILE:LINE");
    KT_RUN(t_unknown_option, "unknown option names FILE:LINE or the option");
    KT_RUN(t_missing_value, "missing value names FILE:LINE or the option");
    KT_RUN(t_bad_duration, "bad or out-of-range duration is an error");
    KT_RUN(t_duration_units, "durations accept ms, s and m");
    KT_RUN(t_size_units, "sizes accept k and m; max-uri-size fits in max-header-size");
    KT_RUN(t_number_ranges, "numbers are range-checked; workers auto is the CPU count");
    KT_RUN(t_cdn_options, "the CDN options: cache policy per class and glob, keys, hints");
    KT_RUN(t_enums_and_paths, "log format, spa-fallback and access-log values");
    KT_RUN(t_config_file_errors, "unreadable, repeated --config and bad file values");
    KT_RUN(t_help_and_version, "--help and --version print to stdout and return 1");
    KT_RUN(t_example_conf_is_defaults, "kiln-edge.conf states exactly the defaults");
    KT_RUN(t_privilege_options, "--user, --allow-root and --sandbox: defaults and values");
    KT_RUN(t_tls_options, "TLS options: listeners, certificate pairs, HSTS, sessions");
    KT_RUN(t_tls_option_errors, "TLS options that cannot work together are refused");
    KT_RUN(t_tls_file_pairs, "certificate pairs on the command line replace the file's");
    rm_tmp();
    return kt_done();
}
