// Bit-packing of residue rows and the common object header (internal to pg_he serialisation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/bytes.h"
#include "core/result.h"
#include "he/context.h"
#include "he/rns_poly.h"

namespace pg::he::packing {

enum class Kind : uint8_t {
  kParams = 1,
  kPlaintext = 2,
  kCiphertext = 3,
  kSecretKey = 4,
  kPublicKey = 5,
  kRelinKeys = 6,
  kGaloisKeys = 7,
  kReply = 8,
};

void put_header(core::ByteWriter& w, Kind kind);
core::Status get_header(core::ByteReader& r, Kind kind);
// The header followed by the parameters' id, which must be the context's.
void put_object_header(core::ByteWriter& w, Kind kind, ParamsId id);
core::Status get_object_header(core::ByteReader& r, Kind kind, const Context& ctx);

// A little-endian bit stream over a ByteWriter: put(v, bits) appends the low `bits` bits of v
// (1 ≤ bits ≤ 64); finish() pads the last byte with zeros.
class BitWriter {
 public:
  explicit BitWriter(core::ByteWriter& w) : w_(w) {}
  void put(uint64_t v, int bits);
  void finish();

 private:
  core::ByteWriter& w_;
  u128 acc_ = 0;
  int have_ = 0;
};

// Reads a stream of `bytes` bytes written by BitWriter.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : data_(bytes) {}
  // The caller sized the stream, so reading past its end is a broken invariant.
  uint64_t get(int bits);
  // True if everything was read and the padding bits are zero.
  bool clean_end() const { return pos_ == data_.size() && acc_ == 0; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  u128 acc_ = 0;
  int have_ = 0;
};

// `count` values of `bits` bits each (1 ≤ bits ≤ 64), little-endian bit order; the last byte is
// padded with zeros.
void put_bits(core::ByteWriter& w, const uint64_t* v, size_t count, int bits);
size_t bits_bytes(size_t count, int bits);
// Reads them back; each value must be ≤ max (checked), and the padding must be zero.
core::Status get_bits(core::ByteReader& r, uint64_t* v, size_t count, int bits, uint64_t max);

// Rows 0 .. p.limbs−1 of p belong to the primes 0 .. p.limbs−1.
void put_rows(core::ByteWriter& w, const Context& ctx, const RnsPoly& p);
size_t rows_bytes(const Context& ctx, size_t rows);
core::Status get_rows(core::ByteReader& r, const Context& ctx, size_t rows, bool ntt, RnsPoly& out);

}  // namespace pg::he::packing
