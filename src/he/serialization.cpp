#include "he/serialization.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "he/galois.h"
#include "he/packing.h"
#include "he/sampling.h"

namespace pg::he {

using core::ByteReader;
using core::ByteWriter;
using core::ErrorCode;
using core::make_error;
using packing::Kind;

namespace {

core::Error bad(ErrorCode c, const std::string& m) {
  return make_error(c, m);
}

core::Result<size_t> get_level(ByteReader& r, const Context& ctx) {
  PG_TRY_ASSIGN(uint64_t level, r.get_varint_max(ctx.top_level(), "level"));
  return size_t(level);
}

core::Result<double> get_scale(ByteReader& r) {
  PG_TRY_ASSIGN(double s, r.get_f64());
  if (!std::isfinite(s) || s <= 0 || s > 0x1p1000) {
    return bad(ErrorCode::kInvalidInput, "scale is not a positive finite number");
  }
  return s;
}

void put_seed(ByteWriter& w, const core::Seed& s) {
  w.put_raw(s);
}

core::Result<core::Seed> get_seed(ByteReader& r) {
  PG_TRY_ASSIGN(auto raw, r.get_raw(32));
  core::Seed s;
  std::copy(raw.begin(), raw.end(), s.begin());
  return s;
}

size_t all_primes(const Context& ctx) {
  return ctx.data_primes() + ctx.special_count();
}

void put_kswitch(ByteWriter& w, const Context& ctx, const KSwitchKey& k) {
  w.put_varint(k.b.size());
  for (size_t d = 0; d < k.b.size(); ++d) {
    put_seed(w, k.seed[d]);
    packing::put_rows(w, ctx, k.b[d]);
  }
}

core::Result<KSwitchKey> get_kswitch(ByteReader& r, const Context& ctx) {
  const size_t digits = ctx.digits(ctx.top_level());
  if (digits == 0) return bad(ErrorCode::kMismatch, "the parameters have no special prime");
  PG_TRY_ASSIGN(uint64_t count, r.get_varint_max(digits, "digit count"));
  if (count != digits) return bad(ErrorCode::kMismatch, "wrong number of key-switching digits");
  KSwitchKey k;
  k.params_id = ctx.id();
  k.b.resize(digits);
  k.a.resize(digits);
  k.seed.resize(digits);
  for (size_t d = 0; d < digits; ++d) {
    PG_TRY_ASSIGN(k.seed[d], get_seed(r));
    PG_TRY(packing::get_rows(r, ctx, all_primes(ctx), true, k.b[d]));
    k.a[d].resize(ctx.n(), all_primes(ctx), true);
    expand_uniform(ctx, k.seed[d], k.a[d]);
  }
  return k;
}

}  // namespace

core::Bytes save_params(const Params& p) {
  ByteWriter w;
  packing::put_header(w, Kind::kParams);
  w.put_varint(p.n());
  w.put_varint(p.primes().size());
  for (uint64_t q : p.primes()) w.put_u64(q);
  w.put_varint(p.special_primes().size());
  for (uint64_t q : p.special_primes()) w.put_u64(q);
  return w.take();
}

core::Result<ParamsPtr> load_params(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_header(r, Kind::kParams));
  ParamsLiteral lit;
  PG_TRY_ASSIGN(uint64_t n, r.get_varint_max(65536, "ring degree"));
  lit.n = size_t(n);
  PG_TRY_ASSIGN(uint64_t count, r.get_varint_max(64, "prime count"));
  for (uint64_t i = 0; i < count; ++i) {
    PG_TRY_ASSIGN(uint64_t q, r.get_u64());
    lit.primes.push_back(q);
  }
  PG_TRY_ASSIGN(uint64_t special, r.get_varint_max(16, "special prime count"));
  for (uint64_t i = 0; i < special; ++i) {
    PG_TRY_ASSIGN(uint64_t q, r.get_u64());
    lit.special_primes.push_back(q);
  }
  PG_TRY(r.expect_end());
  try {
    return make_params(lit);
  } catch (const std::invalid_argument& e) {
    return bad(ErrorCode::kInvalidInput, e.what());
  }
}

size_t ciphertext_bytes(const Context& ctx, size_t level, size_t size, bool seeded) {
  const size_t header = 4 + 1 + 1 + 8 + 1 + 1 + 8 + 1;  // through the seeded flag
  const size_t rows = packing::rows_bytes(ctx, level + 1);
  return header + (seeded ? rows + 32 : size * rows);
}

core::Bytes save_ciphertext(const Context& ctx, const Ciphertext& ct, bool full) {
  check_params(ctx, ct.params_id(), ct.level(), "ciphertext");
  const bool seeded = ct.is_seeded() && !full && ct.size() == 2;
  ByteWriter w(ciphertext_bytes(ctx, ct.level(), ct.size(), seeded));
  packing::put_object_header(w, Kind::kCiphertext, ctx.id());
  w.put_varint(ct.level());  // one byte: level ≤ 63
  w.put_u8(uint8_t(ct.size()));
  w.put_f64(ct.scale());
  w.put_u8(seeded ? 1 : 0);
  packing::put_rows(w, ctx, ct.poly(0));
  if (seeded) {
    put_seed(w, ct.seed());
  } else {
    for (size_t c = 1; c < ct.size(); ++c) packing::put_rows(w, ctx, ct.poly(c));
  }
  return w.take();
}

core::Result<Ciphertext> load_ciphertext(const Context& ctx, std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kCiphertext, ctx));
  PG_TRY_ASSIGN(size_t level, get_level(r, ctx));
  PG_TRY_ASSIGN(uint8_t size, r.get_u8());
  if (size < 2 || size > 3) return bad(ErrorCode::kMalformed, "ciphertext size must be 2 or 3");
  PG_TRY_ASSIGN(double scale, get_scale(r));
  PG_TRY_ASSIGN(uint8_t seeded, r.get_u8());
  if (seeded > 1 || (seeded && size != 2)) return bad(ErrorCode::kMalformed, "bad seeded flag");
  const size_t polys = seeded ? 1 : size;
  if (r.remaining() != polys * packing::rows_bytes(ctx, level + 1) + (seeded ? 32 : 0)) {
    return bad(ErrorCode::kMalformed, "ciphertext payload has the wrong length");
  }
  Ciphertext ct;
  ct.reset(ctx, level, size, scale);
  for (size_t c = 0; c < polys; ++c) PG_TRY(packing::get_rows(r, ctx, level + 1, true, ct.poly(c)));
  if (seeded) {
    PG_TRY_ASSIGN(core::Seed seed, get_seed(r));
    expand_uniform(ctx, seed, ct.poly(1));
    ct.set_seed(seed);
  }
  PG_TRY(r.expect_end());
  return ct;
}

core::Bytes save_plaintext(const Context& ctx, const Plaintext& pt) {
  check_params(ctx, pt.params_id(), pt.level(), "plaintext");
  ByteWriter w;
  packing::put_object_header(w, Kind::kPlaintext, ctx.id());
  w.put_varint(pt.level());
  w.put_f64(pt.scale());
  w.put_u8(pt.is_ntt() ? 1 : 0);
  packing::put_rows(w, ctx, pt.poly());
  return w.take();
}

core::Result<Plaintext> load_plaintext(const Context& ctx, std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kPlaintext, ctx));
  PG_TRY_ASSIGN(size_t level, get_level(r, ctx));
  PG_TRY_ASSIGN(double scale, get_scale(r));
  PG_TRY_ASSIGN(uint8_t ntt, r.get_u8());
  if (ntt > 1) return bad(ErrorCode::kMalformed, "bad domain flag");
  // The header may claim the top level: check the payload before allocating (level + 1)·N words.
  if (r.remaining() != packing::rows_bytes(ctx, level + 1)) {
    return bad(ErrorCode::kMalformed, "plaintext payload has the wrong length");
  }
  Plaintext pt;
  pt.reset(ctx, level, ntt == 1, scale);
  PG_TRY(packing::get_rows(r, ctx, level + 1, ntt == 1, pt.poly()));
  PG_TRY(r.expect_end());
  return pt;
}

core::Bytes save_secret_key(const Context& ctx, const SecretKey& sk) {
  if (!sk.context() || sk.context()->id() != ctx.id()) {
    throw std::invalid_argument("save_secret_key: foreign key");
  }
  ByteWriter w;
  packing::put_object_header(w, Kind::kSecretKey, ctx.id());
  std::vector<int8_t> t = sk.ternary();
  std::vector<uint64_t> v(t.size());
  for (size_t j = 0; j < t.size(); ++j) v[j] = uint64_t(t[j] + 1);
  packing::put_bits(w, v.data(), v.size(), 2);
  core::secure_zero(t.data(), t.size());
  core::secure_zero(v.data(), v.size() * 8);
  return w.take();
}

core::Result<SecretKey> load_secret_key(const ContextPtr& ctx, std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kSecretKey, *ctx));
  std::vector<uint64_t> v(ctx->n());
  PG_TRY(packing::get_bits(r, v.data(), v.size(), 2, 2));
  PG_TRY(r.expect_end());
  std::vector<int8_t> t(v.size());
  for (size_t j = 0; j < t.size(); ++j) t[j] = int8_t(int(v[j]) - 1);
  SecretKey sk = SecretKey::from_ternary(ctx, t);
  core::secure_zero(t.data(), t.size());
  core::secure_zero(v.data(), v.size() * 8);
  return sk;
}

core::Bytes save_public_key(const Context& ctx, const PublicKey& pk) {
  if (pk.params_id != ctx.id()) throw std::invalid_argument("save_public_key: foreign key");
  ByteWriter w;
  packing::put_object_header(w, Kind::kPublicKey, ctx.id());
  put_seed(w, pk.seed);
  packing::put_rows(w, ctx, pk.p0);
  return w.take();
}

core::Result<PublicKey> load_public_key(const Context& ctx, std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kPublicKey, ctx));
  PublicKey pk;
  pk.params_id = ctx.id();
  PG_TRY_ASSIGN(pk.seed, get_seed(r));
  PG_TRY(packing::get_rows(r, ctx, all_primes(ctx), true, pk.p0));
  PG_TRY(r.expect_end());
  pk.p1.resize(ctx.n(), all_primes(ctx), true);
  expand_uniform(ctx, pk.seed, pk.p1);
  return pk;
}

core::Bytes save_relin_keys(const Context& ctx, const RelinKeys& rk) {
  if (rk.key.params_id != ctx.id()) throw std::invalid_argument("save_relin_keys: foreign key");
  ByteWriter w;
  packing::put_object_header(w, Kind::kRelinKeys, ctx.id());
  put_kswitch(w, ctx, rk.key);
  return w.take();
}

core::Result<RelinKeys> load_relin_keys(const Context& ctx, std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kRelinKeys, ctx));
  RelinKeys rk;
  PG_TRY_ASSIGN(rk.key, get_kswitch(r, ctx));
  PG_TRY(r.expect_end());
  return rk;
}

core::Bytes save_galois_keys(const Context& ctx, const GaloisKeys& gk) {
  ByteWriter w;
  packing::put_object_header(w, Kind::kGaloisKeys, ctx.id());
  w.put_varint(gk.keys.size());
  for (const auto& [g, k] : gk.keys) {
    if (k.params_id != ctx.id()) throw std::invalid_argument("save_galois_keys: foreign key");
    w.put_u64(g);
    put_kswitch(w, ctx, k);
  }
  return w.take();
}

core::Result<GaloisKeys> load_galois_keys(const Context& ctx, std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kGaloisKeys, ctx));
  PG_TRY_ASSIGN(uint64_t count, r.get_varint_max(ctx.n(), "Galois key count"));
  GaloisKeys gk;
  for (uint64_t i = 0; i < count; ++i) {
    PG_TRY_ASSIGN(uint64_t g, r.get_u64());
    if ((g & 1) == 0 || g >= 2 * ctx.n() || gk.has(g)) {
      return bad(ErrorCode::kMalformed, "bad or repeated Galois element");
    }
    // Each key is large: refuse before expanding if the input cannot hold it.
    if (r.remaining() < ctx.digits(ctx.top_level()) * packing::rows_bytes(ctx, all_primes(ctx))) {
      return bad(ErrorCode::kTruncated, "Galois key data is truncated");
    }
    PG_TRY_ASSIGN(KSwitchKey k, get_kswitch(r, ctx));
    gk.keys.emplace(g, std::move(k));
    gk.perms.emplace(g, galois_permutation_ntt(ctx.n(), g));
  }
  PG_TRY(r.expect_end());
  return gk;
}

}  // namespace pg::he
