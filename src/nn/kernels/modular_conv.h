// The Delphi-style online baseline: the same linear layer over a prime field F_p, as a protocol
// with field shares computes it (Delphi works over a prime field of about 41 bits). Weights and
// shares are field elements in [0, p); every product is a 64×64→128-bit integer multiply, the
// products are summed lazily in 128 bits (up to 2^46 products for a 41-bit p, 63 for a 61-bit
// one, before a fold), and each output is reduced once (Barrett with floor(2^128 / p)). No floating
// point. It uses im2col and a 2×1 register-blocked loop, so it is a fair, not a naive, modular
// kernel.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::nn::kernels {

__extension__ typedef unsigned __int128 Uint128;

// 15 · 2^37 + 1, a 41-bit NTT-friendly prime.
inline constexpr uint64_t kPrime41 = 2061584302081ull;

class ModularConv {
 public:
  // weights: [out_c][in_c/groups][kh][kw], signed; they are mapped to F_p. p must be an odd
  // prime below 2^62 (not checked for primality; the arithmetic is correct for any odd p).
  ModularConv(const ConvGeometry& g, std::span<const int64_t> weights, uint64_t p = kPrime41);

  uint64_t modulus() const { return p_; }
  // x: field elements in [0, p) (checked); y = W x mod p.
  void apply(std::span<const uint64_t> x, std::span<uint64_t> y, core::ThreadPool& pool) const;

  // a mod p for a 128-bit value.
  uint64_t reduce(Uint128 a) const;

 private:
  ConvGeometry g_;
  uint64_t p_, mu0_ = 0, mu1_ = 0;  // floor(2^128 / p) = mu1 · 2^64 + mu0 (Barrett)
  size_t chunk_ = 1;                // products summed in 128 bits between reductions
  std::vector<uint64_t> w_;         // [out_c][taps] in [0, p)
};

}  // namespace pg::nn::kernels
