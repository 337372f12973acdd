#!/bin/bash
# The control socket driven by socat, the way a shell user would: commands
# piped in, answers read back, over a unix socket and over TCP.
# usage: qmp_socat.sh TAPVM SPIN_ELF
set -u
TAPVM=$1 SPIN=$2
command -v socat >/dev/null || { echo "socat is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/tapvm-qmp-socat-XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- answers:"; cat "$tmp/out"; exit 1; }

# Unix socket: the machine waits for this first client (QEMU's default).
"$TAPVM" run --bios "$SPIN" --timeout 60 --qmp "unix:$tmp/q.sock,server" </dev/null >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$tmp/q.sock" ] && break; sleep 0.1; done
{
  echo '{"execute": "qmp_capabilities"}'
  echo '{"execute": "stop", "id": "s"}'
  echo '{"execute": "query-status", "id": "st"}'
  echo '{"execute": "cont"}'
  echo 'not json at all'
  echo '{"execute": "query-blockstats", "id": 3}'
  echo '{"execute": "block_set_io_throttle", "arguments": {"device": "nope", "bps": 0, "bps_rd": 0, "bps_wr": 0, "iops": 0, "iops_rd": 0, "iops_wr": 0}}'
  echo '{"execute": "quit"}'
  sleep 2
} | timeout 30 socat - "UNIX-CONNECT:$tmp/q.sock" >"$tmp/out"
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "tapvm exited $rc: $(cat "$tmp/run.log")"
grep -q '^{"QMP": *{' "$tmp/out" || grep -q '^{"QMP":{' "$tmp/out" || fail "no greeting"
grep -q '"event":"STOP"' "$tmp/out" || fail "no STOP event"
grep -q '{"return":{},"id":"s"}' "$tmp/out" || fail "stop not answered"
grep -q '"status":"paused".*"id":"st"' "$tmp/out" || fail "query-status did not say paused"
grep -q '"event":"RESUME"' "$tmp/out" || fail "no RESUME event"
grep -q '"desc":"JSON parse error' "$tmp/out" || fail "bad JSON not reported"
grep -q '{"return":\[\],"id":3}' "$tmp/out" || fail "query-blockstats"
grep -q '"class":"DeviceNotFound"' "$tmp/out" || fail "unknown drive not DeviceNotFound"
grep -q '"event":"SHUTDOWN".*"host-qmp-quit"' "$tmp/out" || fail "no SHUTDOWN"

# TCP, nowait: the machine runs before anyone connects.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TAPVM" run --bios "$SPIN" --timeout 60 --qmp "tcp:127.0.0.1:$port,server,nowait" </dev/null >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  { echo '{"execute": "qmp_capabilities"}'; echo '{"execute": "query-version", "id": 1}'; sleep 0.5; } |
    timeout 10 socat - "TCP:127.0.0.1:$port" >"$tmp/out" 2>/dev/null && [ -s "$tmp/out" ] && break
  sleep 0.1
done
grep -q '"package":"tapvm' "$tmp/out" || fail "query-version over TCP"
{ echo '{"execute": "qmp_capabilities"}'; echo '{"execute": "quit"}'; sleep 1; } |
  timeout 10 socat - "TCP:127.0.0.1:$port" >"$tmp/out"
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "tapvm (tcp) exited $rc: $(cat "$tmp/run.log")"
echo "socat: unix (waiting for the client) and tcp (nowait) sessions answered as expected"
