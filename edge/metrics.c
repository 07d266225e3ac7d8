/* Metrics: counting on the hot path, rendering for GET /metrics. */
#include "edge/metrics.h"
#include "common/buf.h"

#include <stdio.h>

static const uint64_t bounds_us[KE_LATENCY_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 500000, 1000000
};

static const int slot_code[KE_SLOT_N] = {
#define X(code) code,
    KE_METRIC_STATUSES
#undef X
    0,
};

static enum ke_status_slot
slot_of(int status)
{
    switch (status) {
#define X(code)                                                                                    \
    case code: return KE_SLOT_##code;
        KE_METRIC_STATUSES
#undef X
    default: return KE_SLOT_OTHER;
    }
}

void
ke_metrics_count(struct ke_metrics *m, enum ke_proto proto, int status, int enc, uint64_t bytes)
{
    atomic_fetch_add_explicit(&m->requests_proto[proto], 1, memory_order_relaxed);
    int col = enc >= 0 && enc < KE_ENC_ALL ? enc : KE_ENC_ALL;
    atomic_fetch_add_explicit(&m->requests[slot_of(status)][col], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes_sent, bytes, memory_order_relaxed);
}

void
ke_metrics_h2_defence(struct ke_metrics *m, enum ke_h2_defence d)
{
    atomic_fetch_add_explicit(&m->h2_defence[d], 1, memory_order_relaxed);
}

void
ke_metrics_latency(struct ke_metrics *m, uint64_t us)
{
    int b = 0;
    while (b < KE_LATENCY_BUCKETS && us > bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us, us, memory_order_relaxed);
}

static uint64_t
sum(const struct ke_metrics *w, unsigned n, size_t offset)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += atomic_load_explicit((const atomic_ullong *)((const char *)&w[i] + offset),
                                  memory_order_relaxed);
    return s;
}

#define SUM(field) sum(w, n, offsetof(struct ke_metrics, field))

int
ke_metrics_render(const struct ke_metrics *w, unsigned n, const char *release, uint64_t reloads,
                  struct kc_buf *out)
{
    static const char *const enc_label[KE_ENC_ALL + 1] = { "identity", "br",  "zstd",
                                                           "gzip",     "dcz", "none" };
    int rc = kc_buf_puts(out, "# HELP kiln_edge_requests_total Responses sent, by status and "
                              "content coding.\n# TYPE kiln_edge_requests_total counter\n");
    uint64_t total = 0, not_modified = 0;
    for (int s = 0; s < KE_SLOT_N && !rc; s++) {
        for (int e = 0; e <= KE_ENC_ALL && !rc; e++) {
            uint64_t v = SUM(requests[s][e]);
            total += v;
            if (s == KE_SLOT_304)
                not_modified += v;
            if (v == 0)
                continue;
            if (s == KE_SLOT_OTHER)
                rc = kc_buf_printf(out,
                                   "kiln_edge_requests_total{status=\"other\",encoding=\"%s\"} "
                                   "%llu\n",
                                   enc_label[e], (unsigned long long)v);
            else
                rc = kc_buf_printf(out,
                                   "kiln_edge_requests_total{status=\"%d\",encoding=\"%s\"} "
                                   "%llu\n",
                                   slot_code[s], enc_label[e], (unsigned long long)v);
        }
    }
    if (!rc)
        rc = kc_buf_printf(
            out,
            "# HELP kiln_edge_not_modified_ratio Share of responses that were 304.\n"
            "# TYPE kiln_edge_not_modified_ratio gauge\nkiln_edge_not_modified_ratio %.6f\n"
            "# HELP kiln_edge_sent_bytes_total Bytes of responses (heads and bodies).\n"
            "# TYPE kiln_edge_sent_bytes_total counter\nkiln_edge_sent_bytes_total %llu\n"
            "# HELP kiln_edge_connections_open Connections open now.\n"
            "# TYPE kiln_edge_connections_open gauge\nkiln_edge_connections_open %llu\n"
            "# HELP kiln_edge_connections_total Connections accepted.\n"
            "# TYPE kiln_edge_connections_total counter\nkiln_edge_connections_total %llu\n"
            "# HELP kiln_edge_connections_refused_total Connections over "
            "--max-connections, answered 503.\n"
            "# TYPE kiln_edge_connections_refused_total counter\n"
            "kiln_edge_connections_refused_total %llu\n"
            "# HELP kiln_edge_reloads_total Successful release reloads.\n"
            "# TYPE kiln_edge_reloads_total counter\nkiln_edge_reloads_total %llu\n"
            "# HELP kiln_edge_release_info The release being served.\n"
            "# TYPE kiln_edge_release_info gauge\nkiln_edge_release_info{release=\"%s\"} 1\n",
            total ? (double)not_modified / (double)total : 0.0, (unsigned long long)SUM(bytes_sent),
            (unsigned long long)SUM(conns_open), (unsigned long long)SUM(conns_total),
            (unsigned long long)SUM(conns_refused), (unsigned long long)reloads, release);
    if (!rc)
        rc = kc_buf_printf(out,
                           "# HELP kiln_edge_tls_handshakes_total TLS handshakes, by outcome.\n"
                           "# TYPE kiln_edge_tls_handshakes_total counter\n"
                           "kiln_edge_tls_handshakes_total{result=\"full\"} %llu\n"
                           "kiln_edge_tls_handshakes_total{result=\"resumed\"} %llu\n"
                           "kiln_edge_tls_handshakes_total{result=\"failed\"} %llu\n",
                           (unsigned long long)SUM(tls_full), (unsigned long long)SUM(tls_resumed),
                           (unsigned long long)SUM(tls_failed));
    static const char *const proto_label[KE_PROTO_N] = { "http/1.0", "http/1.1", "h2" };
    if (!rc)
        rc = kc_buf_puts(out, "# HELP kiln_edge_requests_by_protocol_total Responses sent, by "
                              "the request's protocol.\n"
                              "# TYPE kiln_edge_requests_by_protocol_total counter\n");
    for (int p = 0; p < KE_PROTO_N && !rc; p++)
        rc = kc_buf_printf(out, "kiln_edge_requests_by_protocol_total{protocol=\"%s\"} %llu\n",
                           proto_label[p], (unsigned long long)SUM(requests_proto[p]));
    if (!rc)
        rc = kc_buf_printf(out,
                           "# HELP kiln_edge_h2_connections_total HTTP/2 connections, by how h2 "
                           "was chosen.\n"
                           "# TYPE kiln_edge_h2_connections_total counter\n"
                           "kiln_edge_h2_connections_total{via=\"prior-knowledge\"} %llu\n"
                           "kiln_edge_h2_connections_total{via=\"alpn\"} %llu\n",
                           (unsigned long long)SUM(h2_sessions[0]),
                           (unsigned long long)SUM(h2_sessions[1]));
    static const char *const defence_label[KE_H2D_N] = {
        "refused_stream", "header_list",   "reset_flood",  "continuation_flood",
        "glitches",       "control_flood", "send_timeout", "idle_timeout",
    };
    if (!rc)
        rc = kc_buf_puts(out, "# HELP kiln_edge_h2_defence_total HTTP/2 limits that acted.\n"
                              "# TYPE kiln_edge_h2_defence_total counter\n");
    for (int d = 0; d < KE_H2D_N && !rc; d++)
        rc = kc_buf_printf(out, "kiln_edge_h2_defence_total{defence=\"%s\"} %llu\n",
                           defence_label[d], (unsigned long long)SUM(h2_defence[d]));
    if (!rc)
        rc = kc_buf_puts(out, "# HELP kiln_edge_request_duration_seconds From a complete request "
                              "head to the last byte handed to the kernel.\n"
                              "# TYPE kiln_edge_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b <= KE_LATENCY_BUCKETS && !rc; b++) {
        cum += SUM(latency[b]);
        if (b < KE_LATENCY_BUCKETS)
            rc = kc_buf_printf(out, "kiln_edge_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                               (double)bounds_us[b] / 1e6, (unsigned long long)cum);
        else
            rc = kc_buf_printf(out,
                               "kiln_edge_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                               "kiln_edge_request_duration_seconds_sum %.6f\n"
                               "kiln_edge_request_duration_seconds_count %llu\n",
                               (unsigned long long)cum, (double)SUM(latency_sum_us) / 1e6,
                               (unsigned long long)cum);
    }
    return rc;
}
