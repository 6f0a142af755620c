# Fails configuration on a CPU without the instruction sets the build targets, with a message
# that says which are missing. Cross builds or unusual hosts can pass -DPG_SKIP_CPU_CHECK=ON;
# the binaries then still refuse to start on such a CPU (pg::core::require_cpu_features).
if(NOT PG_SKIP_CPU_CHECK AND NOT CMAKE_CROSSCOMPILING)
  try_run(PG_CPU_RUN PG_CPU_COMPILE
    ${CMAKE_BINARY_DIR}/cpucheck
    ${CMAKE_CURRENT_LIST_DIR}/cpucheck.c
    RUN_OUTPUT_VARIABLE PG_CPU_OUT)
  if(NOT PG_CPU_COMPILE)
    message(WARNING "Could not compile the CPU feature probe; skipping the configure-time check")
  elseif(NOT PG_CPU_RUN EQUAL 0)
    message(FATAL_ERROR "Pangolin needs an x86-64 CPU with AVX2, FMA, AES-NI, PCLMUL and BMI2. "
                        "This CPU lacks: ${PG_CPU_OUT}")
  endif()
endif()
