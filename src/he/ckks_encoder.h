// CKKS slot encoding through the canonical embedding. A real polynomial m of degree < N holds
// N/2 complex slots z_j = m(ζ^{5^j}), ζ = e^{iπ/N}, j < N/2 (the other N/2 evaluations are their
// conjugates). Encoding computes m = round(Δ · σ^{-1}(z)).
//
// The special FFT: with u_k = m_k + i·m_{k+N/2} (k < N/2), and since ζ^{5^j·N/2} = i,
//   z_j = Σ_k (u_k ζ^k) · ω^{k·t_j},  ω = ζ^4 = e^{2πi/(N/2)},  t_j = (5^j − 1)/4 mod N/2,
// a length-N/2 DFT of the twisted u followed by the permutation t. A decimation-in-frequency FFT
// leaves the DFT in bit-reversed order, so slot j is read at bitrev(t_j) (and encoding writes
// there before the inverse, decimation-in-time FFT): no separate reordering pass.
//
// Rotating the slots left by k is the automorphism X ↦ X^{5^k}; conjugating them is X ↦ X^{-1}.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "he/ciphertext.h"
#include "he/context.h"

namespace pg::he {

class CkksEncoder {
 public:
  explicit CkksEncoder(ContextPtr ctx);

  size_t slots() const { return slots_; }

  // At most N/2 values (the rest are zero); Δ = scale ≥ 1. The result is in the NTT domain.
  // Throws std::invalid_argument if a value times Δ does not fit the level's modulus.
  void encode(std::span<const std::complex<double>> z, double scale, size_t level,
              Plaintext& out) const;
  void encode(std::span<const double> x, double scale, size_t level, Plaintext& out) const;
  // The constant c in every slot.
  void encode_constant(double c, double scale, size_t level, Plaintext& out) const;

  // All N/2 slots, from a plaintext in either domain.
  std::vector<std::complex<double>> decode(const Plaintext& pt) const;
  std::vector<double> decode_real(const Plaintext& pt) const;

  // The raw transforms on N/2 complex values (for tests): slots → u (unscaled) and back.
  void slots_to_coeffs(std::vector<std::complex<double>>& v) const;
  void coeffs_to_slots(std::vector<std::complex<double>>& v) const;

 private:
  void fft_forward(std::complex<double>* v) const;
  void fft_inverse(std::complex<double>* v) const;
  void to_plaintext(const std::vector<std::complex<double>>& u, double scale, size_t level,
                    Plaintext& out) const;

  ContextPtr ctx_;
  size_t slots_;
  std::vector<std::complex<double>> roots_;  // ω^k, k < N/4
  std::vector<std::complex<double>> twist_;  // ζ^k, k < N/2
  std::vector<uint32_t> slot_index_;         // bitrev(t_j)
};

}  // namespace pg::he
