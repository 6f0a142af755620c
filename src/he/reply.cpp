#include "he/reply.h"

#include <stdexcept>
#include <string>

#include "he/packing.h"

namespace pg::he {
namespace {

using packing::Kind;

constexpr size_t kHeaderBytes = 4 + 1 + 1 + 8 + 1 + 1 + 4;

// Q of the level as a 128-bit integer (one or two primes).
u128 level_modulus(const Context& ctx, size_t level) {
  u128 q = ctx.modulus(0).value();
  if (level == 1) q *= ctx.modulus(1).value();
  return q;
}

int bit_length(u128 x) {
  int b = 0;
  for (; x != 0; x >>= 1) ++b;
  return b;
}

u128 half_unit(int drop_bits) {
  return drop_bits > 0 ? u128(1) << (drop_bits - 1) : 0;
}

// The largest sent value, round((Q − 1) / 2^d), and its width.
u128 max_value(u128 q, int drop_bits) {
  return (q - 1 + half_unit(drop_bits)) >> drop_bits;
}

bool valid_coeffs(const Context& ctx, std::span<const uint32_t> coeffs) {
  std::vector<bool> seen(ctx.n(), false);
  for (uint32_t j : coeffs) {
    if (j >= ctx.n() || seen[j]) return false;
    seen[j] = true;
  }
  return true;
}

void put_value(packing::BitWriter& b, u128 v, int width) {
  if (width <= 64) {
    b.put(uint64_t(v), width);
  } else {
    b.put(uint64_t(v), 64);
    b.put(uint64_t(v >> 64), width - 64);
  }
}

u128 get_value(packing::BitReader& b, int width) {
  if (width <= 64) return b.get(width);
  const u128 lo = b.get(64);
  return lo | (u128(b.get(width - 64)) << 64);
}

}  // namespace

size_t reply_bytes(const Context& ctx, size_t level, size_t coeff_count, int drop_bits) {
  const int width = bit_length(max_value(level_modulus(ctx, level), drop_bits));
  return kHeaderBytes + packing::rows_bytes(ctx, level + 1) +
         packing::bits_bytes(coeff_count, width);
}

core::Bytes save_reply(const Context& ctx, const Ciphertext& ct, std::span<const uint32_t> coeffs,
                       int drop_bits) {
  check_params(ctx, ct.params_id(), ct.level(), "reply ciphertext");
  const size_t level = ct.level();
  if (ct.size() != 2 || level > 1) {
    throw std::invalid_argument("save_reply: need a relinearised ciphertext at level 0 or 1");
  }
  const u128 q = level_modulus(ctx, level);
  if (drop_bits < 0 || drop_bits >= bit_length(q)) {
    throw std::invalid_argument("save_reply: drop_bits must be in [0, log2 Q)");
  }
  if (!valid_coeffs(ctx, coeffs)) {
    throw std::invalid_argument("save_reply: coefficient indices must be distinct and below N");
  }
  RnsPoly c0 = ct.poly(0);
  ctx.from_ntt(c0);
  const CrtComposer& crt = *ctx.level(level).crt;
  const int width = bit_length(max_value(q, drop_bits));
  core::ByteWriter w(reply_bytes(ctx, level, coeffs.size(), drop_bits));
  packing::put_object_header(w, Kind::kReply, ctx.id());
  w.put_u8(uint8_t(level));
  w.put_u8(uint8_t(drop_bits));
  w.put_u32(uint32_t(coeffs.size()));
  packing::put_rows(w, ctx, ct.poly(1));
  packing::BitWriter bits(w);
  for (uint32_t j : coeffs) {
    const uint64_t res[2] = {c0.limb(0)[j], level == 1 ? c0.limb(1)[j] : 0};
    uint64_t x[2] = {0, 0};
    crt.compose(res, x);
    put_value(bits, ((u128(x[1]) << 64 | x[0]) + half_unit(drop_bits)) >> drop_bits, width);
  }
  bits.finish();
  return w.take();
}

core::Result<Reply> load_reply(const Context& ctx, std::span<const uint8_t> bytes,
                               std::span<const uint32_t> coeffs, int drop_bits) {
  using core::ErrorCode;
  if (!valid_coeffs(ctx, coeffs)) {
    return core::make_error(ErrorCode::kInvalidInput, "reply: bad coefficient list");
  }
  core::ByteReader r(bytes);
  PG_TRY(packing::get_object_header(r, Kind::kReply, ctx));
  PG_TRY_ASSIGN(uint8_t level, r.get_u8());
  if (level > 1 || level > ctx.top_level()) {
    return core::make_error(ErrorCode::kMalformed, "reply level must be 0 or 1");
  }
  PG_TRY_ASSIGN(uint8_t drop, r.get_u8());
  PG_TRY_ASSIGN(uint32_t count, r.get_u32());
  if (drop != drop_bits || count != coeffs.size()) {
    return core::make_error(ErrorCode::kMismatch, "reply layout differs from the expected one");
  }
  const u128 q = level_modulus(ctx, level);
  if (drop_bits < 0 || drop_bits >= bit_length(q)) {
    return core::make_error(ErrorCode::kInvalidInput, "reply: drop_bits out of range");
  }
  if (r.remaining() != reply_bytes(ctx, level, count, drop_bits) - kHeaderBytes) {
    return core::make_error(ErrorCode::kMalformed, "reply payload has the wrong length");
  }
  Reply rep;
  rep.params_id = ctx.id();
  rep.level = level;
  rep.drop_bits = drop_bits;
  rep.coeffs.assign(coeffs.begin(), coeffs.end());
  PG_TRY(packing::get_rows(r, ctx, level + 1, true, rep.c1));
  const u128 max = max_value(q, drop_bits);
  const int width = bit_length(max);
  PG_TRY_ASSIGN(auto raw, r.get_raw(packing::bits_bytes(count, width)));
  packing::BitReader bits(raw);
  rep.c0 = RnsPoly(ctx.n(), level + 1, false);
  for (uint32_t j : coeffs) {
    const u128 v = get_value(bits, width);
    if (v > max) return core::make_error(ErrorCode::kMalformed, "reply value out of range");
    const u128 x = v << drop_bits;  // < Q + 2^(d−1) < 2^122: reduce into each prime
    for (size_t i = 0; i <= level; ++i) rep.c0.limb(i)[j] = ctx.modulus(i).reduce(x);
  }
  if (!bits.clean_end()) return core::make_error(ErrorCode::kMalformed, "reply padding");
  PG_TRY(r.expect_end());
  return rep;
}

}  // namespace pg::he
