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
    vectors_.push_back(
        {uint32_t(t), uint32_t(t), uint32_t(std::min<size_t>(8, tiles_ - std::min(tiles_, t)))});
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
  const size_t npos = size_t(n_) * n_, T = tiles_, P = plan.size();
  const bool int16 = backend_ == GemmBackend::kInt16;
  const size_t units = int16 ? size_t(cpairs_) : size_t(g_.in_c);
  pool.parallel_for(units, [&](size_t u0, size_t u1) {
    auto& work = scratch_u64_2(transform_words() + npos * T);
    uint64_t* v = work.data() + transform_words();
    auto& dig = scratch_digits(int16 ? 2 * P * npos * T : 0);
    for (size_t unit = u0; unit < u1; ++unit) {
      for (size_t half = 0; half < (int16 ? 2u : 1u); ++half) {
        const size_t c = int16 ? 2 * unit + half : unit;
        if (c >= size_t(g_.in_c)) {
          std::fill(dig.begin() + half * P * npos * T, dig.begin() + (half + 1) * P * npos * T, 0);
          continue;
        }
        transform_channel(x.data() + c * g_.in_h * g_.in_w, work.data(), v);
        if (int16) {
          split_digits(v, npos * T, plan, dig.data() + half * P * npos * T, npos * T);
        } else {
          double* o = static_cast<double*>(out);
          for (size_t p = 0; p < npos; ++p) {
            split_digits(v + p * T, T, plan, o + (p * g_.in_c + c) * P * T, T);
          }
        }
      }
      if (!int16) continue;
      int32_t* o = static_cast<int32_t*>(out);
      const size_t plane_words = npos * cpairs_ * tiles_padded_;
      for (size_t j = 0; j < P; ++j) {
        for (size_t p = 0; p < npos; ++p) {
          int32_t* dst = o + j * plane_words + (p * cpairs_ + unit) * tiles_padded_;
          const int16_t* lo = dig.data() + (j * npos + p) * T;
          interleave_pairs(lo, lo + P * npos * T, T, dst);
          std::fill(dst + T, dst + tiles_padded_, 0);
        }
      }
    }
  });
}

void WinogradConv::batched_gemm(const void* in, const DigitPlan& plan, uint64_t* m_buf,
                                core::ThreadPool& pool) const {
  const size_t npos = size_t(n_) * n_, T = tiles_, cout = g_.out_c, cin = g_.in_c;
  if (backend_ == GemmBackend::kFp64) {
    use_pool_threads_for_blas(pool);
    auto& tmp = scratch_doubles2(cout * plan.size() * T);
    for (size_t p = 0; p < npos; ++p) {
      const double* d = static_cast<const double*>(in) + p * cin * plan.size() * T;
      exact_dgemm(u64f_.data() + p * cout * cin, cout, cin, d, T, plan, m_buf + p * cout * T, T,
                  tmp.data());
    }
    return;
  }
  const size_t groups = vectors_.size() / kInt16Nv;
  const size_t plane_words = npos * cpairs_ * tiles_padded_;
  pool.parallel_for(npos * groups, [&](size_t w0, size_t w1) {
    for (size_t w = w0; w < w1;) {
      const size_t p = w / groups, g0 = w % groups, g1 = std::min(groups, g0 + (w1 - w));
      const Int16Source src{static_cast<const int32_t*>(in) + p * cpairs_ * tiles_padded_,
                            plane_words, kpair_offset_.data(), vectors_.data(), vectors_.size()};
      int16_gemm_groups(u16_[p], plan, src, m_buf + p * cout * T, T, g0, g1);
      w += g1 - g0;
    }
  });
}

void WinogradConv::output_transform(const uint64_t* m_buf, int ell, std::span<uint64_t> y,
                                    core::ThreadPool& pool) const {
  const Spec& s = spec_of(tile_);
  const size_t npos = size_t(n_) * n_, T = tiles_, cout = g_.out_c;
  const int oh = g_.out_h(), ow = g_.out_w();
  const uint64_t inv = inverse_odd(s.odd), mask = ring_mask(ell);
  pool.parallel_for(cout, [&](size_t m0, size_t m1) {
    auto& work = scratch_u64_2(2 * npos * T);
    uint64_t *tmp = work.data(), *z = tmp + npos * T;
    for (size_t mo = m0; mo < m1; ++mo) {
      if (tile_ == WinogradTile::kF2) {
        winograd::output_channel<winograd::Tile<2>>(m_buf + mo * T, cout * T, T, tmp, z);
      } else {
        winograd::output_channel<winograd::Tile<4>>(m_buf + mo * T, cout * T, T, tmp, z);
      }
      uint64_t* dst = y.data() + mo * oh * ow;
      for (int a = 0; a < m_; ++a) {
        for (int b = 0; b < m_; ++b) {
          const uint64_t* zab = z + (size_t(a) * m_ + b) * T;
          for (int ty = 0; ty < tiles_h_; ++ty) {
            const int oy = ty * m_ + a;
            if (oy >= oh) break;
            for (int tx = 0; tx < tiles_w_; ++tx) {
              const int ox = tx * m_ + b;
              // z ≡ s²·y mod 2^{ℓ+k}: drop the 2^k exactly, then undo the odd factor.
              if (ox < ow) dst[oy * ow + ox] = ((zab[ty * tiles_w_ + tx] >> s.shift) * inv) & mask;
            }
          }
        }
      }
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
  void* in = nullptr;
  if (backend_ == GemmBackend::kInt16) {
    in = scratch_words(p.size() * npos * cpairs_ * tiles_padded_).data();
  } else {
    in = scratch_doubles(npos * g_.in_c * p.size() * tiles_).data();
  }
  input_transform(x, p, in, pool);
  auto& m_buf = scratch_u64(npos * g_.out_c * tiles_);
  batched_gemm(in, p, m_buf.data(), pool);
  output_transform(m_buf.data(), ell, y, pool);
}

}  // namespace pg::nn::kernels
