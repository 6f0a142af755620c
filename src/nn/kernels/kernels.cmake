# Online kernels: the exact ring GEMM runs on OpenBLAS's dgemm (exact because every partial sum
# is an integer below 2^53; see ring_conv.h).
find_library(PG_OPENBLAS_LIB NAMES openblas REQUIRED)
find_path(PG_CBLAS_INCLUDE NAMES cblas.h PATHS /usr/include/x86_64-linux-gnu REQUIRED)
target_link_libraries(pg_nn PUBLIC ${PG_OPENBLAS_LIB})
target_include_directories(pg_nn PRIVATE ${PG_CBLAS_INCLUDE})
