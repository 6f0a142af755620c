// Bounds-checked (de)serialisation: little-endian fixed-width integers, LEB128 varints, doubles,
// and length-prefixed byte strings. ByteReader never reads past its end: every read returns
// Result<T>, and a length prefix is checked against both a caller bound and what remains
// before anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace pg::core {

using Bytes = std::vector<uint8_t>;

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t reserve) { buf_.reserve(reserve); }

  void put_u8(uint8_t v) { buf_.push_back(v); }
  void put_u16(uint16_t v) { put_le(v, 2); }
  void put_u32(uint32_t v) { put_le(v, 4); }
  void put_u64(uint64_t v) { put_le(v, 8); }
  void put_i64(int64_t v) { put_le(static_cast<uint64_t>(v), 8); }
  void put_f64(double v);
  void put_varint(uint64_t v);
  void put_raw(std::span<const uint8_t> data) { buf_.insert(buf_.end(), data.begin(), data.end()); }
  // Varint length, then the bytes.
  void put_blob(std::span<const uint8_t> data);
  void put_string(const std::string& s);
  // Count (varint), then each word as u64.
  void put_u64_array(std::span<const uint64_t> words);

  size_t size() const { return buf_.size(); }
  const Bytes& bytes() const { return buf_; }
  Bytes take() { return std::move(buf_); }

 private:
  void put_le(uint64_t v, int n);
  Bytes buf_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  Result<uint8_t> get_u8();
  Result<uint16_t> get_u16();
  Result<uint32_t> get_u32();
  Result<uint64_t> get_u64();
  Result<int64_t> get_i64();
  Result<double> get_f64();
  // At most 10 bytes; rejects overlong encodings and values above 2^64 - 1.
  Result<uint64_t> get_varint();
  // A varint that must not exceed max_value.
  Result<uint64_t> get_varint_max(uint64_t max_value, const char* what);
  // Exactly n bytes, as a view into the input.
  Result<std::span<const uint8_t>> get_raw(size_t n);
  // A length-prefixed blob of at most max_len bytes.
  Result<std::span<const uint8_t>> get_blob(size_t max_len);
  Result<std::string> get_string(size_t max_len);
  Result<std::vector<uint64_t>> get_u64_array(size_t max_count);

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  // An error unless every byte was consumed (trailing garbage is malformed input).
  Status expect_end() const;

 private:
  Result<uint64_t> get_le(int n);
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace pg::core
