#include "he/packing.h"

#include <string>

#include "core/assert.h"

namespace pg::he::packing {
namespace {

constexpr uint32_t kMagic = 0x45484750;  // "PGHE" little-endian
constexpr uint8_t kVersion = 1;

core::Error malformed(const std::string& what) {
  return core::make_error(core::ErrorCode::kMalformed, what);
}

}  // namespace

void put_header(core::ByteWriter& w, Kind kind) {
  w.put_u32(kMagic);
  w.put_u8(kVersion);
  w.put_u8(uint8_t(kind));
}

core::Status get_header(core::ByteReader& r, Kind kind) {
  PG_TRY_ASSIGN(uint32_t magic, r.get_u32());
  if (magic != kMagic) return malformed("not a Pangolin HE object (bad magic)");
  PG_TRY_ASSIGN(uint8_t version, r.get_u8());
  if (version != kVersion) {
    return core::make_error(core::ErrorCode::kUnsupported,
                            "HE object version " + std::to_string(version));
  }
  PG_TRY_ASSIGN(uint8_t k, r.get_u8());
  if (k != uint8_t(kind)) {
    return core::make_error(
        core::ErrorCode::kMismatch,
        "HE object of kind " + std::to_string(k) + ", expected " + std::to_string(int(kind)));
  }
  return {};
}

void put_object_header(core::ByteWriter& w, Kind kind, ParamsId id) {
  put_header(w, kind);
  w.put_u64(id);
}

core::Status get_object_header(core::ByteReader& r, Kind kind, const Context& ctx) {
  PG_TRY(get_header(r, kind));
  PG_TRY_ASSIGN(uint64_t id, r.get_u64());
  if (id != ctx.id()) {
    return core::make_error(core::ErrorCode::kMismatch,
                            "the object belongs to other parameters (parms-id mismatch)");
  }
  return {};
}

size_t bits_bytes(size_t count, int bits) {
  return (count * size_t(bits) + 7) / 8;
}

void BitWriter::put(uint64_t v, int bits) {
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  acc_ |= u128(v & mask) << have_;
  have_ += bits;
  if (have_ >= 64) {
    w_.put_u64(uint64_t(acc_));
    acc_ >>= 64;
    have_ -= 64;
  }
}

void BitWriter::finish() {
  for (; have_ > 0; have_ -= 8, acc_ >>= 8) w_.put_u8(uint8_t(acc_));
  have_ = 0;
  acc_ = 0;
}

uint64_t BitReader::get(int bits) {
  while (have_ < bits) {
    PG_ASSERT(pos_ < data_.size(), "BitReader: read past the end");
    acc_ |= u128(data_[pos_++]) << have_;
    have_ += 8;
  }
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t v = uint64_t(acc_) & mask;
  acc_ >>= bits;
  have_ -= bits;
  return v;
}

void put_bits(core::ByteWriter& w, const uint64_t* v, size_t count, int bits) {
  BitWriter b(w);
  for (size_t i = 0; i < count; ++i) b.put(v[i], bits);
  b.finish();
}

core::Status get_bits(core::ByteReader& r, uint64_t* v, size_t count, int bits, uint64_t max) {
  PG_TRY_ASSIGN(auto raw, r.get_raw(bits_bytes(count, bits)));
  BitReader b(raw);
  for (size_t i = 0; i < count; ++i) {
    v[i] = b.get(bits);
    if (v[i] > max) return malformed("a packed value exceeds its modulus");
  }
  if (!b.clean_end()) return malformed("non-zero padding bits");
  return {};
}

void put_rows(core::ByteWriter& w, const Context& ctx, const RnsPoly& p) {
  for (size_t i = 0; i < p.limbs; ++i) put_bits(w, p.limb(i), p.n, ctx.modulus(i).bits());
}

size_t rows_bytes(const Context& ctx, size_t rows) {
  size_t total = 0;
  for (size_t i = 0; i < rows; ++i) total += bits_bytes(ctx.n(), ctx.modulus(i).bits());
  return total;
}

core::Status get_rows(core::ByteReader& r, const Context& ctx, size_t rows, bool ntt,
                      RnsPoly& out) {
  if (r.remaining() < rows_bytes(ctx, rows)) {
    return core::make_error(core::ErrorCode::kTruncated, "polynomial data is truncated");
  }
  out.resize(ctx.n(), rows, ntt);
  for (size_t i = 0; i < rows; ++i) {
    const Modulus& q = ctx.modulus(i);
    PG_TRY(get_bits(r, out.limb(i), ctx.n(), q.bits(), q.value() - 1));
  }
  return {};
}

}  // namespace pg::he::packing
