#include "he/params.h"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "he/modarith.h"
#include "he/primes.h"

namespace pg::he {
namespace {

[[noreturn]] void fail(const std::string& why) {
  throw std::invalid_argument("CKKS parameters: " + why);
}

std::vector<uint64_t> choose_primes(size_t n, const std::vector<int>& bits,
                                    std::vector<uint64_t>& used) {
  std::vector<uint64_t> out;
  for (int b : bits) {
    if (b < 20 || b > 60) fail("prime sizes must be in [20, 60] bits, got " + std::to_string(b));
    const uint64_t p = ntt_primes(b, n, 1, used).front();
    used.push_back(p);
    out.push_back(p);
  }
  return out;
}

void check_prime(size_t n, uint64_t p) {
  if (p >= (uint64_t{1} << 60) || !is_prime(p) || (p - 1) % (2 * n) != 0) {
    fail(std::to_string(p) + " is not a prime below 2^60 that is 1 mod 2N");
  }
}

// The product of `primes` as little-endian 64-bit words (the top word is not zero).
std::vector<uint64_t> product(const std::vector<uint64_t>& primes) {
  std::vector<uint64_t> w{1};
  for (uint64_t p : primes) {
    u128 carry = 0;
    for (uint64_t& x : w) {
      carry += u128(x) * p;
      x = uint64_t(carry);
      carry >>= 64;
    }
    if (carry != 0) w.push_back(uint64_t(carry));
  }
  return w;
}

bool less_than(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

double log2_of(const std::vector<uint64_t>& w) {
  return 64.0 * double(w.size() - 1) + std::log2(double(w.back()));
}

std::string bits_text(double bits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f bits", bits);
  return buf;
}

// Hybrid key switching divides by P the gadget noise of each digit, about Q_d·N·σ for a digit
// of product Q_d: every bit by which Q_d exceeds P is a bit of key-switching noise. Special and
// data primes of equal sizes leave P just below Q_d (the data primes are chosen first, from the
// top), which costs nothing, so the rule is Q_d < 2P: at most one bit.
void check_special(const std::vector<uint64_t>& q, const std::vector<uint64_t>& p) {
  if (p.empty()) return;
  std::vector<uint64_t> twice = p;
  twice.push_back(2);
  const std::vector<uint64_t> big_p = product(p), twice_p = product(twice);
  for (size_t lo = 0; lo < q.size(); lo += p.size()) {
    const size_t hi = std::min(lo + p.size(), q.size());
    const std::vector<uint64_t> digit =
        product(std::vector<uint64_t>(q.begin() + long(lo), q.begin() + long(hi)));
    if (less_than(digit, twice_p)) continue;
    const std::string name =
        "q_" + std::to_string(lo) + (hi - lo > 1 ? "..q_" + std::to_string(hi - 1) : std::string());
    fail("the special primes' product P (" + bits_text(log2_of(big_p)) +
         ") is below half the key-switching digit " + name + " (" + bits_text(log2_of(digit)) +
         "): key switching would lose " + bits_text(log2_of(digit) - log2_of(big_p)) +
         " of precision; use special primes at least as large as the largest digit");
  }
}

ParamsId digest(size_t n, const std::vector<uint64_t>& q, const std::vector<uint64_t>& p) {
  std::vector<uint64_t> words{uint64_t(n), q.size(), p.size()};
  words.insert(words.end(), q.begin(), q.end());
  words.insert(words.end(), p.begin(), p.end());
  unsigned char h[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(words.data()), words.size() * 8, h);
  ParamsId id;
  std::memcpy(&id, h, sizeof(id));
  return id;
}

}  // namespace

int max_log2_qp_128(size_t n) {
  switch (n) {
    case 1024:
      return 27;
    case 2048:
      return 54;
    case 4096:
      return 109;
    case 8192:
      return 218;
    case 16384:
      return 438;
    case 32768:
      return 881;
    case 65536:
      return 1772;
    default:
      return 0;
  }
}

ParamsPtr make_params(const ParamsLiteral& lit) {
  const size_t n = lit.n;
  if (n < 1024 || n > 65536 || (n & (n - 1)) != 0) {
    fail("N must be a power of two in [1024, 65536], got " + std::to_string(n));
  }
  std::shared_ptr<Params> p(new Params());
  p->n_ = n;
  p->log_n_ = std::countr_zero(n);
  if (!lit.primes.empty()) {
    p->primes_ = lit.primes;
    p->special_ = lit.special_primes;
  } else {
    std::vector<uint64_t> used;
    p->primes_ = choose_primes(n, lit.prime_bits, used);
    p->special_ = choose_primes(n, lit.special_prime_bits, used);
  }
  if (p->primes_.empty()) fail("at least one data prime is needed");
  if (p->primes_.size() > 64 || p->special_.size() > 16) fail("too many primes");
  std::vector<uint64_t> all = p->primes_;
  all.insert(all.end(), p->special_.begin(), p->special_.end());
  int bits = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    check_prime(n, all[i]);
    if (std::find(all.begin(), all.begin() + long(i), all[i]) != all.begin() + long(i)) {
      fail("the prime " + std::to_string(all[i]) + " is repeated");
    }
    bits += 64 - std::countl_zero(all[i]);
  }
  if (bits > max_log2_qp_128(n)) {
    fail("log2(QP) = " + std::to_string(bits) + " exceeds " + std::to_string(max_log2_qp_128(n)) +
         " bits, the 128-bit security bound for N = " + std::to_string(n) +
         " (HomomorphicEncryption.org table, ternary secret)");
  }
  check_special(p->primes_, p->special_);
  p->log2_qp_ = bits;
  p->id_ = digest(n, p->primes_, p->special_);
  return p;
}

}  // namespace pg::he
