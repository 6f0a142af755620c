#include "core/secure.h"

#include <gtest/gtest.h>

#include "core/prg.h"
#include "core/testing.h"

namespace pg::core {
namespace {

TEST(Secure, SecureZeroClears) {
  uint8_t buf[64];
  for (int i = 0; i < 64; ++i) buf[i] = static_cast<uint8_t>(i + 1);
  secure_zero(buf, sizeof(buf));
  for (uint8_t b : buf) EXPECT_EQ(b, 0);
  secure_zero(nullptr, 0);  // allowed
}

TEST(Secure, MasksAndSelectMatchTheirPlainDefinitions) {
  Prg prg = Prg::from_seed(testing::seed_of(5));
  const uint64_t edges[] = {0, 1, 2, ~uint64_t{0}, uint64_t{1} << 63, (uint64_t{1} << 63) - 1};
  auto check = [](uint64_t a, uint64_t b) {
    EXPECT_EQ(ct_eq(a, b), a == b ? ~uint64_t{0} : 0) << a << " " << b;
    EXPECT_EQ(ct_lt(a, b), a < b ? ~uint64_t{0} : 0) << a << " " << b;
    EXPECT_EQ(ct_is_zero(a), a == 0 ? ~uint64_t{0} : 0);
    EXPECT_EQ(ct_select(ct_lt(a, b), a, b), std::min(a, b));
    uint64_t x = a, y = b;
    ct_swap(ct_lt(b, a), x, y);
    EXPECT_EQ(x, std::min(a, b));
    EXPECT_EQ(y, std::max(a, b));
  };
  for (uint64_t a : edges) {
    for (uint64_t b : edges) check(a, b);
  }
  for (int i = 0; i < 10000; ++i) {
    const uint64_t a = prg.next_u64();
    const uint64_t b = (i % 4 == 0) ? a : prg.next_u64();
    check(a, b);
  }
  EXPECT_EQ(ct_mask_from_bit(1), ~uint64_t{0});
  EXPECT_EQ(ct_mask_from_bit(0), 0u);
}

TEST(Secure, ConstantTimeMemeq) {
  uint8_t a[33] = {}, b[33] = {};
  EXPECT_TRUE(ct_memeq(a, b, 33));
  b[32] = 1;
  EXPECT_FALSE(ct_memeq(a, b, 33));
  EXPECT_TRUE(ct_memeq(a, b, 32));
  b[0] = 0x80;
  EXPECT_FALSE(ct_memeq(a, b, 1));
  EXPECT_TRUE(ct_memeq(a, b, 0));
}

}  // namespace
}  // namespace pg::core
