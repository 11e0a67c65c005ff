# Project-prefixed wrappers around MLIR's CMake helpers (after CIRCT's AddCIRCT).

# add_weft_dialect(Weft weft): ops, dialect, enum and attribute/type tablegen
# from <Dialect>Ops.td, plus a doc target that writes docs/<Dialect>.md into
# the build directory.
function(add_weft_dialect dialect dialect_namespace)
  set(LLVM_TARGET_DEFINITIONS ${dialect}Ops.td)
  mlir_tablegen(${dialect}Ops.h.inc -gen-op-decls)
  mlir_tablegen(${dialect}Ops.cpp.inc -gen-op-defs)
  mlir_tablegen(${dialect}Dialect.h.inc -gen-dialect-decls -dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Dialect.cpp.inc -gen-dialect-defs -dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Enums.h.inc -gen-enum-decls)
  mlir_tablegen(${dialect}Enums.cpp.inc -gen-enum-defs)
  mlir_tablegen(${dialect}Attrs.h.inc -gen-attrdef-decls -attrdefs-dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Attrs.cpp.inc -gen-attrdef-defs -attrdefs-dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Types.h.inc -gen-typedef-decls -typedefs-dialect=${dialect_namespace})
  mlir_tablegen(${dialect}Types.cpp.inc -gen-typedef-defs -typedefs-dialect=${dialect_namespace})
  add_public_tablegen_target(Weft${dialect}IncGen)

  # Generated dialect documentation: `ninja weft-doc` -> <build>/docs/.
  set(LLVM_TARGET_DEFINITIONS ${dialect}Ops.td)
  tablegen(MLIR ${dialect}.md -gen-dialect-doc -dialect=${dialect_namespace})
  set(out ${CMAKE_BINARY_DIR}/docs/Dialects/${dialect}.md)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_BINARY_DIR}/${dialect}.md ${out}
    DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${dialect}.md)
  add_custom_target(Weft${dialect}DocGen DEPENDS ${out})
  add_dependencies(weft-doc Weft${dialect}DocGen)
endfunction()

# add_weft_library(name srcs... DEPENDS targets... LINK_LIBS PUBLIC libs...)
# A static library of ours; MLIR itself always comes from libMLIR.so.
function(add_weft_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  if(ARG_LINK_LIBS)
    target_link_libraries(${name} ${ARG_LINK_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY WEFT_LIBS ${name})
endfunction()

# add_weft_tool(name srcs... LINK_LIBS libs...)
function(add_weft_tool name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS} MLIR LLVM)
  llvm_update_compile_flags(${name})
endfunction()
