# RV64M multiplication and division.
tapvm_isa_test(rv64m mul  mul.S  mulhsu)
tapvm_isa_test(rv64m div  div.S  divu)
tapvm_isa_test(rv64m divw divw.S remw)
