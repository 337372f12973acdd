#!/usr/bin/env python3
"""End-to-end tests of tapvm's gdb stub with gdb-multiarch in batch mode.

usage: gdb_e2e.py TAPVM PROGRAM_ELF|GUEST_DIR TEST [--measure N] [--record-insns N] [--measure-at ICOUNT]
                  [--checkpoint-interval N]

TEST:
  replay   record the bare program, replay it with --gdb, and in gdb: break
           at a function, next, finish, a watchpoint catches the store that
           changed a global (old and new values checked), stepi/reverse-stepi
           across an ecall's trap return to the exact pcs and registers,
           reverse-continue goes back to the previous breakpoint hits,
           reverse-finish/next/step, monitor commands, a memory write is
           refused, continue runs to the end of the journal.
  run      `tapvm run --gdb`: break, continue, read registers, write a
           global (allowed live), and the program's exit code follows it.
  hostile  garbage, bad checksums, oversized and unknown packets and a
           client leaving mid-command never crash tapvm.
  interrupt  (PROGRAM_ELF: a program that never ends) Ctrl-C (0x03) stops
           a `run --gdb` continue, on the full-speed path and with a
           breakpoint armed (one boundary at a time).
  linux    record a short Linux boot, replay it with --gdb, gdb loads the
           guest's vmlinux, breaks on a kernel function by name, reverse-stepi
           and reverse-step out of
           it into its caller, reverse-continue to the previous hit.
With --checkpoint-interval N (replay, linux) the recording keeps a
checkpoint every N instructions and reverse execution must seek from them
(the checkpoint seeker); 0 (the default): none, it replays from the start.
With --measure N (replay, linux): time N reverse-stepi and print p50/p99;
for linux, --record-insns sets the boot's length (default 30M) and
--measure-at the icount to measure at (monitor goto).

gdb runs a Python script (inside gdb) that prints one "CHECK name ok" or
"CHECK name FAIL detail" line per check; this driver fails if any check
failed or is missing, if tapvm crashed, or if the replay diverged.
Exit 77 (skip) when gdb-multiarch is not installed.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

GDB = shutil.which("gdb-multiarch")


def start_tapvm(args, log_path):
    """Starts tapvm with --gdb 127.0.0.1:0; returns (proc, port)."""
    err = open(log_path, "w+")
    out = open(log_path + ".out", "w+")
    proc = subprocess.Popen(args + ["--gdb", "127.0.0.1:0"], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    deadline = time.time() + 60
    while time.time() < deadline:
        err.seek(0)
        m = re.search(r"waiting for gdb on 127\.0\.0\.1:(\d+)", err.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    err.seek(0)
    raise SystemExit("tapvm did not start its gdb stub:\n" + err.read())


# Helpers every in-gdb script starts with.
PRELUDE = r'''
import gdb, re, time
MASK = (1 << 64) - 1
XREGS = ["ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
         "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6", "pc"]
def ex(cmd):
    return gdb.execute(cmd, to_string=True)
def check(name, cond, detail=""):
    print("CHECK %s %s %s" % (name, "ok" if cond else "FAIL", "" if cond else detail), flush=True)
def val(expr):
    return int(gdb.parse_and_eval(expr)) & MASK
def pc():
    return val("$pc")
def regs():
    return tuple(val("$" + r) for r in XREGS)
def func():
    f = gdb.selected_frame()
    return f.name() if f else None
def line():
    return gdb.selected_frame().find_sal().line
def measure(n, what="reverse-stepi"):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        ex(what)
        times.append(time.perf_counter() - t0)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print("MEASURE %s n=%d p50=%.1fms p99=%.1fms max=%.1fms" % (what, n, 1e3 * p(0.5), 1e3 * p(0.99),
                                                                 1e3 * times[-1]), flush=True)
'''


def run_gdb(port, script, elf=None, timeout=600):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(PRELUDE)
        f.write("ex('target remote 127.0.0.1:%d')\n" % port)
        f.write(textwrap.dedent(script))
        f.write("\ntry:\n    ex('detach')\nexcept gdb.error:\n    pass\n")
        path = f.name
    cmd = [GDB, "-batch", "-nx", "-ex", "set pagination off", "-ex", "set confirm off"]
    if elf:
        cmd.append(elf)
    cmd += ["-x", path]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    os.unlink(path)
    return p.stdout


def source_lines(src):
    """Line numbers of the marker statements in the test program."""
    lines = open(src).read().split("\n")
    find = lambda text: next(i + 1 for i, l in enumerate(lines) if text in l)
    return {"store": find("counter = counter + by;"), "call_bump": find("bump(acc);"),
            "acc": find("acc += step_value(i);"), "history": find("history[i] = counter;"),
            "step_y": find("uint64_t y = x * 3 + 1;")}


def verdict(out, expected, proc, log_path, extra_ok=True):
    print(out)
    checks = re.findall(r"^CHECK (\S+) (ok|FAIL)", out, re.M)
    failed = [n for n, r in checks if r != "ok"]
    names = {n for n, _ in checks}
    missing = [n for n in expected if n not in names]
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        failed.append("tapvm did not exit after gdb detached")
    log = open(log_path).read()
    print("---- tapvm stderr ----\n" + log)
    if proc.returncode not in (0,):
        failed.append("tapvm exit status %s" % proc.returncode)
    if "DIVERGED" in log:
        failed.append("the replay diverged")
    if failed or missing or not extra_ok:
        print("FAILED: %s; missing: %s" % (failed, missing))
        return 1
    print("PASS (%d checks)" % len(checks))
    return 0


REPLAY_SCRIPT = r'''
L = %(lines)r
entry = pc()
check("attach_at_entry", func() == "_start", "pc %%x" %% entry)
out = ex("break bump")
out = ex("continue")
check("break_at_function", func() == "bump" and val("by") == 1, str(func()))
check("break_line", line() == L["store"], str(line()))
out = ex("next")
check("next", func() == "bump" and line() == L["store"] + 1, out)
out = ex("finish")
check("finish", func() == "main" and line() == L["history"], "%%s:%%s" %% (func(), line()))
ex("delete")
ex("watch counter")
out = ex("continue")
print("MARK watch_stopped", flush=True)
check("watch_after_store", func() == "bump" and val("counter") == 6, "%%s %%d" %% (func(), val("counter")))
ex("delete")
# stepi x N past the ecall (gdb steps forward with breakpoints of its own,
# so the trap runs inside one stepi), then reverse-stepi back over it: the
# stub's reverse steps enter the trap handler backwards, and land on every
# forward boundary with the exact pc and registers.
ex("break trap_ecall")
ex("continue")
check("break_trap_ecall", func() == "trap_ecall", str(func()))
ex("delete")
trail = [regs()]
for i in range(20):
    ex("stepi")
    trail.append(regs())
handler_lo = val("&trap_handler")
handler_hi = val("&step_value")
in_handler = 0
want = len(trail) - 2
ok = True
for n in range(200):
    ex("reverse-stepi")
    r = regs()
    if handler_lo <= r[-1] < handler_hi:
        in_handler += 1
        continue
    if r != trail[want]:
        ok = False
        check("reverse_stepi_exact", False, "pc %%x want %%x (boundary %%d)" %% (r[-1], trail[want][-1], want))
        break
    if want == 0:
        break
    want -= 1
if ok:
    check("reverse_stepi_exact", want == 0, "stopped at boundary %%d" %% want)
check("reverse_stepi_through_trap", in_handler > 3, str(in_handler))
# reverse-continue: the previous hits of a breakpoint, newest first.
ex("break bump")
byes = []
for _ in range(3):
    out = ex("reverse-continue")
    byes.append(val("by") if func() == "bump" else None)
check("reverse_continue_hits", byes == [12, 5, 1], str(byes))
out = ex("reverse-continue")
check("reverse_continue_begin", pc() == entry, "pc %%x" %% pc())
print("MARK reverse_begin", flush=True)
# reverse-finish, reverse-next, reverse-step from inside bump (by=5).
ex("continue")
ex("continue")
check("forward_again", func() == "bump" and val("by") == 5, str(func()))
out = ex("reverse-finish")
check("reverse_finish", func() == "main" and line() == L["call_bump"], "%%s:%%s %%s" %% (func(), line(), out))
ex("delete")
# reverse-finish stops at the call, mid-line: reverse-next goes to the
# line's start, then to the line before, stepping over step_value's call.
mid = pc()
ex("reverse-next")
check("reverse_next_line_start", func() == "main" and line() == L["call_bump"] and pc() < mid, "%%s:%%s" %% (func(), line()))
ex("reverse-next")
check("reverse_next", func() == "main" and line() == L["acc"], "%%s:%%s" %% (func(), line()))
ex("next")
check("next_again", func() == "main" and line() == L["call_bump"], "%%s:%%s" %% (func(), line()))
# reverse-step goes back into step_value (its last line); the line table
# may first stop at the part of line 40 after the call.
for _ in range(3):
    ex("reverse-step")
    if func() != "main":
        break
check("reverse_step", func() == "step_value" and line() == L["step_y"] + 2, "%%s:%%s" %% (func(), line()))
# Monitor commands.
out = ex("monitor icount")
m = re.search(r"icount (\d+) traps (\d+) pc (0x[0-9a-f]+)", out)
check("monitor_icount", m is not None and int(m.group(3), 16) == pc(), out)
here = int(m.group(1)) if m else 0
here_pc = pc()
out = ex("monitor event")
check("monitor_event", re.search(r"#\d+ @\d+ ", out) is not None, out)
ex("monitor goto 5")
ex("maint flush register-cache")
out = ex("monitor icount")
check("monitor_goto", out.startswith("icount 5 "), out)
ex("monitor goto %%d" %% here)
ex("maint flush register-cache")
check("monitor_goto_back", pc() == here_pc, "pc %%x want %%x" %% (pc(), here_pc))
# Writes are refused in a replay.
try:
    ex("set var counter = 5")
    check("write_refused", False, "the write was accepted")
except gdb.error as e:
    check("write_refused", True)
try:
    ex("set var $a0 = 5")
    check("register_write_refused", False, "the write was accepted")
except gdb.error as e:
    check("register_write_refused", True)
%(measure)s
print("MARK before_end", flush=True)
out = ex("continue")
print("MARK after_end", flush=True)
'''


def seeker_used(log, interval):
    """The seeker tapvm said it used is the one the recording calls for."""
    if interval:
        ok = re.search(r"seeks from the journal's [1-9]\d* checkpoints", log) is not None
    else:
        ok = "replays from its start" in log
    if not ok:
        print("FAILED: tapvm did not use the %s seeker" % ("checkpoint" if interval else "restart"))
    return ok


def test_replay(tapvm, elf, measure, interval=0):
    work = tempfile.mkdtemp(prefix="gdb_e2e_")
    journal = os.path.join(work, "prog.tapj")
    r = subprocess.run([tapvm, "record", "-o", journal, "--bios", elf, "--digest-interval", "100",
                        "--checkpoint-interval", str(interval)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if r.returncode != 0 or "counter=75 ecalls=1" not in r.stdout:
        print(r.stdout, r.stderr)
        return 1
    log = os.path.join(work, "tapvm.log")
    proc, port = start_tapvm([tapvm, "replay", journal], log)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prog", "gdb_target.c")
    m = ""
    if measure:
        m = "ex('break bump')\nex('continue')\nex('continue')\nex('delete')\nmeasure(%d)\n" % measure
    out = run_gdb(port, REPLAY_SCRIPT % {"lines": source_lines(src), "measure": m}, elf)
    expected = ["attach_at_entry", "break_at_function", "break_line", "next", "finish",
                "watch_after_store", "break_trap_ecall", "reverse_stepi_exact", "reverse_stepi_through_trap",
                "reverse_continue_hits", "reverse_continue_begin", "forward_again", "reverse_finish",
                "reverse_next_line_start", "reverse_next", "next_again", "reverse_step", "monitor_icount", "monitor_event", "monitor_goto",
                "monitor_goto_back", "write_refused", "register_write_refused"]
    # What gdb itself printed at the stops (not capturable inside gdb).
    printed = [("watch_old_new", r"Old value = 1\s+New value = 6\s+(.|\n)*MARK watch_stopped"),
               ("reverse_begin", r"No more reverse-execution history\.(.|\n)*MARK reverse_begin"),
               ("replay_end", r"MARK before_end(.|\n)*No more reverse-execution history\.(.|\n)*MARK after_end")]
    bad = [n for n, rx in printed if not re.search(rx, out)]
    status = verdict(out, expected, proc, log, extra_ok=not bad)
    if bad:
        print("FAILED: gdb did not print: %s" % bad)
    tapvm_log = open(log).read()
    if "refused: this is a replay" not in tapvm_log:
        print("FAILED: tapvm did not say why the write was refused")
        status = 1
    if "counter=75 ecalls=1" not in open(log + ".out").read():
        print("FAILED: the replay's console output is missing")
        status = 1
    if not seeker_used(tapvm_log, interval):
        status = 1
    return status


RUN_SCRIPT = r'''
ex("break bump")
out = ex("continue")
check("run_break", func() == "bump" and val("by") == 1, str(func()))
check("run_registers", val("$a0") == 1 and (val("$pc") >> 32) == 0 and val("$priv") == 3,
      "a0=%x pc=%x" % (val("$a0"), val("$pc")))
out = ex("info registers mstatus mepc mcause")
check("run_csrs", "mstatus" in out and "mcause" in out, out)
ex("set var counter = 100")
check("run_write_memory", val("counter") == 100, str(val("counter")))
ex("delete")
ex("continue")
print("MARK run_ended", flush=True)
'''


def test_run(tapvm, elf):
    work = tempfile.mkdtemp(prefix="gdb_e2e_")
    log = os.path.join(work, "tapvm.log")
    proc, port = start_tapvm([tapvm, "run", "--bios", elf], log)
    out = run_gdb(port, RUN_SCRIPT, elf)
    exited = re.search(r"exited with code 01\]\s+MARK run_ended", out) is not None
    status = verdict(out, ["run_break", "run_registers", "run_csrs", "run_write_memory"], proc, log, exited)
    if not exited:
        print("FAILED: gdb did not see the program exit with code 1")
    if "counter=175" not in open(log + ".out").read():
        print("FAILED: the live write did not reach the program")
        status = 1
    return status


def packet(payload):
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) & 0xff)


def exchange(sock, data, want_reply=True, timeout=10):
    sock.sendall(data)
    if not want_reply:
        return b""
    sock.settimeout(timeout)
    buf = b""
    while not re.search(rb"\$[^#]*#[0-9a-f]{2}", buf):
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


def test_hostile(tapvm, elf):
    work = tempfile.mkdtemp(prefix="gdb_e2e_")
    journal = os.path.join(work, "prog.tapj")
    subprocess.run([tapvm, "record", "-o", journal, "--bios", elf], capture_output=True, timeout=120, check=True)
    failures = []
    # 1: garbage, then real packets must still be answered.
    log = os.path.join(work, "tapvm1.log")
    proc, port = start_tapvm([tapvm, "replay", journal], log)
    s = socket.create_connection(("127.0.0.1", port))
    junk = bytes(range(256)) * 4 + b"$$$###}}}***" + b"$g#00" + b"$" + b"A" * 100000 + b"#00"
    s.sendall(junk)
    # Resynchronise: whatever the junk made tapvm answer, a qC must come back.
    buf = b""
    s.settimeout(30)
    s.sendall(packet(b"qC"))
    while b"$QC1#" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            failures.append("tapvm closed the connection after junk")
            break
        buf += chunk
    for p, want in [(b"?", rb"\$T05"), (b"qFooBar", rb"\$#00"), (b"m0,zz", rb"\$E01"),
                    (b"m" + b"f" * 40 + b",4", rb"\$E01"), (b"X80000000,4:}", rb"\$E01"),
                    (b"Z0,80000000,4;junk", rb"\$OK"), (b"vCont;r1,2", rb"\$E01"),
                    (b"qXfer:features:read:target.xml:ffffffff,10", rb"\$l#"),
                    (b"qRcmd," + b"zz" * 3, rb"\$E01"), (b"G" + b"0" * 7, rb"\$E01"),
                    (b"qSupported", rb"PacketSize=")]:
        reply = exchange(s, packet(p))
        if not re.search(want, reply):
            failures.append("%r -> %r" % (p, reply[-80:]))
    # A continue, then the client leaves while the machine runs.
    s.sendall(packet(b"c"))
    s.close()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        failures.append("tapvm did not notice the client leaving during a run")
    if proc.returncode not in (0, None):
        failures.append("tapvm exit status %s after a client left mid-run" % proc.returncode)
    # 2: a client that leaves in the middle of a packet, and one in no-ack mode.
    log = os.path.join(work, "tapvm2.log")
    proc, port = start_tapvm([tapvm, "replay", journal], log)
    s = socket.create_connection(("127.0.0.1", port))
    reply = exchange(s, packet(b"QStartNoAckMode"))
    if b"OK" not in reply:
        failures.append("no-ack mode: %r" % reply)
    reply = exchange(s, packet(b"g"))
    if reply.startswith(b"+") or len(reply) < 500:
        failures.append("no-ack reply: %r" % reply[:40])
    s.sendall(b"$m80000000,10")  # no end
    s.close()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        failures.append("tapvm did not notice the client leaving mid-packet")
    if proc.returncode != 0:
        failures.append("tapvm exit status %s after a client left mid-packet" % proc.returncode)
    print("\n".join(failures) if failures else "PASS")
    return 1 if failures else 0


def test_interrupt(tapvm, elf):
    work = tempfile.mkdtemp(prefix="gdb_e2e_")
    log = os.path.join(work, "tapvm.log")
    proc, port = start_tapvm([tapvm, "run", "--bios", elf], log)
    s = socket.create_connection(("127.0.0.1", port))
    failures = []

    def icount():
        reply = exchange(s, packet(b"qRcmd," + b"icount".hex().encode()))
        m = re.search(rb"\$([0-9a-f]+)#", reply)
        text = bytes.fromhex(m.group(1).decode()).decode() if m else ""
        return int(text.split()[1]) if text.startswith("icount") else -1

    for armed in (False, True):
        if armed and b"OK" not in exchange(s, packet(b"Z0,90000000,4")):
            failures.append("Z0 refused")
        before = icount()
        s.sendall(packet(b"vCont;c"))
        time.sleep(0.5)
        reply = exchange(s, b"\x03")
        if b"$T02" not in reply:
            failures.append("Ctrl-C (armed=%s): %r" % (armed, reply))
        after = icount()
        if not after > before >= 0:
            failures.append("no progress (armed=%s): %d -> %d" % (armed, before, after))
        print("interrupt armed=%s: icount %d -> %d" % (armed, before, after))
    exchange(s, packet(b"D"))
    s.close()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        failures.append("tapvm did not exit after D")
    if proc.returncode != 0:
        failures.append("tapvm exit status %s" % proc.returncode)
    print("\n".join(failures) if failures else "PASS")
    return 1 if failures else 0


LINUX_SCRIPT = r'''
FUNC, FUNC_END, CALLER, CALLER_END = %(func)d, %(func_end)d, %(caller)d, %(caller_end)d
# By symbol, from the vmlinux gdb was started with (no DWARF: gdb places
# the breakpoint after the prologue it finds).
ex("break setup_arch")
out = ex("continue")
check("linux_break", FUNC <= pc() < FUNC_END, "pc %%x %%s" %% (pc(), out))
check("linux_priv_s", val("$priv") == 1, str(val("$priv")))
ra = val("$ra")
check("linux_ra_in_caller", CALLER <= ra < CALLER_END, "ra %%x" %% ra)
check("linux_frame_name", "setup_arch" in ex("frame"), ex("frame"))
before = regs()
at = int(ex("monitor icount").split()[1])
out = ex("reverse-stepi")
# The breakpoint is on the function's first instruction: one back is the
# call in the caller.
check("linux_reverse_stepi", int(ex("monitor icount").split()[1]) == at - 1 and CALLER <= pc() < CALLER_END,
      "pc %%x" %% pc())
ex("stepi")
check("linux_forward_again", regs() == before, "pc %%x" %% pc())
# A few instructions into the function, reverse-step goes back through it
# as a whole (it has no line information) to its entry; the next
# reverse-step leaves it, into the caller before the call.
for _ in range(4):
    ex("nexti")
inside = pc()
out = ex("reverse-step")
check("linux_reverse_step_entry", FUNC < inside < FUNC_END and pc() == FUNC, "pc %%x (from %%x) %%s" %% (pc(), inside, out))
out = ex("reverse-step")
check("linux_reverse_step_out", CALLER <= pc() < CALLER_END and "start_kernel" in ex("frame") and
      int(ex("monitor icount").split()[1]) < at, "pc %%x %%s" %% (pc(), out))
out = ex("monitor icount")
check("linux_monitor", out.startswith("icount "), out)
# reverse-continue to the previous hit of a function the boot calls often.
ex("delete")
ex("break *%%d" %% %(often)d)
icounts = []
for _ in range(3):
    ex("continue")
    icounts.append(ex("monitor icount").split()[1])
ex("reverse-continue")
check("linux_reverse_continue", pc() == %(often)d and ex("monitor icount").split()[1] == icounts[1],
      "pc %%x icounts %%s" %% (pc(), icounts))
ex("delete")
%(measure)s
'''


def symbol(system_map, name):
    syms = []
    for l in open(system_map):
        parts = l.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    for i, (addr, n) in enumerate(syms):
        if n == name:
            end = next(a for a, _ in syms[i + 1:] if a > addr)
            return addr, end
    raise SystemExit("no symbol " + name)


def test_linux(tapvm, guest_dir, measure, record_insns=30000000, measure_at=0, interval=0):
    if not os.path.exists(os.path.join(guest_dir, "vmlinux")):
        print("no guest in " + guest_dir)
        return 77
    work = tempfile.mkdtemp(prefix="gdb_e2e_")
    journal = os.path.join(work, "boot.tapj")
    # A digest every 1M instructions: the debugged replay is checked often.
    # A private copy of the disk: tapvm locks a writable image, and these
    # tests run side by side.
    disk = os.path.join(work, "disk.img")
    shutil.copy(os.path.join(guest_dir, "disk.img"), disk)
    r = subprocess.run([tapvm, "record", "-o", journal, "--guest-dir", guest_dir, "--max-insns", str(record_insns),
                        "--digest-interval", "1000000", "--checkpoint-interval", str(interval),
                        "--drive", "file=" + disk],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    if "recorded" not in r.stderr:
        print(r.stderr)
        return 1
    system_map = os.path.join(guest_dir, "System.map")
    func, func_end = symbol(system_map, "setup_arch")
    caller, caller_end = symbol(system_map, "start_kernel")
    often, _ = symbol(system_map, "do_one_initcall")
    log = os.path.join(work, "tapvm.log")
    proc, port = start_tapvm([tapvm, "replay", "-q", journal], log)
    m = ""
    if interval:
        # Far into the boot, reverse-stepi restores the journal checkpoint
        # before the point (loosely bounded: seconds would mean a replay
        # from the start); a second one, the checkpoint kept in memory.
        far = record_insns * 9 // 10
        m += ("ex('monitor goto %d')\nex('maint flush register-cache')\nbefore = pc()\n"
              "t0 = time.perf_counter()\nex('reverse-stepi')\nt1 = time.perf_counter()\nex('reverse-stepi')\n"
              "t2 = time.perf_counter()\n"
              "check('linux_far_reverse_stepi', ex('monitor icount').split()[1] == '%d' and t1 - t0 < 5 and "
              "t2 - t1 < 2, 'times %%.3f %%.3f s' %% (t1 - t0, t2 - t1))\n" % (far, far - 2))
    if measure_at:
        m += "ex('monitor goto %d')\nex('maint flush register-cache')\n" % measure_at
    if measure:
        m += "measure(%d)\n" % measure
    out = run_gdb(port, LINUX_SCRIPT % {"func": func, "func_end": func_end, "caller": caller, "caller_end": caller_end,
                                       "often": often, "measure": m},
                  elf=os.path.join(guest_dir, "vmlinux"))
    expected = ["linux_break", "linux_priv_s", "linux_ra_in_caller", "linux_frame_name", "linux_reverse_stepi",
                "linux_forward_again", "linux_reverse_step_entry", "linux_reverse_step_out", "linux_monitor",
                "linux_reverse_continue"]
    if interval:
        expected.append("linux_far_reverse_stepi")
    status = verdict(out, expected, proc, log)
    tapvm_log = open(log).read()
    if not seeker_used(tapvm_log, interval):
        status = 1
    loads = re.search(r"(\d+) journal checkpoints loaded", tapvm_log)
    if interval and not (loads and int(loads.group(1)) >= 1):
        print("FAILED: no journal checkpoint was restored")
        status = 1
    return status


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    if not GDB:
        print("gdb-multiarch is not installed (tools/setup.sh installs it)")
        return 77
    tapvm, target, test = sys.argv[1:4]
    opts = dict(zip(sys.argv[4::2], sys.argv[5::2]))
    measure = int(opts.get("--measure", 0))
    interval = int(opts.get("--checkpoint-interval", 0))
    if test == "replay":
        return test_replay(tapvm, target, measure, interval)
    if test == "run":
        return test_run(tapvm, target)
    if test == "hostile":
        return test_hostile(tapvm, target)
    if test == "interrupt":
        return test_interrupt(tapvm, target)
    if test == "linux":
        return test_linux(tapvm, target, measure, int(opts.get("--record-insns", 30000000)),
                          int(opts.get("--measure-at", 0)), interval)
    print("unknown test " + test)
    return 2


if __name__ == "__main__":
    sys.exit(main())
