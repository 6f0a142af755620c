// Evaluator operations that switch keys: relinearisation, rotations, conjugation.
#include <stdexcept>
#include <string>

#include "he/evaluator.h"
#include "he/galois.h"
#include "he/keyswitch.h"
#include "he/polyops.h"

namespace pg::he {
namespace {

struct GaloisKey {
  const KSwitchKey* key;
  const uint32_t* perm;
};

GaloisKey galois_key(const GaloisKeys& gk, uint64_t g) {
  const auto k = gk.keys.find(g);
  const auto p = gk.perms.find(g);
  if (k == gk.keys.end() || p == gk.perms.end()) {
    throw std::invalid_argument("no Galois key for the element " + std::to_string(g));
  }
  return {&k->second, p->second.data()};
}

// out = σ_g(c0 + u0, u1) for the switch (u0, u1) of the shared decomposition of c1.
void finish_galois(const Context& ctx, const Ciphertext& a, const Decomposition& dec,
                   const GaloisKey& k, Ciphertext& out) {
  const size_t n = ctx.n(), level = a.level();
  RnsPoly u0, u1;
  switch_key(ctx, dec, *k.key, u0, u1);
  out.reset(ctx, level, 2, a.scale());
  for (size_t i = 0; i <= level; ++i) {
    rows::add(u0.limb(i), a.poly(0).limb(i), u0.limb(i), n, ctx.modulus(i).value());
    apply_galois_ntt(u0.limb(i), k.perm, out.poly(0).limb(i), n);
    apply_galois_ntt(u1.limb(i), k.perm, out.poly(1).limb(i), n);
  }
}

}  // namespace

void Evaluator::relinearize(const Ciphertext& a, const RelinKeys& rk, Ciphertext& out) const {
  check(a, "relinearize");
  if (&out != &a) out = a;
  if (a.size() == 2) return;
  if (ctx_->special_count() == 0) {
    throw std::invalid_argument("relinearize: the parameters have no special prime");
  }
  const size_t n = ctx_->n(), level = a.level();
  Decomposition dec;
  decompose(*ctx_, out.poly(2), level, dec);
  RnsPoly u0, u1;
  switch_key(*ctx_, dec, rk.key, u0, u1);
  for (size_t i = 0; i <= level; ++i) {
    const uint64_t q = ctx_->modulus(i).value();
    rows::add(out.poly(0).limb(i), u0.limb(i), out.poly(0).limb(i), n, q);
    rows::add(out.poly(1).limb(i), u1.limb(i), out.poly(1).limb(i), n, q);
  }
  out.truncate_size(2);
  out.clear_seed();
}

void Evaluator::check_galois(const Ciphertext& a, const char* op) const {
  check(a, op);
  if (a.size() != 2) throw std::invalid_argument(std::string(op) + ": relinearise first");
  if (ctx_->special_count() == 0) {
    throw std::invalid_argument(std::string(op) + ": the parameters have no special prime");
  }
}

void Evaluator::rotate_hoisted(const Ciphertext& a, std::span<const int64_t> steps,
                               const GaloisKeys& gk, std::vector<Ciphertext>& out) const {
  check_galois(a, "rotate_hoisted");
  // Look every key up before the expensive part, so that a missing key fails fast.
  std::vector<GaloisKey> keys;
  for (int64_t s : steps) keys.push_back(galois_key(gk, ctx_->galois_element(s)));
  Decomposition dec;
  decompose(*ctx_, a.poly(1), a.level(), dec);
  std::vector<Ciphertext> result(steps.size());
  for (size_t s = 0; s < steps.size(); ++s) finish_galois(*ctx_, a, dec, keys[s], result[s]);
  out = std::move(result);
}

void Evaluator::apply_galois(const Ciphertext& a, uint64_t g, const GaloisKeys& gk,
                             Ciphertext& out) const {
  check_galois(a, "apply_galois");
  const GaloisKey key = galois_key(gk, g);
  Decomposition dec;
  decompose(*ctx_, a.poly(1), a.level(), dec);
  Ciphertext r;
  finish_galois(*ctx_, a, dec, key, r);
  out = std::move(r);
}

void Evaluator::rotate(const Ciphertext& a, int64_t steps, const GaloisKeys& gk,
                       Ciphertext& out) const {
  apply_galois(a, ctx_->galois_element(steps), gk, out);
}

void Evaluator::conjugate(const Ciphertext& a, const GaloisKeys& gk, Ciphertext& out) const {
  apply_galois(a, ctx_->conjugation_element(), gk, out);
}

}  // namespace pg::he
