# Zicsr instruction semantics, Zicntr counters, Zifencei.
# On QEMU 7.2 zicntr needs `-icount shift=0` (otherwise instret counts host
# ticks), and csr_ro_zero fails (QEMU does not trap a csrrs/csrrc with a
# zero-valued rs1 register on a read-only CSR, which the spec requires).
tapvm_isa_test(zicsr csr_rw       csr_rw.S       csrrc)
tapvm_isa_test(zicsr csr_imm      csr_imm.S      csrrsi)
tapvm_isa_test(zicsr csr_readonly csr_readonly.S csrrs)
tapvm_isa_test(zicsr csr_ro_zero  csr_ro_zero.S  csrrs)
tapvm_isa_test(zicsr zicntr       zicntr.S       csrrs)
tapvm_isa_test(zicsr fence_i      fence_i.S      c.li)
