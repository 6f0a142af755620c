# Compiler flags shared by every Pangolin target, as an interface library.
add_library(pg_options INTERFACE)
target_compile_options(pg_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wno-unknown-pragmas
  # std::vector<__m128i> is fine: the alignment attribute is honoured by the allocator (C++17).
  -Wno-ignored-attributes
  # GCC 12 reports false -Wrestrict positives inside std::string at -O3 (GCC bug 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  # The target ISA: x86-64 with AVX2, FMA, AES-NI, PCLMUL, BMI2 (checked in CpuCheck.cmake
  # at configure time and by pg::core::require_cpu_features() at start-up).
  -mavx2 -mfma -maes -mpclmul -mbmi -mbmi2)
if(PG_WERROR)
  target_compile_options(pg_options INTERFACE -Werror)
endif()
if(PG_SANITIZE)
  target_compile_options(pg_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                              -fno-sanitize-recover=undefined)
  target_link_options(pg_options INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(pg_options INTERFACE $<$<CONFIG:Release>:NDEBUG>)
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  target_compile_options(pg_options INTERFACE -O3)
endif()

# pg_add_layer(NAME <target> SOURCES ... DEPS ...): one CMake library per folder of src/.
# A layer links only the layers below it, so an upward include fails to build.
function(pg_add_layer)
  cmake_parse_arguments(L "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${L_NAME} STATIC ${L_SOURCES})
  # Only src/ is on the include path, as "layer/file.h"; the layer's own folder is not exported
  # separately, so a header can only be reached through a linked layer target.
  target_include_directories(${L_NAME} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(${L_NAME} PUBLIC pg_options ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
endfunction()
