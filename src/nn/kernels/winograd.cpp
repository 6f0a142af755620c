#include "nn/kernels/winograd.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/assert.h"
#include "nn/kernels/fp64_gemm.h"
#include "nn/kernels/int16_conv.h"
#include "nn/kernels/scratch.h"
#include "nn/kernels/winograd_transform.h"

namespace pg::nn::kernels {
namespace {

// The run-time view of a Tile<M> (winograd_transform.h).
struct Spec {
  int m, n;
  const int* gp;  // n × 3 integer kernel transform G' = D G
  int shift;      // k: 2^k is the power of two in s²
  uint64_t odd;   // s² / 2^k
  uint64_t abs_growth, l1_growth;
};

template <class S>
Spec spec_from() {
  return {S::m, S::n, &S::gp[0][0], S::shift, S::odd, S::abs_growth, S::l1_growth};
}

const Spec& spec_of(WinogradTile t) {
  static const Spec f2 = spec_from<winograd::Tile<2>>();
  static const Spec f4 = spec_from<winograd::Tile<4>>();
  return t == WinogradTile::kF2 ? f2 : f4;
}

// Inverse of an odd number mod 2^64 (Newton: each step doubles the correct low bits).
uint64_t inverse_odd(uint64_t a) {
  uint64_t x = a;  // correct to 3 bits
  for (int i = 0; i < 5; ++i) x *= 2 - a * x;
  return x;
}

}  // namespace

bool WinogradConv::applicable(const ConvGeometry& g) {
  return g.kh == 3 && g.kw == 3 && g.stride_h == 1 && g.stride_w == 1 && g.groups == 1;
}

WeightBound WinogradConv::transformed_bound(const WeightBound& bound, WinogradTile tile) {
  const Spec& s = spec_of(tile);
  auto grow = [](int bits, uint64_t factor) {
    return bit_length(factor * ((uint64_t{1} << std::min(bits, 56)) - 1));
  };
  return {grow(bound.max_abs_bits, s.abs_growth), grow(bound.row_l1_bits, s.l1_growth)};
}

bool WinogradConv::possible(const ConvGeometry& g, const WeightBound& bound, int ell,
                            WinogradTile tile, GemmBackend backend) {
  const Spec& s = spec_of(tile);
  if (!applicable(g) || ell < 1 || ell + s.shift > 64 || bound.row_l1_bits > 48) return false;
  const WeightBound u = transformed_bound(bound, tile);
  if (backend == GemmBackend::kFp64) return 54 - u.row_l1_bits >= 2;
  return int16_plan_possible(ell + s.shift, int16_l1_bits(u, size_t(g.in_c)));
}

WinogradConv::WinogradConv(const ConvGeometry& g, std::span<const int64_t> weights,
                           const WeightBound& bound, WinogradTile tile, GemmBackend backend)
    : g_(g), tile_(tile), backend_(backend) {
  g_.validate();
  if (!applicable(g_)) {
    throw std::invalid_argument("WinogradConv: needs a 3x3 kernel, stride 1 and one group");
  }
  if (weights.size() != g_.weight_count()) {
    throw std::invalid_argument("WinogradConv: weight count does not match the geometry");
  }
  bound.check(weights, g_.out_c, g_.taps(), "WinogradConv");
  if (bound.row_l1_bits > 48) throw std::invalid_argument("WinogradConv: weights too large");
  const Spec& s = spec_of(tile);
  m_ = s.m;
  n_ = s.n;
  const WeightBound ub = transformed_bound(bound, tile);
  l1_bits_ = backend == GemmBackend::kFp64 ? ub.row_l1_bits : int16_l1_bits(ub, size_t(g_.in_c));
  tiles_h_ = (g_.out_h() + m_ - 1) / m_;
  tiles_w_ = (g_.out_w() + m_ - 1) / m_;
  tiles_ = size_t(tiles_h_) * tiles_w_;
  tiles_padded_ = (tiles_ + 8 * kInt16Nv - 1) / (8 * kInt16Nv) * (8 * kInt16Nv);
  cpairs_ = (g_.in_c + 1) / 2;
  const size_t npos = size_t(n_) * n_, cin = g_.in_c, cout = g_.out_c;
  // U'[p][mo][c] = (G' g G'^T)[p], exact in int64 (|U'| < 2^{48+4}).
  std::vector<int64_t> u(npos * cout * cin);
  for (size_t mo = 0; mo < cout; ++mo) {
    for (size_t c = 0; c < cin; ++c) {
      const int64_t* k = weights.data() + (mo * cin + c) * 9;
      for (int a = 0; a < n_; ++a) {
        for (int b = 0; b < n_; ++b) {
          int64_t acc = 0;
          for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) acc += s.gp[a * 3 + i] * k[i * 3 + j] * s.gp[b * 3 + j];
          }
          u[((size_t(a) * n_ + b) * cout + mo) * cin + c] = acc;
        }
      }
    }
  }
  ub.check(u, npos * cout, cin, "WinogradConv (transformed weights)");
  if (backend == GemmBackend::kFp64) {
    u64f_.assign(u.begin(), u.end());
    return;
  }
  for (size_t p = 0; p < npos; ++p) {
    u16_.emplace_back(cout, cpairs_, ub.max_abs_bits, [&](size_t mo, size_t k) -> int64_t {
      return k < cin ? u[(p * cout + mo) * cin + k] : 0;
    });
  }
  for (uint32_t cp = 0; cp < uint32_t(cpairs_); ++cp) {
    kpair_offset_.push_back(cp * uint32_t(tiles_padded_));
  }
  for (size_t t = 0; t < tiles_padded_; t += 8) {
    // dst is the tile's index within its group of 8 · kInt16Nv tiles (gemm_output_int16).
    vectors_.push_back({uint32_t(t), uint32_t(t % (8 * kInt16Nv)),
                        uint32_t(std::min<size_t>(8, tiles_ - std::min(tiles_, t)))});
  }
}

DigitPlan WinogradConv::plan(int ell) const {
  const int bits = ell + spec_of(tile_).shift;
  if (ell < 1 || bits > 64) {
    throw std::invalid_argument("WinogradConv: ell + " + std::to_string(spec_of(tile_).shift) +
                                " must be at most 64");
  }
  return backend_ == GemmBackend::kFp64 ? fp64_plan(bits, l1_bits_) : int16_plan(bits, l1_bits_);
}

int WinogradConv::weight_planes() const {
  return backend_ == GemmBackend::kFp64 ? 1 : u16_.front().planes();
}

size_t WinogradConv::transform_words() const {
  return tile_ == WinogradTile::kF2
             ? winograd::input_work_words<winograd::Tile<2>>(tiles_h_, tiles_w_)
             : winograd::input_work_words<winograd::Tile<4>>(tiles_h_, tiles_w_);
}

void WinogradConv::transform_channel(const uint64_t* xc, uint64_t* work, uint64_t* v) const {
  if (tile_ == WinogradTile::kF2) {
    winograd::input_channel<winograd::Tile<2>>(xc, g_.in_h, g_.in_w, g_.pad_top, g_.pad_left,
                                               tiles_h_, tiles_w_, work, v);
  } else {
    winograd::input_channel<winograd::Tile<4>>(xc, g_.in_h, g_.in_w, g_.pad_top, g_.pad_left,
                                               tiles_h_, tiles_w_, work, v);
  }
}

// Per channel: the n×n input patches of every tile, transformed by B^T · B, split into digit
// planes and stored for the backend: INT16 as channel-pair words [plane][position][cpair][tile],
// FP64 as [position][channel][plane · tiles + tile].
void WinogradConv::input_transform(std::span<const uint64_t> x, const DigitPlan& plan, void* out,
                                   core::ThreadPool& pool) const {
  const size_t npos = size_t(n_) * n_, T = tiles_, P = plan.size(), chan = g_.in_size() / g_.in_c;
  const bool int16 = backend_ == GemmBackend::kInt16;
  const size_t units = int16 ? size_t(cpairs_) : size_t(g_.in_c);
  const size_t plane_words = npos * cpairs_ * tiles_padded_;
  pool.parallel_for(units, [&](size_t u0, size_t u1) {
    auto& work = scratch<uint64_t, kScratchWork>(transform_words() + 2 * npos * T);
    uint64_t* v0 = work.data() + transform_words();
    uint64_t* v1 = v0 + npos * T;
    for (size_t unit = u0; unit < u1; ++unit) {
      if (!int16) {
        transform_channel(x.data() + unit * chan, work.data(), v0);
        double* o = static_cast<double*>(out);
        for (size_t p = 0; p < npos; ++p) {
          split_digits(v0 + p * T, T, plan, o + (p * g_.in_c + unit) * P * T, T);
        }
        continue;
      }
      const bool pair = 2 * unit + 1 < size_t(g_.in_c);
      transform_channel(x.data() + 2 * unit * chan, work.data(), v0);
      if (pair) transform_channel(x.data() + (2 * unit + 1) * chan, work.data(), v1);
      int32_t* o = static_cast<int32_t*>(out);
      for (size_t p = 0; p < npos; ++p) {
        int32_t* dst = o + (p * cpairs_ + unit) * tiles_padded_;
        split_digit_pairs(v0 + p * T, pair ? v1 + p * T : nullptr, 1, T, plan, dst, plane_words);
        for (size_t j = 0; j < P; ++j) {
          std::fill(dst + j * plane_words + T, dst + j * plane_words + tiles_padded_, 0);
        }
      }
    }
  });
}

// y[mo][tiles t0 + k] from z[q][k] ≡ s² · y (mod 2^{ℓ+k}): drop the 2^k exactly, then undo the
// odd factor of s² (in place in z).
void WinogradConv::store_tiles(uint64_t* z, size_t z_stride, size_t t0, size_t count, size_t mo,
                               int ell, std::span<uint64_t> y) const {
  const Spec& s = spec_of(tile_);
  const uint64_t inv = inverse_odd(s.odd), mask = ring_mask(ell);
  for (int q = 0; q < m_ * m_; ++q) {
    uint64_t* zq = z + size_t(q) * z_stride;
    if (inv == 1) {
      for (size_t k = 0; k < count; ++k) zq[k] = (zq[k] >> s.shift) & mask;
    } else {
      for (size_t k = 0; k < count; ++k) zq[k] = ((zq[k] >> s.shift) * inv) & mask;
    }
  }
  const int oh = g_.out_h(), ow = g_.out_w();
  uint64_t* dst = y.data() + mo * oh * ow;
  int ty = int(t0 / tiles_w_), tx = int(t0 % tiles_w_);
  for (size_t k = 0; k < count; ++k) {
    const int rows = std::min(m_, oh - ty * m_), cols = std::min(m_, ow - tx * m_);
    for (int a = 0; a < rows; ++a) {
      uint64_t* out = dst + size_t(ty * m_ + a) * ow + tx * m_;
      for (int b = 0; b < cols; ++b) out[b] = z[(size_t(a) * m_ + b) * z_stride + k];
    }
    if (++tx == tiles_w_) tx = 0, ++ty;
  }
}

// INT16: for each (group of 8·kInt16Nv tiles, block of kInt16Mr output channels), the GEMMs of
// every position into an L1-sized buffer, then the output transform of those channels and tiles.
void WinogradConv::gemm_output_int16(const int32_t* in, const DigitPlan& plan, int ell,
                                     std::span<uint64_t> y, core::ThreadPool& pool) const {
  const size_t npos = size_t(n_) * n_, gt = 8 * kInt16Nv, mr = kInt16Mr;
  const size_t groups = vectors_.size() / kInt16Nv, blocks = u16_.front().row_blocks();
  const size_t plane_words = npos * cpairs_ * tiles_padded_;
  pool.parallel_for(groups * blocks, [&](size_t i0, size_t i1) {
    auto& work = scratch<uint64_t, kScratchWork>(npos * mr * gt + 2 * npos * gt);
    uint64_t *mb = work.data(), *tmp = mb + npos * mr * gt, *z = tmp + npos * gt;
    for (size_t item = i0; item < i1; ++item) {
      const size_t g = item / blocks, rb = item % blocks;
      for (size_t p = 0; p < npos; ++p) {
        const Int16Source src{in + p * cpairs_ * tiles_padded_, plane_words, kpair_offset_.data(),
                              vectors_.data(), vectors_.size()};
        int16_gemm_block(u16_[p], rb, plan, src, vectors_.data() + g * kInt16Nv, mb + p * mr * gt,
                         gt);
      }
      const size_t rows = std::min(mr, size_t(g_.out_c) - rb * mr);
      const size_t count = std::min(gt, tiles_ - g * gt);
      for (size_t r = 0; r < rows; ++r) {
        if (tile_ == WinogradTile::kF2) {
          winograd::output_channel<winograd::Tile<2>>(mb + r * gt, mr * gt, gt, tmp, z);
        } else {
          winograd::output_channel<winograd::Tile<4>>(mb + r * gt, mr * gt, gt, tmp, z);
        }
        store_tiles(z, gt, g * gt, count, rb * mr + r, ell, y);
      }
    }
  });
}

// FP64: one exact dgemm per position over all tiles, then the output transform.
void WinogradConv::gemm_output_fp64(const double* in, const DigitPlan& plan, int ell,
                                    std::span<uint64_t> y, core::ThreadPool& pool) const {
  const size_t npos = size_t(n_) * n_, T = tiles_, cout = g_.out_c, cin = g_.in_c;
  auto& m_buf = scratch<uint64_t, kScratchU64>(npos * cout * T);
  use_pool_threads_for_blas(pool);
  auto& tmp = scratch<double, kScratchDoubles2>(cout * plan.size() * T);
  for (size_t p = 0; p < npos; ++p) {
    exact_dgemm(u64f_.data() + p * cout * cin, cout, cin, in + p * cin * plan.size() * T, T, plan,
                m_buf.data() + p * cout * T, T, tmp.data());
  }
  pool.parallel_for(cout, [&](size_t m0, size_t m1) {
    auto& work = scratch<uint64_t, kScratchWork>(2 * npos * T);
    uint64_t *t2 = work.data(), *z = t2 + npos * T;
    for (size_t mo = m0; mo < m1; ++mo) {
      if (tile_ == WinogradTile::kF2) {
        winograd::output_channel<winograd::Tile<2>>(m_buf.data() + mo * T, cout * T, T, t2, z);
      } else {
        winograd::output_channel<winograd::Tile<4>>(m_buf.data() + mo * T, cout * T, T, t2, z);
      }
      store_tiles(z, T, 0, T, mo, ell, y);
    }
  });
}

void WinogradConv::apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
                         core::ThreadPool& pool) const {
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("WinogradConv: input or output size does not match the geometry");
  }
  const DigitPlan p = plan(ell);
  const size_t npos = size_t(n_) * n_;
  if (backend_ == GemmBackend::kInt16) {
    int32_t* in = scratch<int32_t, kScratchWords>(p.size() * npos * cpairs_ * tiles_padded_).data();
    input_transform(x, p, in, pool);
    gemm_output_int16(in, p, ell, y, pool);
  } else {
    double* in = scratch<double, kScratchDoubles>(npos * g_.in_c * p.size() * tiles_).data();
    input_transform(x, p, in, pool);
    gemm_output_fp64(in, p, ell, y, pool);
  }
}

}  // namespace pg::nn::kernels
