#include "nn/plan_io.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "nn/test_plans.h"

namespace pg::nn {
namespace {

using testing::residual_net;

core::Bytes serialise(const Plan& s) {
  core::ByteWriter w;
  write_architecture(w, s);
  return w.take();
}

core::Bytes serialise_weights(const Plan& s) {
  core::ByteWriter w;
  write_weights(w, s);
  return w.take();
}

TEST(PlanIo, RoundTripKeepsTheArchitectureAndHash) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(41));
  const Plan s = residual_net(prg);
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
  // A change of shape, of a public term or of a weight bound changes the hash.
  Plan changed = s;
  std::get<NonLinearStep>(changed.steps[1]).pool = PoolWindow{3, 3, 2, 2, 1, 1, 0, 0};
  EXPECT_NO_THROW(changed.validate());
  EXPECT_NE(architecture_hash(changed), architecture_hash(s));
  changed = s;
  std::get<AffineStep>(changed.steps[6]).public_terms[0].factor += 1;
  EXPECT_NE(architecture_hash(changed), architecture_hash(s));
  changed = s;
  std::get<AffineStep>(changed.steps[0]).he_terms[0].weight_bits = 12;
  EXPECT_NE(architecture_hash(changed), architecture_hash(s));
}

TEST(PlanIo, KnownHashPinsTheFormat) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(41));
  // Any change of the architecture format must be deliberate: it changes this value.
  EXPECT_EQ(hex(architecture_hash(residual_net(prg))),
            "730a7693d04e82cd29f4c8fde6a0cfebf4e8dad3b841a949252e2ede48e3c496");
}

TEST(PlanIo, EveryTruncationIsAnErrorNotACrash) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(43));
  const Plan s = residual_net(prg);
  const auto bytes = serialise(s);
  for (size_t n = 0; n < bytes.size(); ++n) {
    core::ByteReader r(std::span<const uint8_t>(bytes.data(), n));
    EXPECT_FALSE(read_architecture(r).ok()) << "prefix " << n;
  }
  const auto weights = serialise_weights(s);
  for (size_t n = 0; n < weights.size(); n += 7) {
    Plan arch = s.architecture();
    core::ByteReader r(std::span<const uint8_t>(weights.data(), n));
    EXPECT_FALSE(read_weights(r, arch).ok()) << "prefix " << n;
    EXPECT_FALSE(arch.has_weights());
  }
}

TEST(PlanIo, WeightsRoundTripSeparatelyFromTheArchitecture) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(45));
  const Plan s = residual_net(prg);
  const auto arch_bytes = serialise(s);
  const auto weight_bytes = serialise_weights(s);
  core::ByteReader ra(arch_bytes);
  auto arch = read_architecture(ra);
  ASSERT_TRUE(arch.ok());
  EXPECT_FALSE(arch.value().has_weights());
  Plan p = std::move(arch).value();
  core::ByteReader rw(weight_bytes);
  const auto st = read_weights(rw, p);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  ASSERT_TRUE(p.has_weights());
  EXPECT_EQ(serialise_weights(p), weight_bytes);
  for (size_t i = 0; i < s.steps.size(); ++i) {
    if (const auto* a = std::get_if<AffineStep>(&s.steps[i])) {
      const auto& b = std::get<AffineStep>(p.steps[i]);
      EXPECT_EQ(a->bias, b.bias);
      for (size_t k = 0; k < a->he_terms.size(); ++k) {
        EXPECT_EQ(a->he_terms[k].weights, b.he_terms[k].weights);
      }
    }
  }
  // Weights of another architecture are refused by the hash.
  Plan other = s.architecture();
  std::get<NonLinearStep>(other.steps[3]).kind = NonLinearKind::kTruncate;
  core::ByteReader rw2(weight_bytes);
  const auto mismatch = read_weights(rw2, other);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().message, "the weights belong to another architecture");
  // Trailing bytes are malformed.
  auto longer = weight_bytes;
  longer.push_back(0);
  Plan p2 = s.architecture();
  core::ByteReader rw3(longer);
  EXPECT_FALSE(read_weights(rw3, p2).ok());
  EXPECT_THROW(write_weights(*std::make_unique<core::ByteWriter>(), s.architecture()),
               std::invalid_argument);
}

TEST(PlanIo, AWeightAboveItsPublicBoundIsRefused) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(46));
  Plan s = residual_net(prg);
  auto& term = std::get<AffineStep>(s.steps[0]).he_terms[0];
  term.weights[0] = int64_t{1} << 11;  // bound is |w| < 2^11
  EXPECT_THROW(s.validate(), std::invalid_argument);
  // Write it with a looser bound, then read it against the tighter architecture.
  term.weight_bits = 12;
  const auto weights = serialise_weights(s);
  term.weight_bits = 11;
  Plan arch = s.architecture();
  // The hash differs (the bound is in the architecture), so patch the hash to reach the check.
  auto patched = weights;
  const Hash h = architecture_hash(arch);
  std::copy(h.begin(), h.end(), patched.begin() + 5);
  core::ByteReader r(patched);
  const auto st = read_weights(r, arch);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "a weight exceeds its bound of 2^11");
}

TEST(PlanIo, MalformedInputsGetClearErrors) {
  core::ByteWriter w;
  w.put_u32(0x12345678);
  core::ByteReader r1(w.bytes());
  auto bad_magic = read_architecture(r1);
  ASSERT_FALSE(bad_magic.ok());
  EXPECT_EQ(bad_magic.error().message, "not a Pangolin architecture");

  core::ByteWriter version;
  version.put_u32(0x50474152);
  version.put_u8(9);
  core::ByteReader rv(version.bytes());
  auto bad_version = read_architecture(rv);
  ASSERT_FALSE(bad_version.ok());
  EXPECT_EQ(bad_version.error().message, "architecture version 9 (this is version 1)");

  core::ByteWriter huge;
  huge.put_u32(0x50474152);
  huge.put_u8(1);
  huge.put_u8(37);
  huge.put_u8(10);
  huge.put_u8(9);
  huge.put_varint(1u << 30);
  core::ByteReader r2(huge.bytes());
  auto too_many = read_architecture(r2);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().message, "tensor count is 1073741824, above the limit of 4096");

  // A well-formed but inconsistent plan (output is not an affine output).
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(44));
  Plan s = residual_net(prg);
  s.output = 6;
  const auto bytes = serialise(s);
  core::ByteReader r3(bytes);
  auto inconsistent = read_architecture(r3);
  ASSERT_FALSE(inconsistent.ok());
  EXPECT_EQ(inconsistent.error().message,
            "inconsistent architecture: plan: the output is not an affine output");
}

}  // namespace
}  // namespace pg::nn
