#include "mpc/base_ot.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <span>
#include <stdexcept>

#include "core/assert.h"
#include "core/secure.h"

namespace pg::mpc {
namespace {

using Point = std::array<uint8_t, crypto_core_ristretto255_BYTES>;
using Scalar = std::array<uint8_t, crypto_core_ristretto255_SCALARBYTES>;

constexpr char kDomain[] = "pangolin/base-ot/v1";

void init_sodium() {
  static const int rc = sodium_init();
  PG_ASSERT(rc >= 0, "libsodium failed to initialise");
}

Scalar random_scalar(core::Prg& prg) {
  std::array<uint8_t, crypto_core_ristretto255_NONREDUCEDSCALARBYTES> wide;
  Scalar s;
  do {
    prg.fill(wide);
    crypto_core_ristretto255_scalar_reduce(s.data(), wide.data());
  } while (sodium_is_zero(s.data(), s.size()) != 0);  // probability 2^-252
  core::secure_zero(wide.data(), wide.size());
  return s;
}

OtKey kdf(const Point& a, const Point& b, uint64_t index, const Point& shared) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof(OtKey));
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kDomain), sizeof(kDomain));
  crypto_generichash_update(&st, a.data(), a.size());
  crypto_generichash_update(&st, b.data(), b.size());
  std::array<uint8_t, 8> idx;
  for (size_t i = 0; i < 8; ++i) idx[i] = static_cast<uint8_t>(index >> (8 * i));
  crypto_generichash_update(&st, idx.data(), idx.size());
  crypto_generichash_update(&st, shared.data(), shared.size());
  OtKey key;
  crypto_generichash_final(&st, key.data(), key.size());
  core::secure_zero(&st, sizeof(st));
  return key;
}

// Wipes the secret scalars and points of one call when it ends, also by an exception (a peer's
// invalid point or a closed connection).
class WipeOnExit {
 public:
  WipeOnExit(std::initializer_list<std::span<uint8_t>> bufs) : n_(bufs.size()) {
    PG_ASSERT(n_ <= bufs_.size(), "WipeOnExit: too many buffers");
    std::copy(bufs.begin(), bufs.end(), bufs_.begin());
  }
  ~WipeOnExit() {
    for (size_t i = 0; i < n_; ++i) core::secure_zero(bufs_[i].data(), bufs_[i].size());
  }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::array<std::span<uint8_t>, 4> bufs_{};
  size_t n_;
};

void check_point(const Point& p, const char* what) {
  if (crypto_core_ristretto255_is_valid_point(p.data()) != 1) {
    throw ChannelError(
        core::ErrorCode::kMalformed,
        std::string("base OT: the peer sent an invalid ristretto255 point as ") + what);
  }
}

}  // namespace

void base_ot_send(Channel& ch, core::Prg& prg, size_t n, OtKeys& k0, OtKeys& k1) {
  init_sodium();
  Scalar a = random_scalar(prg);
  Point big_a;
  Point a_a;  // a·A
  Point s0;
  Point s1;
  const WipeOnExit wipe{a, a_a, s0, s1};
  PG_ASSERT(crypto_scalarmult_ristretto255_base(big_a.data(), a.data()) == 0, "a·G failed");
  PG_ASSERT(crypto_scalarmult_ristretto255(a_a.data(), a.data(), big_a.data()) == 0, "a·A failed");
  ch.send(big_a.data(), big_a.size());
  ch.flush();

  std::vector<Point> big_b(n);
  if (n > 0) ch.recv(big_b.data(), n * sizeof(Point));
  k0.assign(n, OtKey{});
  k1.assign(n, OtKey{});
  for (size_t i = 0; i < n; ++i) {
    check_point(big_b[i], "B");
    // a·B fails only for B = identity, which an honest receiver produces with negligible odds.
    if (crypto_scalarmult_ristretto255(s0.data(), a.data(), big_b[i].data()) != 0) {
      throw ChannelError(core::ErrorCode::kMalformed, "base OT: the peer sent the identity as B");
    }
    crypto_core_ristretto255_sub(s1.data(), s0.data(), a_a.data());
    k0[i] = kdf(big_a, big_b[i], i, s0);
    k1[i] = kdf(big_a, big_b[i], i, s1);
  }
}

void base_ot_recv(Channel& ch, core::Prg& prg, const uint8_t* choices, size_t n, OtKeys& kc) {
  init_sodium();
  Point big_a;
  ch.recv(big_a.data(), big_a.size());
  check_point(big_a, "A");
  std::vector<Scalar, WipingAllocator<Scalar>> b(n);
  std::vector<Point> big_b(n);
  Point bg;
  Point bg_plus_a;
  Point shared;
  const WipeOnExit wipe{bg, bg_plus_a, shared};
  for (size_t i = 0; i < n; ++i) {
    b[i] = random_scalar(prg);
    PG_ASSERT(crypto_scalarmult_ristretto255_base(bg.data(), b[i].data()) == 0, "b·G failed");
    crypto_core_ristretto255_add(bg_plus_a.data(), bg.data(), big_a.data());
    // B = c ? bG + A : bG, selected byte-wise under a mask.
    const auto mask = static_cast<uint8_t>(core::ct_mask_from_bit(get_bit(choices, i)));
    for (size_t j = 0; j < bg.size(); ++j) {
      big_b[i][j] = static_cast<uint8_t>((bg_plus_a[j] & mask) | (bg[j] & ~mask));
    }
  }
  if (n > 0) ch.send(big_b.data(), n * sizeof(Point));
  ch.flush();
  kc.assign(n, OtKey{});
  for (size_t i = 0; i < n; ++i) {
    if (crypto_scalarmult_ristretto255(shared.data(), b[i].data(), big_a.data()) != 0) {
      throw ChannelError(core::ErrorCode::kMalformed, "base OT: the peer sent the identity as A");
    }
    kc[i] = kdf(big_a, big_b[i], i, shared);
  }
}

}  // namespace pg::mpc
