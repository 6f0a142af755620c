#include "mpc/int_circuits.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/prg.h"
#include "core/testing.h"

namespace pg::mpc {
namespace {

uint64_t mask_of(size_t ell) {
  return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

int64_t to_signed(uint64_t x, size_t ell) {
  return static_cast<int64_t>(x << (64 - ell)) >> (64 - ell);
}

void push_bits(std::vector<uint8_t>& bits, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) bits.push_back(static_cast<uint8_t>((v >> i) & 1));
}

uint64_t from_bits(const std::vector<uint8_t>& bits, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(bits[offset + i]) << i;
  return v;
}

// Values that exercise the carry chains and the sign: 0, ±1, the extremes, powers of two.
std::vector<uint64_t> edge_values(size_t ell) {
  const uint64_t m = mask_of(ell);
  const uint64_t top = uint64_t{1} << (ell - 1);
  std::vector<uint64_t> v = {0, 1, m, top, top - 1, (top + 1) & m};
  for (size_t b = 1; b < ell; b += 5) {
    v.push_back(uint64_t{1} << b);
    v.push_back(((uint64_t{1} << b) - 1) & m);
    v.push_back((0 - (uint64_t{1} << b)) & m);
  }
  return v;
}

// A two-operand circuit over ℓ-bit inputs, checked against an integer oracle on edge pairs and
// random pairs.
void check_binary(size_t ell, size_t out_width,
                  const std::function<Bits(CircuitBuilder&, const Bits&, const Bits&)>& build,
                  const std::function<uint64_t(uint64_t, uint64_t)>& oracle) {
  CircuitBuilder b;
  const Bits x = b.inputs(ell);
  const Bits y = b.inputs(ell);
  const Circuit c = b.build(build(b, x, y));
  ASSERT_EQ(c.num_outputs(), out_width);
  auto prg = core::Prg::from_os();
  std::vector<std::pair<uint64_t, uint64_t>> cases;
  for (uint64_t a : edge_values(ell)) {
    for (uint64_t d : edge_values(ell)) cases.emplace_back(a, d);
  }
  for (int i = 0; i < 300; ++i)
    cases.emplace_back(prg.next_u64() & mask_of(ell), prg.next_u64() & mask_of(ell));
  for (const auto& [a, d] : cases) {
    std::vector<uint8_t> in;
    push_bits(in, a, ell);
    push_bits(in, d, ell);
    const uint64_t got = from_bits(c.evaluate(in), 0, out_width);
    ASSERT_EQ(got, oracle(a, d)) << "ℓ=" << ell << " x=" << a << " y=" << d;
  }
}

class IntCircuits : public ::testing::TestWithParam<size_t> {
 protected:
  core::testing::FixedSeedScope seed_{core::testing::seed_of(0x31)};
};

TEST_P(IntCircuits, AddSubMatchRingArithmetic) {
  const size_t ell = GetParam();
  const uint64_t m = mask_of(ell);
  check_binary(ell, ell, circuits::add, [m](uint64_t a, uint64_t d) { return (a + d) & m; });
  check_binary(ell, ell, circuits::sub, [m](uint64_t a, uint64_t d) { return (a - d) & m; });
}

TEST_P(IntCircuits, CompareMuxMaxMatchSignedIntegers) {
  const size_t ell = GetParam();
  const uint64_t m = mask_of(ell);
  check_binary(
      ell, 1,
      [](CircuitBuilder& b, const Bits& x, const Bits& y) {
        return Bits{circuits::less_signed(b, x, y)};
      },
      [ell](uint64_t a, uint64_t d) { return uint64_t{to_signed(a, ell) < to_signed(d, ell)}; });
  check_binary(
      ell, ell,
      [](CircuitBuilder& b, const Bits& x, const Bits& y) { return circuits::max_signed(b, x, y); },
      [ell](uint64_t a, uint64_t d) { return to_signed(a, ell) < to_signed(d, ell) ? d : a; });
  // mux on the low bit of y.
  check_binary(
      ell, ell,
      [](CircuitBuilder& b, const Bits& x, const Bits& y) { return circuits::mux(b, y[0], y, x); },
      [m](uint64_t a, uint64_t d) { return ((d & 1) != 0 ? d : a) & m; });
}

TEST_P(IntCircuits, ShiftAndReluAreExact) {
  const size_t ell = GetParam();
  const uint64_t m = mask_of(ell);
  for (size_t shift : {size_t{0}, size_t{1}, ell / 2, ell - 1}) {
    if (shift >= ell) continue;
    check_binary(
        ell, ell,
        [shift](CircuitBuilder& b, const Bits& x, const Bits&) {
          return circuits::relu(b, circuits::ashr(x, shift));
        },
        [ell, shift, m](uint64_t a, uint64_t) {
          const int64_t t = to_signed(a, ell) >> shift;
          return static_cast<uint64_t>(t < 0 ? 0 : t) & m;
        });
  }
}

TEST_P(IntCircuits, GateCountsArePinned) {
  const size_t ell = GetParam();
  CircuitBuilder b;
  const Bits x = b.inputs(ell);
  const Bits y = b.inputs(ell);
  EXPECT_EQ(b.build(circuits::add(b, x, y)).and_count(), ell - 1);
  EXPECT_EQ(b.build(circuits::sub(b, x, y)).and_count(), ell - 1);
  EXPECT_EQ(b.build({circuits::less_signed(b, x, y)}).and_count(), ell);
  EXPECT_EQ(b.build(circuits::mux(b, y[0], x, y)).and_count(), ell);
  EXPECT_EQ(b.build(circuits::max_signed(b, x, y)).and_count(), 2 * ell);
  EXPECT_EQ(b.build(circuits::relu(b, x)).and_count(), ell - 1);
  EXPECT_EQ(b.build(circuits::ashr(x, ell - 1)).and_count(), 0u);
  // Layer circuits: ReLU-truncate-remask is (ℓ−1) + (ℓ−f−1) + (ℓ−1) = 3ℓ − f − 3.
  for (size_t f : {size_t{0}, ell / 3, ell >= 2 ? ell - 2 : 0}) {
    if (f + 1 >= ell) continue;
    EXPECT_EQ(circuits::share_adder(ell, f).and_count(), ell - 1);
    const size_t w = ell - f;
    EXPECT_EQ(circuits::window_relu_remask(ell, f, 1).and_count(), (w - 1) + (ell - 1));
    EXPECT_EQ(circuits::window_relu_remask(ell, f, 4).and_count(), 2 * w * 3 + (w - 1) + (ell - 1));
  }
  // Truncate-remask: the adder and one subtraction on the sign-extended value, 2ℓ − 2 in all.
  for (size_t f = 0; f < ell; f += std::max<size_t>(1, ell / 5)) {
    EXPECT_EQ(circuits::truncate_remask(ell, f).and_count(), ell - 1) << "f=" << f;
    EXPECT_EQ(
        circuits::share_adder(ell, f).and_count() + circuits::truncate_remask(ell, f).and_count(),
        2 * ell - 2);
  }
  EXPECT_EQ(circuits::truncate_remask(ell, ell - 1).and_count(), ell - 1);
  // f = ℓ − 1 keeps only the sign: ReLU is constant 0, the window max is dead code, and
  // 0 − r' needs no AND for its first carry.
  EXPECT_EQ(circuits::window_relu_remask(ell, ell - 1, 4).and_count(), ell >= 2 ? ell - 2 : 0);
}

TEST_P(IntCircuits, TruncateRemaskIsTheShiftedValueMinusTheMask) {
  // Both phases composed in plaintext: the adder's w output bits feed truncate_remask.
  const size_t ell = GetParam();
  const uint64_t m = mask_of(ell);
  for (size_t f : {size_t{0}, size_t{1}, ell / 3, ell - 1}) {
    if (f >= ell) continue;
    const Circuit adder = circuits::share_adder(ell, f);
    const Circuit tr = circuits::truncate_remask(ell, f);
    ASSERT_EQ(adder.num_outputs(), ell - f);
    ASSERT_EQ(tr.num_inputs(), (ell - f) + ell);
    auto prg = core::Prg::from_os();
    std::vector<uint64_t> xs = edge_values(ell);
    for (int i = 0; i < 200; ++i) xs.push_back(prg.next_u64() & m);
    for (size_t k = 0; k < xs.size(); ++k) {
      const uint64_t x = xs[k];
      const uint64_t u = prg.next_u64() & m;
      const uint64_t c = (x - u) & m;
      // Masks 0, −1 and 2^{ℓ−1} (the borrow runs the whole width), else random.
      const uint64_t r = k % 4 == 0   ? 0
                         : k % 4 == 1 ? m
                         : k % 4 == 2 ? uint64_t{1} << (ell - 1)
                                      : prg.next_u64() & m;
      std::vector<uint8_t> in;
      push_bits(in, u, ell);
      push_bits(in, c, ell);
      std::vector<uint8_t> in_b = adder.evaluate(in);
      push_bits(in_b, r, ell);
      const uint64_t z = from_bits(tr.evaluate(in_b), 0, ell);
      ASSERT_EQ(z, (static_cast<uint64_t>(to_signed(x, ell) >> f) - r) & m)
          << "ℓ=" << ell << " f=" << f << " x=" << x << " r=" << r;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, IntCircuits, ::testing::Values(1, 2, 7, 16, 32, 37, 41, 63, 64));

TEST(IntCircuits, TruncateRemaskAt37Bits) {
  const size_t total =
      circuits::share_adder(37, 12).and_count() + circuits::truncate_remask(37, 12).and_count();
  EXPECT_EQ(total, 2 * 37 - 2u);
  EXPECT_EQ(total, 72u);
}

TEST(IntCircuits, ReluTruncateAt37Bits) {
  // The target of the issue: ≈ 3ℓ − f_w AND gates at ℓ = 37, f_w = 12.
  const size_t total = circuits::share_adder(37, 12).and_count() +
                       circuits::window_relu_remask(37, 12, 1).and_count();
  EXPECT_EQ(total, 3 * 37 - 12 - 3);
  EXPECT_EQ(total, 96u);
}

TEST(IntCircuits, ArgmaxReturnsTheFirstMaximum) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x32));
  auto prg = core::Prg::from_os();
  for (size_t n : {1, 2, 3, 10, 17}) {
    for (size_t ell : {8, 37, 64}) {
      const Circuit c = circuits::argmax(ell, n);
      for (int trial = 0; trial < 50; ++trial) {
        std::vector<uint64_t> v(n);
        // Few distinct values, so ties are common.
        for (auto& x : v)
          x = (trial % 2 == 0 ? prg.uniform_below(4) - 2 : prg.next_u64()) & mask_of(ell);
        std::vector<uint8_t> in;
        for (uint64_t x : v) push_bits(in, x, ell);
        size_t best = 0;
        for (size_t i = 1; i < n; ++i) {
          if (to_signed(v[i], ell) > to_signed(v[best], ell)) best = i;
        }
        ASSERT_EQ(from_bits(c.evaluate(in), 0, circuits::index_bits(n)), best);
      }
    }
  }
  // 9 compares and 8 value muxes (the last one is dropped) of 37 ANDs, plus 21 index-mux ANDs
  // (at most 4 per step; bits that are still constant fold away).
  EXPECT_EQ(circuits::argmax(37, 10).and_count(), 9 * 37 + 8 * 37 + 21u);
}

TEST(Circuit, SlotsAreReusedAndConstantsFolded) {
  CircuitBuilder b;
  const Bits x = b.inputs(64);
  const Bits y = b.inputs(64);
  const Circuit c = b.build(circuits::add(b, x, y));
  EXPECT_LT(c.num_slots(), 2 + 128 + 8u);  // the carry chain needs only a few extra slots
  CircuitBuilder b2;
  const auto w = b2.input();
  EXPECT_EQ(b2.and_gate(w, b2.not_gate(w)), b2.zero());
  EXPECT_EQ(b2.xor_gate(w, w), b2.zero());
  EXPECT_EQ(b2.not_gate(b2.not_gate(w)), w);
  EXPECT_EQ(b2.and_gate(w, b2.one()), w);
  EXPECT_EQ(b2.and_count(), 0u);
  EXPECT_THROW(c.evaluate({1, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace pg::mpc
