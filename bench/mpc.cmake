# bench/mpc_bench: base OT, OT extension, garbling/evaluation and the ReLU layer, offline and
# online (one thread per party, in-memory channel).
pg_add_bench(mpc_bench mpc_bench.cpp)
target_link_libraries(mpc_bench PRIVATE pg_mpc)
