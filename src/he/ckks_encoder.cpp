#include "he/ckks_encoder.h"

#include <bit>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "he/coeff_encoder.h"

namespace pg::he {
namespace {

using Cx = std::complex<double>;

// Products written out: std::complex's operator* handles infinities through a library call.
inline Cx mul(Cx a, Cx b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// e^{2πi·num/den}, from long double sines: correctly rounded to double in practice.
Cx unit_root(uint64_t num, uint64_t den) {
  const long double a = 2.0L * std::numbers::pi_v<long double> * (long double)(num) / den;
  return {double(std::cos(a)), double(std::sin(a))};
}

}  // namespace

CkksEncoder::CkksEncoder(ContextPtr ctx) : ctx_(std::move(ctx)) {
  if (!ctx_) throw std::invalid_argument("CkksEncoder: null context");
  const size_t n = ctx_->n();
  slots_ = n / 2;
  roots_.resize(slots_ / 2);
  for (size_t k = 0; k < roots_.size(); ++k) roots_[k] = unit_root(k, slots_);
  twist_.resize(slots_);
  for (size_t k = 0; k < slots_; ++k) twist_[k] = unit_root(k, 2 * n);
  const int log_slots = std::countr_zero(slots_);
  slot_index_.resize(slots_);
  uint64_t five_j = 1;  // 5^j mod 2N
  for (size_t j = 0; j < slots_; ++j) {
    const uint64_t t = ((five_j - 1) / 4) % slots_;
    uint64_t r = 0;
    for (int b = 0; b < log_slots; ++b) r |= ((t >> b) & 1) << (log_slots - 1 - b);
    slot_index_[j] = uint32_t(r);
    five_j = five_j * 5 % (2 * n);
  }
}

// Decimation in frequency: natural order in, bit-reversed DFT (Σ_k v_k ω^{kt}) out.
void CkksEncoder::fft_forward(Cx* v) const {
  const size_t n = slots_;
  for (size_t len = n / 2, stride = 1; len >= 1; len >>= 1, stride <<= 1) {
    for (size_t s = 0; s < n; s += 2 * len) {
      for (size_t k = 0; k < len; ++k) {
        const Cx a = v[s + k], b = v[s + k + len];
        v[s + k] = a + b;
        v[s + k + len] = mul(a - b, roots_[k * stride]);
      }
    }
  }
}

// Decimation in time: bit-reversed in, natural order out; the exact inverse of fft_forward.
void CkksEncoder::fft_inverse(Cx* v) const {
  const size_t n = slots_;
  for (size_t len = 1, stride = n / 2; len < n; len <<= 1, stride >>= 1) {
    for (size_t s = 0; s < n; s += 2 * len) {
      for (size_t k = 0; k < len; ++k) {
        const Cx a = v[s + k], b = mul(v[s + k + len], std::conj(roots_[k * stride]));
        v[s + k] = a + b;
        v[s + k + len] = a - b;
      }
    }
  }
  const double inv = 1.0 / double(n);
  for (size_t k = 0; k < n; ++k) v[k] *= inv;
}

void CkksEncoder::slots_to_coeffs(CxVec& w) const {
  fft_inverse(w.data());
  for (size_t k = 0; k < slots_; ++k) w[k] = mul(w[k], std::conj(twist_[k]));
}

void CkksEncoder::to_plaintext(const CxVec& u, double scale, size_t level, Plaintext& out) const {
  const Context& ctx = *ctx_;
  if (level > ctx.top_level()) throw std::invalid_argument("encode: level above the top level");
  if (!(scale >= 1.0) || !std::isfinite(scale)) {
    throw std::invalid_argument("encode: the scale must be finite and at least 1");
  }
  // Q/4 (to a relative 1e-12; values wrap only at Q/2). The sum of the primes' bit lengths
  // would overestimate Q by up to a factor 2 per prime.
  const double bound = std::exp2(ctx.level(level).log2_modulus - 2);
  out.reset(ctx, level, false, scale);
  const size_t rows = level + 1;
  auto put = [&](size_t j, double v) {
    const double d = std::round(v * scale);
    if (!(std::fabs(d) < bound)) {
      throw std::invalid_argument("encode: a value times the scale exceeds the modulus at level " +
                                  std::to_string(level));
    }
    if (std::fabs(d) < 9.2e18) {
      const int64_t x = int64_t(d);
      for (size_t i = 0; i < rows; ++i) out.poly().limb(i)[j] = ctx.modulus(i).reduce_signed(x);
    } else {
      for (size_t i = 0; i < rows; ++i) out.poly().limb(i)[j] = reduce_double(d, ctx.modulus(i));
    }
  };
  for (size_t k = 0; k < slots_; ++k) {
    put(k, u[k].real());
    put(k + slots_, u[k].imag());
  }
  ctx.to_ntt(out.poly());
}

void CkksEncoder::encode(std::span<const Cx> z, double scale, size_t level, Plaintext& out) const {
  if (z.size() > slots_) throw std::invalid_argument("encode: more values than slots");
  CxVec w(slots_, Cx(0, 0));
  for (size_t j = 0; j < z.size(); ++j) w[slot_index_[j]] = z[j];
  slots_to_coeffs(w);
  to_plaintext(w, scale, level, out);
}

void CkksEncoder::encode(std::span<const double> x, double scale, size_t level,
                         Plaintext& out) const {
  if (x.size() > slots_) throw std::invalid_argument("encode: more values than slots");
  CxVec w(slots_, Cx(0, 0));
  for (size_t j = 0; j < x.size(); ++j) w[slot_index_[j]] = Cx(x[j], 0);
  slots_to_coeffs(w);
  to_plaintext(w, scale, level, out);
}

void CkksEncoder::encode_constant(double c, double scale, size_t level, Plaintext& out) const {
  CxVec u(slots_, Cx(0, 0));
  u[0] = Cx(c, 0);  // the constant polynomial c has every slot equal to c
  to_plaintext(u, scale, level, out);
}

void CkksEncoder::plaintext_to_dft(const Plaintext& pt, CxVec& w) const {
  const Context& ctx = *ctx_;
  check_params(ctx, pt.params_id(), pt.level(), "plaintext");
  RnsPoly tmp;
  const RnsPoly* p = &pt.poly();
  if (pt.is_ntt()) {
    tmp = pt.poly();
    ctx.from_ntt(tmp);
    p = &tmp;
  }
  const size_t rows = pt.level() + 1;
  const double inv = 1.0 / pt.scale();
  w.resize(slots_);
  if (rows == 1) {
    const uint64_t q = ctx.modulus(0).value(), half = q >> 1;
    auto centred = [&](uint64_t x) { return x > half ? -double(q - x) : double(x); };
    for (size_t k = 0; k < slots_; ++k) {
      w[k] = Cx(centred(p->limb(0)[k]) * inv, centred(p->limb(0)[k + slots_]) * inv);
    }
  } else {
    const CrtComposer& crt = *ctx.level(pt.level()).crt;
    uint64_t res[64];
    auto value = [&](size_t j) {
      for (size_t i = 0; i < rows; ++i) res[i] = p->limb(i)[j];
      return crt.compose_centered_double(res) * inv;
    };
    for (size_t k = 0; k < slots_; ++k) w[k] = Cx(value(k), value(k + slots_));
  }
  for (size_t k = 0; k < slots_; ++k) w[k] = mul(w[k], twist_[k]);
  fft_forward(w.data());
}

void CkksEncoder::decode(const Plaintext& pt, std::vector<Cx>& out) const {
  CxVec w;
  plaintext_to_dft(pt, w);
  out.resize(slots_);
  for (size_t j = 0; j < slots_; ++j) out[j] = w[slot_index_[j]];
}

std::vector<Cx> CkksEncoder::decode(const Plaintext& pt) const {
  std::vector<Cx> out;
  decode(pt, out);
  return out;
}

void CkksEncoder::decode_real(const Plaintext& pt, std::vector<double>& out) const {
  CxVec w;
  plaintext_to_dft(pt, w);
  out.resize(slots_);
  for (size_t j = 0; j < slots_; ++j) out[j] = w[slot_index_[j]].real();
}

std::vector<double> CkksEncoder::decode_real(const Plaintext& pt) const {
  std::vector<double> out;
  decode_real(pt, out);
  return out;
}

}  // namespace pg::he
