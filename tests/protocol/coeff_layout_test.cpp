// The coefficient packing against an independent oracle: the packed polynomials are multiplied
// by schoolbook negacyclic multiplication in Z_{2^64}[X]/(X^N + 1), and the coefficients the
// layout names must equal the direct convolution (or matrix-vector product) mod 2^64.
#include "protocol/linear/coeff_layout.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "core/prg.h"
#include "core/testing.h"
#include "nn/he_cost.h"
#include "nn/kernels/ring_conv.h"

namespace pg::protocol {
namespace {

using nn::kernels::RingConv;
using nn::kernels::RingMethod;

// Schoolbook a·b mod (X^N + 1) with wrap-around uint64 arithmetic.
std::vector<uint64_t> negacyclic(const std::vector<uint64_t>& a, const std::vector<int64_t>& b) {
  const size_t n = a.size();
  std::vector<uint64_t> c(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == 0) continue;
    for (size_t j = 0; j < n; ++j) {
      const uint64_t p = a[i] * uint64_t(b[j]);
      if (i + j < n) {
        c[i + j] += p;
      } else {
        c[i + j - n] -= p;
      }
    }
  }
  return c;
}

// Evaluates the whole layer through the layout and returns the output tensor.
std::vector<uint64_t> through_layout(const CoeffLayout& l, const std::vector<uint64_t>& x,
                                     const std::vector<int64_t>& w) {
  const size_t n = l.degree();
  std::vector<std::vector<uint64_t>> in(l.input_polys(), std::vector<uint64_t>(n));
  for (size_t k = 0; k < in.size(); ++k) l.pack_input(x, k, in[k]);
  std::vector<uint64_t> y(l.output_size(), 0xdeadbeef);
  std::vector<int> seen(l.output_size(), 0);
  std::vector<int64_t> ker(n);
  for (size_t o = 0; o < l.output_polys(); ++o) {
    std::vector<uint64_t> acc(n, 0);
    for (size_t t = 0; t < l.terms(o); ++t) {
      l.pack_kernel(w, o, t, ker);
      const auto p = negacyclic(in[l.input_of(o, t)], ker);
      for (size_t i = 0; i < n; ++i) acc[i] += p[i];
    }
    for (const auto& s : l.outputs(o)) {
      y[s.index] = acc[s.coeff];
      seen[s.index]++;
    }
  }
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << "output " << i;
  return y;
}

struct ConvCase {
  int c, h, w, m, k, s, p, groups;
  ConvTiling t;
  size_t n;
};

class CoeffConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(CoeffConv, MatchesDirectConvolution) {
  const ConvCase cc = GetParam();
  const ConvGeometry g =
      nn::kernels::square_conv(cc.c, cc.h, cc.w, cc.m, cc.k, cc.s, cc.p, cc.groups);
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(21));
  std::vector<int64_t> w(g.weight_count());
  for (auto& v : w) v = int64_t(prg.uniform_below(1 << 16)) - (1 << 15);
  std::vector<uint64_t> x(g.in_size());
  for (auto& v : x) v = prg.next_u64();
  const auto l = CoeffLayout::conv(g, cc.t, cc.n);
  std::vector<uint64_t> want(g.out_size());
  RingConv(g, w).apply(x, 64, want, RingMethod::kDirect);
  EXPECT_EQ(through_layout(l, x, w), want);
}

INSTANTIATE_TEST_SUITE_P(Tilings, CoeffConv,
                         ::testing::Values(
                             // one tile, one channel block
                             ConvCase{2, 6, 6, 3, 3, 1, 0, 1, {2, 6, 6}, 128},
                             // several channel blocks and tiles with halos, padding
                             ConvCase{5, 9, 7, 4, 3, 1, 1, 1, {2, 5, 6}, 64},
                             // stride 2, 5x5 kernel, uneven tiles
                             ConvCase{3, 12, 11, 2, 5, 2, 2, 1, {1, 9, 8}, 128},
                             // 1x1 kernel, many channels per block
                             ConvCase{16, 4, 4, 5, 1, 1, 0, 1, {7, 3, 3}, 64},
                             // 7x7 kernel, tile equal to the kernel (one output per tile)
                             ConvCase{2, 8, 8, 2, 7, 1, 0, 1, {2, 7, 7}, 128},
                             // tile larger than the padded input
                             ConvCase{3, 4, 4, 2, 3, 1, 1, 1, {1, 10, 10}, 128},
                             // depthwise
                             ConvCase{4, 7, 7, 4, 3, 1, 1, 4, {1, 5, 5}, 32},
                             ConvCase{3, 9, 9, 3, 3, 2, 0, 3, {1, 9, 9}, 128},
                             // exactly N coefficients used
                             ConvCase{4, 8, 8, 3, 3, 1, 0, 1, {4, 4, 8}, 128}));

TEST(CoeffDense, MatchesMatrixVectorProduct) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(22));
  struct Case {
    int in, out, nc;
    size_t n;
  };
  for (const Case& c : {Case{10, 10, 10, 128}, Case{100, 10, 16, 64}, Case{37, 50, 5, 64},
                        Case{64, 3, 64, 64}, Case{300, 20, 30, 256}}) {
    std::vector<int64_t> w(size_t(c.in) * c.out);
    for (auto& v : w) v = int64_t(prg.uniform_below(1 << 16)) - (1 << 15);
    std::vector<uint64_t> x(c.in);
    for (auto& v : x) v = prg.next_u64();
    std::vector<uint64_t> want(c.out);
    RingConv(nn::kernels::dense_geometry(c.in, c.out), w).apply(x, 64, want, RingMethod::kDirect);
    const auto l = CoeffLayout::dense(c.in, c.out, c.nc, c.n);
    EXPECT_EQ(l.products(), l.input_polys() * l.output_polys());
    EXPECT_EQ(through_layout(l, x, w), want) << c.in << "->" << c.out << " nc=" << c.nc;
  }
}

// The merge report's estimator (nn/he_cost) must count what the layout performs: its products,
// its accumulating additions and its input and output ciphertexts, and no rotations.
nn::HeOpCount layout_counts(const CoeffLayout& l) {
  nn::HeOpCount c;
  c.input_cts = l.input_polys();
  c.output_cts = l.output_polys();
  for (size_t o = 0; o < l.output_polys(); ++o) {
    c.ct_pt_mults += l.terms(o);
    c.additions += l.terms(o) - 1;
  }
  EXPECT_EQ(c.ct_pt_mults, l.products());
  return c;
}

TEST_P(CoeffConv, EstimatorCountsWhatTheLayoutDoes) {
  const ConvCase cc = GetParam();
  const ConvGeometry g =
      nn::kernels::square_conv(cc.c, cc.h, cc.w, cc.m, cc.k, cc.s, cc.p, cc.groups);
  EXPECT_EQ(nn::coeff_conv_count(g, cc.t, cc.n), layout_counts(CoeffLayout::conv(g, cc.t, cc.n)));
  // The chooser's tiling: the layout built from it is exact and counts what the estimator says.
  const auto chosen = CoeffLayout::conv(g, cc.n);
  EXPECT_EQ(nn::he_layer_count(g, false, cc.n, nn::HeEncoding::kCoefficient),
            layout_counts(chosen));
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(23));
  std::vector<int64_t> w(g.weight_count());
  for (auto& v : w) v = int64_t(prg.uniform_below(1 << 16)) - (1 << 15);
  std::vector<uint64_t> x(g.in_size());
  for (auto& v : x) v = prg.next_u64();
  std::vector<uint64_t> want(g.out_size());
  RingConv(g, w).apply(x, 64, want, RingMethod::kDirect);
  EXPECT_EQ(through_layout(chosen, x, w), want);
}

TEST(CoeffDense, EstimatorCountsWhatTheLayoutDoes) {
  for (const auto& [in, out, n] :
       {std::tuple{10, 10, size_t(128)}, std::tuple{100, 10, size_t(64)},
        std::tuple{300, 20, size_t(256)}, std::tuple{4096, 100, size_t(4096)},
        std::tuple{256, 100, size_t(8192)}}) {
    EXPECT_EQ(nn::he_layer_count(nn::kernels::dense_geometry(in, out), true, n,
                                 nn::HeEncoding::kCoefficient),
              layout_counts(CoeffLayout::dense(in, out, n)))
        << in << "->" << out;
    EXPECT_EQ(nn::coeff_dense_count(in, out, 7, n),
              layout_counts(CoeffLayout::dense(in, out, 7, n)));
  }
}

TEST(CoeffLayoutErrors, BadTilingsAreRejected) {
  ConvGeometry g;
  g.in_c = 4;
  g.in_h = g.in_w = 8;
  g.out_c = 2;
  g.kh = g.kw = 3;
  try {
    (void)CoeffLayout::conv(g, {4, 8, 8}, 128);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "CoeffLayout: tile 4x8x8 exceeds N = 128");
  }
  EXPECT_THROW((void)CoeffLayout::conv(g, {1, 2, 8}, 128), std::invalid_argument);
  g.groups = 2;
  EXPECT_THROW((void)CoeffLayout::conv(g, {1, 8, 8}, 128), std::invalid_argument);
  EXPECT_THROW((void)CoeffLayout::dense(10, 10, 11, 128), std::invalid_argument);
}

}  // namespace
}  // namespace pg::protocol
