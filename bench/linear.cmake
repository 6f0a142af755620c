# bench/linear_bench: the linear layers (online exact kernels now; HE preprocessing kernels
# join when the protocol layer exists).
pg_add_bench(linear_bench linear_bench.cpp)
target_link_libraries(linear_bench PRIVATE pg_nn)
if(TARGET pg_protocol)
  target_link_libraries(linear_bench PRIVATE pg_protocol)
  target_compile_definitions(linear_bench PRIVATE PG_HAVE_PROTOCOL=1)
endif()
