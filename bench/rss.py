"""Resident memory of a server under a benchmark: VmRSS of a process and of
its children (nginx's workers), from /proc. The idle-connection clients that
bench/edge.sh and bench/h2.sh write import it (KILN_BENCH names this
directory)."""
import os


def procs(pid):
    """pid and the processes whose parent it is."""
    out = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def rss_kib(pid):
    """The VmRSS of pid and its children, in KiB."""
    total = 0
    for p in procs(pid):
        for line in open(f"/proc/{p}/status"):
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total
