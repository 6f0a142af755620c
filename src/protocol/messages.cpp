#include "protocol/messages.h"

#include <algorithm>
#include <cstring>

#include "nn/fixed_point.h"

namespace pg::protocol {

using core::ByteReader;
using core::ByteWriter;
using core::ErrorCode;
using core::make_error;

namespace {

core::Error malformed(const char* what, const core::Error& e) {
  return make_error(e.code, std::string(what) + ": " + e.message);
}

void put_token(ByteWriter& w, const JoinToken& t) {
  w.put_raw(t);
}

core::Result<JoinToken> get_token(ByteReader& r) {
  PG_TRY_ASSIGN(auto raw, r.get_raw(32));
  JoinToken t;
  std::memcpy(t.data(), raw.data(), t.size());
  return t;
}

core::Result<Hello> parse_hello(ByteReader& r) {
  Hello h;
  PG_TRY_ASSIGN(uint8_t role, r.get_u8());
  if (role == uint8_t(HelloRole::kNewSession)) {
    h.role = HelloRole::kNewSession;
    PG_TRY_ASSIGN(h.client_version, r.get_string(64));
    PG_TRY_ASSIGN(h.pool, r.get_varint_max(kMaxPoolSize, "pool size"));
  } else if (role == uint8_t(HelloRole::kJoin)) {
    h.role = HelloRole::kJoin;
    PG_TRY_ASSIGN(h.session_id, r.get_u64());
    PG_TRY_ASSIGN(h.token, get_token(r));
  } else {
    return make_error(ErrorCode::kMalformed, "unknown role " + std::to_string(role));
  }
  PG_TRY(r.expect_end());
  return h;
}

core::Result<Welcome> parse_welcome(ByteReader& r) {
  Welcome w;
  PG_TRY_ASSIGN(w.session_id, r.get_u64());
  PG_TRY_ASSIGN(w.token, get_token(r));
  PG_TRY_ASSIGN(w.pool_limit, r.get_varint_max(kMaxPoolSize, "pool limit"));
  if (w.pool_limit == 0) return make_error(ErrorCode::kMalformed, "a pool limit of 0");
  PG_TRY_ASSIGN(uint8_t scheme, r.get_u8());
  PG_TRY_ASSIGN(uint8_t packing, r.get_u8());
  if (scheme > uint8_t(HeScheme::kCkks) || packing > uint8_t(HePacking::kSlot)) {
    return make_error(ErrorCode::kUnsupported, "unknown HE scheme or packing");
  }
  w.he_scheme = HeScheme(scheme);
  w.he_packing = HePacking(packing);
  PG_TRY_ASSIGN(auto setup, r.get_raw(w.he_setup.size()));
  std::copy(setup.begin(), setup.end(), w.he_setup.begin());
  PG_TRY_ASSIGN(uint8_t label_only, r.get_u8());
  if (label_only > 1) return make_error(ErrorCode::kMalformed, "a label-only flag other than 0/1");
  w.label_only = label_only == 1;
  PG_TRY_ASSIGN(auto arch, r.get_blob(kMaxArchitecture));
  w.architecture.assign(arch.begin(), arch.end());
  PG_TRY(r.expect_end());
  return w;
}

core::Result<PrepPart> parse_prep_part(ByteReader& r) {
  PrepPart p;
  PG_TRY_ASSIGN(p.set_id, r.get_varint());
  PG_TRY_ASSIGN(p.term, r.get_varint());
  PG_TRY_ASSIGN(auto body, r.get_blob(kMaxPrepMessage));
  p.body.assign(body.begin(), body.end());
  PG_TRY(r.expect_end());
  return p;
}

core::Result<InputMsg> parse_input(ByteReader& r, size_t count, int ell) {
  InputMsg m;
  PG_TRY_ASSIGN(m.set_id, r.get_varint());
  PG_TRY_ASSIGN(uint8_t mode, r.get_u8());
  if (mode > uint8_t(OutputMode::kLabel)) {
    return make_error(ErrorCode::kMalformed, "unknown output mode " + std::to_string(mode));
  }
  m.mode = OutputMode(mode);
  PG_TRY_ASSIGN(m.xhat, get_ring_vector(r, count, ell, "x̂"));
  PG_TRY(r.expect_end());
  return m;
}

}  // namespace

core::Bytes encode_hello(const Hello& h) {
  ByteWriter w;
  w.put_u8(uint8_t(h.role));
  if (h.role == HelloRole::kNewSession) {
    w.put_string(h.client_version.substr(0, 64));
    w.put_varint(h.pool);
  } else {
    w.put_u64(h.session_id);
    put_token(w, h.token);
  }
  return w.take();
}

core::Result<Hello> decode_hello(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto h = parse_hello(r);
  if (!h.ok()) return malformed("hello", h.error());
  return h;
}

core::Bytes encode_welcome(const Welcome& w) {
  ByteWriter out(w.architecture.size() + 64);
  out.put_u64(w.session_id);
  put_token(out, w.token);
  out.put_varint(w.pool_limit);
  out.put_u8(uint8_t(w.he_scheme));
  out.put_u8(uint8_t(w.he_packing));
  out.put_raw(w.he_setup);
  out.put_u8(w.label_only ? 1 : 0);
  out.put_blob(w.architecture);
  return out.take();
}

core::Result<Welcome> decode_welcome(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto w = parse_welcome(r);
  if (!w.ok()) return malformed("architecture message", w.error());
  return w;
}

core::Bytes encode_prep_part(const PrepPart& p) {
  ByteWriter w(p.body.size() + 24);
  w.put_varint(p.set_id);
  w.put_varint(p.term);
  w.put_blob(p.body);
  return w.take();
}

core::Result<PrepPart> decode_prep_part(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto p = parse_prep_part(r);
  if (!p.ok()) return malformed("preprocessing message", p.error());
  return p;
}

core::Bytes encode_set_id(uint64_t id) {
  ByteWriter w;
  w.put_varint(id);
  return w.take();
}

core::Result<uint64_t> decode_set_id(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto id = r.get_varint();
  if (!id.ok()) return malformed("set id", id.error());
  auto end = r.expect_end();
  if (!end.ok()) return malformed("set id", end.error());
  return id;
}

void put_ring_vector(ByteWriter& w, std::span<const uint64_t> v, int ell) {
  const size_t width = size_t(ell + 7) / 8;
  const uint64_t mask = nn::ring_mask(ell);
  uint8_t buf[8];
  for (uint64_t x : v) {
    x &= mask;
    for (size_t b = 0; b < width; ++b) buf[b] = uint8_t(x >> (8 * b));
    w.put_raw({buf, width});
  }
}

core::Result<std::vector<uint64_t>> get_ring_vector(ByteReader& r, size_t count, int ell,
                                                    const char* what) {
  const size_t width = size_t(ell + 7) / 8;
  if (r.remaining() / width < count) {
    return make_error(ErrorCode::kTruncated, std::string(what) + ": expected " +
                                                 std::to_string(count) + " elements of " +
                                                 std::to_string(width) + " bytes, got " +
                                                 std::to_string(r.remaining()) + " bytes");
  }
  PG_TRY_ASSIGN(auto raw, r.get_raw(count * width));
  const uint64_t mask = nn::ring_mask(ell);
  std::vector<uint64_t> v(count);
  for (size_t i = 0; i < count; ++i) {
    uint64_t x = 0;
    for (size_t b = 0; b < width; ++b) x |= uint64_t(raw[i * width + b]) << (8 * b);
    if ((x & ~mask) != 0) {
      return make_error(ErrorCode::kMalformed, std::string(what) + ": element " +
                                                   std::to_string(i) + " is not below 2^" +
                                                   std::to_string(ell));
    }
    v[i] = x;
  }
  return v;
}

core::Bytes encode_input(const InputMsg& m, int ell) {
  ByteWriter w(m.xhat.size() * 8 + 16);
  w.put_varint(m.set_id);
  w.put_u8(uint8_t(m.mode));
  put_ring_vector(w, m.xhat, ell);
  return w.take();
}

core::Result<InputMsg> decode_input(std::span<const uint8_t> bytes, size_t count, int ell) {
  ByteReader r(bytes);
  auto m = parse_input(r, count, ell);
  if (!m.ok()) return malformed("input message", m.error());
  return m;
}

}  // namespace pg::protocol
