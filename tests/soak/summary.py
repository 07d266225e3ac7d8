"""summary.py OUT STARTED: the soak's figures as Markdown, from the phases'
OUT/<phase>.json and the cumulative tests/soak/fuzz-ledger.tsv, for
docs/reliability.md."""
import csv
import json
import os
import sys

out, started = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))


def load(name):
    p = os.path.join(out, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else None


def n(x):
    return f"{int(x):,}" if isinstance(x, (int, float)) else str(x)


print(f"### Run of {started}\n")
for label in ("load", "tsan"):
    f = load(label)
    if not f:
        continue
    r = f.get("rss") or {}
    print(f"**{label}** ({f['kiln_edge'].split('/')[-3] if label == 'tsan' else 'bin'}/kiln-edge, "
          f"{n(f['seconds'])} s):\n")
    print("| figure | value |\n|---|---|")
    rows = [
        ("checked requests (status, ETag, encoding, body bytes)", n(f.get("requests", 0))),
        ("  of which 200 / 206 / 304 / HEAD",
         " / ".join(n(f.get(k, 0)) for k in ("status_200", "status_206", "status_304", "status_head"))),
        ("requests by h2load (h2, h2c, h1) and wrk, counted by the tools", n(f.get("tool_requests", 0))),
        ("requests counted by the server (/metrics)", n(f.get("requests_total_server", 0))),
        ("failed well-formed requests", n(f.get("failed", 0))),
        ("connections: h1 plain / TLS full / TLS resumed / h2 TLS / h2c",
         " / ".join(n(f.get(k, 0)) for k in ("conn_h1_plain", "tls_full", "tls_resumed",
                                             "conn_h2-tls", "conn_h2c"))),
        ("openssl s_client -reconnect resumptions", n(f.get("tls_resumed_openssl", 0))),
        ("release switches + SIGHUP (sent / kiln_edge_reloads_total)",
         f"{n(f['reloads_sent'])} / {n(f.get('reloads_total'))}"),
        ("faults: aborts mid-body (half by RST)", n(f.get("faults_abort", 0))),
        ("slow readers (4 KiB window) served whole", n(f.get("slow_reader_ok", 0))),
        ("latency p50 / p99 (Python clients, ms)",
         f"{f['latency_ms']['p50']} / {f['latency_ms']['p99']}"),
        ("VmRSS after warm-up (median, from s " + n(r.get("warm_after_s")) + ") → end, kB",
         f"{n(r.get('warm_kb'))} → {n(r.get('end_kb'))} ({r.get('growth_pct')}%)"),
        ("RssAnon after warm-up → end, kB",
         f"{n(r.get('anon_warm_kb'))} → {n(r.get('anon_end_kb'))} ({r.get('anon_growth_pct')}%)"),
        ("VmRSS peak, kB; most descriptors open", f"{n(r.get('peak_kb'))}; {n(r.get('fds_max'))}"),
        ("kiln-edge exit after SIGTERM", f.get("edge_exit")),
    ]
    for k, v in rows:
        print(f"| {k} | {v} |")
    series = f.get("rss_series_kb") or []
    if series:
        step = max(1, len(series) // 12)
        pts = series[::step] + ([series[-1]] if (len(series) - 1) % step else [])
        print("\nVmRSS series (s: kB): " + ", ".join(f"{t}: {n(v)}" for t, v, _, _ in pts))
    print()

f = load("flood")
if f:
    print("**flood** (slowloris: a request or ClientHello begun, a byte every 2–4 s; kiln-edge "
          f"--header-timeout {f.get('header_timeout', '10s')}):\n")
    print("| port | held at once | connects | closed by kiln-edge | well-formed checked / failed "
          "| their p99 / max ms | VmRSS before → peak → after, kB |\n|---|---|---|---|---|---|---|")
    for k in ("plain", "tls", "tls-again"):
        if k not in f:
            continue
        x = f[k]
        s = x["slowloris"]
        print(f"| {k} | {n(s.get('peak_open'))} | {n(s.get('connects'))} | {n(s.get('closed_by_server'))} "
              f"| {n(x['well_formed_requests'])} / {n(x['failed'])} "
              f"| {x['latency_ms']['p99']} / {x['latency_ms']['max']} "
              f"| {n(x['rss_before_kb'])} → {n(x['rss_peak_kb'])} → {n(x['rss_after_kb'])} |")
    print()

f = load("emfile")
if f:
    print(f"**emfile** (ulimit -n {f['nofile']}): " + "; ".join(
        f"cycle {i + 1}: {c['connections']} connections, {c['cpu_s_in_2s']} CPU s in 2 s, "
        f"then {c['after_requests']} checked requests, {c['after_failed']} failed"
        for i, c in enumerate(f["cycles"])) + f"; accept warnings logged: {f['accept_warnings']} "
        f"{f['accept_warning_example']}\n")

f = load("served")
if f:
    for mem, x in f.items():
        print(f"**served, --mem-max {mem}**: after rm -rf of the served release "
              f"{x['deleted_ok']} valid answers ({x['deleted_5xx']} 5xx); reload refused with "
              f"{x['reload_log']}; after kiln-build replaced it and SIGHUP {x['replaced_ok']} answers "
              f"of the new release; a file truncated in place: {x['truncated_request'][:40]}, "
              f"server alive: {x['alive_after_truncate']}\n")

f = load("build")
if f:
    print("**build faults**:\n")
    for k in ("enospc_r2", "enospc_r1", "unreadable", "out_unreachable"):
        if k in f:
            x = f[k]
            print(f"- {k}: exit {x['exit']}, {x['stderr'][:1]}, left behind {x.get('left', [])}"
                  + (f", previous release intact: {x['previous_intact']}" if "previous_intact" in x else ""))
    if "cache" in f:
        c = f["cache"]
        print(f"- cache: {c['corrupted']} of {c['entries']} entries corrupted; cache hits of three "
              f"builds {c['hits']}; output identical: {c['output_identical']}")
    print()

ledger = os.path.join(here, "fuzz-ledger.tsv")
if os.path.exists(ledger):
    rows = list(csv.DictReader(open(ledger), delimiter="\t"))
    tot = {}
    for r in rows:
        t = tot.setdefault(r["target"], [0, 0, 0, 0, r["corpus_after"], 0])
        t[0] += int(r["cpu_seconds"])
        t[1] += int(r["executions"])
        t[2] += 1
        t[3] += int(r["crashes"])
        t[4] = int(r["corpus_after"])  # the latest run's (minimising merges also remove)
    print("**fuzzing, cumulative** (tests/soak/fuzz-ledger.tsv; goal: 1 CPU-hour per target):\n")
    print("| target | runs | CPU-hours | executions | crashes | committed corpus |\n|---|---|---|---|---|---|")
    for t in sorted(tot):
        c, e, r, cr, corp, _ = tot[t]
        print(f"| {t} | {r} | {c / 3600:.3f} | {n(e)} | {cr} | {corp} |")
    print(f"| **total** | {sum(v[2] for v in tot.values())} | "
          f"{sum(v[0] for v in tot.values()) / 3600:.3f} | {n(sum(v[1] for v in tot.values()))} | "
          f"{sum(v[3] for v in tot.values())} | |")
