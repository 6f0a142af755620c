// Coefficient encoding (PROTOCOL.md §3, the fast linear kernels): values are placed directly as
// polynomial coefficients, so a ct × pt product is a negacyclic convolution of coefficient
// vectors. Three encodings, all producing NTT-domain plaintexts at a chosen level:
//
// (a) encode_int:        signed integers as they are (scale 1): the weight polynomial.
// (b) encode_scaled:     m ∈ Z_t, t = 2^ℓ, as round(Q·m/t) with Q = q_0···q_level (BFV-style).
//                        Multiplying by an integer polynomial w gives round(Q·[m·w]_t/t) plus
//                        noise, and decode_scaled recovers round(t·x/Q) mod t exactly when the
//                        noise is below Q/(2t).
// (c) encode_int_scaled: integers times Δ = 2^scale_bits (the CKKS variant: decode_int_scaled
//                        recovers round(x/Δ) exactly, as a two's-complement 64-bit word, when the
//                        noise is below Δ/2). encode_real places round(x·Δ) for reals.
//
// Decoding takes a decrypted plaintext (either domain) and reads every coefficient, or only the
// listed ones. All encoders are branch-free in the values (masks, weights and shares are secret).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "he/ciphertext.h"
#include "he/context.h"

namespace pg::he {

class CoeffEncoder {
 public:
  explicit CoeffEncoder(ContextPtr ctx);

  // At most N values each; the rest of the coefficients are zero.
  void encode_int(std::span<const int64_t> v, size_t level, Plaintext& out) const;
  void encode_scaled(std::span<const uint64_t> m, int ell, size_t level, Plaintext& out) const;
  void encode_int_scaled(std::span<const int64_t> v, int scale_bits, size_t level,
                         Plaintext& out) const;
  void encode_real(std::span<const double> v, double scale, size_t level, Plaintext& out) const;

  // round(t·x_j/Q) mod t, t = 2^ℓ, 1 ≤ ℓ ≤ 63: exact (CRT composition, no floating point).
  std::vector<uint64_t> decode_scaled(const Plaintext& x, int ell) const;
  std::vector<uint64_t> decode_scaled(const Plaintext& x, int ell,
                                      std::span<const uint32_t> coeffs) const;
  // round(x_j / 2^scale_bits) mod 2^64 for the centred x_j (cast to int64_t for the signed
  // value when it fits).
  std::vector<uint64_t> decode_int_scaled(const Plaintext& x, int scale_bits) const;
  std::vector<uint64_t> decode_int_scaled(const Plaintext& x, int scale_bits,
                                          std::span<const uint32_t> coeffs) const;
  // x_j / scale as doubles (centred).
  std::vector<double> decode_real(const Plaintext& x) const;

 private:
  ContextPtr ctx_;
};

// v mod q for an integer-valued double of any magnitude (exact: v = mantissa · 2^exponent).
uint64_t reduce_double(double v, const Modulus& q);

}  // namespace pg::he
