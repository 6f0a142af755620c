// Digit plans: coverage of the modulus, the exactness conditions they promise, the plane counts
// they reach, and the digit split's recombination (with 128-bit arithmetic as the oracle).
#include "nn/kernels/digit_plan.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "kernel_test_util.h"

namespace pg::nn::kernels {
namespace {

using testing::I128;
using testing::mask_of;

// Planes must tile [0, L) without gaps, widths within the engine's limits.
void expect_tiles(const DigitPlan& p, int max_width) {
  int next = 0;
  for (const auto& pl : p.planes) {
    EXPECT_EQ(pl.offset, next);
    EXPECT_GE(pl.width, 1);
    EXPECT_LE(pl.width, max_width);
    next += pl.width;
  }
  EXPECT_EQ(next, p.modulus_bits);
}

TEST(DigitPlan, Fp64PlanKeepsEveryPartialSumBelow2To53) {
  for (int l1 = 1; l1 <= 52; ++l1) {
    for (int bits : {1, 16, 37, 41, 64}) {
      const DigitPlan p = fp64_plan(bits, l1);
      expect_tiles(p, 53);
      for (const auto& pl : p.planes) {
        // (2^{l1} - 1) · 2^{b-1} ≤ 2^53.
        EXPECT_LE(l1 + pl.width - 1, 53) << "l1=" << l1 << " bits=" << bits;
      }
    }
  }
  EXPECT_THROW(fp64_plan(64, 53), std::invalid_argument);
  EXPECT_THROW(fp64_plan(0, 10), std::invalid_argument);
  EXPECT_THROW(fp64_plan(65, 10), std::invalid_argument);
  // MiniONN-sized layers: 576 taps of |w| < 2^13 give l1 = 23, two planes up to ℓ = 62.
  EXPECT_EQ(fp64_plan(37, 23).size(), 2u);
  EXPECT_EQ(fp64_plan(62, 23).size(), 2u);
}

TEST(DigitPlan, Int16PlanIsExactOrWrapsHarmlessly) {
  for (int l1 = 1; l1 <= 31; ++l1) {
    for (int bits = 1; bits <= 64; ++bits) {
      const DigitPlan p = int16_plan(bits, l1);
      expect_tiles(p, 16);
      for (const auto& pl : p.planes) {
        if (pl.wrap) {
          // Only W·d mod 2^{L-o} is needed, and int32 gives it mod 2^32.
          EXPECT_LE(bits - pl.offset, 32);
        } else {
          // ‖W‖₁ · 2^{b-1} ≤ (2^{l1} - 1) · 2^{b-1} ≤ 2^31 - 1: no int32 overflow.
          EXPECT_LE(l1 + pl.width - 1, 31) << "l1=" << l1 << " bits=" << bits;
        }
      }
    }
  }
  EXPECT_EQ(int16_plan(32, 40).size(), 2u);  // no exact plane needed up to 32 bits
  EXPECT_FALSE(int16_plan_possible(33, 32));
  EXPECT_THROW(int16_plan(33, 32), std::invalid_argument);
  // Typical trained weights (l1 = 17): three planes for 33 ≤ ℓ ≤ 47.
  EXPECT_EQ(int16_plan(37, 17).size(), 3u);
  EXPECT_EQ(int16_plan(47, 17).size(), 3u);
  EXPECT_EQ(int16_plan(16, 17).size(), 1u);
}

TEST(DigitPlan, SplitRecombinesExactlyModTheRing) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(21));
  std::vector<uint64_t> x = testing::random_shares(prg, 997, 64);
  for (int bits : {1, 2, 15, 16, 17, 32, 33, 37, 41, 53, 63, 64}) {
    for (int l1 : {1, 9, 17, 23, 30}) {
      for (bool int16 : {false, true}) {
        const DigitPlan p = int16 ? int16_plan(bits, l1) : fp64_plan(bits, l1);
        const size_t n = x.size();
        std::vector<int32_t> words(p.size() * n);
        std::vector<double> d64(p.size() * n);
        if (int16) {
          // The engine's channel-pair words: digits of x in the low and of reversed x in the high
          // halves, through the vector path (stride 1) and the scalar path (stride 2).
          std::vector<uint64_t> rev(x.rbegin(), x.rend());
          split_digit_pairs(x.data(), rev.data(), 1, n, p, words.data(), n);
          std::vector<int32_t> strided(p.size() * (n / 2));
          split_digit_pairs(x.data(), nullptr, 2, n / 2, p, strided.data(), n / 2);
          for (size_t j = 0; j < p.size(); ++j) {
            for (size_t i = 0; i < n / 2; ++i) {
              ASSERT_EQ(int16_t(strided[j * (n / 2) + i]), int16_t(words[j * n + 2 * i]));
              ASSERT_EQ(int16_t(uint32_t(strided[j * (n / 2) + i]) >> 16), 0);
            }
            for (size_t i = 0; i < n; ++i) {
              ASSERT_EQ(int16_t(uint32_t(words[j * n + i]) >> 16),
                        int16_t(words[j * n + n - 1 - i]));
            }
          }
        } else {
          split_digits(x.data(), n, p, d64.data(), n);
        }
        for (size_t i = 0; i < n; ++i) {
          I128 sum = 0;
          for (size_t j = 0; j < p.size(); ++j) {
            const int64_t d = int16 ? int16_t(words[j * n + i]) : int64_t(d64[j * n + i]);
            const int b = p.planes[j].width;
            ASSERT_GE(d, -(int64_t{1} << (b - 1)));
            ASSERT_LT(d, int64_t{1} << (b - 1));
            sum += I128(d) * (I128(1) << p.planes[j].offset);
          }
          ASSERT_EQ(uint64_t(sum) & mask_of(bits), x[i] & mask_of(bits))
              << "bits=" << bits << " l1=" << l1 << " int16=" << int16;
        }
      }
    }
  }
}

TEST(DigitPlan, WeightDigitsRecombine) {
  for (int64_t w :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{32767}, int64_t{-32768}, int64_t{32768},
        int64_t{-32769}, int64_t{123456789}, -(int64_t{1} << 39), (int64_t{1} << 40) - 1}) {
    const int planes = weight_planes_int16(bit_length(uint64_t(w < 0 ? -w : w)));
    I128 sum = 0;
    for (int i = 0; i < planes; ++i) sum += I128(weight_digit_int16(w, i)) << (16 * i);
    EXPECT_EQ(int64_t(sum), w);
  }
  EXPECT_EQ(weight_planes_int16(15), 1);
  EXPECT_EQ(weight_planes_int16(16), 2);
  EXPECT_EQ(weight_planes_int16(30), 2);
  EXPECT_EQ(weight_planes_int16(31), 3);  // 2^31 - 1 needs a third digit (carry)
  EXPECT_EQ(weight_planes_int16(32), 3);
  EXPECT_EQ(weight_planes_int16(40), 3);
  EXPECT_EQ(weight_planes_int16(46), 3);
  EXPECT_EQ(weight_planes_int16(47), 4);
}

// Recombines the first `planes` balanced digits of w (each checked to lie in [-2^15, 2^15)).
I128 recombine_int16(int64_t w, int planes) {
  I128 sum = 0;
  for (int i = 0; i < planes; ++i) {
    const int d = weight_digit_int16(w, i);
    EXPECT_GE(d, -32768);
    EXPECT_LT(d, 32768);
    sum += I128(d) * (I128(1) << (16 * i));
  }
  return sum;
}

// For every bound b, the planes cover every |w| < 2^b (both signs at the edge, and the values
// just past what one fewer 16-bit digit reaches), and one plane fewer would not cover 2^b - 1:
// the count is the least that works.
TEST(DigitPlan, WeightPlanesCoverEveryWeightWithinTheBound) {
  const int64_t specials[] = {(int64_t{1} << 31) - (int64_t{1} << 15) - 1,
                              (int64_t{1} << 31) - (int64_t{1} << 15),
                              (int64_t{1} << 31) - 1,
                              -(int64_t{1} << 31),
                              (int64_t{1} << 47) - 1,
                              -(int64_t{1} << 47)};
  for (int b = 1; b <= 62; ++b) {
    const int planes = weight_planes_int16(b);
    const int64_t edge = (int64_t{1} << b) - 1;
    for (int64_t w : {edge, -edge, edge - 1, -edge + 1, int64_t{1}, int64_t{-1}}) {
      EXPECT_EQ(recombine_int16(w, planes), I128(w)) << "b=" << b << " w=" << w;
    }
    for (int64_t w : specials) {
      if (bit_length(uint64_t(w < 0 ? -w : w)) > b) continue;
      EXPECT_EQ(recombine_int16(w, planes), I128(w)) << "b=" << b << " w=" << w;
    }
    if (planes > 1) {
      EXPECT_NE(recombine_int16(edge, planes - 1), I128(edge)) << "b=" << b << " not minimal";
    }
  }
}

TEST(DigitPlan, WeightBoundIsTightAndChecked) {
  const std::vector<int64_t> w = {3, -4, 0, 1, 1, 1};  // rows {3,-4,0} (L1 7), {1,1,1} (L1 3)
  const WeightBound b = WeightBound::of(w, 2, 3);
  EXPECT_EQ(b.max_abs_bits, 3);  // |w| ≤ 4 < 2^3
  EXPECT_EQ(b.row_l1_bits, 3);   // 7 < 2^3
  EXPECT_NO_THROW(b.check(w, 2, 3, "t"));
  EXPECT_THROW((WeightBound{2, 3}.check(w, 2, 3, "t")), std::invalid_argument);
  EXPECT_THROW((WeightBound{3, 2}.check(w, 2, 3, "t")), std::invalid_argument);
  EXPECT_THROW(WeightBound::of(w, 4, 3), std::invalid_argument);
}

// The public bound covers every weight set the public facts allow: the extreme one (every
// weight at ±(2^b − 1)) passes its check, and it depends on nothing but (b, taps).
TEST(DigitPlan, PublicBoundCoversTheWorstWeights) {
  for (int b : {1, 5, 12, 20, 40}) {
    for (size_t taps : {size_t{1}, size_t{9}, size_t{64}, size_t{576}, size_t{4608}}) {
      const WeightBound pb = WeightBound::public_bound(b, taps);
      EXPECT_EQ(pb.max_abs_bits, b);
      std::vector<int64_t> worst(2 * taps, (int64_t{1} << b) - 1);
      for (size_t i = taps; i < worst.size(); ++i) worst[i] = -worst[i];
      const WeightBound actual = WeightBound::of(worst, 2, taps);
      if (actual.row_l1_bits <= 48) {
        EXPECT_NO_THROW(pb.check(worst, 2, taps, "worst")) << b << " " << taps;
      } else {
        EXPECT_EQ(pb.row_l1_bits, 48);
      }
      EXPECT_LE(pb.row_l1_bits, b + 13);
    }
  }
  for (auto [b, taps] :
       {std::pair{0, size_t{9}}, std::pair{41, size_t{9}}, std::pair{8, size_t{0}}}) {
    try {
      (void)WeightBound::public_bound(b, taps);
      ADD_FAILURE() << "public_bound(" << b << ", " << taps << ") did not throw";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("weight_bits must be in [1, 40] and taps positive"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace pg::nn::kernels
