#include "mpc/aes_ctr.h"

#include <span>

#include "core/assert.h"
#include "core/cpu.h"

namespace pg::mpc {
namespace detail {
void ctr_fill_vaes(const __m128i* rk, uint64_t counter, __m128i* out, size_t n);
}  // namespace detail

namespace {

bool cpu_has_vaes() {
  static const bool vaes = core::detect_cpu().vaes;
  return vaes;
}

template <size_t kLanes>
void ctr_fill_aesni(const Block* rk, uint64_t counter, Block* out) {
  Block x[kLanes];
  for (size_t j = 0; j < kLanes; ++j) x[j] = make_block(0, counter + j) ^ rk[0];
  for (size_t r = 1; r < core::Aes128::kRounds; ++r) {
    for (size_t j = 0; j < kLanes; ++j) x[j] = _mm_aesenc_si128(x[j], rk[r]);
  }
  for (size_t j = 0; j < kLanes; ++j) {
    out[j] = _mm_aesenclast_si128(x[j], rk[core::Aes128::kRounds]);
  }
}

}  // namespace

AesCtrStream::AesCtrStream(const core::Seed& seed, AesPath path)
    : aes_(std::span<const uint8_t, 16>(seed.data(), 16)),
      use_vaes_(path == AesPath::kAuto && cpu_has_vaes()) {}

// A moved-from stream keeps no copy of the key.
AesCtrStream::AesCtrStream(AesCtrStream&& other) noexcept
    : aes_(other.aes_), counter_(other.counter_), use_vaes_(other.use_vaes_) {
  other.aes_ = core::Aes128();
}

AesCtrStream& AesCtrStream::operator=(AesCtrStream&& other) noexcept {
  if (this != &other) {
    aes_ = other.aes_;
    counter_ = other.counter_;
    use_vaes_ = other.use_vaes_;
    other.aes_ = core::Aes128();
  }
  return *this;
}

void AesCtrStream::fill(Block* out, size_t n) {
  fill_at(counter_, out, n);
  counter_ += n;
}

void AesCtrStream::fill_at(uint64_t counter, Block* out, size_t n) const {
  PG_ASSERT(counter + n >= counter, "AES-CTR stream exhausted (2^64 blocks)");
  if (use_vaes_) {
    detail::ctr_fill_vaes(aes_.round_keys(), counter, out, n);
    return;
  }
  size_t i = 0;
  const Block* rk = aes_.round_keys();
  for (; i + 8 <= n; i += 8) ctr_fill_aesni<8>(rk, counter + i, out + i);
  for (; i < n; ++i) ctr_fill_aesni<1>(rk, counter + i, out + i);
}

}  // namespace pg::mpc
