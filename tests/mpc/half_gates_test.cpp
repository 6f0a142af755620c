#include "mpc/half_gates.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "mpc/int_circuits.h"

namespace pg::mpc {
namespace {

// Garbles `lanes` instances with random input labels, evaluates them on random inputs and
// checks every output label against the garbler's label for the plaintext value.
void check_circuit(const Circuit& c, size_t lanes, core::Prg& prg) {
  const Block delta = prg.next_block() | make_block(0, 1);
  HalfGateGarbler gen(delta);
  HalfGateEvaluator eva;
  std::vector<Block> zero(c.num_slots() * lanes), active(c.num_slots() * lanes);
  std::vector<std::vector<uint8_t>> inputs(lanes, std::vector<uint8_t>(c.num_inputs()));
  for (size_t k = 0; k < lanes; ++k) {
    for (size_t i = 0; i < c.num_inputs(); ++i) {
      const size_t s = (Circuit::kFirstInput + i) * lanes + k;
      inputs[k][i] = static_cast<uint8_t>(prg.next_bit());
      zero[s] = prg.next_block();
      active[s] = zero[s] ^ (bit_mask(inputs[k][i]) & delta);
    }
  }
  std::vector<Block> tables(table_blocks(c, lanes));
  uint64_t t_gen = 1000, t_eva = 1000;
  gen.garble(c, lanes, zero.data(), tables.data(), t_gen);
  eva.evaluate(c, lanes, active.data(), tables.data(), t_eva);
  EXPECT_EQ(t_gen, 1000 + c.and_count() * lanes);
  EXPECT_EQ(t_eva, t_gen);
  for (size_t k = 0; k < lanes; ++k) {
    const std::vector<uint8_t> want = c.evaluate(inputs[k]);
    for (size_t o = 0; o < c.num_outputs(); ++o) {
      const Block z = zero[c.outputs()[o] * lanes + k];
      const Block a = active[c.outputs()[o] * lanes + k];
      ASSERT_TRUE(block_eq(a, want[o] != 0 ? z ^ delta : z)) << "lane " << k << " output " << o;
      ASSERT_EQ(lsb(a) ^ lsb(z), want[o]);
    }
  }
}

TEST(HalfGates, GarbledEvaluationMatchesPlaintextEvaluation) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x51));
  auto prg = core::Prg::from_os();
  const std::vector<Circuit> circuits = {
      circuits::share_adder(16, 0),
      circuits::share_adder(41, 13),
      circuits::window_relu_remask(16, 4, 1),
      circuits::window_relu_remask(32, 8, 5),
      circuits::argmax(12, 7),
  };
  for (const Circuit& c : circuits) {
    for (size_t lanes : {size_t{1}, size_t{3}, kMaxLanes}) {
      for (int trial = 0; trial < 20; ++trial) check_circuit(c, lanes, prg);
    }
  }
}

TEST(HalfGates, TheVaesEngineMatchesTheGenericOneBitForBit) {
  // Full batches take the 8-lane VAES engine where the CPU has it: same tables, same labels.
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x53));
  auto prg = core::Prg::from_os();
  const Block delta = prg.next_block() | make_block(0, 1);
  HalfGateGarbler fast(delta), generic(delta);
  generic.force_generic_engine(true);
  HalfGateEvaluator fast_eval, generic_eval;
  generic_eval.force_generic_engine(true);
  for (const Circuit& c : {circuits::share_adder(37, 12), circuits::window_relu_remask(37, 12, 1),
                           circuits::truncate_remask(41, 7), circuits::window_relu_remask(20, 3, 4),
                           circuits::argmax(16, 5)}) {
    std::vector<Block> zero(c.num_slots() * kMaxLanes);
    prg.fill_blocks(zero.data(), zero.size());
    std::vector<Block> zero2 = zero;
    std::vector<Block> t1(table_blocks(c, kMaxLanes)), t2(t1.size());
    uint64_t tw1 = 77, tw2 = 77;
    fast.garble(c, kMaxLanes, zero.data(), t1.data(), tw1);
    generic.garble(c, kMaxLanes, zero2.data(), t2.data(), tw2);
    ASSERT_EQ(tw1, tw2);
    for (size_t i = 0; i < t1.size(); ++i) ASSERT_TRUE(block_eq(t1[i], t2[i])) << "table " << i;
    for (uint32_t o : c.outputs()) {
      for (size_t k = 0; k < kMaxLanes; ++k) {
        ASSERT_TRUE(block_eq(zero[o * kMaxLanes + k], zero2[o * kMaxLanes + k]));
      }
    }
    std::vector<Block> act(c.num_slots() * kMaxLanes);
    prg.fill_blocks(act.data(), act.size());
    std::vector<Block> act2 = act;
    tw1 = tw2 = 77;
    fast_eval.evaluate(c, kMaxLanes, act.data(), t1.data(), tw1);
    generic_eval.evaluate(c, kMaxLanes, act2.data(), t1.data(), tw2);
    for (uint32_t o : c.outputs()) {
      for (size_t k = 0; k < kMaxLanes; ++k) {
        ASSERT_TRUE(block_eq(act[o * kMaxLanes + k], act2[o * kMaxLanes + k]));
      }
    }
  }
}

TEST(HalfGates, WrongTableOrTweakGivesGarbage) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x52));
  auto prg = core::Prg::from_os();
  CircuitBuilder b;
  const auto x = b.input();
  const auto y = b.input();
  const Circuit c = b.build({b.and_gate(x, y)});
  const Block delta = prg.next_block() | make_block(0, 1);
  HalfGateGarbler gen(delta);
  HalfGateEvaluator eva;
  for (int trial = 0; trial < 16; ++trial) {
    std::vector<Block> zero(c.num_slots()), active(c.num_slots());
    zero[2] = prg.next_block();
    zero[3] = prg.next_block();
    active[2] = zero[2] ^ delta;  // x = 1, y = 1
    active[3] = zero[3] ^ delta;
    std::vector<Block> tables(2);
    uint64_t t = 7;
    gen.garble(c, 1, zero.data(), tables.data(), t);
    std::vector<Block> a2 = active;
    uint64_t wrong = 8;  // the evaluator is out of step with the garbler
    eva.evaluate(c, 1, a2.data(), tables.data(), wrong);
    const Block out0 = zero[c.outputs()[0]];
    EXPECT_FALSE(block_eq(a2[c.outputs()[0]], out0 ^ delta));
    EXPECT_FALSE(block_eq(a2[c.outputs()[0]], out0));
  }
  EXPECT_THROW(HalfGateGarbler(make_block(0, 2)), std::invalid_argument);
}

}  // namespace
}  // namespace pg::mpc
