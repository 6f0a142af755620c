// The half-gates engine for a full batch of 8 lanes with VAES: labels stay in 256-bit registers
// (two lanes each), the hash runs inline with the round keys broadcast once per call, and tweaks
// advance by vector adds. It computes exactly what the generic engine of half_gates.cpp computes
// (same tables, same labels; a test compares the two). Compiled with -mvaes and called only after
// a run-time CPU check; it includes no project header but vaes_aes.h (see there).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "mpc/vaes_aes.h"

namespace pg::core {
void secure_zero(void* p, size_t n);
}  // namespace pg::core

namespace pg::mpc::detail {

// The layout of pg::mpc::Gate (checked by static_asserts in half_gates.cpp): op 0 = XOR,
// 1 = AND, 2 = NOT.
struct GateRecord {
  uint8_t op;
  uint32_t a;
  uint32_t b;
  uint32_t out;
};

namespace {

using vaes::RoundKeys;
using V = __m256i;

constexpr size_t kLanes = 8;
constexpr size_t kRegs = kLanes / 2;  // registers per slot

inline V x(V a, V b) {
  return _mm256_xor_si256(a, b);
}
inline V a_(V a, V b) {
  return _mm256_and_si256(a, b);
}

// All-ones in each 128-bit lane whose least significant bit is set.
inline V lsb_mask(V v) {
  return _mm256_shuffle_epi32(_mm256_srai_epi32(_mm256_slli_epi32(v, 31), 31), 0);
}

inline V load(const __m128i* p) {
  return _mm256_loadu_si256(reinterpret_cast<const V*>(p));
}
inline void store(__m128i* p, V v) {
  _mm256_storeu_si256(reinterpret_cast<V*>(p), v);
}

// Tweaks of one AND gate: register j holds lanes 2j and 2j + 1, 2(t + lane) in the low words.
struct Tweaks {
  V even[kRegs];
  explicit Tweaks(uint64_t t) {
    for (size_t j = 0; j < kRegs; ++j) {
      const auto lo = static_cast<long long>(2 * (t + 2 * j));
      even[j] = _mm256_set_epi64x(0, lo + 2, 0, lo);
    }
  }
  void advance() {
    const V step = _mm256_set_epi64x(0, 2 * kLanes, 0, 2 * kLanes);
    for (size_t j = 0; j < kRegs; ++j) even[j] = _mm256_add_epi64(even[j], step);
  }
};

// XOR and NOT of one gate over the 8 lanes; `not_mask` is Δ for the garbler, 0 for the
// evaluator (whose NOT is a copy, and nothing when in place).
inline void linear_gate(const GateRecord& g, __m128i* labels, V not_mask, bool garbler) {
  __m128i* out = labels + g.out * kLanes;
  const __m128i* a = labels + g.a * kLanes;
  if (g.op == 0) {
    const __m128i* b = labels + g.b * kLanes;
    V r[kRegs];
    for (size_t j = 0; j < kRegs; ++j) r[j] = x(load(a + 2 * j), load(b + 2 * j));
    for (size_t j = 0; j < kRegs; ++j) store(out + 2 * j, r[j]);
  } else if (garbler || g.out != g.a) {
    V r[kRegs];
    for (size_t j = 0; j < kRegs; ++j) r[j] = x(load(a + 2 * j), not_mask);
    for (size_t j = 0; j < kRegs; ++j) store(out + 2 * j, r[j]);
  }
}

// The two input labels of an AND gate, all lanes.
inline void load_inputs(const GateRecord& g, const __m128i* labels, V* a, V* b) {
  const __m128i* pa = labels + g.a * kLanes;
  const __m128i* pb = labels + g.b * kLanes;
  for (size_t j = 0; j < kRegs; ++j) {
    a[j] = load(pa + 2 * j);
    b[j] = load(pb + 2 * j);
  }
}

// Runs the gates in order: XOR and NOT here, AND gates through and_gate(a, b, out) with both
// inputs' labels in registers.
template <typename AndGate>
inline void run_gates(const GateRecord* gates, size_t n_gates, __m128i* labels, V not_mask,
                      bool garbler, AndGate&& and_gate) {
  for (size_t gi = 0; gi < n_gates; ++gi) {
    const GateRecord& g = gates[gi];
    if (g.op != 1) {
      linear_gate(g, labels, not_mask, garbler);
      continue;
    }
    V a[kRegs];
    V b[kRegs];
    load_inputs(g, labels, a, b);
    and_gate(a, b, labels + g.out * kLanes);
  }
}

void fill_constants(__m128i* labels, V one_label) {
  for (size_t j = 0; j < kRegs; ++j) {
    store(labels + 2 * j, _mm256_setzero_si256());
    store(labels + kLanes + 2 * j, one_label);
  }
}

}  // namespace

void gc_garble8_vaes(const __m128i* rk128, const GateRecord* gates, size_t n_gates, __m128i* labels,
                     __m128i* tables, uint64_t tweak, __m128i delta128) {
  const RoundKeys rk = vaes::broadcast_keys(rk128);
  const V delta = _mm256_broadcastsi128_si256(delta128);
  fill_constants(labels, delta);
  Tweaks tw(tweak);
  const V one = _mm256_set_epi64x(0, 1, 0, 1);
  V h[4 * kRegs];
  run_gates(gates, n_gates, labels, delta, true, [&](const V* a, const V* b, __m128i* out) {
    V t[2 * kRegs];
    for (size_t j = 0; j < kRegs; ++j) {
      h[j] = a[j];
      h[kRegs + j] = x(a[j], delta);
      h[2 * kRegs + j] = b[j];
      h[3 * kRegs + j] = x(b[j], delta);
      t[j] = t[kRegs + j] = tw.even[j];
    }
    vaes::tccr<2 * kRegs>(h, t, rk);
    for (size_t j = 0; j < kRegs; ++j) t[j] = t[kRegs + j] = _mm256_add_epi64(tw.even[j], one);
    vaes::tccr<2 * kRegs>(h + 2 * kRegs, t, rk);
    for (size_t j = 0; j < kRegs; ++j) {
      const V ma = lsb_mask(a[j]);
      const V mb = lsb_mask(b[j]);
      const V ha0 = h[j];
      const V hb0 = h[2 * kRegs + j];
      const V hb = x(hb0, h[3 * kRegs + j]);
      const V tg = x(x(ha0, h[kRegs + j]), a_(mb, delta));
      const V te = x(hb, a[j]);
      const V w0 = x(x(ha0, a_(ma, tg)), x(hb0, a_(mb, hb)));
      // Lane 2j's pair of table blocks, then lane 2j + 1's.
      store(tables + 4 * j, _mm256_permute2x128_si256(tg, te, 0x20));
      store(tables + 4 * j + 2, _mm256_permute2x128_si256(tg, te, 0x31));
      store(out + 2 * j, w0);  // out may alias a or b: all lanes' inputs are in registers
    }
    tables += 2 * kLanes;
    tw.advance();
  });
  core::secure_zero(h, sizeof(h));
}

void gc_evaluate8_vaes(const __m128i* rk128, const GateRecord* gates, size_t n_gates,
                       __m128i* labels, const __m128i* tables, uint64_t tweak) {
  const RoundKeys rk = vaes::broadcast_keys(rk128);
  fill_constants(labels, _mm256_setzero_si256());
  Tweaks tw(tweak);
  const V one = _mm256_set_epi64x(0, 1, 0, 1);
  V h[2 * kRegs];
  run_gates(gates, n_gates, labels, _mm256_setzero_si256(), false,
            [&](const V* a, const V* b, __m128i* out) {
              V t[2 * kRegs];
              for (size_t j = 0; j < kRegs; ++j) {
                h[j] = a[j];
                h[kRegs + j] = b[j];
                t[j] = tw.even[j];
                t[kRegs + j] = _mm256_add_epi64(tw.even[j], one);
              }
              vaes::tccr<2 * kRegs>(h, t, rk);
              for (size_t j = 0; j < kRegs; ++j) {
                const V p0 = load(tables + 4 * j);      // lane 2j: T_G, T_E
                const V p1 = load(tables + 4 * j + 2);  // lane 2j + 1
                const V tg = _mm256_permute2x128_si256(p0, p1, 0x20);
                const V te = _mm256_permute2x128_si256(p0, p1, 0x31);
                const V w = x(x(h[j], a_(lsb_mask(a[j]), tg)),
                              x(h[kRegs + j], a_(lsb_mask(b[j]), x(te, a[j]))));
                store(out + 2 * j, w);
              }
              tables += 2 * kLanes;
              tw.advance();
            });
  core::secure_zero(h, sizeof(h));
}

}  // namespace pg::mpc::detail
