// RLWE parameters of one homomorphic affine block (PROTOCOL.md §3 step 3), derived so that the
// client's decryption is exact in every coefficient and the reply hides the weights.
//
// The block runs the RLWE engine with plaintext modulus t = 2^ℓ (BFV-style): a mask r ∈ Z_t is
// encoded as round(Q·r/t), so that multiplying by an integer weight polynomial w gives
// round(Q·[r·w]_t / t) plus noise w·(e + ε), with no (Q mod t) cross term. The server subtracts
// its mask t_mask ∈ Z_t the same way, so the client decrypts [A·r − t_mask]_t: uniform in Z_t,
// hence T = t_mask (the 2^ℓ·h part of PROTOCOL.md's CKKS-integer mask is not needed when the
// plaintext space is already Z_{2^ℓ}).
//
// Noise, per output coefficient (z = 10 standard deviations: a tail below 2^-70 each):
//   computed:  v = Σ_j w_j (e_j + ε_j),  Var ≤ K · W² · (σ² + 1/12),  B_comp = z·√Var
//              (K = taps per output, W = max |weight|, σ = 3.2, ε the encoding rounding)
//   flooding:  uniform in [−B_f, B_f] with B_f = 2^40 · B_comp (rounded up to a power of two),
//              so v + flood is within statistical distance 2^-40 of flood alone: the reply says
//              nothing about the weights through its noise (σ = 40).
//   reply:     switching to the reply modulus q0 (one or two primes) scales the noise by q0/Q and
//   adds a rounding
//              term of at most B_ms = z·√(N·2/3)/2 + 1 (that is (1 + |s·ε'|)/2 whp).
//   decrypt:   round(t·x/q0) is exact when noise·q0/Q + B_ms < q0/(2t). We give the first
//              term 15/16 of the budget and the second 1/16:
//                log2 Q  ≥ ℓ + 1 + log2(B_f + B_comp + B_pk) + log2(16/15),
//                log2 q0 ≥ ℓ + 1 + 4 + log2 B_ms,
//              with B_pk the small noise of the public-key encryption of zero (u·e + e1·s).
// Security: N and log2 Q must lie within the HomomorphicEncryption.org 128-bit table (ternary
// secret): N = 4096 → 109 bits, 8192 → 218, 16384 → 438, 32768 → 881. The smallest N that
// holds log2 Q is chosen (a bigger N also packs more per ciphertext, but costs more per NTT).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::protocol {

struct LinearParams {
  size_t n = 0;                 // ring degree
  int ell = 0;                  // plaintext modulus t = 2^ell
  std::vector<int> prime_bits;  // the reply primes first (their product is q0), then the rest
  int reply_primes = 1;         // how many primes the reply keeps after modulus switching
  int flood_bits = 0;           // log2 B_f
  double log2_comp_noise = 0;   // log2 B_comp
  int log2_q() const;
  int log2_q0() const;
};

// Throws std::invalid_argument with the reason if no parameter set up to N = 32768 fits.
LinearParams choose_linear_params(int ell, size_t taps, uint64_t max_abs_weight);

// The 128-bit bound on log2 Q for ternary secrets (0 if N is not in the table).
int max_log2_q_128(size_t n);

}  // namespace pg::protocol
