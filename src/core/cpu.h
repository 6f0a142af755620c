// CPU feature detection. The build targets AVX2, FMA, AES-NI, PCLMUL and BMI2.
#pragma once

#include <string>

namespace pg::core {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool aes = false;
  bool pclmul = false;
  bool bmi2 = false;
  bool vaes = false;
  bool avx512f = false;
};

CpuFeatures detect_cpu();

// Names of the required features this CPU lacks, space-separated; empty if none.
std::string missing_cpu_features(const CpuFeatures& f);

// Prints a clear message and exits with status 2 if a required feature is missing.
// Compiled without AVX flags, so it runs safely on any x86-64 CPU.
void require_cpu_features();

}  // namespace pg::core
