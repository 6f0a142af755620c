#include "core/bytes.h"

#include <cstring>

namespace pg::core {
namespace {
Error truncated(size_t want, size_t have) {
  return make_error(ErrorCode::kTruncated, "needed " + std::to_string(want) + " bytes but only " +
                                               std::to_string(have) + " remain");
}
}  // namespace

void ByteWriter::put_le(uint64_t v, int n) {
  for (int i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::put_f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  put_u64(bits);
}

void ByteWriter::put_varint(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<uint8_t>(v));
}

void ByteWriter::put_blob(std::span<const uint8_t> data) {
  put_varint(data.size());
  put_raw(data);
}

void ByteWriter::put_string(const std::string& s) {
  put_blob({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void ByteWriter::put_u64_array(std::span<const uint64_t> words) {
  put_varint(words.size());
  const size_t off = buf_.size();
  buf_.resize(off + words.size() * 8);
  // The host is little-endian x86-64 (checked at configure time), so a copy is the encoding.
  if (!words.empty()) std::memcpy(buf_.data() + off, words.data(), words.size() * 8);
}

Result<uint64_t> ByteReader::get_le(int n) {
  if (remaining() < static_cast<size_t>(n)) return truncated(n, remaining());
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  pos_ += n;
  return v;
}

Result<uint8_t> ByteReader::get_u8() {
  PG_TRY_ASSIGN(uint64_t v, get_le(1));
  return static_cast<uint8_t>(v);
}
Result<uint16_t> ByteReader::get_u16() {
  PG_TRY_ASSIGN(uint64_t v, get_le(2));
  return static_cast<uint16_t>(v);
}
Result<uint32_t> ByteReader::get_u32() {
  PG_TRY_ASSIGN(uint64_t v, get_le(4));
  return static_cast<uint32_t>(v);
}
Result<uint64_t> ByteReader::get_u64() {
  return get_le(8);
}
Result<int64_t> ByteReader::get_i64() {
  PG_TRY_ASSIGN(uint64_t v, get_le(8));
  return static_cast<int64_t>(v);
}
Result<double> ByteReader::get_f64() {
  PG_TRY_ASSIGN(uint64_t bits, get_le(8));
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

Result<uint64_t> ByteReader::get_varint() {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (at_end()) return truncated(1, 0);
    const uint8_t b = data_[pos_++];
    if (i == 9 && b > 1) {
      return make_error(ErrorCode::kMalformed, "varint exceeds 64 bits");
    }
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return make_error(ErrorCode::kMalformed, "overlong varint encoding");
      return v;
    }
  }
  return make_error(ErrorCode::kMalformed, "varint longer than 10 bytes");
}

Result<uint64_t> ByteReader::get_varint_max(uint64_t max_value, const char* what) {
  PG_TRY_ASSIGN(uint64_t v, get_varint());
  if (v > max_value) {
    return make_error(ErrorCode::kTooLarge, std::string(what) + " is " + std::to_string(v) +
                                                ", above the limit of " +
                                                std::to_string(max_value));
  }
  return v;
}

Result<std::span<const uint8_t>> ByteReader::get_raw(size_t n) {
  if (remaining() < n) return truncated(n, remaining());
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<std::span<const uint8_t>> ByteReader::get_blob(size_t max_len) {
  PG_TRY_ASSIGN(uint64_t n, get_varint_max(max_len, "blob length"));
  return get_raw(static_cast<size_t>(n));
}

Result<std::string> ByteReader::get_string(size_t max_len) {
  PG_TRY_ASSIGN(auto view, get_blob(max_len));
  return std::string(view.begin(), view.end());
}

Result<std::vector<uint64_t>> ByteReader::get_u64_array(size_t max_count) {
  PG_TRY_ASSIGN(uint64_t n, get_varint_max(max_count, "array length"));
  // Checked against the bytes that remain before allocating: a huge claimed count with a
  // short input is an error, not a large allocation.
  if (n > remaining() / 8) return truncated(static_cast<size_t>(n) * 8, remaining());
  std::vector<uint64_t> out(static_cast<size_t>(n));
  if (n > 0) std::memcpy(out.data(), data_.data() + pos_, out.size() * 8);
  pos_ += out.size() * 8;
  return out;
}

Status ByteReader::expect_end() const {
  if (at_end()) return {};
  return make_error(ErrorCode::kMalformed,
                    std::to_string(remaining()) + " unexpected trailing bytes");
}

}  // namespace pg::core
