#include "protocol/schedule_io.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "test_nets.h"

namespace pg::protocol {
namespace {

core::Bytes serialise(const Schedule& s) {
  core::ByteWriter w;
  write_architecture(w, s);
  return w.take();
}

TEST(ScheduleIo, RoundTripKeepsTheArchitectureAndHash) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(41));
  const Schedule s = residual_net(prg);
  const auto bytes = serialise(s);
  core::ByteReader r(bytes);
  auto back = read_architecture(r);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(serialise(back.value()), bytes);
  EXPECT_EQ(architecture_hash(back.value()), architecture_hash(s));
  EXPECT_EQ(hex(architecture_hash(s)).size(), 64u);
  // No weights travel: the same architecture with other weights has the same bytes.
  core::Prg other = core::Prg::from_seed(core::testing::seed_of(42));
  EXPECT_EQ(serialise(residual_net(other)), bytes);
  // A change of shape changes the hash.
  Schedule changed = s;
  std::get<NonLinearStep>(changed.steps[1]).pool_k = 3;
  EXPECT_NE(architecture_hash(changed), architecture_hash(s));
}

TEST(ScheduleIo, EveryTruncationIsAnErrorNotACrash) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(43));
  const auto bytes = serialise(residual_net(prg));
  for (size_t n = 0; n < bytes.size(); ++n) {
    core::ByteReader r(std::span<const uint8_t>(bytes.data(), n));
    EXPECT_FALSE(read_architecture(r).ok()) << "prefix " << n;
  }
}

TEST(ScheduleIo, MalformedInputsGetClearErrors) {
  core::ByteWriter w;
  w.put_u32(0x12345678);
  core::ByteReader r1(w.bytes());
  auto bad_magic = read_architecture(r1);
  ASSERT_FALSE(bad_magic.ok());
  EXPECT_EQ(bad_magic.error().message, "not a Pangolin architecture");

  core::ByteWriter huge;
  huge.put_u32(0x50474152);
  huge.put_u8(37);
  huge.put_u8(10);
  huge.put_u8(9);
  huge.put_varint(1u << 30);
  core::ByteReader r2(huge.bytes());
  auto too_many = read_architecture(r2);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().message, "tensor count is 1073741824, above the limit of 4096");

  // A well-formed but inconsistent schedule (output is not an affine output).
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(44));
  Schedule s = residual_net(prg);
  s.output = 6;
  const auto bytes = serialise(s);
  core::ByteReader r3(bytes);
  auto inconsistent = read_architecture(r3);
  ASSERT_FALSE(inconsistent.ok());
  EXPECT_EQ(inconsistent.error().message,
            "inconsistent architecture: schedule: the output is not an affine output");
}

}  // namespace
}  // namespace pg::protocol
