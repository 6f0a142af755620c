# The HE linear terms (protocol/linear): Google Benchmarks BM_HeConvCoeff / BM_HeConvSlot on
# MiniONN-CIFAR-10's 3x3 64->64 convolution, and the per-layer table program he_layers.
if(TARGET pg_protocol)
  pg_add_bench(he_linear_bench he_linear_bench.cpp)
  target_link_libraries(he_linear_bench PRIVATE pg_protocol)
  add_executable(he_layers he_layers.cpp)
  target_link_libraries(he_layers PRIVATE pg_protocol)
  target_compile_definitions(he_layers PRIVATE PG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set_target_properties(he_layers PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endif()
