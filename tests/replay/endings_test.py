#!/usr/bin/env python3
"""Every way a recording ends leaves a journal that replays to its last
event and says "matched" (ctest runs one way per case).

usage: endings_test.py TAPVM GUEST_DIR ENDINGS_ELF_DIR WAY
ways: poweroff panic ctrl_a_x timeout max_insns stuck idle sigint sigterm
      sighup kill9 journal_full piped_input quit_at_eof disk_busy

Each records the built Linux guest (or a bare program that ends that way),
checks the exit status and message the user sees, checks `journal verify`,
then replays the journal and requires "replay matched" with exit 0.
"""
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def read_until(fd, text, timeout):
    """Reads a pty until `text` shows up; returns what was read."""
    out = b""
    end = time.monotonic() + timeout
    while text.encode() not in out:
        left = end - time.monotonic()
        if left <= 0:
            fail(f"timed out waiting for {text!r}; got {out[-400:]!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def record_pty(tapvm, args, then):
    """Records on a pseudo-terminal (the user's own terminal); `then(fd)`
    drives it. Returns (exit status, everything shown)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(tapvm, [tapvm, "record"] + args)
    shown = then(fd)
    while True:
        try:
            r, _, _ = select.select([fd], [], [], 60)
            if not r:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            shown += chunk
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def record_pipe(tapvm, args, stdin_secs, during=None):
    """Records with a pipe for standard input that stays open `stdin_secs`.
    `during(proc)` runs once the guest's init is up. Returns (status, stderr)."""
    feeder = subprocess.Popen(["sleep", str(stdin_secs)], stdout=subprocess.PIPE)
    p = subprocess.Popen([tapvm, "record"] + args, stdin=feeder.stdout, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    feeder.stdout.close()
    out = b""
    if during:
        while b"TAPVM-INIT-READY" not in out:
            chunk = p.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
        time.sleep(0.5)
        during(p)
    rest, err = p.communicate(timeout=300)
    feeder.kill()
    return p.returncode, err.decode(errors="replace")


def check_replay(tapvm, journal, want_clean=True):
    v = subprocess.run([tapvm, "journal", "verify", journal], capture_output=True, text=True)
    if v.returncode != 0:
        fail("journal verify failed: " + v.stdout + v.stderr)
    info = subprocess.run([tapvm, "journal", "info", journal], capture_output=True, text=True).stdout
    if want_clean and "closed     cleanly" not in info:
        fail("the journal was not closed cleanly:\n" + info)
    r = subprocess.run([tapvm, "replay", "-q", journal], capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or "replay matched" not in r.stderr:
        fail(f"replay exit {r.returncode}: {r.stderr}")
    print(r.stderr.strip())


def main():
    tapvm, guest, elf_dir, way = sys.argv[1:5]
    tmp = tempfile.mkdtemp(prefix="tapvm-end-")
    try:
        j = os.path.join(tmp, "j.tapj")
        disk = os.path.join(tmp, "disk.img")
        shutil.copy(os.path.join(guest, "disk.img"), disk)
        linux = ["-o", j, "--guest-dir", guest, "--drive", "file=" + disk]
        clean = True
        if way == "poweroff":
            rc, err = record_pipe(tapvm, linux + ["--append", "console=ttyS0 tapvm.script=hello"], 1)
            want = (0, "recorded")
        elif way == "panic":
            rc, err = record_pipe(tapvm, linux + ["--append", "console=ttyS0 rdinit=/none init=/none"], 1)
            want = (1, "panicked")
        elif way == "ctrl_a_x":
            def quit_at_prompt(fd):
                shown = read_until(fd, "tapvm:/# ", 240)
                time.sleep(1)  # idle at the prompt
                os.write(fd, b"\x01x")
                return shown
            rc, err = record_pty(tapvm, linux, quit_at_prompt)
            want = (0, "stopped (Ctrl-A x)")
        elif way == "timeout":
            rc, err = record_pipe(tapvm, linux + ["--timeout", "2"], 4)
            want = (124, "time limit of 2 s")
        elif way == "max_insns":
            rc, err = record_pipe(tapvm, linux + ["--max-insns", "90000000"], 30)
            want = (124, "instruction limit of 90000000")
        elif way == "stuck":
            rc, err = record_pipe(tapvm, ["-o", j, "--bios", os.path.join(elf_dir, "stuck.elf")], 1)
            want = (124, "stuck taking traps")
        elif way == "idle":
            rc, err = record_pipe(tapvm, ["-o", j, "--bios", os.path.join(elf_dir, "idle_forever.elf")], 1)
            want = (124, "nothing can raise")
        elif way in ("sigint", "sigterm", "sighup"):
            sig = {"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sighup": signal.SIGHUP}[way]
            rc, err = record_pipe(tapvm, linux, 60, lambda p: p.send_signal(sig))
            want = (128 + sig, "stopped by " + signal.Signals(sig).name)
        elif way == "kill9":
            rc, err = record_pipe(tapvm, linux, 60, lambda p: p.kill())
            want = (-9, "")
            clean = False
        elif way == "journal_full":
            # The journal's file system fills up mid-run: a 6 MiB tmpfs in a
            # private mount namespace when we may mount, else a 6 MiB file
            # size limit (the write then fails with EFBIG instead).
            full_dir = os.path.join(tmp, "small")
            os.mkdir(full_dir)
            inner = os.path.join(full_dir, "j.tapj")
            # A workload that journals ~7 MiB in all (boot images included).
            rec = [tapvm, "record", "-o", inner] + linux[2:] + ["--append", "console=ttyS0 tapvm.script=workload"]
            can_mount = os.geteuid() == 0 and shutil.which("unshare") and subprocess.run(
                ["unshare", "-m", "true"], capture_output=True).returncode == 0
            if can_mount:
                script = ('mount -t tmpfs -o size=6m tmpfs "$1" && shift && "$@"; rc=$?; cp "$J" "$OUT"; exit $rc')
                cmd = ["unshare", "-m", "sh", "-c", script, "sh", full_dir] + rec
                want_msg = "No space left on device"
            else:
                cmd = ["bash", "-c", "trap '' XFSZ; ulimit -f 6144; exec \"$@\"; ", "bash"] + rec
                want_msg = "cannot write the journal"
            env = dict(os.environ, J=inner, OUT=j)
            feeder = subprocess.Popen(["sleep", "30"], stdout=subprocess.PIPE)
            p = subprocess.run(cmd, stdin=feeder.stdout, capture_output=True, env=env, timeout=300)
            feeder.kill()
            rc, err = p.returncode, p.stderr.decode(errors="replace")
            if not can_mount:
                shutil.copy(inner, j)
            print("mounted a full tmpfs" if can_mount else "limited the file size")
            want = (3, want_msg)
            clean = False
        elif way in ("piped_input", "quit_at_eof"):
            # Console input piped in before the guest reads a console must
            # still reach its shell (it waits for the driver to be ready).
            script = b"echo piped-$((6 * 7))\n" + (b"" if way == "quit_at_eof" else b"poweroff -f\n")
            extra = ["--quit-at-eof"] if way == "quit_at_eof" else []
            p = subprocess.run([tapvm, "record"] + linux + extra, input=script, capture_output=True, timeout=300)
            rc, err = p.returncode, p.stderr.decode(errors="replace")
            if b"piped-42" not in p.stdout:
                fail("the piped command did not run; console:\n" + p.stdout.decode(errors="replace")[-600:])
            want = (0, "end of the console input" if way == "quit_at_eof" else "recorded")
        elif way == "disk_busy":
            # A second tapvm on a disk the first is recording with is
            # refused; the first goes on and its journal replays.
            def second(p):
                q = subprocess.run([tapvm, "run", "--guest-dir", guest, "--drive", "file=" + disk,
                                    "--max-insns", "1000"], capture_output=True, text=True, timeout=60)
                if q.returncode != 2 or "image is in use" not in q.stderr:
                    p.kill()
                    fail(f"a second tapvm on the same disk: exit {q.returncode}: {q.stderr}")
                print("second tapvm: " + q.stderr.strip())
                p.send_signal(signal.SIGTERM)
            rc, err = record_pipe(tapvm, linux, 60, second)
            want = (143, "stopped by SIGTERM")
        else:
            fail("unknown way " + way)
        if rc != want[0] or want[1] not in err:
            fail(f"recording ended with exit {rc} (want {want[0]}) and stderr: {err}")
        print(f"{way}: exit {rc}: {err.strip().splitlines()[-1] if err.strip() else '(killed)'}")
        check_replay(tapvm, j, clean)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
