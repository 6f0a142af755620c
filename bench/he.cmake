# bench/he_bench: the CKKS engine's primitives, named BM_<Op>/<N> (see the issue's table).
pg_add_bench(he_bench he_bench.cpp)
target_link_libraries(he_bench PRIVATE pg_he)
