# Builds bare-metal RISC-V programs with Debian's riscv64-unknown-elf-gcc.
#
# tapvm_riscv_program(NAME <target> OUTPUT <elf> SOURCES <files...>
#                     [LINKER_SCRIPT <ld>] [FLAGS <extra flags...>] [PICOLIBC])
# The program is built at `make` time by a custom command; the target name can
# be used in DEPENDS. PICOLIBC links against picolibc (C programs); without it
# the program is linked with -nostdlib (assembly tests).
include_guard(GLOBAL)
find_program(RISCV_ELF_GCC riscv64-unknown-elf-gcc REQUIRED)

function(tapvm_riscv_program)
  cmake_parse_arguments(P "PICOLIBC" "NAME;OUTPUT;LINKER_SCRIPT" "SOURCES;FLAGS" ${ARGN})
  set(flags -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -g -static
            -I${PROJECT_SOURCE_DIR}/tests/isa/common ${P_FLAGS})
  if(P_PICOLIBC)
    list(APPEND flags --specs=picolibc.specs)
  else()
    list(APPEND flags -nostdlib -nostartfiles)
  endif()
  if(P_LINKER_SCRIPT)
    list(APPEND flags -T ${P_LINKER_SCRIPT})
  endif()
  set(deps ${P_SOURCES} ${P_LINKER_SCRIPT})
  file(GLOB common_headers ${PROJECT_SOURCE_DIR}/tests/isa/*/*.h)
  add_custom_command(
    OUTPUT ${P_OUTPUT}
    COMMAND ${RISCV_ELF_GCC} ${flags} ${P_SOURCES} -o ${P_OUTPUT}
    DEPENDS ${deps} ${common_headers}
    COMMENT "riscv64 ${P_NAME}"
    VERBATIM)
  add_custom_target(${P_NAME} ALL DEPENDS ${P_OUTPUT})
  # Every program, for the in-process round trips (tests/roundtrip).
  set_property(GLOBAL APPEND PROPERTY TAPVM_RISCV_PROGRAMS ${P_OUTPUT})
  set_property(GLOBAL APPEND PROPERTY TAPVM_RISCV_TARGETS ${P_NAME})
endfunction()
