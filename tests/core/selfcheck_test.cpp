#include "core/selfcheck.h"

#include <gtest/gtest.h>

#include "core/cpu.h"

namespace pg::core {
namespace {

TEST(Selfcheck, AllChecksPassOnThisMachine) {
  const auto results = run_selfcheck();
  ASSERT_GE(results.size(), 4u);
  for (const auto& r : results) EXPECT_TRUE(r.passed) << r.name << ": " << r.detail;
}

TEST(Cpu, MissingFeaturesAreNamed) {
  CpuFeatures none;
  EXPECT_EQ(missing_cpu_features(none), "AVX2 FMA AES-NI PCLMUL BMI2");
  CpuFeatures all{true, true, true, true, true, false, false};
  EXPECT_EQ(missing_cpu_features(all), "");
  all.fma = false;
  EXPECT_EQ(missing_cpu_features(all), "FMA");
}

}  // namespace
}  // namespace pg::core
