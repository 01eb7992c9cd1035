# The module SDK as an installable package: the public headers, the wire
# contract (.proto) and two ways to find them, a pkg-config file
# (falco-apid-sdk.pc) and a CMake package (find_package(FalcoApidSDK)).
#
# Included from the top-level CMakeLists.txt after project(). It creates no
# build targets, only install rules, so it may be included anywhere after
# project(); it pulls in what it needs itself.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FAPI_SDK_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/..)
set(FAPI_SDK_BINARY_DIR ${CMAKE_BINARY_DIR}/sdk)
set(FAPI_SDK_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/FalcoApidSDK)
set(FAPI_SDK_PROTO_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/falco-apid/proto)
set(FAPI_SDK_MODULE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/falco-apid/modules)

# The ABI numbers live in module.h only; read them from there so the package
# metadata cannot drift from what the loader checks.
file(STRINGS ${FAPI_SDK_SOURCE_DIR}/include/fapi/module.h _fapi_sdk_abi REGEX "^#define FAPI_ABI_(MAJOR|MINOR) ")
string(REGEX MATCH "FAPI_ABI_MAJOR ([0-9]+)" _ "${_fapi_sdk_abi}")
set(FAPI_SDK_ABI_MAJOR ${CMAKE_MATCH_1})
string(REGEX MATCH "FAPI_ABI_MINOR ([0-9]+)" _ "${_fapi_sdk_abi}")
set(FAPI_SDK_ABI_MINOR ${CMAKE_MATCH_1})
if(FAPI_SDK_ABI_MAJOR STREQUAL "" OR FAPI_SDK_ABI_MINOR STREQUAL "")
  message(FATAL_ERROR "sdk.cmake: cannot read FAPI_ABI_MAJOR/MINOR from include/fapi/module.h")
endif()

# Headers: include/fapi/ is the whole SDK surface, so install all of it.
file(GLOB FAPI_SDK_HEADERS CONFIGURE_DEPENDS ${FAPI_SDK_SOURCE_DIR}/include/fapi/*.h)
install(FILES ${FAPI_SDK_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fapi COMPONENT sdk)

# The wire contract, so module authors and client writers can generate code
# for the API's messages (they import each other by bare file name).
file(GLOB FAPI_SDK_PROTOS CONFIGURE_DEPENDS ${FAPI_SDK_SOURCE_DIR}/proto/*.proto)
install(FILES ${FAPI_SDK_PROTOS} DESTINATION ${FAPI_SDK_PROTO_INSTALL_DIR} COMPONENT sdk)

# pkg-config. `cmake --install --prefix DIR` changes the prefix after
# configuration, so the .pc file locates itself through ${pcfiledir} instead
# of recording CMAKE_INSTALL_PREFIX; absolute GNUInstallDirs paths are kept
# as they are.
function(fapi_sdk_pc_path out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(FAPI_SDK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _fapi_sdk_up /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
  string(REGEX REPLACE "/$" "" _fapi_sdk_up "${_fapi_sdk_up}")
  set(FAPI_SDK_PC_PREFIX "\${pcfiledir}/${_fapi_sdk_up}")
endif()
fapi_sdk_pc_path(FAPI_SDK_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
fapi_sdk_pc_path(FAPI_SDK_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
fapi_sdk_pc_path(FAPI_SDK_PC_DATADIR "${CMAKE_INSTALL_DATADIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/falco-apid-sdk.pc.in ${FAPI_SDK_BINARY_DIR}/falco-apid-sdk.pc @ONLY)
install(FILES ${FAPI_SDK_BINARY_DIR}/falco-apid-sdk.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT sdk)

# CMake package: configure_package_config_file makes every path relative to
# the installed config file, for the same reason as ${pcfiledir} above.
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/FalcoApidSDKConfig.cmake.in
  ${FAPI_SDK_BINARY_DIR}/FalcoApidSDKConfig.cmake
  INSTALL_DESTINATION ${FAPI_SDK_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR FAPI_SDK_PROTO_INSTALL_DIR FAPI_SDK_MODULE_INSTALL_DIR)
# Before 1.0 a minor release may change the SDK; the ABI numbers, checked by
# the loader at run time, are the real contract, so only the major is pinned.
write_basic_package_version_file(${FAPI_SDK_BINARY_DIR}/FalcoApidSDKConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${FAPI_SDK_BINARY_DIR}/FalcoApidSDKConfig.cmake ${FAPI_SDK_BINARY_DIR}/FalcoApidSDKConfigVersion.cmake
  DESTINATION ${FAPI_SDK_CMAKE_INSTALL_DIR} COMPONENT sdk)
