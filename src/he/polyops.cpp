#include "he/polyops.h"

#include "he/simd.h"

namespace pg::he::rows {

using simd::V;

void add(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, uint64_t q) {
  const V vq = simd::set1(q);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const V s = _mm256_add_epi64(simd::loadu(a + j), simd::loadu(b + j));
    simd::storeu(out + j, simd::csub(s, vq));
  }
  for (; j < n; ++j) {
    const uint64_t s = a[j] + b[j];
    out[j] = s >= q ? s - q : s;
  }
}

void sub(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, uint64_t q) {
  const V vq = simd::set1(q);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const V s = _mm256_sub_epi64(_mm256_add_epi64(simd::loadu(a + j), vq), simd::loadu(b + j));
    simd::storeu(out + j, simd::csub(s, vq));
  }
  for (; j < n; ++j) out[j] = a[j] >= b[j] ? a[j] - b[j] : a[j] + q - b[j];
}

void negate(const uint64_t* a, uint64_t* out, size_t n, uint64_t q) {
  const V vq = simd::set1(q);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    // q − a, then 0 where a = 0 (q − 0 = q ≥ q).
    simd::storeu(out + j, simd::csub(_mm256_sub_epi64(vq, simd::loadu(a + j)), vq));
  }
  for (; j < n; ++j) out[j] = a[j] == 0 ? 0 : q - a[j];
}

void mul(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, const Modulus& q) {
  for (size_t j = 0; j < n; ++j) out[j] = q.reduce_product(u128(a[j]) * b[j]);
}

namespace {

// a[j..j+4)·w[j..j+4) mod q in [0, 2q), w with Shoup companions wp.
inline V shoup_lanes(const uint64_t* a, const uint64_t* w, const uint64_t* wp, size_t j, V vq,
                     V qs) {
  const V vw = simd::loadu(w + j), vwp = simd::loadu(wp + j);
  return simd::mul_shoup_lazy(simd::loadu(a + j), vw, simd::swap_halves(vw), vwp,
                              _mm256_srli_epi64(vwp, 32), vq, qs);
}

}  // namespace

void mul_shoup(const uint64_t* a, const uint64_t* w, const uint64_t* wp, uint64_t* out, size_t n,
               uint64_t q) {
  const V vq = simd::set1(q), qs = simd::swap_halves(vq);
  size_t j = 0;
  for (; j + 4 <= n; j += 4)
    simd::storeu(out + j, simd::csub(shoup_lanes(a, w, wp, j, vq, qs), vq));
  for (; j < n; ++j) out[j] = pg::he::mul_shoup(a[j], ShoupConst{w[j], wp[j]}, q);
}

void mul_shoup_add(const uint64_t* a, const uint64_t* w, const uint64_t* wp, uint64_t* out,
                   size_t n, uint64_t q) {
  const V vq = simd::set1(q), qs = simd::swap_halves(vq);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const V r = shoup_lanes(a, w, wp, j, vq, qs);
    // out + (r mod q) < 2q: one more conditional subtraction.
    simd::storeu(out + j,
                 simd::csub(_mm256_add_epi64(simd::loadu(out + j), simd::csub(r, vq)), vq));
  }
  for (; j < n; ++j) {
    const uint64_t s = out[j] + pg::he::mul_shoup(a[j], ShoupConst{w[j], wp[j]}, q);
    out[j] = s >= q ? s - q : s;
  }
}

void mul_add(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, const Modulus& q) {
  // out + a·b < q + q² < 2^(2·bits): inside reduce_product's range.
  for (size_t j = 0; j < n; ++j) out[j] = q.reduce_product(u128(a[j]) * b[j] + out[j]);
}

void mul_scalar(const uint64_t* a, const ShoupConst& w, uint64_t* out, size_t n, uint64_t q) {
  const V vq = simd::set1(q), qs = simd::swap_halves(vq);
  const V vw = simd::set1(w.w), ws = simd::swap_halves(vw), wp = simd::set1(w.w_shoup);
  const V wph = _mm256_srli_epi64(wp, 32);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const V r = simd::mul_shoup_lazy(simd::loadu(a + j), vw, ws, wp, wph, vq, qs);
    simd::storeu(out + j, simd::csub(r, vq));
  }
  for (; j < n; ++j) out[j] = mul_shoup(a[j], w, q);
}

void sub_mul_scalar(const uint64_t* a, const uint64_t* b, const ShoupConst& w, uint64_t* out,
                    size_t n, uint64_t q) {
  const V vq = simd::set1(q), qs = simd::swap_halves(vq);
  const V vw = simd::set1(w.w), ws = simd::swap_halves(vw), wp = simd::set1(w.w_shoup);
  const V wph = _mm256_srli_epi64(wp, 32);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    // a − b + q in (0, 2q): a valid Shoup input.
    const V d = _mm256_sub_epi64(_mm256_add_epi64(simd::loadu(a + j), vq), simd::loadu(b + j));
    const V r = simd::mul_shoup_lazy(d, vw, ws, wp, wph, vq, qs);
    simd::storeu(out + j, simd::csub(r, vq));
  }
  for (; j < n; ++j) out[j] = mul_shoup(a[j] + q - b[j], w, q);
}

}  // namespace pg::he::rows
