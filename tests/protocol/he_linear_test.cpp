// The HE affine terms end to end (client encrypt → server respond → client decrypt) against the
// direct uint64 convolution: c + t ≡ A_int·r (mod 2^ℓ) in every element, for both plaintext
// spaces and both packings, over random shapes, random masks and the edge values of r (0,
// 2^{ℓ−1}, 2^ℓ − 1) and of the weights (±(2^{weight_bits} − 1)).
#include "protocol/linear/he_linear.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "he_linear_util.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::protocol {
namespace {

using nn::kernels::dense_geometry;
using nn::kernels::square_conv;
using testing::one_term_plan;
using testing::oracle;
using testing::random_weights;
using testing::ring_mask;

struct Case {
  std::string name;
  nn::ConvGeometry g;
  bool dense = false;
  int ell = 37;
  int weight_bits = 12;
};

// Masks with the edge values first, then uniform values.
std::vector<uint64_t> edge_masks(core::Prg& prg, size_t n, int ell) {
  const uint64_t mask = ring_mask(ell);
  std::vector<uint64_t> r(n);
  for (size_t i = 0; i < n; ++i) {
    switch (i % 7) {
      case 0:
        r[i] = 0;
        break;
      case 1:
        r[i] = uint64_t{1} << (ell - 1);
        break;
      case 2:
        r[i] = mask;
        break;
      default:
        r[i] = prg.next_u64() & mask;
    }
  }
  return r;
}

void check_exact(const Case& c, HeScheme scheme, HePacking packing, uint8_t seed) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(seed));
  const auto w = random_weights(prg, c.g.weight_count(), c.weight_bits);
  const nn::Plan plan = one_term_plan(c.g, c.dense, c.ell, c.weight_bits, w);
  const HeOptions opt{scheme, packing, nullptr};
  const HeLinearClient client(plan.architecture(), opt);
  const HeLinearServer server(plan, opt);
  auto keys = HeClientKeys::parse(plan.architecture(), opt, client.public_material());
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  for (int trial = 0; trial < 2; ++trial) {
    const auto r =
        trial == 0 ? edge_masks(prg, c.g.in_size(), c.ell) : edge_masks(prg, c.g.in_size(), c.ell);
    const auto rt = testing::round_trip(client, server, keys.value(), r, c.g.out_size(), prg);
    const auto want = oracle(c.g, w, r, c.ell);
    const uint64_t mask = ring_mask(c.ell);
    size_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      if (((rt.c[i] + rt.t[i]) & mask) != want[i]) ++bad;
      EXPECT_EQ(rt.t[i] & ~mask, 0u);
    }
    EXPECT_EQ(bad, 0u) << c.name << " " << client.stats(0).ring_degree << " of " << want.size();
    EXPECT_EQ(rt.request_bytes, client.stats(0).request_bytes);
    EXPECT_EQ(rt.reply_bytes, client.stats(0).reply_bytes);
  }
}

class HeExact : public ::testing::TestWithParam<std::tuple<Case, HeScheme, HePacking>> {};

TEST_P(HeExact, SharesAreExact) {
  const auto& [c, scheme, packing] = GetParam();
  check_exact(c, scheme, packing, 7);
}

std::vector<Case> small_cases() {
  return {
      {"conv3x3_c4_8x8_p1", square_conv(4, 8, 8, 5, 3, 1, 1), false, 37, 12},
      {"conv1x1_c3_5x5", square_conv(3, 5, 5, 2, 1), false, 20, 6},
      {"conv5x5_s2_p2", square_conv(2, 9, 9, 3, 5, 2, 2), false, 44, 10},
      {"dense_40_10", dense_geometry(40, 10), true, 37, 12},
      {"depthwise3x3", square_conv(3, 6, 6, 3, 3, 1, 1, 3), false, 30, 8},
  };
}

std::string case_name(const ::testing::TestParamInfo<HeExact::ParamType>& info) {
  const auto& [c, scheme, packing] = info.param;
  const char* s =
      scheme == HeScheme::kPow2 ? "pow2" : (scheme == HeScheme::kCkks ? "ckks" : "auto");
  return c.name + "_" + s + (packing == HePacking::kSlot ? "_slot" : "_coeff");
}

INSTANTIATE_TEST_SUITE_P(Coefficient, HeExact,
                         ::testing::Combine(::testing::ValuesIn(small_cases()),
                                            ::testing::Values(HeScheme::kPow2, HeScheme::kCkks),
                                            ::testing::Values(HePacking::kCoefficient)),
                         case_name);

INSTANTIATE_TEST_SUITE_P(Slot, HeExact,
                         ::testing::Combine(::testing::ValuesIn(small_cases()),
                                            ::testing::Values(HeScheme::kCkks),
                                            ::testing::Values(HePacking::kSlot)),
                         case_name);

}  // namespace
}  // namespace pg::protocol
