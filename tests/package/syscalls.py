#!/usr/bin/python3
"""The unit's seccomp lines against what a program did, where systemd cannot
run them: tests/package/syscalls.py UNIT STRACE_LOG PROGRAM

STRACE_LOG is `strace -f -qq -o` output of a run that exec'd PROGRAM; only the
calls from that execve on count (systemd installs the filters just before it).
Checks, as systemd 252 would apply them:
  SystemCallFilter=   every call is in the allowed set (the lines in order: the
                      first allow-list, later ones added, ~ lines taken away;
                      groups expanded by `systemd-analyze syscall-filter`);
  RestrictAddressFamilies=  every socket()'s family is listed;
  MemoryDenyWriteExecute=   no mmap with PROT_WRITE|PROT_EXEC, no mprotect or
                      pkey_mprotect adding PROT_EXEC.
Prints each violation, then one summary line; exits 1 on any violation.
The calls a run did not make (say the TLS paths of a plain-HTTP run) are not
checked: the summary lists what was.
"""
import re
import subprocess
import sys


def unit_values(path, key):
    vals = []
    for line in open(path, encoding="utf-8"):
        if line.startswith(key + "="):
            vals.append(line[len(key) + 1 :].strip())
    return vals


def groups():
    """{"@name": [members]} from systemd-analyze's own table."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True,
                         capture_output=True, text=True).stdout
    table, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            cur = table.setdefault(line.split()[0], [])
        elif cur is not None and line.strip() and not line.strip().startswith("#"):
            cur.append(line.split()[0])
    return table


def expand(names, table, seen=None):
    seen = set() if seen is None else seen
    out = set()
    for n in names:
        if n.startswith("@"):
            if n not in seen:
                seen.add(n)
                out |= expand(table[n], table, seen)
        else:
            out.add(n)
    return out


def allowed_set(unit):
    table = groups()
    allow = None
    for v in unit_values(unit, "SystemCallFilter"):
        deny = v.startswith("~")
        names = expand(v.lstrip("~").split(), table)
        if allow is None:
            if deny:
                sys.exit("syscalls.py: a deny-list filter is not handled")
            allow = names
        elif deny:
            allow -= names
        else:
            allow |= names
    return allow


CALL = re.compile(r"^\d+\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$")


def main():
    unit, log, prog = sys.argv[1:4]
    allow = allowed_set(unit)
    families = set(" ".join(unit_values(unit, "RestrictAddressFamilies")).split())
    mdwe = "yes" in unit_values(unit, "MemoryDenyWriteExecute")
    lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
    start = next((i for i, l in enumerate(lines) if f'execve("{prog}"' in l), None)
    if start is None:
        sys.exit(f"syscalls.py: no execve of {prog} in {log}")
    made, bad = {}, []
    for line in lines[start + 1 :]:
        m = CALL.match(line)
        if not m:
            continue
        name, rest = m.group(1) or m.group(2), m.group(3)
        if m.group(1):  # the resumed half repeats nothing to check
            continue
        made[name] = made.get(name, 0) + 1
        if allow is not None and name not in allow:
            bad.append(f"SystemCallFilter= would refuse {name}: {line}")
        if name in ("socket", "socketpair") and families:
            fam = rest.split(",")[0].strip()
            if name == "socket" and fam not in families:
                bad.append(f"RestrictAddressFamilies= would refuse {fam}: {line}")
        if mdwe and name == "mmap" and "PROT_WRITE" in rest and "PROT_EXEC" in rest:
            bad.append(f"MemoryDenyWriteExecute= would refuse: {line}")
        if mdwe and name in ("mprotect", "pkey_mprotect") and "PROT_EXEC" in rest:
            bad.append(f"MemoryDenyWriteExecute= would refuse: {line}")
    for b in bad:
        print(b)
    fams = sorted({l.split("(", 1)[1].split(",")[0] for l in lines[start:] if re.match(r"^\d+\s+socket\(", l)})
    print(f"{prog} made {sum(made.values())} system calls of {len(made)} kinds after its execve, "
          f"{'all' if not bad else 'not all'} allowed by the unit's SystemCallFilter= "
          f"({len(allow)} calls), sockets {', '.join(fams) or 'none'}, "
          f"no writable and executable mapping{'' if not bad else ' (see above)'}: "
          f"{' '.join(sorted(made))}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
