#include "protocol/linear/term_codec.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "he/packing.h"
#include "he/rns.h"
#include "he/serialization.h"

namespace pg::protocol {
namespace {

using core::ErrorCode;
using core::make_error;

constexpr uint8_t kVersion = 1;
constexpr uint32_t kRequestMagic = 0x51484750;  // "PGHQ" little-endian
constexpr uint32_t kReplyMagic = 0x50484750;    // "PGHP"
constexpr size_t kRequestHeaderBytes = 4 + 1 + 4 + 4;

// The rounding of c0 for `level`: words of Q, of 2^(d−1), and of the largest sent value.
struct C0Format {
  size_t words = 0;  // words of Q plus one spare
  std::vector<uint64_t> half, max;
  int width = 0;  // bits per sent value
};

// a >>= d over `words` words.
void shift_right(std::vector<uint64_t>& a, int d) {
  const size_t w = size_t(d) / 64, s = size_t(d) % 64;
  for (size_t i = 0; i < a.size(); ++i) {
    const uint64_t lo = i + w < a.size() ? a[i + w] : 0;
    const uint64_t hi = i + w + 1 < a.size() ? a[i + w + 1] : 0;
    a[i] = s == 0 ? lo : (lo >> s) | (hi << (64 - s));
  }
}

void shift_left(std::vector<uint64_t>& a, int d) {
  const size_t w = size_t(d) / 64, s = size_t(d) % 64;
  for (size_t i = a.size(); i-- > 0;) {
    const uint64_t hi = i >= w ? a[i - w] : 0;
    const uint64_t lo = i >= w + 1 ? a[i - w - 1] : 0;
    a[i] = s == 0 ? hi : (hi << s) | (lo >> (64 - s));
  }
}

void add_to(std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  uint64_t carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const he::u128 s = he::u128(a[i]) + b[i] + carry;
    a[i] = uint64_t(s);
    carry = uint64_t(s >> 64);
  }
}

int bit_length(const std::vector<uint64_t>& a) {
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != 0) return int(64 * i) + std::bit_width(a[i]);
  }
  return 0;
}

C0Format c0_format(const he::Context& ctx, size_t level, int drop_bits) {
  const he::CrtComposer& crt = *ctx.level(level).crt;
  C0Format f;
  f.words = crt.words() + 1;
  f.half.assign(f.words, 0);
  if (drop_bits > 0) f.half[size_t(drop_bits - 1) / 64] = uint64_t{1} << ((drop_bits - 1) % 64);
  f.max.assign(f.words, 0);
  std::copy(crt.modulus_words().begin(), crt.modulus_words().end(), f.max.begin());
  f.max[0] -= 1;  // Q − 1: Q is odd, so no borrow
  add_to(f.max, f.half);
  shift_right(f.max, drop_bits);
  f.width = std::max(1, bit_length(f.max));
  return f;
}

void check_drop(const he::Context& ctx, size_t level, int drop_bits) {
  if (drop_bits < 0 || drop_bits >= ctx.level(level).prime_bits) {
    throw std::invalid_argument("compact reply: drop_bits must be in [0, log2 q)");
  }
}

}  // namespace

size_t request_bytes(const he::Context& ctx, size_t count) {
  return kRequestHeaderBytes + count * he::ciphertext_bytes(ctx, ctx.top_level(), 2, true);
}

core::Bytes save_request(const he::Context& ctx, uint32_t term,
                         std::span<const he::Ciphertext> cts) {
  core::ByteWriter w(request_bytes(ctx, cts.size()));
  w.put_u32(kRequestMagic);
  w.put_u8(kVersion);
  w.put_u32(term);
  w.put_u32(uint32_t(cts.size()));
  for (const he::Ciphertext& ct : cts) {
    if (!ct.is_seeded() || ct.level() != ctx.top_level() || ct.size() != 2) {
      throw std::invalid_argument("save_request: ciphertexts must be seeded, fresh, top level");
    }
    w.put_raw(he::save_ciphertext(ctx, ct));
  }
  return w.take();
}

core::Result<std::vector<he::Ciphertext>> load_request(const he::Context& ctx, uint32_t term,
                                                       size_t count,
                                                       std::span<const uint8_t> bytes) {
  if (bytes.size() != request_bytes(ctx, count)) {
    return make_error(ErrorCode::kMalformed, "HE request of term " + std::to_string(term) +
                                                 " has " + std::to_string(bytes.size()) +
                                                 " bytes, expected " +
                                                 std::to_string(request_bytes(ctx, count)));
  }
  core::ByteReader r(bytes);
  PG_TRY_ASSIGN(uint32_t magic, r.get_u32());
  PG_TRY_ASSIGN(uint8_t version, r.get_u8());
  PG_TRY_ASSIGN(uint32_t got_term, r.get_u32());
  PG_TRY_ASSIGN(uint32_t got_count, r.get_u32());
  if (magic != kRequestMagic || version != kVersion) {
    return make_error(ErrorCode::kMalformed, "not an HE request (magic or version)");
  }
  if (got_term != term || got_count != count) {
    return make_error(ErrorCode::kMismatch, "HE request for another term or layout");
  }
  const size_t each = he::ciphertext_bytes(ctx, ctx.top_level(), 2, true);
  std::vector<he::Ciphertext> cts;
  cts.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    PG_TRY_ASSIGN(auto raw, r.get_raw(each));
    PG_TRY_ASSIGN(he::Ciphertext ct, he::load_ciphertext(ctx, raw));
    if (!ct.is_seeded() || ct.size() != 2 || ct.level() != ctx.top_level() || ct.scale() != 1.0) {
      return make_error(ErrorCode::kMalformed, "HE request: a ciphertext is not fresh");
    }
    cts.push_back(std::move(ct));
  }
  PG_TRY(r.expect_end());
  return cts;
}

void put_reply_header(core::ByteWriter& w, uint32_t term, size_t count) {
  w.put_u32(kReplyMagic);
  w.put_u8(kVersion);
  w.put_u32(term);
  w.put_u32(uint32_t(count));
}

core::Status get_reply_header(core::ByteReader& r, uint32_t term, size_t count) {
  PG_TRY_ASSIGN(uint32_t magic, r.get_u32());
  PG_TRY_ASSIGN(uint8_t version, r.get_u8());
  PG_TRY_ASSIGN(uint32_t got_term, r.get_u32());
  PG_TRY_ASSIGN(uint32_t got_count, r.get_u32());
  if (magic != kReplyMagic || version != kVersion) {
    return make_error(ErrorCode::kMalformed, "not an HE reply (magic or version)");
  }
  if (got_term != term || got_count != count) {
    return make_error(ErrorCode::kMismatch, "HE reply for another term or layout");
  }
  return {};
}

size_t compact_bytes(const he::Context& ctx, size_t level, size_t coeff_count, int drop_bits) {
  check_drop(ctx, level, drop_bits);
  return he::packing::rows_bytes(ctx, level + 1) +
         he::packing::bits_bytes(coeff_count, c0_format(ctx, level, drop_bits).width);
}

void put_compact(core::ByteWriter& w, const he::Context& ctx, const he::Ciphertext& ct,
                 std::span<const uint32_t> coeffs, int drop_bits) {
  const size_t level = ct.level();
  check_drop(ctx, level, drop_bits);
  if (ct.size() != 2) throw std::invalid_argument("compact reply: size-2 ciphertexts only");
  he::packing::put_rows(w, ctx, ct.poly(1));
  he::RnsPoly c0 = ct.poly(0);
  ctx.from_ntt(c0);
  const he::CrtComposer& crt = *ctx.level(level).crt;
  const C0Format f = c0_format(ctx, level, drop_bits);
  std::vector<uint64_t> res(level + 1), x(f.words);
  he::packing::BitWriter bits(w);
  for (uint32_t j : coeffs) {
    if (j >= ctx.n()) throw std::invalid_argument("compact reply: coefficient out of range");
    for (size_t i = 0; i <= level; ++i) res[i] = c0.limb(i)[j];
    std::fill(x.begin(), x.end(), 0);
    crt.compose(res.data(), x.data());
    add_to(x, f.half);
    shift_right(x, drop_bits);
    for (int b = 0; b < f.width; b += 64) bits.put(x[size_t(b / 64)], std::min(64, f.width - b));
  }
  bits.finish();
}

core::Status get_compact(core::ByteReader& r, const he::Context& ctx, size_t level,
                         std::span<const uint32_t> coeffs, int drop_bits, he::Reply& out) {
  check_drop(ctx, level, drop_bits);
  const C0Format f = c0_format(ctx, level, drop_bits);
  if (r.remaining() < compact_bytes(ctx, level, coeffs.size(), drop_bits)) {
    return make_error(ErrorCode::kTruncated, "HE reply is truncated");
  }
  out.params_id = ctx.id();
  out.level = level;
  out.drop_bits = drop_bits;
  out.coeffs.assign(coeffs.begin(), coeffs.end());
  PG_TRY(he::packing::get_rows(r, ctx, level + 1, true, out.c1));
  PG_TRY_ASSIGN(auto raw, r.get_raw(he::packing::bits_bytes(coeffs.size(), f.width)));
  he::packing::BitReader bits(raw);
  out.c0 = he::RnsPoly(ctx.n(), level + 1, false);
  std::vector<uint64_t> x(f.words + 1);
  for (uint32_t j : coeffs) {
    PG_ASSERT(j < ctx.n(), "coefficient lists come from the layout");
    std::fill(x.begin(), x.end(), 0);
    for (int b = 0; b < f.width; b += 64) x[size_t(b / 64)] = bits.get(std::min(64, f.width - b));
    if (he::mp::cmp(x.data(), f.max.data(), f.words) > 0) {
      return make_error(ErrorCode::kMalformed, "HE reply: a coefficient is out of range");
    }
    shift_left(x, drop_bits);
    for (size_t i = 0; i <= level; ++i) {
      const he::Modulus& q = ctx.modulus(i);
      uint64_t acc = 0;  // Horner from the top word
      for (size_t k = x.size(); k-- > 0;) acc = q.reduce((he::u128(acc) << 64) | x[k]);
      out.c0.limb(i)[j] = acc;
    }
  }
  if (!bits.clean_end()) return make_error(ErrorCode::kMalformed, "HE reply: bad padding");
  return {};
}

}  // namespace pg::protocol
