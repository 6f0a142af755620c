#include "nn/kernels/modular_conv.h"

#include <algorithm>
#include <stdexcept>

#include "nn/kernels/scratch.h"

namespace pg::nn::kernels {
namespace {

using U128 = Uint128;

// Transposed im2col of one group: cols[pixel][k], k = (c, dy, dx); padding is 0.
void im2col_transposed(const ConvGeometry& g, int group, const uint64_t* x, uint64_t* cols) {
  const int cin = g.in_c / g.groups, oh = g.out_h(), ow = g.out_w();
  const size_t k_count = g.taps();
  for (int oy = 0; oy < oh; ++oy) {
    for (int ox = 0; ox < ow; ++ox) {
      uint64_t* col = cols + (size_t(oy) * ow + ox) * k_count;
      for (int c = 0; c < cin; ++c) {
        const uint64_t* chan = x + size_t(group * cin + c) * g.in_h * g.in_w;
        for (int dy = 0; dy < g.kh; ++dy) {
          const int iy = oy * g.stride_h - g.pad_top + dy;
          for (int dx = 0; dx < g.kw; ++dx) {
            const int ix = ox * g.stride_w - g.pad_left + dx;
            const bool in = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
            *col++ = in ? chan[size_t(iy) * g.in_w + ix] : 0;
          }
        }
      }
    }
  }
}

// s0 += Σ a0[i] b[i], s1 += Σ a1[i] b[i] over n terms, in 128 bits (no reduction). Not inlined:
// inside the caller GCC spills an accumulator to the stack.
[[gnu::noinline]] void mac_rows(const uint64_t* a0, const uint64_t* a1, const uint64_t* b, size_t n,
                                U128& s0, U128& s1) {
  U128 t0 = s0, t1 = s1;
  for (size_t i = 0; i < n; ++i) {
    t0 += U128(a0[i]) * b[i];
    t1 += U128(a1[i]) * b[i];
  }
  s0 = t0;
  s1 = t1;
}

}  // namespace

ModularConv::ModularConv(const ConvGeometry& g, std::span<const int64_t> weights, uint64_t p)
    : g_(g), p_(p) {
  g_.validate();
  if (p < 3 || p % 2 == 0 || p >= (uint64_t{1} << 62)) {
    throw std::invalid_argument("ModularConv: the modulus must be odd and in [3, 2^62)");
  }
  if (weights.size() != g_.weight_count()) {
    throw std::invalid_argument("ModularConv: weight count does not match the geometry");
  }
  // Products summed between reductions: p + chunk · (p-1)² < 2^128.
  chunk_ = size_t(std::min<U128>((~U128(0) - p) / (U128(p - 1) * (p - 1)), U128(1) << 40));
  const U128 mu = ~U128(0) / p;  // = floor(2^128 / p) since p is not a power of two
  mu0_ = uint64_t(mu);
  mu1_ = uint64_t(mu >> 64);
  w_.reserve(weights.size());
  for (int64_t w : weights) {
    const uint64_t a = uint64_t(w < 0 ? -(w + 1) : w) % p;  // |w| - 1 or w, without overflow
    w_.push_back(w < 0 ? (p - a - 1) % p : a);              // -|w| mod p
  }
}

uint64_t ModularConv::reduce(U128 a) const {
  // Barrett with μ = floor(2^128 / p) = μ1·2^64 + μ0: q = floor(a·μ / 2^128) up to 2 too small;
  // only its low 64 bits are needed because the remainder is < 3p < 2^64.
  const uint64_t mu0 = mu0_, mu1 = mu1_;
  const uint64_t a0 = uint64_t(a), a1 = uint64_t(a >> 64);
  const U128 t1 = U128(a0) * mu1 + uint64_t((U128(a0) * mu0) >> 64);
  const U128 t2 = U128(a1) * mu0;
  const U128 mid = U128(uint64_t(t1)) + uint64_t(t2);
  const uint64_t q = a1 * mu1 + uint64_t(t1 >> 64) + uint64_t(t2 >> 64) + uint64_t(mid >> 64);
  uint64_t r = a0 - q * p_;
  r -= p_ & (uint64_t{0} - uint64_t(r >= p_));
  r -= p_ & (uint64_t{0} - uint64_t(r >= p_));
  return r;
}

void ModularConv::apply(std::span<const uint64_t> x, std::span<uint64_t> y,
                        core::ThreadPool& pool) const {
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("ModularConv: input or output size does not match the geometry");
  }
  uint64_t out_of_range = 0;
  for (uint64_t v : x) out_of_range |= uint64_t(v >= p_);
  if (out_of_range) throw std::invalid_argument("ModularConv: input is not reduced mod p");
  const size_t k = g_.taps(), pix = size_t(g_.out_h()) * g_.out_w(), cout = g_.out_c / g_.groups;
  auto& cols = scratch<uint64_t, kScratchU64>(k * pix);
  for (int grp = 0; grp < g_.groups; ++grp) {
    im2col_transposed(g_, grp, x.data(), cols.data());
    const uint64_t* w = w_.data() + size_t(grp) * cout * k;
    uint64_t* out = y.data() + size_t(grp) * cout * pix;
    // 2 × 1 blocks (two output rows, one pixel) of 128-bit accumulators: with the operands and
    // mulx's fixed register that is as many as the 15 general registers hold without spills.
    pool.parallel_for(pix, [&](size_t c0, size_t c1) {
      for (size_t c = c0; c < c1; ++c) {
        const uint64_t* b = cols.data() + c * k;
        for (size_t m = 0; m < cout; m += 2) {
          const size_t m1 = std::min(m + 1, cout - 1);
          U128 s0 = 0, s1 = 0;
          for (size_t i0 = 0; i0 < k; i0 += chunk_) {
            // Each sum stays below p + chunk · (p-1)² < 2^128; fold it back below p after.
            mac_rows(w + m * k + i0, w + m1 * k + i0, b + i0, std::min(chunk_, k - i0), s0, s1);
            if (i0 + chunk_ < k) s0 = reduce(s0), s1 = reduce(s1);
          }
          out[m * pix + c] = reduce(s0);
          out[m1 * pix + c] = reduce(s1);
        }
      }
    });
  }
}

}  // namespace pg::nn::kernels
