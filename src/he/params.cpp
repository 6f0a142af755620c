#include "he/params.h"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

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
  p->log2_qp_ = bits;
  p->id_ = digest(n, p->primes_, p->special_);
  return p;
}

}  // namespace pg::he
