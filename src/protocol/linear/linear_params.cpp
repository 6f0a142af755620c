#include "protocol/linear/linear_params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pg::protocol {
namespace {

constexpr double kSigma = 3.2;     // the engine's error standard deviation
constexpr double kTail = 10.0;     // z: standard deviations in every high-probability bound
constexpr int kStatistical = 40;   // σ of PROTOCOL.md: flooding ratio 2^40
constexpr int kMaxPrimeBits = 60;  // word-size NTT primes

// `bits` as near-equal primes of 20 to 60 bits each.
std::vector<int> split_bits(int bits) {
  std::vector<int> out;
  const int count = (bits + kMaxPrimeBits - 1) / kMaxPrimeBits;
  for (int i = 0; i < count; ++i) {
    const int b = (bits + (count - i) - 1) / (count - i);
    out.push_back(std::max(b, 20));
    bits -= b;
  }
  return out;
}

}  // namespace

int LinearParams::log2_q() const {
  int s = 0;
  for (int b : prime_bits) s += b;
  return s;
}

int LinearParams::log2_q0() const {
  int s = 0;
  for (int i = 0; i < reply_primes; ++i) s += prime_bits[size_t(i)];
  return s;
}

int max_log2_q_128(size_t n) {
  switch (n) {
    case 4096:
      return 109;
    case 8192:
      return 218;
    case 16384:
      return 438;
    case 32768:
      return 881;
    default:
      return 0;
  }
}

LinearParams choose_linear_params(int ell, size_t taps, uint64_t max_abs_weight) {
  if (ell < 2 || ell > 64) throw std::invalid_argument("linear params: ell must be in [2, 64]");
  if (taps == 0) throw std::invalid_argument("linear params: a block with no taps");
  const double w = std::max<double>(1.0, double(max_abs_weight));
  const double comp = kTail * std::sqrt(double(taps) * (kSigma * kSigma + 1.0 / 12.0)) * w;
  LinearParams p;
  p.ell = ell;
  p.log2_comp_noise = std::log2(comp);
  p.flood_bits = kStatistical + static_cast<int>(std::ceil(p.log2_comp_noise));
  for (size_t n = 4096; n <= 32768; n *= 2) {
    const double pk_noise = 2.0 * kTail * std::sqrt(double(n) * 2.0 / 3.0) * kSigma;
    const double total = std::ldexp(1.0, p.flood_bits) + comp + pk_noise;
    const int need_q =
        static_cast<int>(std::ceil(ell + 1 + std::log2(total) + std::log2(16.0 / 15.0)));
    const double ms = kTail * std::sqrt(double(n) * 2.0 / 3.0) / 2.0 + 1.0;
    const int q0 = std::max(static_cast<int>(std::ceil(ell + 5 + std::log2(ms))), 20);
    if (need_q > max_log2_q_128(n)) continue;
    p.n = n;
    p.prime_bits = split_bits(q0);
    p.reply_primes = static_cast<int>(p.prime_bits.size());
    const auto rest = split_bits(std::max(need_q - q0, 0));
    p.prime_bits.insert(p.prime_bits.end(), rest.begin(), rest.end());
    if (p.log2_q() > max_log2_q_128(n)) continue;
    return p;
  }
  throw std::invalid_argument(
      "linear params: no 128-bit-secure ring holds ell = " + std::to_string(ell) + " with " +
      std::to_string(taps) + " taps of weights up to " + std::to_string(max_abs_weight) +
      " (needs log2 Q > 881); lower ell or f_w");
}

}  // namespace pg::protocol
