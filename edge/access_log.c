/*
 * The access log: one line per response, combined format (as nginx and
 * Apache write it) or JSON, appended to the worker's buffer, which the
 * server writes out once per loop turn.
 */
#include "edge/access_log.h"

#include "common/vec.h"
#include "edge/respond.h"
#include "edge/worker.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define LOG_BUF_MAX (16u << 20) /* bytes between two flushes (one loop turn) */

/* Makes room for n more bytes when it can: past LOG_BUF_MAX, or out of
 * memory, the callers drop the line, as on a full disk. */
static void
log_reserve(struct ke_worker *w, size_t n)
{
    (void)kc_vec_reserve(w->log, w->log_cap, w->log_len + n, LOG_BUF_MAX);
}

static void
log_raw(struct ke_worker *w, const char *s, size_t n)
{
    log_reserve(w, n);
    if (w->log_len + n <= w->log_cap) {
        memcpy(w->log + w->log_len, s, n);
        w->log_len += n;
    }
}

/* Copies s[0..n) (at most max bytes) into the log, escaped so a request can
 * never forge a line or a field: combined format writes quotes, backslashes,
 * control and non-ASCII bytes as \xHH (as nginx does); JSON uses \" \\
 * and \u00HH, so every line parses. */
static void
log_str(struct ke_worker *w, const char *s, size_t n, size_t max, bool json)
{
    if (n > max)
        n = max;
    log_reserve(w, 6 * n + 1);
    if (w->log_len + 6 * n > w->log_cap)
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char *o = w->log + w->log_len;
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
            o[0] = (char)ch, w->log_len++;
        else if (json && (ch == '"' || ch == '\\'))
            o[0] = '\\', o[1] = (char)ch, w->log_len += 2;
        else if (json)
            w->log_len += (size_t)snprintf(o, 7, "\\u%04x", ch);
        else
            w->log_len += (size_t)snprintf(o, 5, "\\x%02x", ch);
    }
}

static struct ke_span
header_value(const struct ke_request *req, const char *name)
{
    size_t n = strlen(name);
    for (unsigned i = 0; req->headers && i < req->n_headers; i++)
        if (req->headers[i].name.n == n && strncasecmp(req->headers[i].name.p, name, n) == 0)
            return req->headers[i].value;
    return (struct ke_span){ "-", 1 };
}

/* One access log line: combined format, or a JSON object per line. "bytes"
 * counts body bytes sent (0 for HEAD and 304), as Apache's %b and nginx's
 * $body_bytes_sent do. */
void
ke_access_log(struct ke_worker *w, const struct ke_peer *peer, const struct ke_request *req,
              const struct ke_response *r, uint64_t body_bytes)
{
    static const char *const enc_name[KE_ENC_ALL] = { "identity", "br", "zstd", "gzip", "dcz" };
    bool json = w->cfg->access_log_format == KE_LOG_JSON;
    char ip[INET6_ADDRSTRLEN] = "-";
    if (peer && peer->family)
        inet_ntop(peer->family == 4 ? AF_INET : AF_INET6, peer->addr, ip, sizeof ip);
    const char *version = req->h2 ? "HTTP/2.0" : req->minor ? "HTTP/1.1" : "HTTP/1.0";
    char when[64], num[160];
    time_t t = (time_t)w->date_sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, json ? "%Y-%m-%dT%H:%M:%SZ" : "%d/%b/%Y:%H:%M:%S +0000", &tm);
    struct ke_span method = req->method_raw.n ? req->method_raw : (struct ke_span){ "-", 1 };
    struct ke_span target = req->target.n ? req->target : (struct ke_span){ "-", 1 };
    struct ke_span ref = header_value(req, "referer"), ua = header_value(req, "user-agent");
    int n;
    if (json) {
        n = snprintf(num, sizeof num, "{\"time\":\"%s\",\"remote\":\"%s\",\"method\":\"", when, ip);
        log_raw(w, num, (size_t)n);
        log_str(w, method.p, method.n, 32, true);
        log_raw(w, "\",\"target\":\"", 12);
        log_str(w, target.p, target.n, 2048, true);
        n = snprintf(num, sizeof num,
                     "\",\"version\":\"%s\",\"status\":%d,\"bytes\":%llu,"
                     "\"encoding\":\"%s\",\"referer\":\"",
                     version, r->status, (unsigned long long)body_bytes,
                     r->enc >= 0 ? enc_name[r->enc] : "-");
        log_raw(w, num, (size_t)n);
        log_str(w, ref.p, ref.n, 1024, true);
        log_raw(w, "\",\"agent\":\"", 11);
        log_str(w, ua.p, ua.n, 1024, true);
        log_raw(w, "\"}\n", 3);
    } else {
        n = snprintf(num, sizeof num, "%s - - [%s] \"", ip, when);
        log_raw(w, num, (size_t)n);
        log_str(w, method.p, method.n, 32, false);
        log_raw(w, " ", 1);
        log_str(w, target.p, target.n, 2048, false);
        n = snprintf(num, sizeof num, " %s\" %d %llu \"", version, r->status,
                     (unsigned long long)body_bytes);
        log_raw(w, num, (size_t)n);
        log_str(w, ref.p, ref.n, 1024, false);
        log_raw(w, "\" \"", 3);
        log_str(w, ua.p, ua.n, 1024, false);
        log_raw(w, "\"\n", 2);
    }
}
