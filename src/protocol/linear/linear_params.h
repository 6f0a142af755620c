// RLWE parameters of one homomorphic affine term (PROTOCOL.md §3 step 3), derived from its
// public shape so that the client's decryption is exact in every element, the reply hides the
// weights statistically, and the ring is 128-bit secure.
//
// Notation. ℓ: the ring Z_{2^ℓ}; K: taps (non-zero weights per output: C/groups·kh·kw, or the
// dense input size); W = 2^weight_bits − 1 ≥ |w|; N: ring degree; Q: the product of the data
// primes; q_r: the product of the primes the reply keeps (q_0 .. q_reply_level); P_drop = Q/q_r.
// σ' = 40 + ⌈log2 R⌉ where R is the number of values the client gets over the whole plan (the
// sent coefficients, or every slot of every output ciphertext in the slot packing): each value
// is within statistical distance 2^-σ' of its simulation, so the plan's total is ≤ 2^-40.
//
// High-probability bounds. Errors are centred binomial (|e| ≤ 21, a sub-Gaussian with proxy
// variance 10.5), secrets and u ternary. A sum Σ c_i·X_i of independent sub-Gaussians with proxy
// v_i exceeds z·√(Σ c_i² v_i) with probability ≤ 2·e^{−z²/2}; z = 11 makes that 2^-86 per
// coefficient. Worst-case (ℓ∞) bounds are used wherever independence does not hold.
//   B_pk  = z·(√(7N) + √(10.5N))   noise of the public-key encryption of zero (u·e0 + e1·s)
//   B_ms  = 1/2 + z·√N/2           rounding of a modulus switch (ε0 + ε1·s)
//
// Flooding (every scheme). With B_comp the bound on the computed noise v, the server adds a fresh
// public-key encryption of zero whose c0 noise F is uniform on the 2^(f+1) integers of
// [−2^f, 2^f), f = σ' + ⌈log2 B_comp⌉ − 1: the distributions of v + F and F are within
// |v|/2^(f+1) ≤ 2^-σ' per coefficient, so the reply's noise says nothing about the weights,
// and its c1 (plus u·pk1) is uniform: the re-randomisation of PROTOCOL.md §3. The noise at the
// top level is then N_Q = B_comp + 2^f + B_pk.
//
// (a) kPow2, plaintext modulus t = 2^ℓ (BFV-style: r is encoded as round(Q·r/t)). The product
//     with integer weights is round(Q·[A r]_t/t) + v with v = Σ w_j (e_j + ρ_j), |ρ_j| ≤ 1/2, the
//     sum over the K_e kernel coefficients of the products (TermShape::noise_terms), so
//     B_comp = z·√(K_e·10.75)·W. The server subtracts round(Q·t_mask/t); T = t_mask is uniform, so
//     A r − T is perfectly hidden. After switching to q_r and dropping d low bits of c0, the
//     client's round(t·x/q_r) is exact when
//        N_Q·q_r/Q + B_ms + 2^(d−1) < q_r/(2t).
//     We take log2 Q ≥ ℓ + 2 + log2 N_Q (the first term below q_r/(4t)), log2 q_r ≥ ℓ + 3 +
//     log2 B_ms, and then the largest d that the actual primes allow.
// (b) kCkks, coefficient encoding at scale Δ = 2^s·P_drop with the statistical mask
//     T = t + 2^ℓ·h, h uniform below 2^hb, hb = σ' + ⌈log2(K·W)⌉ (so |A r|/2^(ℓ+hb) ≤ 2^-σ').
//     B_comp = z·√(K_e·10.5)·W (Δ·r is exact). After the switch the client holds 2^s·m + noise with
//     m = A r − T, |m| < 2^(ℓ+hb+1), and round(x/2^s) is exact when
//        N_Q/P_drop + B_ms + 2^(d−1) < 2^(s−1)   and   2^s·|m| + 2^(s−1) < q_r/2:
//     s = ⌈log2 B_ms⌉ + 3, log2 P_drop ≥ log2 N_Q + 3 − s, log2 q_r ≥ s + ℓ + hb + 2, d ≤ s − 2.
// (c) Slot packing (integer batching): plaintext modulus t_s = q_0···q_{k−1}, the first k data
//     primes (each ≡ 1 mod 2N, so Z_{t_s}[X]/(X^N+1) splits into N slots), and Δ = Q/t_s exactly,
//     so products carry no rounding term. The same statistical mask T = t + 2^ℓ·h on every slot,
//     with hb = σ' + ⌈log2(2·K·W)⌉ (every slot, used or not, holds a combination of at most 2K
//     weights times values below 2^ℓ): log2 t_s ≥ ℓ + hb + 2. B_comp is the slot layout's
//     worst-case noise (slot_layout.h). The reply keeps t_s and E = q_k···q_reply: the client
//     reads e = x mod E (centred), then m = (x − e)/E mod t_s, exact when
//        N_Q/P_drop + B_ms + 2^(d−1) < E/2:  log2 E ≥ ⌈log2 B_ms⌉ + 3, log2 P_drop ≥ log2 N_Q + 3
//     − log2 E. Rotations need special primes (hybrid key switching, one digit per special
//     prime group), whose noise is part of B_comp.
//
// Security: log2(Q·P) (the primes' bit lengths) must lie within the HomomorphicEncryption.org
// 128-bit table for ternary secrets: N = 4096 → 109, 8192 → 218, 16384 → 438, 32768 → 881.
// Every feasible N is tried and the cheapest by the cost model below is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "he/params.h"
#include "protocol/linear/he_linear.h"

namespace pg::protocol {

inline constexpr int kStatisticalBits = 40;  // σ of PROTOCOL.md
inline constexpr double kTailZ = 11.0;       // tail bound factor (2^-86 per coefficient)

// The public shape of a term, as the parameter choice needs it.
struct TermShape {
  int ell = 0;
  size_t taps = 0;               // K
  int weight_bits = 1;           // |w| < 2^weight_bits
  int sigma = kStatisticalBits;  // σ' = 40 + ⌈log2 R⌉
  // K_e: products w·e that the coefficient packing sums into one output coefficient, where e is
  // the noise of the client's ciphertexts (which sits in every coefficient). A kernel polynomial
  // contributes all its non-zero coefficients, not only the output's own taps: a dense block of
  // nr rows sums nr·K of them. 0 means K (convolutions: K_e = K). See CoeffLayout::noise_terms.
  size_t noise_terms = 0;
};

// σ' for a plan that reveals `revealed` values in total.
int plan_sigma(uint64_t revealed);

// Noise bounds shared by the derivations (see above).
double pk_zero_noise(size_t n);
double mod_switch_noise(size_t n);
// Worst-case noise added by one hybrid key switch with `digits` digits whose largest prime
// product is 2^log2_digit, special primes of product 2^log2_p.
double key_switch_noise(size_t n, size_t digits, double log2_digit, double log2_p);

struct TermParams {
  HeScheme scheme = HeScheme::kPow2;  // resolved: kPow2 or kCkks (slot packing: kCkks)
  HePacking packing = HePacking::kCoefficient;
  size_t n = 0;
  std::vector<uint64_t> primes;   // data primes q_0 .. q_{L−1}: reply primes first
  std::vector<uint64_t> special;  // special primes (slot packing only)
  size_t reply_level = 0;         // the reply keeps q_0 .. q_reply_level
  size_t plain_primes = 0;        // slot: t_s = q_0···q_{plain_primes−1}
  int flood_bits = 0;             // F uniform in [−2^f, 2^f)
  int drop_bits = 0;              // low bits of c0 not sent
  int scale_bits = 0;             // kCkks: s
  int mask_bits = 0;              // hb (kCkks and slot): h < 2^hb
  double log2_comp_noise = 0;     // log2 B_comp
  double log2_noise_margin = 0;   // log2 of (budget / noise) at the reply: > 0 means exact

  size_t top_level() const { return primes.size() - 1; }
  int log2_q() const;  // Σ bit lengths of the data primes
  int log2_q_reply() const;
  he::ParamsLiteral literal() const;
};

// The parameters of a coefficient-packed term at degree n under `scheme` (kPow2 or kCkks), or
// nullopt if no 128-bit-secure set exists at n. Throws std::invalid_argument on an invalid shape.
std::optional<TermParams> coeff_params(HeScheme scheme, const TermShape& s, size_t n);

// What a slot-packed term needs from the parameter choice (from slot_layout.h): the worst-case
// noise of its evaluation for a plaintext modulus of log2_t bits and key-switch noise b_ks.
struct SlotNoise {
  virtual ~SlotNoise() = default;
  virtual double noise(size_t n, double log2_t, double b_ks) const = 0;
  virtual bool rotates() const = 0;
};
std::optional<TermParams> slot_params(const TermShape& s, size_t n, const SlotNoise& model);

// Operation counts of a term at its parameters (for the cost model and the stats).
struct TermCounts {
  uint64_t input_cts = 0, output_cts = 0, products = 0, rotations = 0, additions = 0;
  uint64_t revealed = 0;  // c0 coefficients sent
};

// Modelled seconds (client encrypt + server + client decrypt, one thread) and bytes (request +
// reply) of a term; the time constants are fitted to bench/he_layers on the development machine.
// They choose N per term and the plaintext space under HeScheme::kAuto.
double estimate_seconds(const TermParams& p, const TermCounts& c);
uint64_t estimate_bytes(const TermParams& p, const TermCounts& c);

// The coefficient-packed 2^l parameters at the smallest feasible degree for a term of `taps`
// taps and weights up to max_abs_weight, with σ' = 40 (one revealed value): the ring degree the
// CLI's merge report quotes. Throws std::invalid_argument if none exists up to N = 32768.
TermParams choose_linear_params(int ell, size_t taps, uint64_t max_abs_weight);

// A readable one-line summary ("pow2 N=8192 q=60+60 reply=60 flood=80 drop=18").
std::string describe(const TermParams& p);

}  // namespace pg::protocol
