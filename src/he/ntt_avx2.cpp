// The AVX2 stages of NttTables (see ntt.h for the ranges kept between stages).
#include "he/ntt.h"
#include "he/simd.h"

namespace pg::he {

using simd::V;

namespace {

struct Twiddle {
  V w, ws, wp, wph;
};

inline Twiddle broadcast(uint64_t w, uint64_t wp) {
  const V vw = simd::set1(w), vwp = simd::set1(wp);
  return {vw, simd::swap_halves(vw), vwp, _mm256_srli_epi64(vwp, 32)};
}

inline Twiddle lanes(const uint64_t* w, const uint64_t* wp) {
  const V vw = simd::load(w), vwp = simd::load(wp);
  return {vw, simd::swap_halves(vw), vwp, _mm256_srli_epi64(vwp, 32)};
}

struct Mod {
  V q, qs, two_q;
};

// Cooley–Tukey: X, Y in [0, 4q) → X + WY, X − WY, both in [0, 4q).
inline void ct_butterfly(V& x, V& y, const Twiddle& w, const Mod& m) {
  const V u = simd::csub(x, m.two_q);
  const V v = simd::mul_shoup_lazy(y, w.w, w.ws, w.wp, w.wph, m.q, m.qs);
  x = _mm256_add_epi64(u, v);
  y = _mm256_sub_epi64(_mm256_add_epi64(u, m.two_q), v);
}

// Gentleman–Sande: X, Y in [0, 2q) → X + Y, W(X − Y), both in [0, 2q).
inline void gs_butterfly(V& x, V& y, const Twiddle& w, const Mod& m) {
  const V s = simd::csub(_mm256_add_epi64(x, y), m.two_q);
  const V d = _mm256_sub_epi64(_mm256_add_epi64(x, m.two_q), y);
  x = s;
  y = simd::mul_shoup_lazy(d, w.w, w.ws, w.wp, w.wph, m.q, m.qs);
}

}  // namespace

void NttTables::forward_avx2(uint64_t* a) const {
  const V q = simd::set1(q_.value());
  const Mod mod{q, simd::swap_halves(q), simd::set1(2 * q_.value())};
  size_t m = 1, t = n_ >> 1;
  for (; t >= 4; m <<= 1, t >>= 1) {
    for (size_t i = 0; i < m; ++i) {
      const Twiddle w = broadcast(w_[m + i], wp_[m + i]);
      uint64_t* x = a + 2 * i * t;
      uint64_t* y = x + t;
      for (size_t j = 0; j < t; j += 4) {
        V vx = simd::loadu(x + j), vy = simd::loadu(y + j);
        ct_butterfly(vx, vy, w, mod);
        simd::storeu(x + j, vx);
        simd::storeu(y + j, vy);
      }
    }
  }
  // t = 2: registers hold [x0 x1 y0 y1] of two consecutive groups.
  for (size_t k = 0; k < n_ / 8; ++k) {
    uint64_t* p = a + 8 * k;
    const V va = simd::loadu(p), vb = simd::loadu(p + 4);
    V vx = _mm256_permute2x128_si256(va, vb, 0x20), vy = _mm256_permute2x128_si256(va, vb, 0x31);
    ct_butterfly(vx, vy, lanes(w2_.data() + 4 * k, wp2_.data() + 4 * k), mod);
    simd::storeu(p, _mm256_permute2x128_si256(vx, vy, 0x20));
    simd::storeu(p + 4, _mm256_permute2x128_si256(vx, vy, 0x31));
  }
  // t = 1: registers hold [x y x y] of four groups; the outputs are reduced to [0, q).
  for (size_t k = 0; k < n_ / 8; ++k) {
    uint64_t* p = a + 8 * k;
    const V va = simd::loadu(p), vb = simd::loadu(p + 4);
    V vx = _mm256_unpacklo_epi64(va, vb), vy = _mm256_unpackhi_epi64(va, vb);
    ct_butterfly(vx, vy, lanes(w1_.data() + 4 * k, wp1_.data() + 4 * k), mod);
    vx = simd::csub(simd::csub(vx, mod.two_q), q);
    vy = simd::csub(simd::csub(vy, mod.two_q), q);
    simd::storeu(p, _mm256_unpacklo_epi64(vx, vy));
    simd::storeu(p + 4, _mm256_unpackhi_epi64(vx, vy));
  }
}

void NttTables::inverse_avx2(uint64_t* a) const {
  const V q = simd::set1(q_.value());
  const Mod mod{q, simd::swap_halves(q), simd::set1(2 * q_.value())};
  for (size_t k = 0; k < n_ / 8; ++k) {
    uint64_t* p = a + 8 * k;
    const V va = simd::loadu(p), vb = simd::loadu(p + 4);
    V vx = _mm256_unpacklo_epi64(va, vb), vy = _mm256_unpackhi_epi64(va, vb);
    gs_butterfly(vx, vy, lanes(iw1_.data() + 4 * k, iwp1_.data() + 4 * k), mod);
    simd::storeu(p, _mm256_unpacklo_epi64(vx, vy));
    simd::storeu(p + 4, _mm256_unpackhi_epi64(vx, vy));
  }
  for (size_t k = 0; k < n_ / 8; ++k) {
    uint64_t* p = a + 8 * k;
    const V va = simd::loadu(p), vb = simd::loadu(p + 4);
    V vx = _mm256_permute2x128_si256(va, vb, 0x20), vy = _mm256_permute2x128_si256(va, vb, 0x31);
    gs_butterfly(vx, vy, lanes(iw2_.data() + 4 * k, iwp2_.data() + 4 * k), mod);
    simd::storeu(p, _mm256_permute2x128_si256(vx, vy, 0x20));
    simd::storeu(p + 4, _mm256_permute2x128_si256(vx, vy, 0x31));
  }
  size_t m = n_ >> 3, t = 4;
  for (; m >= 2; m >>= 1, t <<= 1) {
    for (size_t i = 0; i < m; ++i) {
      const Twiddle w = broadcast(iw_[m + i], iwp_[m + i]);
      uint64_t* x = a + 2 * i * t;
      uint64_t* y = x + t;
      for (size_t j = 0; j < t; j += 4) {
        V vx = simd::loadu(x + j), vy = simd::loadu(y + j);
        gs_butterfly(vx, vy, w, mod);
        simd::storeu(x + j, vx);
        simd::storeu(y + j, vy);
      }
    }
  }
  // Last stage with n^{-1} folded into both outputs, which are then reduced to [0, q).
  const Twiddle ninv = broadcast(n_inv_.w, n_inv_.w_shoup);
  const Twiddle ninv_w = broadcast(n_inv_w1_.w, n_inv_w1_.w_shoup);
  uint64_t* x = a;
  uint64_t* y = a + t;
  for (size_t j = 0; j < t; j += 4) {
    const V vx = simd::loadu(x + j), vy = simd::loadu(y + j);
    const V s = _mm256_add_epi64(vx, vy);                               // [0, 4q)
    const V d = _mm256_sub_epi64(_mm256_add_epi64(vx, mod.two_q), vy);  // (0, 4q)
    const V rs = simd::mul_shoup_lazy(s, ninv.w, ninv.ws, ninv.wp, ninv.wph, q, mod.qs);
    const V rd = simd::mul_shoup_lazy(d, ninv_w.w, ninv_w.ws, ninv_w.wp, ninv_w.wph, q, mod.qs);
    simd::storeu(x + j, simd::csub(rs, q));
    simd::storeu(y + j, simd::csub(rd, q));
  }
}

}  // namespace pg::he
