#include "protocol/wire.h"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <stdexcept>
#include <string>

#include "protocol/messages.h"

namespace pg::protocol {
namespace {

// A loopback byte pipe: what is sent is what is received; reading past the end throws, as a
// closed connection does.
struct Pipe {
  std::deque<uint8_t> q;
  size_t flushes = 0;
  void send(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    q.insert(q.end(), b, b + n);
  }
  void recv(void* p, size_t n) {
    if (q.size() < n) throw std::runtime_error("peer closed the connection");
    auto* b = static_cast<uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) {
      b[i] = q.front();
      q.pop_front();
    }
  }
  void flush() { ++flushes; }
};

TEST(Wire, FramesRoundTrip) {
  Pipe p;
  const core::Bytes payload = {1, 2, 3, 4, 5};
  send_frame(p, MsgType::kInput, payload);
  send_frame(p, MsgType::kBye, {});
  EXPECT_EQ(p.flushes, 2u);
  EXPECT_EQ(p.q.size(), 2 * kFrameHeader + payload.size());
  auto got = recv_frame(p, MsgType::kInput, 100);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value(), payload);
  auto bye = recv_frame(p, MsgType::kBye, 0);
  ASSERT_TRUE(bye.ok());
  EXPECT_TRUE(bye.value().empty());
}

TEST(Wire, UnexpectedTypeIsAProtocolError) {
  Pipe p;
  send_frame(p, MsgType::kOutput, core::Bytes{9});
  auto got = recv_frame(p, MsgType::kArchitecture, 100);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, core::ErrorCode::kProtocol);
  EXPECT_EQ(got.error().message, "expected a message of type architecture, got output (type 8)");
}

TEST(Wire, OversizedFrameIsRejectedBeforeAllocation) {
  Pipe p;
  const auto h = encode_header(MsgType::kPrepReply, 0xfffffff0u);
  p.send(h.data(), h.size());  // a header that claims ~4 GiB with no payload behind it
  auto got = recv_frame(p, MsgType::kPrepReply, 1 << 20);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, core::ErrorCode::kTooLarge);
  EXPECT_EQ(got.error().message,
            "a preprocessing reply message of 4294967280 bytes exceeds the limit of 1048576");
}

TEST(Wire, GarbageAndVersionMismatch) {
  Pipe p;
  const char* junk = "GET / HTTP/1.1\r\n";
  p.send(junk, 16);
  auto got = recv_frame(p, MsgType::kHello, 100);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "the peer sent bytes that are not a Pangolin frame");

  Pipe q;
  auto h = encode_header(MsgType::kHello, 0);
  h[2] = 99;
  q.send(h.data(), h.size());
  auto v = recv_frame(q, MsgType::kHello, 100);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, core::ErrorCode::kUnsupported);
  EXPECT_EQ(v.error().message, "the peer speaks protocol version 99, this build speaks " +
                                   std::to_string(PG_PROTOCOL_VERSION));
}

TEST(Wire, ErrorFramesCarryThePeersMessage) {
  Pipe p;
  send_error(p, "image has the wrong size");
  auto got = recv_frame(p, MsgType::kOutput, 100);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "the peer reported: image has the wrong size");
}

TEST(Wire, TruncatedFrameSurfacesTheChannelError) {
  Pipe p;
  const auto h = encode_header(MsgType::kInput, 10);
  p.send(h.data(), h.size());
  p.send("abc", 3);
  EXPECT_THROW((void)recv_frame(p, MsgType::kInput, 100), std::runtime_error);
}

// A header may claim up to the message's bound (hundreds of MiB for key material); the receiver's
// memory must grow only with the bytes that arrive, so a 12-byte lie costs it nothing.
uint64_t status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(std::string(field).size()));
  }
  return 0;
}

TEST(Wire, ClaimedLengthIsNotAllocatedBeforeTheBytesArrive) {
  {
    std::ofstream reset("/proc/self/clear_refs");
    reset << "5";  // resets VmHWM to the current RSS
    if (!reset) GTEST_SKIP() << "cannot reset the peak RSS here";
  }
  const uint64_t before = status_kib("VmRSS:");
  Pipe p;
  const uint32_t claimed = 400u << 20;
  const auto h = encode_header(MsgType::kPrepRequest, claimed);
  p.send(h.data(), h.size());
  p.send("only a few bytes", 16);
  EXPECT_THROW((void)recv_frame(p, MsgType::kPrepRequest, claimed), std::runtime_error);
  const uint64_t peak = status_kib("VmHWM:");
  EXPECT_LT(peak, before + (64u << 10)) << "KiB: the claimed 400 MiB were allocated up front";
}

// The Welcome carries the HE setup digest and the label-only flag; a flag other than 0 or 1 is
// malformed.
TEST(Messages, WelcomeRoundTripsAndRefusesABadLabelOnlyFlag) {
  Welcome w;
  w.session_id = 7;
  w.pool_limit = 3;
  w.he_setup[0] = 0xab;
  w.he_setup[31] = 0xcd;
  w.label_only = true;
  w.architecture = {1, 2, 3};
  core::Bytes bytes = encode_welcome(w);
  auto back = decode_welcome(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value().he_setup, w.he_setup);
  EXPECT_TRUE(back.value().label_only);
  EXPECT_EQ(back.value().architecture, w.architecture);
  // session id (8) + token (32) + pool limit (1) + scheme (1) + packing (1) + digest (32)
  const size_t flag_at = 8 + 32 + 1 + 1 + 1 + 32;
  ASSERT_EQ(bytes[flag_at], 1);
  bytes[flag_at] = 2;
  auto bad = decode_welcome(bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kMalformed);
  EXPECT_NE(bad.error().message.find("a label-only flag other than 0/1"), std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace pg::protocol
