#include "he/sampling.h"

#include <bit>
#include <stdexcept>

#include "core/secure.h"

namespace pg::he {
namespace {

constexpr size_t kWords = 512;  // PRG words drawn per refill

// A buffered reader of 64-bit PRG words.
class WordStream {
 public:
  explicit WordStream(core::Prg& prg) : prg_(prg) {}
  ~WordStream() { core::secure_zero(buf_, sizeof(buf_)); }
  uint64_t next() {
    if (pos_ == kWords) {
      prg_.fill({reinterpret_cast<uint8_t*>(buf_), sizeof(buf_)});
      pos_ = 0;
    }
    return buf_[pos_++];
  }

 private:
  core::Prg& prg_;
  alignas(32) uint64_t buf_[kWords];
  size_t pos_ = kWords;
};

}  // namespace

void expand_uniform(const Context& ctx, const core::Seed& seed, RnsPoly& out, size_t first) {
  core::Prg prg = core::Prg::from_seed(seed);
  WordStream words(prg);
  for (size_t i = 0; i < out.limbs; ++i) {
    const uint64_t q = ctx.modulus(first + i).value();
    const uint64_t mask = ~uint64_t{0} >> std::countl_zero(q - 1);
    uint64_t* row = out.limb(i);
    // Rejection on public randomness: the accepted values do not depend on the rejected ones.
    for (size_t j = 0; j < out.n;) {
      const uint64_t v = words.next() & mask;
      row[j] = v;
      j += v < q ? 1 : 0;
    }
  }
  out.ntt = true;
}

void sample_ternary(core::Prg& prg, std::span<int8_t> out) {
  WordStream words(prg);
  for (size_t j = 0; j < out.size(); j += 2) {
    const uint64_t r = words.next();
    // floor(3·u / 2^32) for a uniform 32-bit u: each of 0, 1, 2 with probability 1/3 ± 2^-32.
    out[j] = int8_t(int((uint64_t(uint32_t(r)) * 3) >> 32) - 1);
    if (j + 1 < out.size()) out[j + 1] = int8_t(int(((r >> 32) * 3) >> 32) - 1);
  }
}

void sample_cbd(core::Prg& prg, std::span<int8_t> out) {
  WordStream words(prg);
  constexpr uint64_t kMask = (uint64_t{1} << 21) - 1;
  for (auto& x : out) {
    const uint64_t r = words.next();
    x = int8_t(std::popcount(r & kMask) - std::popcount((r >> 21) & kMask));
  }
}

void set_small(const Context& ctx, std::span<const int8_t> v, RnsPoly& p, size_t first) {
  for (size_t i = 0; i < p.limbs; ++i) {
    const uint64_t q = ctx.modulus(first + i).value();
    uint64_t* row = p.limb(i);
    for (size_t j = 0; j < p.n; ++j) {
      const uint64_t x = uint64_t(int64_t(v[j]));
      row[j] = x + (q & (0 - (x >> 63)));
    }
  }
  p.ntt = false;
}

void sample_flooding(const Context& ctx, core::Prg& prg, int bits, RnsPoly& p) {
  if (bits < 0 || bits > 120) throw std::invalid_argument("flooding bits must be in [0, 120]");
  WordStream words(prg);
  const u128 mask = (u128(1) << (bits + 1)) - 1, half = u128(1) << bits;
  for (size_t j = 0; j < p.n; ++j) {
    const u128 r = ((u128(words.next()) << 64) | words.next()) & mask;
    const u128 v = r - half;  // two's complement of a value in [−2^bits, 2^bits)
    const uint64_t neg = core::ct_mask_from_bit(uint64_t(v >> 127));
    const u128 neg128 = (u128(neg) << 64) | neg;
    const u128 mag = (v ^ neg128) - neg128;  // |v| ≤ 2^120
    for (size_t i = 0; i < p.limbs; ++i) {
      const Modulus& q = ctx.modulus(i);
      const uint64_t m = q.reduce(mag);
      const uint64_t negm = (q.value() - m) & ~core::ct_is_zero(m);
      p.limb(i)[j] = core::ct_select(neg, negm, m);
    }
  }
  p.ntt = false;
}

}  // namespace pg::he
