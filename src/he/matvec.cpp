#include "he/matvec.h"

#include <bit>
#include <stdexcept>

namespace pg::he {

MatVec::MatVec(const CkksEncoder& enc, const std::vector<std::vector<double>>& m, double scale,
               size_t level)
    : d_(m.size()) {
  const size_t slots = enc.slots();
  if (d_ < 2 || (d_ & (d_ - 1)) != 0 || slots % d_ != 0) {
    throw std::invalid_argument("MatVec: the dimension must be a power of two dividing N/2");
  }
  for (const auto& row : m) {
    if (row.size() != d_) throw std::invalid_argument("MatVec: the matrix must be square");
  }
  n1_ = size_t{1} << ((std::countr_zero(d_) + 1) / 2);
  n2_ = d_ / n1_;
  diags_.resize(d_);
  std::vector<double> v(slots);
  for (size_t j = 0; j < n2_; ++j) {
    for (size_t i = 0; i < n1_; ++i) {
      const size_t k = n1_ * j + i;
      // rot(diag_k, −n1·j)[r] = diag_k[r − n1·j], periodic with period d.
      for (size_t r = 0; r < slots; ++r) {
        const size_t row = (r + d_ - (n1_ * j) % d_) % d_;
        v[r] = m[row][(row + k) % d_];
      }
      enc.encode(v, scale, level, diags_[k]);
    }
  }
}

std::vector<int64_t> MatVec::rotation_steps() const {
  std::vector<int64_t> steps;
  for (size_t i = 1; i < n1_; ++i) steps.push_back(int64_t(i));
  for (size_t j = 1; j < n2_; ++j) steps.push_back(int64_t(n1_ * j));
  return steps;
}

void MatVec::apply(const Evaluator& ev, const Ciphertext& x, const GaloisKeys& gk,
                   Ciphertext& out) const {
  std::vector<int64_t> baby;
  for (size_t i = 1; i < n1_; ++i) baby.push_back(int64_t(i));
  std::vector<Ciphertext> rots;
  ev.rotate_hoisted(x, baby, gk, rots);
  std::vector<const Ciphertext*> terms{&x};
  for (const Ciphertext& c : rots) terms.push_back(&c);
  Ciphertext acc, part;
  for (size_t j = 0; j < n2_; ++j) {
    std::vector<const Plaintext*> pts;
    for (size_t i = 0; i < n1_; ++i) pts.push_back(&diags_[n1_ * j + i]);
    ev.inner_product_plain(terms, pts, part);
    if (j > 0) ev.rotate_inplace(part, int64_t(n1_ * j), gk);
    if (j == 0) {
      acc = std::move(part);
    } else {
      ev.add_inplace(acc, part);
    }
  }
  out = std::move(acc);
}

}  // namespace pg::he
