#!/usr/bin/env bash
# Builds the tapvm Linux guest from Debian packages only, into OUTDIR
# (default: build/guest under the repo root):
#   Image            Linux 6.1 (Debian's linux-source-6.1), tinyconfig + linux.config
#   System.map       its symbols (for reading PCs in emulator traces)
#   vmlinux          the kernel ELF with its symbol table (gdb: break by name)
#   kernel.config    the full resolved kernel .config
#   rootfs.cpio.gz   initramfs: static busybox (Debian's busybox source) + rootfs/
#                    + /bin/ftcounter (ftcounter.c, the FT tests' UDP counter)
#   disk.img         16 MiB ext2 image holding hello.txt
#   fw_dynamic.{bin,elf}, fw_jump.{bin,elf}   OpenSBI generic (Debian's opensbi)
#   manifest.txt     the versions and cache keys that produced the above
#
# Every artifact is cached under $TAPVM_GUEST_CACHE (default
# ~/.cache/tapvm-guest) by a hash of its inputs: the recipe (the bash function
# that builds it), the checked-in files it reads and the Debian package
# versions it uses. A run whose inputs did not change only copies from the
# cache. Missing Debian packages are installed with apt-get (root or sudo);
# a deb-src entry is added when `apt-get source busybox` has none.
#
# Environment: TAPVM_GUEST_CACHE (cache dir), TAPVM_GUEST_JOBS (make -j, default
# 2), TAPVM_GUEST_KEEP_WORK=1 (keep the temporary build trees for debugging).
set -euo pipefail

# Bump to invalidate every cached artifact (e.g. after a toolchain-wide change
# the package versions would not show).
readonly RECIPE_VERSION=1
readonly CROSS=riscv64-linux-gnu-
readonly LINUX_PKG=linux-source-6.1
readonly LINUX_TARBALL=/usr/src/linux-source-6.1.tar.xz
readonly DISK_SIZE=16M

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
OUTDIR=${1:-$REPO/build/guest}
CACHE=${TAPVM_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tapvm-guest}
JOBS=${TAPVM_GUEST_JOBS:-2}
# Fixed build identity so the same inputs give the same bytes.
export KBUILD_BUILD_USER=tapvm KBUILD_BUILD_HOST=tapvm KBUILD_BUILD_VERSION=1
export KBUILD_BUILD_TIMESTAMP="Sun Jan 1 00:00:00 UTC 2023"
export LC_ALL=C TZ=UTC

log() { printf 'guest: %s\n' "$*"; }
die() { printf 'guest: error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
pkg_version() { dpkg-query -W -f='${Version}' "$1"; }
short_hash() { sha256sum | cut -c1-16; }
now() { date +%s; }

# --- packages ---------------------------------------------------------------

PACKAGES=(
  "$LINUX_PKG" gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
  libc6-dev-riscv64-cross gcc libc6-dev make bc bison flex perl
  cpio gzip xz-utils bzip2 e2fsprogs dpkg-dev patch opensbi
)

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { log "packages: all ${#PACKAGES[@]} present"; return; }
  log "packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt_log
  apt_log=$(mktemp "${TMPDIR:-/tmp}/tapvm-guest-apt.XXXXXX")
  if ! { as_root apt-get update -qq && \
         as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > "$apt_log" 2>&1; then
    cat "$apt_log"; rm -f "$apt_log"; die "apt-get install failed"
  fi
  rm -f "$apt_log"
}

# Writes deb-src twins of the machine's own Debian entries for this release
# (deb822 *.sources and one-line sources.list styles), so `apt-get source`
# uses the same mirror as everything else.
deb_src_entries() {
  local codename=$1 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$codename" 'BEGIN { RS = ""; FS = "\n" }
      { types = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^Suites:/) suites = $i
        }
        if (types ~ /[ \t]deb([ \t]|$)/ && suites ~ ("[ \t]" suite "([ \t-]|$)")) {
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^Types:/) print "Types: deb-src"
            else if ($i !~ /^#/) print $i
          }
          print ""
        } }' "$f"
  done
}
deb_src_lines() {
  local codename=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$codename" '$1 == "deb" && $0 ~ ("[ \t]" suite "([ \t-]|$)") \
        { sub(/^deb/, "deb-src"); print }' "$f"
  done
}

ensure_deb_src() {
  apt-get source --print-uris busybox > /dev/null 2>&1 && return
  local codename entries lines
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  entries=$(deb_src_entries "$codename")
  lines=$(deb_src_lines "$codename")
  if [ -z "$entries$lines" ]; then
    entries="Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
  fi
  if [ -n "$entries" ]; then
    log "apt: adding /etc/apt/sources.list.d/tapvm-deb-src.sources"
    printf '%s\n' "$entries" | as_root tee /etc/apt/sources.list.d/tapvm-deb-src.sources > /dev/null
  fi
  if [ -n "$lines" ]; then
    log "apt: adding /etc/apt/sources.list.d/tapvm-deb-src.list"
    printf '%s\n' "$lines" | as_root tee /etc/apt/sources.list.d/tapvm-deb-src.list > /dev/null
  fi
  as_root apt-get update -qq
  apt-get source --print-uris busybox > /dev/null || die "apt-get source busybox still finds no source"
}

# Source version apt-get would fetch, with its epoch (1:1.35.0-4+deb12u1):
# the .dsc name tells which one apt picks but drops the epoch, which
# `apt-get source busybox=VERSION` needs, so match it against showsrc.
busybox_src_version() {
  local dsc v
  dsc=$(apt-get source --print-uris busybox 2>/dev/null \
    | awk '!found && $2 ~ /^busybox_.*\.dsc$/ { v = $2; sub(/^busybox_/, "", v); sub(/\.dsc$/, "", v); print v; found = 1 }')
  for v in $(apt-cache showsrc --only-source busybox | awk '/^Version:/ { print $2 }'); do
    [ "${v#*:}" = "$dsc" ] && { echo "$v"; return; }
  done
}

# --- hashing ----------------------------------------------------------------

# Digest of a directory tree: relative paths, executable bit, symlink targets
# and file contents (git does not keep other modes, so they are not inputs).
tree_digest() {
  (cd "$1" && find . -mindepth 1 -print0 | sort -z | while IFS= read -r -d '' f; do
     if [ -L "$f" ]; then printf 'L %s %s\n' "$f" "$(readlink "$f")"
     elif [ -d "$f" ]; then printf 'D %s\n' "$f"
     else printf 'F %s %s %s\n' "$f" "$([ -x "$f" ] && echo x || echo -)" \
            "$(sha256sum < "$f" | cut -d' ' -f1)"
     fi
   done) | short_hash
}

# --- work dir and cache -------------------------------------------------------

# WORK holds the build trees of this run (removed at exit); ENTRY_TMP is the
# cache entry being filled (removed at exit unless it was moved into place).
WORK=
ENTRY_TMP=
cleanup() {
  local status=$?
  [ -z "$ENTRY_TMP" ] || rm -rf "$ENTRY_TMP"
  if [ -n "$WORK" ]; then
    if [ "${TAPVM_GUEST_KEEP_WORK:-0}" = 1 ]; then log "work tree kept in $WORK"
    else rm -rf "$WORK"; fi
  fi
  [ "$status" -eq 0 ] || printf 'guest: error: build failed (status %s)\n' "$status" >&2
}
trap cleanup EXIT

# cached NAME KEY BUILDER: makes sure $CACHE/NAME-KEY exists, running
# "BUILDER DIR" into a temporary dir that is renamed into place only when the
# builder succeeded, so an interrupted build never leaves a half entry.
# The builder is called as a plain command (not under `if`/`||`, where bash
# would ignore set -e inside it): any failing step ends the script.
cached() {
  local name=$1 key=$2 builder=$3 entry="$CACHE/$1-$2" start
  if [ -d "$entry" ]; then
    log "$name: cached ($entry)"
    return
  fi
  log "$name: building (key $key)"
  start=$(now)
  [ -n "$WORK" ] || WORK=$(mktemp -d "${TMPDIR:-/tmp}/tapvm-guest.XXXXXX")
  ENTRY_TMP=$(mktemp -d "$CACHE/.tmp-$name.XXXXXX")
  "$builder" "$ENTRY_TMP"
  mv -T "$ENTRY_TMP" "$entry"
  ENTRY_TMP=
  log "$name: built in $(( $(now) - start ))s"
}

# --- kernel -----------------------------------------------------------------

# Fails when a line of the fragment did not survive Kconfig (an unmet
# dependency silently drops a symbol otherwise).
check_kernel_config() {
  local config=$1 fragment=$2 line sym bad=0
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*)
        grep -qxF "$line" "$config" || { log "kernel: wanted $line, got $(grep "^${line%%=*}=" "$config" || echo unset)"; bad=1; } ;;
      "# CONFIG_"*" is not set")
        sym=${line#\# }; sym=${sym%% *}
        grep -q "^$sym=" "$config" && { log "kernel: wanted $sym unset, got $(grep "^$sym=" "$config")"; bad=1; } ;;
    esac
  done < "$fragment"
  return $bad
}

build_kernel() {
  local dest=$1 src=$WORK/linux-source-6.1 obj=$WORK/linux-obj
  log "kernel: extracting $LINUX_TARBALL"
  rm -rf "$src" "$obj"; mkdir -p "$obj"
  tar -xf "$LINUX_TARBALL" -C "$WORK"
  kmake() { nice -n 10 make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE=$CROSS "$@"; }
  kmake -s tinyconfig > /dev/null
  # -n: re-run allnoconfig with tinyconfig + fragment as KCONFIG_ALLCONFIG, so
  # symbols that only became visible through the fragment (everything under
  # NET, BLOCK, TTY ...) stay off instead of taking their default y. (Its
  # "not in final .config" notes are about tinyconfig lines the fragment
  # overrides; check_kernel_config below is the real check.)
  (cd "$src" && ARCH=riscv CROSS_COMPILE=$CROSS nice -n 10 scripts/kconfig/merge_config.sh \
     -n -O "$obj" "$obj/.config" "$HERE/linux.config") > "$WORK/kernel-config.log" 2>&1 \
    || { cat "$WORK/kernel-config.log"; return 1; }
  check_kernel_config "$obj/.config" "$HERE/linux.config" || return 1
  log "kernel: make -j$JOBS Image (log: $WORK/kernel-build.log)"
  if ! kmake -j"$JOBS" Image > "$WORK/kernel-build.log" 2>&1; then
    tail -n 40 "$WORK/kernel-build.log"; return 1
  fi
  cp "$obj/arch/riscv/boot/Image" "$obj/System.map" "$obj/vmlinux" "$dest/"
  cp "$obj/.config" "$dest/kernel.config"
}

# --- busybox ----------------------------------------------------------------

build_busybox() {
  local dest=$1 work=$WORK/busybox-src dir sandbox=()
  mkdir -p "$work"
  # As root, apt's _apt download user cannot write into our private dir.
  [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
  log "busybox: apt-get source busybox=$BUSYBOX_VERSION"
  (cd "$work" && apt-get source -qq "${sandbox[@]}" "busybox=$BUSYBOX_VERSION" > "$work/source.log" 2>&1) \
    || { cat "$work/source.log"; return 1; }
  dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*' | head -n1)
  [ -n "$dir" ] || return 1
  # SOURCE_DATE_EPOCH: busybox's kconfig stamps the version banner with it
  # instead of the build time, so the binary is reproducible.
  bmake() { SOURCE_DATE_EPOCH=1672531200 nice -n 10 make -C "$dir" CROSS_COMPILE=$CROSS "$@"; }
  bmake -s defconfig > /dev/null
  apply_busybox_config "$dir/.config" "$HERE/busybox.config"
  # Answer defaults to any question a changed symbol opens up.
  { yes '' || true; } | bmake -s oldconfig > /dev/null
  log "busybox: make -j$JOBS (log: $work/busybox-build.log)"
  if ! bmake -j"$JOBS" busybox busybox.links > "$work/busybox-build.log" 2>&1; then
    tail -n 40 "$work/busybox-build.log"; return 1
  fi
  if ${CROSS}readelf -l "$dir/busybox" | grep -q INTERP; then
    log "busybox: binary is not static"; return 1
  fi
  cp "$dir/busybox" "$dir/busybox.links" "$dest/"
  cp "$dir/.config" "$dest/busybox.config"
}

# Overrides busybox's defconfig with the fragment's lines (same syntax as a
# kernel fragment): each symbol's old line is dropped, the new one appended.
apply_busybox_config() {
  local config=$1 fragment=$2 line sym
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*) sym=${line%%=*} ;;
      "# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
      *) continue ;;
    esac
    sed -i -e "/^$sym=/d" -e "/^# $sym is not set/d" "$config"
    printf '%s\n' "$line" >> "$config"
  done < "$fragment"
}

# --- rootfs -----------------------------------------------------------------

build_rootfs() {
  local dest=$1 stage=$WORK/rootfs link
  rm -rf "$stage"; mkdir -p "$stage"
  (cd "$stage" && mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root mnt tests)
  cp -R "$HERE/rootfs/." "$stage/"
  install -m 0755 "$CACHE/busybox-$BUSYBOX_KEY/busybox" "$stage/bin/busybox"
  # The FT tests' UDP counter service; static like busybox (no libc in the
  # image).
  ${CROSS}gcc -static -O2 -s -Wall -Wextra -o "$stage/bin/ftcounter" "$HERE/ftcounter.c"
  if ${CROSS}readelf -l "$stage/bin/ftcounter" | grep -q INTERP; then
    log "rootfs: ftcounter is not static"; return 1
  fi
  # Applet links, relative so they also work when the image is unpacked
  # elsewhere; files from rootfs/ (e.g. bin/tapvm-test) win over applets.
  while IFS= read -r link; do
    link=${link#/}
    [ "$link" = bin/busybox ] && continue
    [ -e "$stage/$link" ] || [ -L "$stage/$link" ] && continue
    [ -d "$stage/${link%/*}" ] || mkdir -p "$stage/${link%/*}"
    case "$link" in
      */*/*) ln -s ../../bin/busybox "$stage/$link" ;;
      */*) ln -s ../bin/busybox "$stage/$link" ;;
    esac
  done < "$CACHE/busybox-$BUSYBOX_KEY/busybox.links"
  # Normalized modes and times: the archive depends only on the inputs.
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -type f -perm /111 -exec chmod 0755 {} +
  find "$stage" -type f ! -perm /111 -exec chmod 0644 {} +
  chmod 0700 "$stage/root"; chmod 1777 "$stage/tmp"
  find "$stage" -exec touch -h -d @0 {} +
  (cd "$stage" && find . -mindepth 1 | sort \
     | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n > "$dest/rootfs.cpio.gz"
}

# --- disk -------------------------------------------------------------------

build_disk() {
  local dest=$1 stage=$WORK/disk f field
  rm -rf "$stage"; mkdir -p "$stage"
  echo "hello from the tapvm ext2 disk" > "$stage/hello.txt"
  # Fixed UUID, hash seed and time: the same bytes on every build. mke2fs -d
  # copies each file's host atime/ctime (not settable, and reading the file
  # changes the atime), so debugfs pins all three times afterwards.
  export E2FSPROGS_FAKE_TIME=1672531200
  mke2fs -q -t ext2 -L tapvm-disk \
    -U 6170766d-0000-4000-8000-000000000001 \
    -E root_owner=0:0,hash_seed=6170766d-0000-4000-8000-000000000002 \
    -d "$stage" "$dest/disk.img" "$DISK_SIZE" > /dev/null
  (cd "$stage" && find . -mindepth 1) | while IFS= read -r f; do
    for field in atime ctime mtime; do
      printf 'sif "/%s" %s 20230101000000\n' "${f#./}" "$field"
    done
  done > "$WORK/disk-times.debugfs"
  debugfs -w -f "$WORK/disk-times.debugfs" "$dest/disk.img" > /dev/null 2>&1
  unset E2FSPROGS_FAKE_TIME
}

# --- main -------------------------------------------------------------------

main() {
  local total_start opensbi_dir f
  total_start=$(now)
  ensure_packages
  [ -f "$LINUX_TARBALL" ] || die "$LINUX_TARBALL missing although $LINUX_PKG is installed"
  mkdir -p "$CACHE" "$OUTDIR"
  exec 9> "$CACHE/.lock"
  flock 9   # one builder per cache at a time

  local gcc_v binutils_v libc_v linux_v e2fs_v opensbi_v
  gcc_v=$(pkg_version gcc-riscv64-linux-gnu)
  binutils_v=$(pkg_version binutils-riscv64-linux-gnu)
  libc_v=$(pkg_version libc6-dev-riscv64-cross)
  linux_v=$(pkg_version "$LINUX_PKG")
  e2fs_v=$(pkg_version e2fsprogs)
  opensbi_v=$(pkg_version opensbi)

  KERNEL_KEY=$( { echo "$RECIPE_VERSION"; declare -f build_kernel check_kernel_config
                  echo "$linux_v $gcc_v $binutils_v"; cat "$HERE/linux.config"; } | short_hash)
  cached kernel "$KERNEL_KEY" build_kernel

  ensure_deb_src
  BUSYBOX_VERSION=$(busybox_src_version)
  [ -n "$BUSYBOX_VERSION" ] || die "cannot tell which busybox source apt-get would fetch"
  BUSYBOX_KEY=$( { echo "$RECIPE_VERSION"; declare -f build_busybox apply_busybox_config
                   echo "$BUSYBOX_VERSION $gcc_v $binutils_v $libc_v"
                   cat "$HERE/busybox.config"; } | short_hash)
  cached busybox "$BUSYBOX_KEY" build_busybox

  ROOTFS_KEY=$( { echo "$RECIPE_VERSION $BUSYBOX_KEY $gcc_v $binutils_v $libc_v"
                  declare -f build_rootfs; tree_digest "$HERE/rootfs"
                  sha256sum < "$HERE/ftcounter.c"; } | short_hash)
  cached rootfs "$ROOTFS_KEY" build_rootfs

  DISK_KEY=$( { echo "$RECIPE_VERSION $e2fs_v $DISK_SIZE"; declare -f build_disk; } | short_hash)
  cached disk "$DISK_KEY" build_disk

  log "copying artifacts to $OUTDIR"
  for f in Image System.map vmlinux kernel.config; do
    cp --reflink=auto "$CACHE/kernel-$KERNEL_KEY/$f" "$OUTDIR/$f"
  done
  cp --reflink=auto "$CACHE/rootfs-$ROOTFS_KEY/rootfs.cpio.gz" "$OUTDIR/"
  cp --reflink=auto --sparse=always "$CACHE/disk-$DISK_KEY/disk.img" "$OUTDIR/"
  opensbi_dir=$(dirname "$(dpkg -L opensbi | grep '/generic/fw_dynamic\.bin$' | head -n1)")
  [ -f "$opensbi_dir/fw_dynamic.bin" ] || die "opensbi generic firmware not found"
  for f in fw_dynamic.bin fw_dynamic.elf fw_jump.bin fw_jump.elf; do
    cp "$opensbi_dir/$f" "$OUTDIR/$f"
  done
  cat > "$OUTDIR/manifest.txt" <<EOF
# tapvm guest, built by tools/guest/build.sh (recipe $RECIPE_VERSION)
kernel  $KERNEL_KEY  $LINUX_PKG $linux_v, gcc-riscv64-linux-gnu $gcc_v, binutils $binutils_v
busybox $BUSYBOX_KEY  busybox source $BUSYBOX_VERSION, libc6-dev-riscv64-cross $libc_v
rootfs  $ROOTFS_KEY  busybox $BUSYBOX_KEY + tools/guest/rootfs + ftcounter.c (gcc-riscv64-linux-gnu $gcc_v)
disk    $DISK_KEY  e2fsprogs $e2fs_v, $DISK_SIZE ext2
opensbi -                 opensbi $opensbi_v ($opensbi_dir)
EOF
  log "done in $(( $(now) - total_start ))s: $OUTDIR"
  (cd "$OUTDIR" && ls -l Image rootfs.cpio.gz disk.img fw_dynamic.bin fw_jump.bin | sed 's/^/guest:   /')
}

# On one line so bash has read all of it before running: editing this file
# during a build cannot make the running shell read half a line afterwards.
main "$@"; exit $?
