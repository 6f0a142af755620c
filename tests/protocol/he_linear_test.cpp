// The HE affine terms end to end (client encrypt → server respond → client decrypt) against the
// direct uint64 convolution (nn::kernels::RingConv, kDirect): c + t ≡ A_int·r (mod 2^ℓ) in every
// element, for both plaintext spaces and both packings, over random shapes (kernels 1/3/5/7,
// strides 1/2, padding 0/1/2, depthwise, dense), random masks with the edge values 0, 2^{ℓ−1},
// 2^ℓ − 1, and extreme cases (every weight 2^{weight_bits} − 1, every mask 2^ℓ − 1). The larger
// grids (128 channels, 32×32 images, dense up to 4096, the slot baseline at ℓ = 37) are in
// he_linear_slow_test.cpp.
#include "protocol/linear/he_linear.h"

#include <gtest/gtest.h>

#include "he_linear_cases.h"

namespace pg::protocol {
namespace {

using testing::Case;

std::string label(HeScheme s, HePacking p) {
  const char* n = s == HeScheme::kPow2 ? "pow2" : (s == HeScheme::kCkks ? "ckks" : "auto");
  return std::string(n) + (p == HePacking::kSlot ? "_slot" : "_coeff");
}

class HeExact : public ::testing::TestWithParam<std::tuple<Case, HeScheme, HePacking>> {};

TEST_P(HeExact, SharesAreExact) {
  const auto& [c, scheme, packing] = GetParam();
  testing::check_exact(c, scheme, packing, 7);
}

std::string case_name(const ::testing::TestParamInfo<HeExact::ParamType>& info) {
  const auto& [c, scheme, packing] = info.param;
  return c.name + "_" + label(scheme, packing);
}

INSTANTIATE_TEST_SUITE_P(Random, HeExact,
                         ::testing::Combine(::testing::ValuesIn(testing::random_cases(11, 15, {})),
                                            ::testing::Values(HeScheme::kPow2, HeScheme::kCkks),
                                            ::testing::Values(HePacking::kCoefficient)),
                         case_name);

// ℓ = 64 exists only in the CKKS plaintext space; kAuto must find it.
INSTANTIATE_TEST_SUITE_P(
    Ell64, HeExact,
    ::testing::Combine(
        ::testing::Values(
            Case{"conv3_ell64", nn::kernels::square_conv(3, 7, 7, 4, 3, 1, 1), false, 64, 20},
            Case{"dense_ell64_extreme", nn::kernels::dense_geometry(50, 7), true, 64, 20, true}),
        ::testing::Values(HeScheme::kAuto), ::testing::Values(HePacking::kCoefficient)),
    case_name);

// The slot baseline at small ℓ and weights (N = 16384): one case per kind of layout.
INSTANTIATE_TEST_SUITE_P(
    Slot, HeExact,
    ::testing::Combine(
        ::testing::Values(
            Case{"conv3_c5_8x8", nn::kernels::square_conv(5, 8, 8, 3, 3, 2, 1), false, 12, 3},
            Case{"dw3_c3_9x9", nn::kernels::square_conv(3, 9, 9, 3, 3, 1, 1, 3), false, 14, 3},
            Case{"dense_70x20_extreme", nn::kernels::dense_geometry(70, 20), true, 12, 3, true}),
        ::testing::Values(HeScheme::kAuto), ::testing::Values(HePacking::kSlot)),
    case_name);

// The kernel cache (none, part, all) and the thread pool change nothing in the shares.
TEST(HeExactOptions, CacheBudgetAndPoolKeepSharesExact) {
  const Case conv{"conv3_c9", nn::kernels::square_conv(9, 10, 10, 6, 3, 1, 1), false, 37, 12};
  const Case slot{"conv3_c3", nn::kernels::square_conv(3, 6, 6, 4, 3, 1, 1), false, 12, 3};
  core::ThreadPool pool(2);
  for (size_t budget : {size_t{0}, size_t{3} << 17, size_t{1} << 30}) {
    testing::check_exact(conv, HeScheme::kPow2, HePacking::kCoefficient, 5, nullptr, budget);
    testing::check_exact(conv, HeScheme::kCkks, HePacking::kCoefficient, 5, &pool, budget);
  }
  testing::check_exact(slot, HeScheme::kAuto, HePacking::kSlot, 5, &pool, size_t{5} << 20);
}

// Both parties derive the same setup digest from one architecture; any change of what they
// derive (the ring size ℓ here, the packing) changes it.
TEST(HeSetupDigest, ClientAndServerAgreeAndParametersChangeIt) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(0x5d));
  const auto g = nn::kernels::dense_geometry(64, 32);
  auto digest_pair = [&](int ell, HePacking packing) {
    const nn::Plan plan =
        testing::one_term_plan(g, true, ell, 8, testing::random_weights(prg, g.weight_count(), 8));
    const HeOptions o{HeScheme::kAuto, packing, nullptr};
    return std::make_pair(HeLinearClient(plan.architecture(), o).setup_digest(),
                          HeLinearServer(plan, o).setup_digest());
  };
  const auto a = digest_pair(30, HePacking::kCoefficient);
  EXPECT_EQ(a.first, a.second);
  EXPECT_NE(digest_pair(31, HePacking::kCoefficient).first, a.first);
  EXPECT_NE(digest_pair(30, HePacking::kSlot).first, a.first);
}

}  // namespace
}  // namespace pg::protocol
