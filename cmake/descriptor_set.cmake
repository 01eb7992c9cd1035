# fapi_descriptor_set(OUT_C SYMBOL IMPORT_DIR PROTO...) generates, at build
# time, the FileDescriptorSet of the PROTOs (paths relative to IMPORT_DIR)
# and their imports with protoc, and OUT_C, a C file embedding it as
# `const unsigned char SYMBOL[]` and `const size_t SYMBOL_len`. protobuf-c
# keeps no descriptors in serialised form; reflection needs them.
set(FAPI_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)
function(fapi_descriptor_set out_c symbol import_dir)
  set(desc ${out_c}.desc)
  set(srcs)
  foreach(p ${ARGN})
    list(APPEND srcs ${import_dir}/${p})
  endforeach()
  add_custom_command(
    OUTPUT ${out_c}
    COMMAND ${PROTOC} -I${import_dir} -I/usr/include --include_imports --descriptor_set_out=${desc} ${ARGN}
    COMMAND ${CMAKE_COMMAND} -DIN=${desc} -DOUT=${out_c} -DSYMBOL=${symbol} -P ${FAPI_EMBED_SCRIPT}
    WORKING_DIRECTORY ${import_dir}
    DEPENDS ${srcs} ${FAPI_EMBED_SCRIPT}
    COMMENT "descriptor set ${symbol}")
endfunction()
