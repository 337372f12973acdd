# The FT tests' stateful service: run with tapvm.script=ftcounter, a disk
# (/dev/vda, ext2) and a NIC. Gives eth0 10.0.2.15/24 (the host peer is
# 10.0.2.2), mounts the disk read-write on /mnt and runs
# `ftcounter 9000 /mnt/counter` (protocol: tools/guest/ftcounter.c) until a
# client sends QUIT; then syncs and unmounts, and tapvm-test powers off with
# ftcounter's status. Its console line "ftcounter: ready on port 9000, next N"
# says requests can come.
#
# From an interactive shell, `sh /tests/ftcounter.sh &` does the same and
# leaves what was already set up (address, mount) as it was.
set -e
port=9000
ip link set eth0 up
ip -4 addr show dev eth0 | grep -q 'inet 10\.0\.2\.15/' || ip addr add 10.0.2.15/24 dev eth0
mounted=
if ! grep -q '^/dev/vda /mnt ' /proc/mounts; then
  mount -t ext2 /dev/vda /mnt
  mounted=1
fi
status=0
ftcounter "$port" /mnt/counter || status=$?
sync
[ -z "$mounted" ] || umount /mnt
exit "$status"
