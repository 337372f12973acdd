# RV64A load-reserved/store-conditional and atomic memory operations.
# amo_misaligned fails on QEMU 7.2, which reports a misaligned AMO as a
# load address-misaligned trap (cause 4); the spec allows only 6 or 7.
tapvm_isa_test(rv64a lrsc           lrsc.S           sc.w)
tapvm_isa_test(rv64a amo_w          amo_w.S          amominu.w)
tapvm_isa_test(rv64a amo_d          amo_d.S          amoxor.d)
tapvm_isa_test(rv64a amo_misaligned amo_misaligned.S amoadd.d)
