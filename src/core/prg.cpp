#include "core/prg.h"

#include <sys/random.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "core/assert.h"
#include "core/secure.h"
#include "core/seed_hook.h"

namespace pg::core {
namespace {

uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

}  // namespace

Seed os_seed() {
  Seed s{};
  if (detail::fixed_seed_hook(s)) return s;
  size_t got = 0;
  while (got < s.size()) {
    const ssize_t r = getrandom(s.data() + got, s.size() - got, 0);
    if (r < 0 && errno == EINTR) continue;
    PG_ASSERT(r > 0, "getrandom() failed: no OS randomness");
    got += static_cast<size_t>(r);
  }
  return s;
}

Prg::Prg(const Seed& seed) {
  aes_.set_key(std::span<const uint8_t, 16>(seed.data(), 16));
  ctr_hi_ = load_be64(seed.data() + 16);
  ctr_lo_ = load_be64(seed.data() + 24);
}

Prg Prg::from_os() {
  Seed s = os_seed();
  Prg p(s);
  secure_zero(s.data(), s.size());
  return p;
}

Prg Prg::from_seed(const Seed& seed) {
  return Prg(seed);
}

Prg::Prg(Prg&& other) noexcept
    : aes_(other.aes_),
      ctr_hi_(other.ctr_hi_),
      ctr_lo_(other.ctr_lo_),
      buf_(other.buf_),
      pos_(other.pos_) {
  other.pos_ = kBufBlocks * 16;
  secure_zero(other.buf_.data(), other.buf_.size());
}

Prg& Prg::operator=(Prg&& other) noexcept {
  if (this != &other) {
    aes_ = other.aes_;
    ctr_hi_ = other.ctr_hi_;
    ctr_lo_ = other.ctr_lo_;
    buf_ = other.buf_;
    pos_ = other.pos_;
    other.pos_ = kBufBlocks * 16;
    secure_zero(other.buf_.data(), other.buf_.size());
  }
  return *this;
}

Prg::~Prg() {
  secure_zero(buf_.data(), buf_.size());
  ctr_hi_ = ctr_lo_ = 0;
}

void Prg::fill_blocks(Block* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    // Byte i of the counter block is byte i of the big-endian (hi, lo) pair.
    out[i] = _mm_set_epi64x(static_cast<int64_t>(__builtin_bswap64(ctr_lo_)),
                            static_cast<int64_t>(__builtin_bswap64(ctr_hi_)));
    ctr_lo_ += 1;
    ctr_hi_ += (ctr_lo_ == 0) ? 1 : 0;
  }
  aes_.encrypt_blocks(out, n);
}

void Prg::refill() {
  fill_blocks(reinterpret_cast<Block*>(buf_.data()), kBufBlocks);
  pos_ = 0;
}

void Prg::fill(std::span<uint8_t> out) {
  size_t done = 0;
  // Drain what is buffered first, so that fill() and next_*() read one continuous stream.
  while (done < out.size() && pos_ < buf_.size()) out[done++] = buf_[pos_++];
  const size_t whole = (out.size() - done) / 16;
  if (whole > 0) {
    // Keystream straight into the output, in chunks so the scratch stays on the stack.
    constexpr size_t kChunk = 256;
    alignas(16) Block tmp[kChunk];
    size_t left = whole;
    while (left > 0) {
      const size_t m = left < kChunk ? left : kChunk;
      fill_blocks(tmp, m);
      std::memcpy(out.data() + done, tmp, m * 16);
      done += m * 16;
      left -= m;
    }
    secure_zero(tmp, sizeof(tmp));
  }
  while (done < out.size()) {
    if (pos_ == buf_.size()) refill();
    out[done++] = buf_[pos_++];
  }
}

uint64_t Prg::next_u64() {
  if (buf_.size() - pos_ < 8) {
    uint8_t tmp[8];
    fill(tmp);
    uint64_t v;
    std::memcpy(&v, tmp, 8);
    return v;
  }
  uint64_t v;
  std::memcpy(&v, buf_.data() + pos_, 8);
  pos_ += 8;
  return v;
}

Block Prg::next_block() {
  alignas(16) uint8_t tmp[16];
  fill(tmp);
  return _mm_load_si128(reinterpret_cast<const Block*>(tmp));
}

uint64_t Prg::uniform_below(uint64_t bound) {
  PG_ASSERT(bound > 0, "uniform_below(0)");
  if ((bound & (bound - 1)) == 0) return next_u64() & (bound - 1);
  const uint64_t mask = ~uint64_t{0} >> std::countl_zero(bound - 1);
  for (;;) {
    // The rejected draws are independent of the accepted value, so the loop leaks nothing.
    const uint64_t v = next_u64() & mask;
    if (v < bound) return v;
  }
}

Seed Prg::derive_seed() {
  Seed s{};
  fill(s);
  return s;
}

}  // namespace pg::core
