#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "core/testing.h"
#include "mpc/counting_channel.h"
#include "mpc/memory_channel.h"
#include "mpc/shaped_channel.h"
#include "mpc/tcp_channel.h"
#include "two_party.h"

namespace pg::mpc {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

template <typename F>
ChannelError expect_channel_error(F&& f) {
  try {
    f();
  } catch (const ChannelError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ChannelError";
  return ChannelError(core::ErrorCode::kMalformed, "none");
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Exercises the typed helpers in both directions.
void exchange_helpers(Channel& a, Channel& b) {
  a.send_u32(0xdeadbeef);
  a.send_u64(0x0123456789abcdefull);
  a.send_block(make_block(7, 9));
  const uint8_t bits[2] = {0x5a, 0x03};
  a.send_bits(bits, 10);
  a.flush();
  EXPECT_EQ(b.recv_u32(), 0xdeadbeefu);
  EXPECT_EQ(b.recv_u64(), 0x0123456789abcdefull);
  EXPECT_TRUE(block_eq(b.recv_block(), make_block(7, 9)));
  uint8_t got[2] = {0, 0};
  b.recv_bits(got, 10);
  EXPECT_EQ(got[0], 0x5a);
  EXPECT_EQ(got[1], 0x03);
}

TEST(MemoryChannel, HelpersRoundTripAndLengthsAreBounded) {
  auto [a, b] = MemoryChannel::make_pair();
  exchange_helpers(*a, *b);
  exchange_helpers(*b, *a);
  a->send_u64(1u << 20);
  a->flush();
  const auto e = expect_channel_error([&] { b->recv_u64_bounded(1000, "a table count"); });
  EXPECT_EQ(e.code(), core::ErrorCode::kTooLarge);
  EXPECT_TRUE(contains(e.what(), "a table count")) << e.what();
}

TEST(MemoryChannel, BothSidesMaySendLargeAmountsBeforeReceiving) {
  const size_t n = size_t{16} << 20;
  std::vector<uint8_t> out_a(n, 0xa5), out_b(n, 0x5a), in_a(n), in_b(n);
  test::run_memory(
      [&](Channel& ch) {
        ch.send(out_a.data(), n);
        ch.flush();
        ch.recv(in_a.data(), n);
      },
      [&](Channel& ch) {
        ch.send(out_b.data(), n);
        ch.flush();
        ch.recv(in_b.data(), n);
      });
  EXPECT_EQ(in_a, out_b);
  EXPECT_EQ(in_b, out_a);
}

TEST(MemoryChannel, PeerClosingMidMessageIsANetworkError) {
  auto [a, b] = MemoryChannel::make_pair();
  const uint8_t partial[10] = {};
  a->send(partial, sizeof(partial));
  a.reset();  // destroyed without flush: the buffered bytes are dropped, the channel closes
  std::vector<uint8_t> buf(100);
  const auto e = expect_channel_error([&] { b->recv(buf.data(), buf.size()); });
  EXPECT_EQ(e.code(), core::ErrorCode::kNetwork);
  auto [c, d] = MemoryChannel::make_pair();
  c->send(partial, sizeof(partial));
  c->close();  // flushed: 10 bytes arrive, then the close
  const auto e2 = expect_channel_error([&] { d->recv(buf.data(), buf.size()); });
  EXPECT_TRUE(contains(e2.what(), "closed")) << e2.what();
  const auto e3 = expect_channel_error([&] { d->send(partial, 1), d->flush(); });
  EXPECT_EQ(e3.code(), core::ErrorCode::kNetwork);
}

TEST(MemoryChannel, StalledPeerTimesOut) {
  auto [a, b] = MemoryChannel::make_pair({milliseconds(100), 1024});
  uint8_t x;
  const auto t0 = Clock::now();
  const auto e = expect_channel_error([&] { b->recv(&x, 1); });
  EXPECT_EQ(e.code(), core::ErrorCode::kTimeout);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
}

TEST(TcpChannel, LargeTransfersAndHelpersOverLoopback) {
  const size_t n = size_t{8} << 20;
  std::vector<uint8_t> data(n);
  for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
  std::vector<uint8_t> got(n), back(n);
  test::run_tcp(
      [&](Channel& ch) {
        ch.send(data.data(), n);
        ch.recv(back.data(), n);  // recv flushes first
        ch.send_u64(42);
        ch.send_block(make_block(1, 2));
      },
      [&](Channel& ch) {
        ch.recv(got.data(), n);
        ch.send(got.data(), n);
        EXPECT_EQ(ch.recv_u64(), 42u);
        EXPECT_TRUE(block_eq(ch.recv_block(), make_block(1, 2)));
      });
  EXPECT_EQ(got, data);
  EXPECT_EQ(back, data);
}

TEST(TcpChannel, PortInUseIsReportedClearly) {
  TcpListener first = TcpListener::listen("127.0.0.1", 0);
  const auto e = expect_channel_error([&] { TcpListener::listen("127.0.0.1", first.port()); });
  EXPECT_EQ(e.code(), core::ErrorCode::kNetwork);
  EXPECT_TRUE(contains(e.what(), "already in use")) << e.what();
  EXPECT_TRUE(contains(e.what(), std::to_string(first.port()))) << e.what();
}

TEST(TcpChannel, PeerClosingMidMessageIsANetworkError) {
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  std::thread server([&] {
    auto ch = TcpChannel::accept(listener, std::chrono::seconds(10));
    const uint8_t partial[10] = {};
    ch->send(partial, sizeof(partial));
    ch->close();
  });
  auto ch = TcpChannel::connect("127.0.0.1", listener.port());
  std::vector<uint8_t> buf(100);
  const auto e = expect_channel_error([&] { ch->recv(buf.data(), buf.size()); });
  server.join();
  EXPECT_EQ(e.code(), core::ErrorCode::kNetwork);
  EXPECT_TRUE(contains(e.what(), "closed")) << e.what();
}

TEST(TcpChannel, StalledPeerTimesOutWithinTheBound) {
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  TcpOptions opt;
  opt.io_timeout = milliseconds(200);
  std::thread server([&] {
    auto ch = TcpChannel::accept(listener, std::chrono::seconds(10));
    std::this_thread::sleep_for(milliseconds(1500));  // alive but silent
  });
  auto ch = TcpChannel::connect("127.0.0.1", listener.port(), opt);
  uint8_t x;
  const auto t0 = Clock::now();
  const auto e = expect_channel_error([&] { ch->recv(&x, 1); });
  const auto elapsed = Clock::now() - t0;
  server.join();
  EXPECT_EQ(e.code(), core::ErrorCode::kTimeout) << e.what();
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(1400));
}

TEST(TcpChannel, AcceptAndConnectGiveUpWithinTheirBounds) {
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  const auto e = expect_channel_error([&] { TcpChannel::accept(listener, milliseconds(100)); });
  EXPECT_EQ(e.code(), core::ErrorCode::kTimeout);
  const uint16_t port = listener.port();
  listener.close();  // nobody listens there any more
  TcpOptions opt;
  opt.connect_attempts = 3;
  opt.retry_delay = milliseconds(20);
  const auto e2 = expect_channel_error([&] { TcpChannel::connect("127.0.0.1", port, opt); });
  EXPECT_EQ(e2.code(), core::ErrorCode::kNetwork);
  EXPECT_TRUE(contains(e2.what(), "after 3 attempt(s)")) << e2.what();
}

TEST(CountingChannel, CountsBytesAndRoundsPerPhase) {
  test::run_memory(
      [&](Channel& raw) {
        CountingChannel ch(raw);
        {
          PhaseScope p(ch, "offline");
          std::vector<uint8_t> big(1000);
          ch.send(big.data(), 600);
          ch.send(big.data(), 400);  // same direction: still one round
          ch.recv(big.data(), 10);
          ch.send(big.data(), 1);
        }
        PhaseScope p(ch, "online");
        uint8_t b;
        ch.recv(&b, 1);
        const TrafficStats off = ch.phase_stats("offline");
        EXPECT_EQ(off.bytes_sent, 1001u);
        EXPECT_EQ(off.bytes_received, 10u);
        EXPECT_EQ(off.rounds, 3u);
        EXPECT_EQ(ch.phase_stats("online").rounds, 1u);
        EXPECT_EQ(ch.total().bytes_total(), 1012u);
      },
      [&](Channel& ch) {
        std::vector<uint8_t> buf(1000);
        ch.recv(buf.data(), 1000);
        ch.send(buf.data(), 10);
        ch.recv(buf.data(), 1);
        ch.send(buf.data(), 1);
      });
}

TEST(ShapedChannel, AddsLatencyPerDirectionChangeAndLimitsBandwidth) {
  LinkShape shape{10e6, std::chrono::microseconds(20'000)};  // 10 MB/s, 20 ms
  const size_t n = 1'000'000;                                // 100 ms at 10 MB/s
  std::vector<uint8_t> data(n, 3), got(n);
  Clock::duration ping_pong{}, bulk{};
  test::run_memory(
      [&](Channel& raw) {
        ShapedChannel ch(raw, shape);
        uint8_t b = 1;
        const auto t0 = Clock::now();
        for (int i = 0; i < 3; ++i) {
          ch.send(&b, 1);
          ch.recv(&b, 1);
        }
        ping_pong = Clock::now() - t0;
        const auto t1 = Clock::now();
        ch.send(data.data(), n);
        ch.recv(&b, 1);
        bulk = Clock::now() - t1;
      },
      [&](Channel& raw) {
        ShapedChannel ch(raw, shape);
        uint8_t b;
        for (int i = 0; i < 3; ++i) {
          ch.recv(&b, 1);
          ch.send(&b, 1);
        }
        ch.recv(got.data(), n);
        ch.send(&b, 1);
        ch.flush();  // a wrapper destroyed unflushed drops its buffer, as the others do
      });
  EXPECT_EQ(got, data);
  EXPECT_GE(ping_pong, milliseconds(3 * 2 * 20));  // three round trips of 2 × 20 ms
  EXPECT_GE(bulk, milliseconds(100 + 2 * 20));     // serialisation plus a round trip
}

// The peer's arrival stamp is bounded by the link: a garbage stamp minutes ahead must end the
// read with an error, not put the receiver to sleep (a fuzzed stamp once slept for minutes).
void send_stamped_frame(Channel& raw, uint64_t arrival_ns) {
  uint8_t frame[12 + 1] = {1, 0, 0, 0};
  for (size_t i = 0; i < 8; ++i) frame[4 + i] = static_cast<uint8_t>(arrival_ns >> (8 * i));
  frame[12] = 0x5a;
  raw.send(frame, sizeof(frame));
  raw.flush();
}

uint64_t monotonic_ns_from_now(std::chrono::nanoseconds ahead) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   (std::chrono::steady_clock::now() + ahead).time_since_epoch())
                                   .count());
}

TEST(ShapedChannel, StampBeyondTheLinkIsRefusedWithoutSleeping) {
  for (const LinkShape& link : {LinkShape{}, LinkShape::lan(), LinkShape::wan()}) {
    auto [a, b] = MemoryChannel::make_pair();
    ShapedChannel shaped(*b, link);
    // The most an honest peer can be ahead is one frame's serialisation plus the latency.
    const double frame_s = link.bandwidth_bytes_per_s > 0
                               ? double(ShapedChannel::kMaxFrame) / link.bandwidth_bytes_per_s
                               : 0;
    const auto ahead = std::chrono::duration_cast<std::chrono::nanoseconds>(
        link.latency + std::chrono::duration<double>(frame_s) + std::chrono::seconds(2));
    send_stamped_frame(*a, monotonic_ns_from_now(ahead));
    uint8_t x = 0;
    const auto t0 = Clock::now();
    const auto e = expect_channel_error([&] { shaped.recv(&x, 1); });
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));  // refused, not slept on
    EXPECT_EQ(e.code(), core::ErrorCode::kMalformed);
    EXPECT_NE(std::string(e.what()).find("later than the link allows"), std::string::npos);
  }
}

// An honest sender far ahead of its reader (all of it buffered in memory) never trips the bound.
TEST(ShapedChannel, SenderFarAheadOfTheReaderStaysWithinTheBound) {
  const LinkShape link{64e6, std::chrono::microseconds(2'000)};  // 64 MB/s, 2 ms
  const size_t n = 4 << 20;                                      // 64 frames, 65 ms of link
  std::vector<uint8_t> data(n), got(n);
  for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 131);
  auto [a, b] = MemoryChannel::make_pair();
  ShapedChannel tx(*a, link);
  ShapedChannel rx(*b, link);
  tx.send(data.data(), n);
  tx.flush();
  rx.recv(got.data(), n);
  EXPECT_EQ(got, data);
}

TEST(ShapedChannel, StampWithinTheLatencyIsHonoured) {
  const LinkShape link{0, std::chrono::microseconds(30'000)};
  auto [a, b] = MemoryChannel::make_pair();
  ShapedChannel shaped(*b, link);
  const auto t0 = Clock::now();
  send_stamped_frame(*a, monotonic_ns_from_now(milliseconds(25)));
  uint8_t x = 0;
  shaped.recv(&x, 1);
  EXPECT_EQ(x, 0x5a);
  EXPECT_GE(Clock::now() - t0, milliseconds(25));  // it waited for the stamped arrival
}

TEST(ShapedChannel, ANegativeShapeInEitherDirectionIsRefused) {
  auto [a, b] = MemoryChannel::make_pair();
  const LinkShape bad{-1.0, std::chrono::microseconds(0)};
  const LinkShape late{0, std::chrono::microseconds(-5)};
  for (const auto& [out, in] : {std::pair{bad, LinkShape{}}, std::pair{LinkShape{}, late}}) {
    try {
      ShapedChannel shaped(*a, out, in);
      ADD_FAILURE() << "a negative shape was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_STREQ(e.what(), "ShapedChannel: bandwidth and latency must not be negative");
    }
  }
}

TEST(ShapedChannel, UnshapedPeerIsDetected) {
  auto [a, b] = MemoryChannel::make_pair();
  ShapedChannel shaped(*b, {});
  const uint8_t junk[16] = {0xff, 0xff, 0xff, 0xff};
  a->send(junk, sizeof(junk));
  a->flush();
  uint8_t x;
  const auto e = expect_channel_error([&] { shaped.recv(&x, 1); });
  EXPECT_EQ(e.code(), core::ErrorCode::kMalformed);
}

}  // namespace
}  // namespace pg::mpc
