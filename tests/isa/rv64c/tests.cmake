# RV64C: every RV64C instruction (explicit c. mnemonics), 2-byte aligned
# jump targets and 32-bit instructions straddling a 4 KiB page boundary.
tapvm_isa_test(rv64c c_int      c_int.S      c.srai)
tapvm_isa_test(rv64c c_reg      c_reg.S      c.subw)
tapvm_isa_test(rv64c c_mem      c_mem.S      c.lwsp)
tapvm_isa_test(rv64c c_fpmem    c_fpmem.S    c.fldsp)
tapvm_isa_test(rv64c c_jump     c_jump.S     c.jalr)
tapvm_isa_test(rv64c c_branch   c_branch.S   c.bnez)
tapvm_isa_test(rv64c c_straddle c_straddle.S xori)
tapvm_isa_test(rv64c c_ebreak   c_ebreak.S   c.ebreak)
