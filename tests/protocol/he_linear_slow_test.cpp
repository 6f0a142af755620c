// The large exactness grids of he_linear_test.cpp (label slow): channels up to 128, images up to
// 32×32, dense layers up to 4096 inputs, and the slot baseline at a realistic ℓ = 37.
#include <gtest/gtest.h>

#include "he_linear_cases.h"

namespace pg::protocol {
namespace {

using testing::Case;
using testing::Limits;

class HeExactSlow : public ::testing::TestWithParam<std::tuple<Case, HeScheme, HePacking>> {};

TEST_P(HeExactSlow, SharesAreExact) {
  const auto& [c, scheme, packing] = GetParam();
  testing::check_exact(c, scheme, packing, 9);
}

std::string case_name(const ::testing::TestParamInfo<HeExactSlow::ParamType>& info) {
  const auto& [c, scheme, packing] = info.param;
  return c.name + (scheme == HeScheme::kPow2 ? "_pow2" : "_ckks") +
         (packing == HePacking::kSlot ? "_slot" : "_coeff");
}

constexpr Limits kBig{128, 32, 4096, 1000};

INSTANTIATE_TEST_SUITE_P(Random, HeExactSlow,
                         ::testing::Combine(::testing::ValuesIn(testing::random_cases(23, 40,
                                                                                      kBig)),
                                            ::testing::Values(HeScheme::kPow2, HeScheme::kCkks),
                                            ::testing::Values(HePacking::kCoefficient)),
                         case_name);

INSTANTIATE_TEST_SUITE_P(
    Slot, HeExactSlow,
    ::testing::Combine(::testing::ValuesIn(testing::random_cases(29, 10, Limits{16, 16, 5000, 300},
                                                                 {37})),
                       ::testing::Values(HeScheme::kCkks), ::testing::Values(HePacking::kSlot)),
    case_name);

// More inputs than slots: the dense baseline splits them into chunks (k = 2).
INSTANTIATE_TEST_SUITE_P(
    SlotChunks, HeExactSlow,
    ::testing::Combine(::testing::Values(Case{"dense_9000x40",
                                              nn::kernels::dense_geometry(9000, 40), true, 12, 3}),
                       ::testing::Values(HeScheme::kCkks), ::testing::Values(HePacking::kSlot)),
    case_name);

}  // namespace
}  // namespace pg::protocol
