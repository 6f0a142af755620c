#include "mpc/tccr.h"

#include <algorithm>
#include <array>

#include "core/cpu.h"

namespace pg::mpc {
namespace detail {
size_t tccr_hash_vaes(const __m128i* rk, const __m128i* x, const __m128i* tw, __m128i* out,
                      size_t n);
}  // namespace detail

namespace {

// The fixed AES key is the first 16 bytes of SHA-256("pangolin/gc/fixed-key-aes/v1")
// (f826687dc2f86ecdf9104a28cd017cc3); any public constant works in the random-permutation
// model. These are its 11 expanded round keys as (high, low) words; a test checks them against
// core::Aes128 with that key.
constexpr std::array<std::array<uint64_t, 2>, 11> kRoundKeys = {{
    {0xc37c01cd284a10f9ull, 0xcd6ef8c27d6826f8ull},
    {0xe61edf732562debeull, 0x0d28ce47c0463685ull},
    {0x819c8b93678254e0ull, 0x42e08a5e4fc84419ull},
    {0x373acf0db6a6449eull, 0xd124107e93c49a20ull},
    {0x14e6814f23dc4e42ull, 0x957a0adc445e1aa2ull},
    {0x62e4516f7602d020ull, 0x55de9e62c0a494beull},
    {0x2936e2624bd2b30dull, 0x3dd0632d680efd4full},
    {0x9d9fcad5b4a928b7ull, 0xff7b9bbac2abf897ull},
    {0x17b85abb8a27906eull, 0x3e8eb8d9c1f52363ull},
    {0x88143dca9fac6771ull, 0x158bf71f2b054fc6ull},
    {0x5df21873d5e625b9ull, 0x4a4a42c85fc1b5d7ull},
}};

// π on kLanes independent blocks, rounds interleaved across them.
template <size_t kLanes>
inline void aes_xmm(Block* x, const Block* rk) {
  for (size_t j = 0; j < kLanes; ++j) x[j] ^= rk[0];
  for (size_t r = 1; r < 10; ++r) {
    for (size_t j = 0; j < kLanes; ++j) x[j] = _mm_aesenc_si128(x[j], rk[r]);
  }
  for (size_t j = 0; j < kLanes; ++j) x[j] = _mm_aesenclast_si128(x[j], rk[10]);
}

template <size_t kLanes>
inline void tccr_chunk(const Block* rk, const Block* x, const Block* tw, Block* out) {
  Block p[kLanes];
  Block y[kLanes];
  for (size_t j = 0; j < kLanes; ++j) p[j] = x[j];
  aes_xmm<kLanes>(p, rk);
  for (size_t j = 0; j < kLanes; ++j) y[j] = p[j] ^ tw[j];
  aes_xmm<kLanes>(y, rk);
  for (size_t j = 0; j < kLanes; ++j) out[j] = y[j] ^ p[j];
}

}  // namespace

Tccr::Tccr(AesPath path) : use_vaes_(path == AesPath::kAuto && core::detect_cpu().vaes) {
  for (size_t r = 0; r < kRoundKeys.size(); ++r) {
    rk_[r] = make_block(kRoundKeys[r][0], kRoundKeys[r][1]);
  }
}

void Tccr::hash(const Block* x, const Block* tweaks, Block* out, size_t n) const {
  size_t i = use_vaes_ ? detail::tccr_hash_vaes(rk_.data(), x, tweaks, out, n) : 0;
  for (; i + 8 <= n; i += 8) tccr_chunk<8>(rk_.data(), x + i, tweaks + i, out + i);
  for (; i < n; ++i) tccr_chunk<1>(rk_.data(), x + i, tweaks + i, out + i);
}

Block Tccr::permute(Block x) const {
  aes_xmm<1>(&x, rk_.data());
  return x;
}

const Tccr& fixed_tccr() {
  static const Tccr instance;
  return instance;
}

}  // namespace pg::mpc
