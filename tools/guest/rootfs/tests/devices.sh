# Checks that the guest drives the virtio devices of the virt board; run with
# tapvm.script=devices and (QEMU names) -device virtio-blk-device (disk.img),
# -device virtio-rng-device, -device virtio-net-device. Exits non-zero at the
# first missing piece, which tapvm-test turns into the emulator's exit status.
set -e
echo "devices: block"
mount -t ext2 -o ro /dev/vda /mnt
cat /mnt/hello.txt
umount /mnt
echo "devices: rng"
test -c /dev/hwrng
cat /sys/class/misc/hw_random/rng_current
dd if=/dev/hwrng of=/tmp/rng bs=16 count=1 2>/dev/null
test "$(wc -c < /tmp/rng)" -eq 16
echo "devices: net"
ip link set eth0 up
ip link show eth0
echo "devices: ok"
