#include "protocol/linear/linear_params.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pg::protocol {
namespace {

constexpr double kCbdVar = 10.5;
constexpr int kMaxPrimeBits = 60;

// The smallest prime size with enough NTT-friendly primes of that size at degree n.
int min_prime_bits(size_t n) {
  return std::max(20, static_cast<int>(std::bit_width(2 * n)) + 8);
}

// `bits` (≥ 1) as near-equal prime sizes in [min_prime_bits, 60].
std::vector<int> split_bits(int bits, size_t n) {
  const int count = std::max(1, (bits + kMaxPrimeBits - 1) / kMaxPrimeBits);
  std::vector<int> out;
  for (int i = 0; i < count; ++i) {
    const int b = (bits + (count - i) - 1) / (count - i);
    out.push_back(std::clamp(b, min_prime_bits(n), kMaxPrimeBits));
    bits -= b;
  }
  return out;
}

double log2_of(const std::vector<uint64_t>& primes, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += std::log2(double(primes[i]));
  return s;
}

int bit_sum(const std::vector<int>& bits) {
  int s = 0;
  for (int b : bits) s += b;
  return s;
}

// Actual primes for the sizes, or nullopt beyond the 128-bit bound.
bool realise(TermParams& p, const std::vector<int>& data_bits,
             const std::vector<int>& special_bits) {
  if (bit_sum(data_bits) + bit_sum(special_bits) > he::max_log2_qp_128(p.n)) return false;
  const auto params = he::make_params(he::ParamsLiteral::from_bits(p.n, data_bits, special_bits));
  p.primes = params->primes();
  p.special = params->special_primes();
  return true;
}

// Largest d with 2^(d−1) ≤ room (d = 0 when room < 1: nothing dropped, no error).
int drop_for(double room, double log2_modulus) {
  if (room < 1.0) return 0;
  const int d = static_cast<int>(std::floor(std::log2(room))) + 1;
  return std::min(d, static_cast<int>(std::floor(log2_modulus)) - 1);
}

double ceil_log2(double v) {
  return std::ceil(std::log2(std::max(v, 1.0)));
}

void check_shape(const TermShape& s) {
  if (s.ell < 2 || s.ell > 64) throw std::invalid_argument("HE term: ell must be in [2, 64]");
  if (s.taps == 0) throw std::invalid_argument("HE term: a term with no taps");
  if (s.noise_terms != 0 && s.noise_terms < s.taps) {
    throw std::invalid_argument("HE term: fewer noise terms than taps");
  }
  if (s.weight_bits < 1 || s.weight_bits > 40) {
    throw std::invalid_argument("HE term: weight_bits must be in [1, 40]");
  }
  if (s.sigma < kStatisticalBits || s.sigma > 120) {
    throw std::invalid_argument("HE term: statistical parameter out of range");
  }
}

double max_weight(const TermShape& s) {
  return std::ldexp(1.0, s.weight_bits) - 1.0;
}

// K_e of TermShape: the products of noise and weight in one output coefficient.
double noise_terms(const TermShape& s) {
  return double(s.noise_terms != 0 ? s.noise_terms : s.taps);
}

// Flooding exponent and the top-level noise for a computed-noise bound.
void set_flood(TermParams& p, const TermShape& s, double comp, double* top_noise) {
  p.log2_comp_noise = std::log2(comp);
  p.flood_bits = s.sigma + static_cast<int>(ceil_log2(comp)) - 1;
  *top_noise = comp + std::ldexp(1.0, p.flood_bits) + pk_zero_noise(p.n) + 1.0;
}

std::optional<TermParams> pow2_params(const TermShape& s, size_t n) {
  if (s.ell > 63) return std::nullopt;  // the BFV-scaled coder stops at 2^63
  TermParams p;
  p.scheme = HeScheme::kPow2;
  p.n = n;
  double nq = 0;
  set_flood(p, s, kTailZ * std::sqrt(noise_terms(s) * (kCbdVar + 0.25)) * max_weight(s), &nq);
  const double bms = mod_switch_noise(n);
  const int need = static_cast<int>(std::ceil(s.ell + 2 + std::log2(nq))) + 1;
  const int reply = s.ell + 3 + static_cast<int>(ceil_log2(bms)) + 1;
  // The fewest primes: the reply keeps as many leading primes as it needs.
  std::vector<int> bits = split_bits(std::max(need, reply), n);
  if (!realise(p, bits, {})) return std::nullopt;
  size_t r = 0;
  while (r + 1 < p.primes.size() && log2_of(p.primes, 0, r + 1) < reply) ++r;
  p.reply_level = r;
  const double lq = log2_of(p.primes, 0, p.primes.size());
  const double lr = log2_of(p.primes, 0, r + 1);
  const double a = std::exp2(std::log2(nq) - lq + s.ell + 1);  // N_Q / (Q/(2t))
  if (a >= 1.0) return std::nullopt;
  const double budget = std::exp2(lr - s.ell - 1) * (1.0 - a);
  const double ms = r == p.top_level() ? 0.0 : bms;
  if (budget <= ms + 1.0) return std::nullopt;
  p.drop_bits = drop_for(0.99 * (budget - ms), lr);
  p.log2_noise_margin =
      std::log2(budget / (ms + (p.drop_bits ? std::ldexp(1.0, p.drop_bits - 1) : 0) + 1e-300));
  return p;
}

std::optional<TermParams> ckks_params(const TermShape& s, size_t n) {
  TermParams p;
  p.scheme = HeScheme::kCkks;
  p.n = n;
  const double kw = double(s.taps) * max_weight(s);
  double nq = 0;
  set_flood(p, s, kTailZ * std::sqrt(noise_terms(s) * kCbdVar) * max_weight(s), &nq);
  const double bms = mod_switch_noise(n);
  p.mask_bits = s.sigma + static_cast<int>(ceil_log2(kw));
  p.scale_bits = static_cast<int>(ceil_log2(bms)) + 3;
  if (p.mask_bits > 127) return std::nullopt;  // h is drawn as a 128-bit integer
  const int reply = p.scale_bits + s.ell + p.mask_bits + 3;
  const int drop = static_cast<int>(std::ceil(std::log2(nq))) + 3 - p.scale_bits + 1;
  std::vector<int> bits = split_bits(reply, n);
  const size_t r = bits.size() - 1;
  const auto rest = split_bits(std::max(drop, 1), n);
  bits.insert(bits.end(), rest.begin(), rest.end());
  if (!realise(p, bits, {})) return std::nullopt;
  p.reply_level = r;
  const double lr = log2_of(p.primes, 0, r + 1);
  const double lp = log2_of(p.primes, r + 1, p.primes.size());
  // The value must not wrap: 2^s·|m| + 2^(s−1) < q_r/2 with |m| < 2^(ℓ+hb) + K·W·2^ℓ.
  const double m = std::ldexp(1.0, s.ell + p.mask_bits) + kw * std::ldexp(1.0, s.ell);
  if (p.scale_bits + std::log2(m + 1.0) + 1 >= lr) return std::nullopt;
  const double budget = std::ldexp(1.0, p.scale_bits - 1);
  const double used = std::exp2(std::log2(nq) - lp) + bms;
  if (budget <= used + 1.0) return std::nullopt;
  p.drop_bits = std::min(drop_for(0.99 * (budget - used), lr), p.scale_bits - 2);
  p.log2_noise_margin =
      std::log2(budget / (used + (p.drop_bits ? std::ldexp(1.0, p.drop_bits - 1) : 0)));
  return p;
}

}  // namespace

int plan_sigma(uint64_t revealed) {
  return kStatisticalBits + (revealed <= 1 ? 0 : std::bit_width(revealed - 1));
}

double pk_zero_noise(size_t n) {
  return kTailZ * (std::sqrt(7.0 * double(n)) + std::sqrt(kCbdVar * double(n)));
}

double mod_switch_noise(size_t n) {
  return 0.5 + kTailZ * std::sqrt(double(n)) / 2;
}

double key_switch_noise(size_t n, size_t digits, double log2_digit, double log2_p) {
  // Σ_d D_d·e_d / P with |D_d| < Q_d/2 and |e_d| ≤ 21 (ℓ∞, N terms each), plus the rounding of
  // the division by P (ε0 + ε1·s, at most 1/2 + N/2).
  return double(digits) * double(n) * 10.5 * std::exp2(log2_digit - log2_p) + 0.5 + double(n) / 2;
}

int TermParams::log2_q() const {
  int s = 0;
  for (uint64_t q : primes) s += std::bit_width(q);
  return s;
}

int TermParams::log2_q_reply() const {
  int s = 0;
  for (size_t i = 0; i <= reply_level; ++i) s += std::bit_width(primes[i]);
  return s;
}

he::ParamsLiteral TermParams::literal() const {
  he::ParamsLiteral l;
  l.n = n;
  l.primes = primes;
  l.special_primes = special;
  return l;
}

std::optional<TermParams> coeff_params(HeScheme scheme, const TermShape& s, size_t n) {
  check_shape(s);
  if (he::max_log2_qp_128(n) == 0) return std::nullopt;
  switch (scheme) {
    case HeScheme::kPow2:
      return pow2_params(s, n);
    case HeScheme::kCkks:
      return ckks_params(s, n);
    case HeScheme::kAuto:
      break;
  }
  throw std::invalid_argument("coeff_params: resolve kAuto first");
}

std::optional<TermParams> slot_params(const TermShape& s, size_t n, const SlotNoise& model) {
  check_shape(s);
  if (he::max_log2_qp_128(n) == 0) return std::nullopt;
  TermParams p;
  p.scheme = HeScheme::kCkks;
  p.packing = HePacking::kSlot;
  p.n = n;
  const double kw2 = 2.0 * double(s.taps) * max_weight(s);
  p.mask_bits = s.sigma + static_cast<int>(ceil_log2(kw2));
  if (p.mask_bits > 127) return std::nullopt;  // h is drawn as a 128-bit integer
  const double bms = mod_switch_noise(n);
  const auto t_bits = split_bits(s.ell + p.mask_bits + 3, n);
  const int e_bits = std::max(static_cast<int>(ceil_log2(bms)) + 4, min_prime_bits(n));
  p.plain_primes = t_bits.size();
  p.reply_level = t_bits.size();
  // Key-switch noise depends on the chain it protects: iterate to a fixed point (two rounds
  // suffice, since it is far below the flooding).
  double b_ks = model.rotates() ? key_switch_noise(n, 16, 60, 60) : 0.0;
  for (int round = 0; round < 3; ++round) {
    const double log2_t = double(bit_sum(t_bits)) - 0.01 * double(t_bits.size());
    double nq = 0;
    set_flood(p, s, model.noise(n, log2_t, b_ks), &nq);
    std::vector<int> bits = t_bits;
    bits.push_back(e_bits);
    const auto drop = split_bits(static_cast<int>(std::ceil(std::log2(nq))) + 4 - e_bits, n);
    bits.insert(bits.end(), drop.begin(), drop.end());
    std::vector<int> special;
    if (model.rotates()) {
      // The most special primes (fewest digits) that the security bound allows, up to 4.
      int alpha = 4;
      while (alpha > 1 && bit_sum(bits) + alpha * kMaxPrimeBits > he::max_log2_qp_128(n)) --alpha;
      special.assign(size_t(alpha), kMaxPrimeBits);
    }
    if (!realise(p, bits, special)) return std::nullopt;
    if (model.rotates()) {
      const size_t alpha = p.special.size();
      double worst = 0;
      for (size_t d = 0; d * alpha < p.primes.size(); ++d) {
        worst = std::max(worst,
                         log2_of(p.primes, d * alpha, std::min(p.primes.size(), (d + 1) * alpha)));
      }
      b_ks = key_switch_noise(n, (p.primes.size() + alpha - 1) / alpha, worst,
                              log2_of(p.special, 0, alpha));
    }
  }
  const double log2_t = log2_of(p.primes, 0, p.plain_primes);
  if (log2_t < s.ell + p.mask_bits + 2) return std::nullopt;
  double nq = 0;
  set_flood(p, s, model.noise(n, log2_t, b_ks), &nq);
  const double le = std::log2(double(p.primes[p.plain_primes]));
  const double lp = log2_of(p.primes, p.reply_level + 1, p.primes.size());
  const double budget = std::exp2(le - 1);
  const double used = std::exp2(std::log2(nq) - lp) + bms;
  if (budget <= used + 1.0) return std::nullopt;
  p.drop_bits = drop_for(0.99 * (budget - used), le);
  p.log2_noise_margin =
      std::log2(budget / (used + (p.drop_bits ? std::ldexp(1.0, p.drop_bits - 1) : 0)));
  return p;
}

TermParams choose_linear_params(int ell, size_t taps, uint64_t max_abs_weight) {
  const TermShape s{ell, taps, std::max(1, int(std::bit_width(max_abs_weight))), kStatisticalBits};
  for (size_t n : {4096u, 8192u, 16384u, 32768u}) {
    if (auto p = coeff_params(ell > 63 ? HeScheme::kCkks : HeScheme::kPow2, s, n)) return *p;
  }
  throw std::invalid_argument(
      "linear params: no 128-bit-secure ring holds ell = " + std::to_string(ell) + " with " +
      std::to_string(taps) + " taps of weights up to " + std::to_string(max_abs_weight));
}

double estimate_seconds(const TermParams& p, const TermCounts& c) {
  // Fitted (weighted least squares, ±20%) to the CPU times of 97 coefficient-packed terms of
  // bench/he_layers on the development machine, one thread: a ct–pt product costs kProduct per
  // coefficient of each limb of each polynomial, an input ciphertext kInput and an output
  // ciphertext kOutput per N·log2 N of each limb (encryption, seed expansion, masking, flooding,
  // switching, serialisation and decryption). Rotations are counted in NTTs of kNtt.
  constexpr double kProduct = 1.8e-9, kInput = 4.8e-9, kOutput = 8.3e-9, kNtt = 0.37e-9;
  const double n = double(p.n), nlogn = n * std::log2(n);
  const double l = double(p.primes.size());
  double rot = 0;
  if (!p.special.empty()) {
    const double a = double(p.special.size()), digits = std::ceil(l / a);
    rot = (l + digits * (l + a) + 2 * (a + l)) * kNtt * nlogn + digits * (l + a) * 2 * n * kProduct;
  }
  return double(c.products) * kProduct * 2 * l * n + double(c.input_cts) * kInput * l * nlogn +
         double(c.output_cts) * kOutput * l * nlogn + double(c.rotations) * rot;
}

uint64_t estimate_bytes(const TermParams& p, const TermCounts& c) {
  const uint64_t q_bits = uint64_t(p.log2_q()), r_bits = uint64_t(p.log2_q_reply());
  const uint64_t up = c.input_cts * (q_bits * p.n / 8 + 56);
  const uint64_t width = r_bits - uint64_t(p.drop_bits) + 1;
  const uint64_t down = c.output_cts * (r_bits * p.n / 8 + 8) + c.revealed * width / 8;
  return up + down;
}

std::string describe(const TermParams& p) {
  std::ostringstream os;
  os << (p.packing == HePacking::kSlot ? "slot" : (p.scheme == HeScheme::kPow2 ? "pow2" : "ckks"))
     << " N=" << p.n << " q=";
  for (size_t i = 0; i < p.primes.size(); ++i) {
    os << (i ? "+" : "") << std::bit_width(p.primes[i]);
  }
  if (!p.special.empty()) os << " p=" << p.special.size() << "x" << std::bit_width(p.special[0]);
  os << " reply=" << p.log2_q_reply() << " flood=" << p.flood_bits << " drop=" << p.drop_bits;
  if (p.mask_bits) os << " mask=" << p.mask_bits;
  if (p.scale_bits) os << " scale=" << p.scale_bits;
  return os.str();
}

}  // namespace pg::protocol
