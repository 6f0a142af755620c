#include "he/evaluator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "he/polyops.h"

namespace pg::he {
namespace {

bool scales_match(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

[[noreturn]] void fail(const char* op, const std::string& why) {
  throw std::invalid_argument(std::string(op) + ": " + why);
}

void check_same(const Ciphertext& a, const Ciphertext& b, const char* op) {
  if (a.level() != b.level()) {
    fail(op,
         "levels differ (" + std::to_string(a.level()) + " vs " + std::to_string(b.level()) + ")");
  }
  if (!scales_match(a.scale(), b.scale())) {
    fail(op,
         "scales differ (" + std::to_string(a.scale()) + " vs " + std::to_string(b.scale()) + ")");
  }
}

}  // namespace

Evaluator::Evaluator(ContextPtr ctx) : ctx_(std::move(ctx)) {
  if (!ctx_) throw std::invalid_argument("Evaluator: null context");
}

void Evaluator::check(const Ciphertext& a, const char* what) const {
  check_params(*ctx_, a.params_id(), a.level(), what);
  if (a.size() < 2 || a.size() > 3) fail(what, "a ciphertext has 2 or 3 polynomials");
}

void Evaluator::check_plain(const Ciphertext& a, const Plaintext& p, const char* op) const {
  check(a, op);
  check_params(*ctx_, p.params_id(), p.level(), "plaintext");
  if (!p.is_ntt()) fail(op, "the plaintext must be in NTT form");
  if (p.level() < a.level()) {
    fail(op, "the plaintext's level " + std::to_string(p.level()) + " is below the ciphertext's " +
                 std::to_string(a.level()));
  }
}

void Evaluator::combine(const Ciphertext& a, const Ciphertext& b, bool subtract,
                        Ciphertext& out) const {
  const char* op = subtract ? "sub" : "add";
  check(a, op);
  check(b, op);
  check_same(a, b, op);
  const size_t common = std::min(a.size(), b.size()), size = std::max(a.size(), b.size());
  const bool alias = &out == &a || &out == &b;
  if (alias && out.size() < size) {
    Ciphertext t;
    combine(a, b, subtract, t);
    out = std::move(t);
    return;
  }
  if (!alias) out.reset(*ctx_, a.level(), size, a.scale());
  const size_t n = ctx_->n(), rows = a.level() + 1;
  for (size_t c = 0; c < size; ++c) {
    for (size_t i = 0; i < rows; ++i) {
      const uint64_t q = ctx_->modulus(i).value();
      uint64_t* o = out.poly(c).limb(i);
      if (c < common) {
        if (subtract) {
          rows::sub(a.poly(c).limb(i), b.poly(c).limb(i), o, n, q);
        } else {
          rows::add(a.poly(c).limb(i), b.poly(c).limb(i), o, n, q);
        }
      } else if (c < a.size()) {
        std::copy(a.poly(c).limb(i), a.poly(c).limb(i) + n, o);
      } else if (subtract) {
        rows::negate(b.poly(c).limb(i), o, n, q);
      } else {
        std::copy(b.poly(c).limb(i), b.poly(c).limb(i) + n, o);
      }
    }
  }
  out.clear_seed();
}

void Evaluator::negate(const Ciphertext& a, Ciphertext& out) const {
  check(a, "negate");
  if (&out != &a) out.reset(*ctx_, a.level(), a.size(), a.scale());
  for (size_t c = 0; c < a.size(); ++c) {
    for (size_t i = 0; i <= a.level(); ++i) {
      rows::negate(a.poly(c).limb(i), out.poly(c).limb(i), ctx_->n(), ctx_->modulus(i).value());
    }
  }
  out.clear_seed();
}

void Evaluator::plain_c0(const Ciphertext& a, const Plaintext& p, bool subtract,
                         Ciphertext& out) const {
  const char* op = subtract ? "sub_plain" : "add_plain";
  check_plain(a, p, op);
  if (!scales_match(a.scale(), p.scale())) {
    fail(op,
         "scales differ (" + std::to_string(a.scale()) + " vs " + std::to_string(p.scale()) + ")");
  }
  if (&out != &a) out = a;  // keeps the seed: c1 is untouched
  const size_t n = ctx_->n();
  for (size_t i = 0; i <= a.level(); ++i) {
    const uint64_t q = ctx_->modulus(i).value();
    uint64_t* o = out.poly(0).limb(i);
    if (subtract) {
      rows::sub(o, p.poly().limb(i), o, n, q);
    } else {
      rows::add(o, p.poly().limb(i), o, n, q);
    }
  }
}

void Evaluator::multiply_plain(const Ciphertext& a, const Plaintext& p, Ciphertext& out) const {
  check_plain(a, p, "multiply_plain");
  if (&out != &a) out.reset(*ctx_, a.level(), a.size(), a.scale());
  const size_t n = ctx_->n();
  for (size_t c = 0; c < a.size(); ++c) {
    for (size_t i = 0; i <= a.level(); ++i) {
      if (p.has_shoup()) {
        rows::mul_shoup(a.poly(c).limb(i), p.poly().limb(i), p.shoup_row(i), out.poly(c).limb(i), n,
                        ctx_->modulus(i).value());
      } else {
        rows::mul(a.poly(c).limb(i), p.poly().limb(i), out.poly(c).limb(i), n, ctx_->modulus(i));
      }
    }
  }
  out.set_scale(a.scale() * p.scale());
  out.clear_seed();
}

void Evaluator::multiply(const Ciphertext& a, const Ciphertext& b, Ciphertext& out) const {
  check(a, "multiply");
  check(b, "multiply");
  if (a.size() != 2 || b.size() != 2) fail("multiply", "relinearise the operands first");
  if (a.level() != b.level()) fail("multiply", "levels differ");
  const size_t n = ctx_->n(), level = a.level();
  Ciphertext r;
  r.reset(*ctx_, level, 3, a.scale() * b.scale());
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx_->modulus(i);
    const uint64_t *a0 = a.poly(0).limb(i), *a1 = a.poly(1).limb(i);
    const uint64_t *b0 = b.poly(0).limb(i), *b1 = b.poly(1).limb(i);
    uint64_t *r0 = r.poly(0).limb(i), *r1 = r.poly(1).limb(i), *r2 = r.poly(2).limb(i);
    for (size_t j = 0; j < n; ++j) {
      // The middle sum is below 2q² < 2^(2·bits + 1): inside reduce_product's range.
      r0[j] = q.reduce_product(u128(a0[j]) * b0[j]);
      r1[j] = q.reduce_product(u128(a0[j]) * b1[j] + u128(a1[j]) * b0[j]);
      r2[j] = q.reduce_product(u128(a1[j]) * b1[j]);
    }
  }
  out = std::move(r);
}

void Evaluator::divide_round_last(Ciphertext& a) const {
  const Context& ctx = *ctx_;
  const size_t n = ctx.n(), l = a.level();
  if (l == 0) fail("rescale", "the ciphertext is at level 0: no prime left to divide by");
  const LevelData& ld = ctx.level(l);
  const NttTables& last_ntt = ctx.ntt(l);
  const uint64_t ql = last_ntt.modulus().value(), half = ql >> 1;
  U64Vec last(n), t(n);
  for (size_t c = 0; c < a.size(); ++c) {
    RnsPoly& p = a.poly(c);
    // last = [c + floor(q_l/2)]_{q_l}; then (c + h − last)/q_l = round(c/q_l).
    std::copy(p.limb(l), p.limb(l) + n, last.begin());
    last_ntt.inverse(last.data());
    for (size_t j = 0; j < n; ++j) {
      const uint64_t s = last[j] + half;
      last[j] = s >= ql ? s - ql : s;
    }
    for (size_t i = 0; i < l; ++i) {
      const Modulus& q = ctx.modulus(i);
      const uint64_t h = ld.half_last[i], qv = q.value();
      for (size_t j = 0; j < n; ++j) {
        const uint64_t r = q.reduce_word(last[j]);
        t[j] = r >= h ? r - h : r + qv - h;
      }
      ctx.ntt(i).forward(t.data());
      rows::sub_mul_scalar(p.limb(i), t.data(), ld.inv_last[i], p.limb(i), n, qv);
    }
  }
  a.truncate_level(l - 1);
  a.clear_seed();
}

void Evaluator::rescale_to_next(const Ciphertext& a, Ciphertext& out) const {
  check(a, "rescale");
  if (&out != &a) out = a;
  const double q_last = double(ctx_->modulus(a.level()).value());
  divide_round_last(out);
  out.set_scale(out.scale() / q_last);
}

void Evaluator::mod_switch_round_to(const Ciphertext& a, size_t level, Ciphertext& out) const {
  check(a, "mod_switch_round_to");
  if (level > a.level()) fail("mod_switch_round_to", "cannot raise the level");
  if (&out != &a) out = a;
  while (out.level() > level) divide_round_last(out);
}

void Evaluator::drop_to_level(const Ciphertext& a, size_t level, Ciphertext& out) const {
  check(a, "drop_to_level");
  if (level > a.level()) fail("drop_to_level", "cannot raise the level");
  if (&out != &a) out = a;
  out.truncate_level(level);
}

}  // namespace pg::he
