// Evaluator operations that switch keys: relinearisation, rotations, conjugation.
#include <stdexcept>
#include <string>

#include "he/evaluator.h"
#include "he/galois.h"
#include "he/keyswitch.h"
#include "he/polyops.h"

namespace pg::he {
namespace {

const KSwitchKey& galois_key(const GaloisKeys& gk, uint64_t g, const std::vector<uint32_t>** perm) {
  const auto k = gk.keys.find(g);
  const auto p = gk.perms.find(g);
  if (k == gk.keys.end() || p == gk.perms.end()) {
    throw std::invalid_argument("no Galois key for the element " + std::to_string(g));
  }
  *perm = &p->second;
  return k->second;
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
  switch_key(*ctx_, dec, rk.key, nullptr, u0, u1);
  for (size_t i = 0; i <= level; ++i) {
    const uint64_t q = ctx_->modulus(i).value();
    rows::add(out.poly(0).limb(i), u0.limb(i), out.poly(0).limb(i), n, q);
    rows::add(out.poly(1).limb(i), u1.limb(i), out.poly(1).limb(i), n, q);
  }
  out.truncate_size(2);
  out.clear_seed();
}

void Evaluator::rotate_hoisted(const Ciphertext& a, std::span<const int64_t> steps,
                               const GaloisKeys& gk, std::vector<Ciphertext>& out) const {
  check(a, "rotate");
  if (a.size() != 2) throw std::invalid_argument("rotate: relinearise the ciphertext first");
  if (ctx_->special_count() == 0) {
    throw std::invalid_argument("rotate: the parameters have no special prime");
  }
  const size_t n = ctx_->n(), level = a.level();
  // Look every key up before the expensive part, so that a missing key fails fast.
  std::vector<const KSwitchKey*> keys(steps.size());
  std::vector<const std::vector<uint32_t>*> perms(steps.size());
  for (size_t s = 0; s < steps.size(); ++s) {
    keys[s] = &galois_key(gk, ctx_->galois_element(steps[s]), &perms[s]);
  }
  Decomposition dec;
  decompose(*ctx_, a.poly(1), level, dec);
  std::vector<Ciphertext> result(steps.size());
  for (size_t s = 0; s < steps.size(); ++s) {
    Ciphertext& r = result[s];
    r.reset(*ctx_, level, 2, a.scale());
    const uint32_t* perm = perms[s]->data();
    switch_key(*ctx_, dec, *keys[s], perm, r.poly(0), r.poly(1));
    RnsPoly& c0 = r.poly(0);
    std::vector<uint64_t> t(n);
    for (size_t i = 0; i <= level; ++i) {
      apply_galois_ntt(a.poly(0).limb(i), perm, t.data(), n);
      rows::add(c0.limb(i), t.data(), c0.limb(i), n, ctx_->modulus(i).value());
    }
  }
  out = std::move(result);
}

void Evaluator::apply_galois(const Ciphertext& a, uint64_t g, const GaloisKeys& gk,
                             Ciphertext& out) const {
  check(a, "apply_galois");
  if (a.size() != 2) throw std::invalid_argument("apply_galois: relinearise first");
  if (ctx_->special_count() == 0) {
    throw std::invalid_argument("apply_galois: the parameters have no special prime");
  }
  const std::vector<uint32_t>* perm = nullptr;
  const KSwitchKey& key = galois_key(gk, g, &perm);
  const size_t n = ctx_->n(), level = a.level();
  Decomposition dec;
  decompose(*ctx_, a.poly(1), level, dec);
  Ciphertext r;
  r.reset(*ctx_, level, 2, a.scale());
  switch_key(*ctx_, dec, key, perm->data(), r.poly(0), r.poly(1));
  std::vector<uint64_t> t(n);
  for (size_t i = 0; i <= level; ++i) {
    apply_galois_ntt(a.poly(0).limb(i), perm->data(), t.data(), n);
    rows::add(r.poly(0).limb(i), t.data(), r.poly(0).limb(i), n, ctx_->modulus(i).value());
  }
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
