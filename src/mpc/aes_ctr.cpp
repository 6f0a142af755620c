#include "mpc/aes_ctr.h"

#include <cstring>

#include "core/assert.h"
#include "core/cpu.h"

namespace pg::mpc {
namespace detail {
void ctr_fill_vaes(const __m128i* rk, uint64_t counter, __m128i* out, size_t n);
}  // namespace detail

namespace {

// One step of the AES-128 key schedule (FIPS-197 §5.2) with AESKEYGENASSIST.
template <int kRcon>
Block schedule_step(Block key) {
  const Block t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(key, kRcon), 0xff);
  key ^= _mm_slli_si128(key, 4);
  key ^= _mm_slli_si128(key, 8);
  return key ^ t;
}

void expand_key(Block key, std::array<Block, 11>& rk) {
  rk[0] = key;
  rk[1] = schedule_step<0x01>(rk[0]);
  rk[2] = schedule_step<0x02>(rk[1]);
  rk[3] = schedule_step<0x04>(rk[2]);
  rk[4] = schedule_step<0x08>(rk[3]);
  rk[5] = schedule_step<0x10>(rk[4]);
  rk[6] = schedule_step<0x20>(rk[5]);
  rk[7] = schedule_step<0x40>(rk[6]);
  rk[8] = schedule_step<0x80>(rk[7]);
  rk[9] = schedule_step<0x1b>(rk[8]);
  rk[10] = schedule_step<0x36>(rk[9]);
}

bool cpu_has_vaes() {
  static const bool vaes = core::detect_cpu().vaes;
  return vaes;
}

template <size_t kLanes>
void ctr_fill_aesni(const std::array<Block, 11>& rk, uint64_t counter, Block* out) {
  Block x[kLanes];
  for (size_t j = 0; j < kLanes; ++j) x[j] = make_block(0, counter + j) ^ rk[0];
  for (size_t r = 1; r < 10; ++r) {
    for (size_t j = 0; j < kLanes; ++j) x[j] = _mm_aesenc_si128(x[j], rk[r]);
  }
  for (size_t j = 0; j < kLanes; ++j) out[j] = _mm_aesenclast_si128(x[j], rk[10]);
}

}  // namespace

AesCtrStream::AesCtrStream(const core::Seed& seed) {
  Block key;
  std::memcpy(&key, seed.data(), sizeof(key));
  expand_key(key, rk_);
  core::secure_zero(&key, sizeof(key));
}

AesCtrStream::~AesCtrStream() {
  core::secure_zero(rk_.data(), sizeof(rk_));
}

AesCtrStream::AesCtrStream(AesCtrStream&& other) noexcept
    : rk_(other.rk_), counter_(other.counter_) {
  core::secure_zero(other.rk_.data(), sizeof(other.rk_));
}

AesCtrStream& AesCtrStream::operator=(AesCtrStream&& other) noexcept {
  if (this != &other) {
    rk_ = other.rk_;
    counter_ = other.counter_;
    core::secure_zero(other.rk_.data(), sizeof(other.rk_));
  }
  return *this;
}

void AesCtrStream::fill(Block* out, size_t n) {
  PG_ASSERT(counter_ + n >= counter_, "AES-CTR stream exhausted (2^64 blocks)");
  if (cpu_has_vaes()) {
    detail::ctr_fill_vaes(rk_.data(), counter_, out, n);
    counter_ += n;
    return;
  }
  size_t i = 0;
  for (; i + 8 <= n; i += 8) ctr_fill_aesni<8>(rk_, counter_ + i, out + i);
  for (; i < n; ++i) ctr_fill_aesni<1>(rk_, counter_ + i, out + i);
  counter_ += n;
}

}  // namespace pg::mpc
