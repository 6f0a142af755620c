// This file is compiled for baseline x86-64 (see CMakeLists.txt), so that the check itself
// cannot fault on the CPUs it exists to reject.
#include "core/cpu.h"

#include <cpuid.h>

#include <cstdio>
#include <cstdlib>

namespace pg::core {

CpuFeatures detect_cpu() {
  CpuFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    f.aes = (c & bit_AES) != 0;
    f.fma = (c & bit_FMA) != 0;
    f.pclmul = (c & bit_PCLMUL) != 0;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    f.avx2 = (b & bit_AVX2) != 0;
    f.bmi2 = (b & bit_BMI2) != 0;
    f.avx512f = (b & bit_AVX512F) != 0;
    f.vaes = (c & bit_VAES) != 0;
  }
  return f;
}

std::string missing_cpu_features(const CpuFeatures& f) {
  std::string out;
  auto need = [&](bool have, const char* name) {
    if (!have) out += out.empty() ? name : std::string(" ") + name;
  };
  need(f.avx2, "AVX2");
  need(f.fma, "FMA");
  need(f.aes, "AES-NI");
  need(f.pclmul, "PCLMUL");
  need(f.bmi2, "BMI2");
  return out;
}

void require_cpu_features() {
  const std::string missing = missing_cpu_features(detect_cpu());
  if (!missing.empty()) {
    std::fprintf(stderr,
                 "pangolin: this CPU lacks %s; Pangolin needs x86-64 with AVX2, FMA, AES-NI, "
                 "PCLMUL and BMI2\n",
                 missing.c_str());
    std::exit(2);
  }
}

}  // namespace pg::core
