#!/usr/bin/env bash
# Re-records golden journals (tests/golden/, see its README.md) on purpose:
# after a change of guest-visible behaviour that is meant, or of the
# journal format. CI never runs this; CTest only replays what is committed.
#
# usage: tools/golden/record.sh [--build DIR] [NAME...]
#   --build DIR  the build folder with tapvm, the test programs and the
#                guest (default: build)
#   NAME         goldens to re-record (default: all but frozen-*): see
#                `recipe` below
# Each journal is recorded from files copied under fixed names (the header
# keeps the names it was given), compacted (`tapvm journal compact`),
# replayed, and compared with the committed one (`tapvm journal diff`):
# an identical journal leaves the committed file as it is, so re-running
# this without a behaviour change changes nothing in git. A bare program is
# recorded twice and must give identical journals (no input: deterministic).
# frozen-* journals stand for journals written by an older tapvm: this
# script writes one only when it is missing, never over a committed one.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$repo/build
if [ "${1:-}" = "--build" ]; then build=$(cd "$2" && pwd); shift 2; fi
tapvm=$build/tools/tapvm/tapvm
golden=$repo/tests/golden
[ -x "$tapvm" ] || { echo "record.sh: no tapvm at $tapvm (build first, or give --build DIR)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ALL="bare-mips_bench_small bare-irq_wfi bare-vm_sv48 linux-boot-disk frozen-v1-echo"

# recipe NAME DIR: records NAME into DIR/rec.tapj, run from DIR.
recipe() {
  local name=$1 dir=$2 elf=""
  case $name in
    bare-mips_bench_small) elf=$build/tests/bench/mips/mips_bench_small.elf interval=100000 ;;
    bare-irq_wfi) elf=$build/tests/isa/elf/priv-irq_wfi.elf interval=10 ;;
    bare-vm_sv48) elf=$build/tests/isa/elf/priv-vm_sv48.elf interval=50 ;;
    linux-boot-disk)
      local g=$build/guest
      cp "$g/fw_dynamic.bin" "$g/Image" "$g/rootfs.cpio.gz" "$g/disk.img" "$dir/"
      (cd "$dir" && "$tapvm" record -o rec.tapj --bios fw_dynamic.bin --kernel Image --initrd rootfs.cpio.gz \
        --append "console=ttyS0 tapvm.script=hello" --drive file=disk.img,readonly=on \
        --digest-interval 10000000 --timeout 300 </dev/null >rec.out 2>rec.err) \
        || { cat "$dir/rec.err" >&2; return 1; }
      return 0 ;;
    frozen-v1-echo)
      cp "$build/tests/replay/echo.elf" "$dir/echo.elf"
      (cd "$dir" && printf 'hello\n' | "$tapvm" record -o rec.tapj --bios echo.elf --digest-interval 10 \
        --max-insns 5000000 >rec.out 2>rec.err) || true  # a limit ends it, by design
      [ -f "$dir/rec.tapj" ] && grep -q hello "$dir/rec.out" || { cat "$dir/rec.err" >&2; return 1; }
      return 0 ;;
    *) echo "record.sh: unknown golden '$name' (known: $ALL)" >&2; return 2 ;;
  esac
  cp "$elf" "$dir/${name#bare-}.elf"
  (cd "$dir" && "$tapvm" record -o rec.tapj --bios "${name#bare-}.elf" --digest-interval "$interval" \
    </dev/null >rec.out 2>rec.err) || { cat "$dir/rec.err" >&2; return 1; }
}

unpack() { xz -dc "$1" >"$2"; }

names=("$@")
[ ${#names[@]} -gt 0 ] || read -r -a names <<<"$ALL"
for name in "${names[@]}"; do
  out=$golden/$name.tapj.xz
  if [[ $name == frozen-* ]] && [ -e "$out" ]; then
    echo "$name: frozen (stands for an older tapvm's journal): kept as committed"
    continue
  fi
  d=$work/$name
  mkdir -p "$d/a" "$d/b"
  recipe "$name" "$d/a"
  "$tapvm" journal compact "$d/a/rec.tapj" "$d/new.tapj" >/dev/null
  "$tapvm" replay -q "$d/new.tapj" 2>"$d/replay.err" || { cat "$d/replay.err" >&2; echo "$name: does not replay" >&2; exit 1; }
  if [[ $name == bare-* ]]; then
    recipe "$name" "$d/b"
    "$tapvm" journal diff "$d/a/rec.tapj" "$d/b/rec.tapj" >"$d/det.txt" \
      || { cat "$d/det.txt" >&2; echo "$name: two recordings differ: not deterministic" >&2; exit 1; }
  fi
  if [ -e "$out" ]; then
    unpack "$out" "$d/old.tapj"
    if "$tapvm" journal diff "$d/old.tapj" "$d/new.tapj" >"$d/diff.txt" 2>&1; then
      echo "$name: unchanged (journal diff: identical): kept as committed"
      continue
    fi
    echo "$name: changed: $(grep -m1 -E '^(first difference|header)' "$d/diff.txt" || head -n 1 "$d/diff.txt")"
  fi
  xz -9e -T1 -c "$d/new.tapj" >"$out"
  if [[ $name == frozen-* ]]; then "$tapvm" journal dump "$d/new.tapj" >"$golden/$name.dump"; fi
  echo "$name: recorded: $(stat -c %s "$d/new.tapj") bytes, $(stat -c %s "$out") compressed ($("$tapvm" journal info "$d/new.tapj" | sed -n 's/^events *\([0-9]*\) .*/\1/p') events)"
done
