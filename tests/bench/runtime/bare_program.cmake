# tapvm_bare_program(<target> <elf> SOURCES <files...> [FLAGS <flags...>])
#
# Builds a bare-metal C program on the runtime in this folder (crt.S,
# link.ld, bare.c: stack, .bss, FPU on, UART output, finisher exit) and
# picolibc, as part of ALL. Used by tests/bench and tests/diff.
if(NOT COMMAND tapvm_riscv_program)
  include(${PROJECT_SOURCE_DIR}/tools/cmake/riscv.cmake)
endif()

function(tapvm_bare_program target elf)
  cmake_parse_arguments(B "" "" "SOURCES;FLAGS" ${ARGN})
  set(rt ${PROJECT_SOURCE_DIR}/tests/bench/runtime)
  tapvm_riscv_program(
    NAME ${target} OUTPUT ${elf} PICOLIBC
    LINKER_SCRIPT ${rt}/link.ld
    SOURCES ${rt}/crt.S ${rt}/bare.c ${B_SOURCES}
    FLAGS -nostartfiles -I${PROJECT_SOURCE_DIR} -Wall -Wextra
          -Wl,--no-warn-rwx-segments ${B_FLAGS})
  # riscv.cmake tracks only the sources; the headers beside them (and the
  # runtime's) must rebuild the ELF too.
  set(header_globs ${rt}/*.h)
  foreach(src ${B_SOURCES})
    get_filename_component(dir ${src} DIRECTORY)
    list(APPEND header_globs ${dir}/*.h)
  endforeach()
  file(GLOB headers ${header_globs})
  add_custom_command(OUTPUT ${elf} APPEND DEPENDS ${headers})
endfunction()
