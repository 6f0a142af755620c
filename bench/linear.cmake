# bench/linear_bench: the linear layers (Google Benchmark; online exact kernels, and the HE
# preprocessing kernels when the protocol layer exists). bench/online_layers: the per-layer table
# of the online kernels for the benchmark networks.
pg_add_bench(linear_bench linear_bench.cpp)
target_link_libraries(linear_bench PRIVATE pg_nn)
if(TARGET pg_protocol)
  target_link_libraries(linear_bench PRIVATE pg_protocol)
  target_compile_definitions(linear_bench PRIVATE PG_HAVE_PROTOCOL=1)
endif()
pg_add_bench(online_layers online_layers.cpp)
target_link_libraries(online_layers PRIVATE pg_nn)
