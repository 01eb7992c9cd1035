# cmake -DIN=FILE -DOUT=FILE.c -DSYMBOL=NAME -P embed_file.cmake
# Writes a C file defining `const unsigned char NAME[]` (the bytes of IN) and
# `const size_t NAME_len`: protoc's descriptor sets, embedded in the binary.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* Generated from ${IN} by cmake/embed_file.cmake. */\n#include <stddef.h>\n"
  "const unsigned char ${SYMBOL}[] = {\n${body}0x00};\n"
  "const size_t ${SYMBOL}_len = sizeof(${SYMBOL}) - 1;\n")
