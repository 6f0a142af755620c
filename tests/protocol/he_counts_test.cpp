// The HE kernels perform exactly the operations the merge report's estimator counts
// (nn/he_cost.h): the counts the servers report having executed are compared with
// nn::he_layer_count at the term's ring degree. The slot convolution uses channels per
// ciphertext rounded down to a power of two (slot_layout.h explains why), so it is compared with
// that corrected count always, and with nn's count wherever the two rules agree.
#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

#include "he_linear_util.h"
#include "nn/he_cost.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::protocol {
namespace {

using nn::kernels::dense_geometry;
using nn::kernels::square_conv;

struct Shape {
  std::string name;
  nn::ConvGeometry g;
  bool dense = false;
};

nn::HeOpCount run_term(const Shape& s, HePacking packing, int ell, int wbits) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(3));
  const auto w = testing::random_weights(prg, s.g.weight_count(), wbits);
  const nn::Plan plan = testing::one_term_plan(s.g, s.dense, ell, wbits, w);
  const HeOptions opt{HeScheme::kAuto, packing, nullptr};
  const testing::OpenTerm open(plan, opt, prg);
  const TermSetup& ts = open.term();
  std::vector<uint64_t> r(ts.in_size, 1), t(ts.out_size);
  const auto req = open.encrypt(r, prg);
  nn::HeOpCount did;
  size_t budget = size_t{1} << 30;
  if (ts.coeff) {
    const CoeffTermServer srv(ts, open.ctx, w, budget, nullptr);
    EXPECT_TRUE(srv.respond(0, req, *open.pk_enc, t, prg, nullptr, &did).ok());
  } else {
    const SlotTermServer srv(ts, open.ctx, w, budget, nullptr);
    EXPECT_TRUE(srv.respond(0, req, *open.pk_enc, open.gk, t, prg, nullptr, &did).ok());
  }
  const HeTermStats st = HeLinearServer(plan, opt).stats(0);
  EXPECT_EQ(st.ct_pt_mults, did.ct_pt_mults);
  EXPECT_EQ(st.additions, did.additions);
  EXPECT_EQ(st.rotations, did.rotations);
  EXPECT_EQ(st.input_cts, did.input_cts);
  EXPECT_EQ(st.output_cts, did.output_cts);
  EXPECT_EQ(st.ring_degree, ts.params.n);
  return did;
}

class CoeffCounts : public ::testing::TestWithParam<Shape> {};

TEST_P(CoeffCounts, EqualTheEstimator) {
  const Shape& s = GetParam();
  const nn::HeOpCount did = run_term(s, HePacking::kCoefficient, 37, 12);
  const nn::Plan plan = testing::one_term_plan(s.g, s.dense, 37, 12, {});
  const size_t n = PlanSetup::build(plan, HeOptions{}).terms[0].params.n;
  EXPECT_EQ(did, nn::he_layer_count(s.g, s.dense, n, nn::HeEncoding::kCoefficient)) << s.name;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, CoeffCounts,
    ::testing::Values(Shape{"conv3x3_64_32x32", square_conv(64, 32, 32, 64, 3, 1, 1)},
                      Shape{"conv5x5_s2", square_conv(8, 20, 20, 6, 5, 2, 2)},
                      Shape{"conv7x7_c3_32", square_conv(3, 32, 32, 16, 7, 2, 2)},
                      Shape{"conv1x1_128", square_conv(128, 8, 8, 32, 1)},
                      Shape{"depthwise", square_conv(16, 16, 16, 16, 3, 1, 1, 16)},
                      Shape{"dense_4096_100", dense_geometry(4096, 100), true},
                      Shape{"dense_10_10", dense_geometry(10, 10), true}),
    [](const auto& p) { return p.param.name; });

class SlotCounts : public ::testing::TestWithParam<Shape> {};

TEST_P(SlotCounts, EqualTheEstimator) {
  const Shape& s = GetParam();
  // Small ℓ and weights keep the slot parameters at N = 16384 (fast enough for the default suite).
  const nn::HeOpCount did = run_term(s, HePacking::kSlot, 12, 3);
  const nn::Plan plan = testing::one_term_plan(s.g, s.dense, 12, 3, {});
  const size_t n = PlanSetup::build(plan, HeOptions{HeScheme::kAuto, HePacking::kSlot, nullptr})
                       .terms[0]
                       .params.n;
  if (s.dense) {
    EXPECT_EQ(did, nn::slot_dense_count(s.g.in_c, s.g.out_c, n));
    return;
  }
  EXPECT_EQ(did, slot_conv_count_fixed(s.g, n));
  const size_t plane = size_t(s.g.in_h + 2 * s.g.pad_top) * size_t(s.g.in_w + 2 * s.g.pad_left);
  const size_t fit = n / 2 / plane;
  if (s.g.groups > 1 || fit >= size_t(s.g.in_c) || std::has_single_bit(fit) || fit == 0) {
    EXPECT_EQ(did, nn::slot_conv_count(s.g, n)) << "the two channel rules agree here";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SlotCounts,
    ::testing::Values(Shape{"conv3x3_c6_8x8", square_conv(6, 8, 8, 5, 3, 1, 1)},
                      Shape{"conv3x3_c2_30x30", square_conv(2, 30, 30, 3, 3, 1, 1)},
                      Shape{"conv1x1_bands", square_conv(1, 100, 100, 2, 1)},
                      Shape{"depthwise", square_conv(3, 10, 10, 3, 3, 1, 1, 3)},
                      Shape{"dense_40_10", dense_geometry(40, 10), true},
                      Shape{"dense_3000_700", dense_geometry(3000, 700), true}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace pg::protocol
