#include "protocol/linear/linear_params.h"

#include <gtest/gtest.h>

#include <cmath>

namespace pg::protocol {
namespace {

// Recomputes the exactness conditions of linear_params.h from the returned set.
void expect_sound(const LinearParams& p, size_t taps, double w) {
  const double comp = 10.0 * std::sqrt(double(taps) * (3.2 * 3.2 + 1.0 / 12)) * w;
  EXPECT_NEAR(p.log2_comp_noise, std::log2(comp), 1e-9);
  EXPECT_GE(p.flood_bits, 40 + std::log2(comp)) << "flooding below 2^40 times the noise";
  const double ms = 10.0 * std::sqrt(double(p.n) * 2 / 3) / 2 + 1;
  const double pk = 2 * 10.0 * std::sqrt(double(p.n) * 2 / 3) * 3.2;
  const double noise = std::ldexp(1.0, p.flood_bits) + comp + pk;
  // noise/Q + ms/q0 < 1/(2t), in logs.
  const double lhs = std::ldexp(noise, -p.log2_q()) + std::ldexp(ms, -p.log2_q0());
  EXPECT_LT(lhs, std::ldexp(0.5, -p.ell));
  EXPECT_LE(p.log2_q(), max_log2_q_128(p.n)) << "beyond the 128-bit table";
  for (int b : p.prime_bits) {
    EXPECT_GE(b, 20);
    EXPECT_LE(b, 60);
  }
}

TEST(LinearParams, MiniOnnSizedBlocksFitN4096) {
  // 3x3 conv over 64 channels, weights below 2^15, ell = 41.
  const auto p = choose_linear_params(41, 576, (1 << 15) - 1);
  EXPECT_EQ(p.n, 4096u);
  EXPECT_EQ(p.prime_bits.size(), 2u);
  expect_sound(p, 576, (1 << 15) - 1);
}

TEST(LinearParams, LargerBlocksMoveToBiggerRingsAndStaySound) {
  size_t last_n = 0;
  for (int ell : {16, 32, 37, 41, 44, 50}) {
    for (size_t taps : {size_t{9}, size_t{576}, size_t{4608}, size_t{65536}}) {
      for (uint64_t w : {uint64_t{1}, uint64_t{1} << 12, uint64_t{1} << 20}) {
        const auto p = choose_linear_params(ell, taps, w);
        expect_sound(p, taps, double(w));
        last_n = std::max(last_n, p.n);
      }
    }
  }
  EXPECT_GE(last_n, 8192u);
}

TEST(LinearParams, ImpossibleCombinationsAreRejected) {
  try {
    (void)choose_linear_params(1, 9, 1);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "linear params: ell must be in [2, 64]");
  }
  try {
    (void)choose_linear_params(41, 0, 1);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "linear params: a block with no taps");
  }
  // The largest ring and the widest ring still hold the extreme corner.
  const auto p = choose_linear_params(64, 1 << 20, uint64_t{1} << 39);
  expect_sound(p, 1 << 20, std::ldexp(1.0, 39));
  EXPECT_EQ(max_log2_q_128(2048), 0);
  EXPECT_EQ(max_log2_q_128(8192), 218);
}

}  // namespace
}  // namespace pg::protocol
