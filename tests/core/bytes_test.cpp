#include "core/bytes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace pg::core {
namespace {

TEST(Bytes, RoundTripOfEveryType) {
  ByteWriter w;
  w.put_u8(0xab);
  w.put_u16(0xbeef);
  w.put_u32(0xdeadbeef);
  w.put_u64(0x0123456789abcdefULL);
  w.put_i64(-5);
  w.put_f64(-1.5e300);
  w.put_f64(std::numeric_limits<double>::quiet_NaN());
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, ~uint64_t{0}}) {
    w.put_varint(v);
  }
  const std::vector<uint8_t> blob = {1, 2, 3};
  w.put_blob(blob);
  w.put_string("pangolin");
  const std::vector<uint64_t> words = {0, 1, ~uint64_t{0}, 42};
  w.put_u64_array(words);

  ByteReader r(w.bytes());
  EXPECT_EQ(r.get_u8().value(), 0xab);
  EXPECT_EQ(r.get_u16().value(), 0xbeef);
  EXPECT_EQ(r.get_u32().value(), 0xdeadbeefu);
  EXPECT_EQ(r.get_u64().value(), 0x0123456789abcdefULL);
  EXPECT_EQ(r.get_i64().value(), -5);
  EXPECT_EQ(r.get_f64().value(), -1.5e300);
  EXPECT_TRUE(std::isnan(r.get_f64().value()));
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, ~uint64_t{0}}) {
    EXPECT_EQ(r.get_varint().value(), v);
  }
  auto b = r.get_blob(16).value();
  EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.end()), blob);
  EXPECT_EQ(r.get_string(100).value(), "pangolin");
  EXPECT_EQ(r.get_u64_array(10).value(), words);
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(Bytes, LittleEndianLayout) {
  ByteWriter w;
  w.put_u32(0x01020304);
  EXPECT_EQ(w.bytes(), (std::vector<uint8_t>{4, 3, 2, 1}));
  ByteWriter v;
  v.put_varint(300);
  EXPECT_EQ(v.bytes(), (std::vector<uint8_t>{0xac, 0x02}));
}

TEST(Bytes, ReadPastEndIsTruncatedError) {
  const std::vector<uint8_t> data = {1, 2, 3};
  ByteReader r(data);
  auto v = r.get_u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(v.error().message, "needed 4 bytes but only 3 remain");
  EXPECT_EQ(r.position(), 0u);  // a failed read consumes nothing
  EXPECT_EQ(r.get_u16().value(), 0x0201);
  EXPECT_FALSE(r.get_u16().ok());
  EXPECT_FALSE(r.get_u64().ok());
  EXPECT_FALSE(r.get_raw(2).ok());
  EXPECT_EQ(r.get_u8().value(), 3);
  EXPECT_FALSE(r.get_u8().ok());
  EXPECT_FALSE(r.get_varint().ok());
  EXPECT_FALSE(r.get_f64().ok());
  EXPECT_FALSE(r.get_i64().ok());
}

TEST(Bytes, OversizedLengthIsRejectedBeforeAllocation) {
  ByteWriter w;
  w.put_varint(1000);
  w.put_raw(std::vector<uint8_t>(10, 0));
  ByteReader r(w.bytes());
  auto b = r.get_blob(100);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(b.error().message, "blob length is 1000, above the limit of 100");

  // Within the bound, but more than the input holds.
  ByteReader r2(w.bytes());
  auto b2 = r2.get_blob(5000);
  ASSERT_FALSE(b2.ok());
  EXPECT_EQ(b2.error().code, ErrorCode::kTruncated);

  // A huge array count with a short input: truncated, no allocation of 2^40 words.
  ByteWriter a;
  a.put_varint(uint64_t{1} << 40);
  ByteReader r3(a.bytes());
  auto arr = r3.get_u64_array(~size_t{0});
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.error().code, ErrorCode::kTruncated);
  ByteReader r4(a.bytes());
  auto arr2 = r4.get_u64_array(16);
  ASSERT_FALSE(arr2.ok());
  EXPECT_EQ(arr2.error().message, "array length is 1099511627776, above the limit of 16");
}

TEST(Bytes, MalformedVarints) {
  // Eleven continuation bytes.
  std::vector<uint8_t> tooLong(11, 0x80);
  ByteReader r1(tooLong);
  auto v1 = r1.get_varint();
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.error().code, ErrorCode::kMalformed);
  // A tenth byte above 1 overflows 64 bits.
  std::vector<uint8_t> overflow(9, 0xff);
  overflow.push_back(0x02);
  ByteReader r2(overflow);
  auto v2 = r2.get_varint();
  ASSERT_FALSE(v2.ok());
  EXPECT_EQ(v2.error().message, "varint exceeds 64 bits");
  // Overlong: 0x80 0x00 encodes 0 in two bytes.
  std::vector<uint8_t> overlong = {0x80, 0x00};
  ByteReader r3(overlong);
  auto v3 = r3.get_varint();
  ASSERT_FALSE(v3.ok());
  EXPECT_EQ(v3.error().message, "overlong varint encoding");
  // Truncated in the middle.
  std::vector<uint8_t> cut = {0x80, 0x80};
  ByteReader r4(cut);
  EXPECT_EQ(r4.get_varint().error().code, ErrorCode::kTruncated);
}

TEST(Bytes, TrailingBytesAreMalformed) {
  const std::vector<uint8_t> data = {1, 2};
  ByteReader r(data);
  ASSERT_TRUE(r.get_u8().ok());
  auto s = r.expect_end();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().to_string(), "malformed: 1 unexpected trailing bytes");
}

TEST(Bytes, StringLimit) {
  ByteWriter w;
  w.put_string("abcdef");
  ByteReader r(w.bytes());
  auto s = r.get_string(3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace pg::core
