// Framing of every message between client and server (PROTOCOL.md §6):
//   magic "PG" (2 bytes) | protocol version (1) | type (1) | payload length (u32 LE) | payload
// The receiver checks magic, version, type and length against the caller's bound *before*
// allocating the payload, so a hostile peer can neither make it allocate nor desynchronise it.
// An kError frame carries the peer's message and ends the session on both sides.
// The functions are templates over the channel (anything with send(const void*, size_t),
// recv(void*, size_t) and flush()).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "core/version.h"

namespace pg::protocol {

enum class MsgType : uint8_t {
  kHello = 1,         // client → server: version, options
  kArchitecture = 2,  // server → client: the plan's architecture and HE parameters
  kPublicKey = 3,     // client → server: its RLWE public key (seeded)
  kPrepRequest = 4,   // client → server: encrypted masks of one preprocessing set
  kPrepReply = 5,     // server → client: re-randomised, modulus-switched products
  kStream = 6,        // a chunk of the two-party layer's byte stream (OT, garbled tables)
  kInput = 7,         // client → server: x̂ = enc(x) − r
  kOutput = 8,        // server → client: its share of the logits
  kError = 9,         // either way: a message, then the session ends
  kBye = 10,          // either way: a clean end of session
  kReady = 11,        // server → client: the handshake (or the join) succeeded
  kPrepBegin = 12,    // client → server: the preprocessing of a new material set starts
  kKeepAlive = 13,    // client → server: nothing to do yet (keeps idle timeouts away)
};
inline constexpr uint8_t kMaxMsgType = 13;

const char* msg_type_name(MsgType t);

inline constexpr size_t kFrameHeader = 8;
inline constexpr uint32_t kMaxFrame = 1u << 30;

std::array<uint8_t, kFrameHeader> encode_header(MsgType type, uint32_t length);
// The payload length field of a header, unchecked.
inline uint32_t frame_length(std::span<const uint8_t, kFrameHeader> h) {
  return uint32_t(h[4]) | (uint32_t(h[5]) << 8) | (uint32_t(h[6]) << 16) | (uint32_t(h[7]) << 24);
}
// Checks the header against what the caller expects; returns the payload length.
core::Result<uint32_t> decode_header(std::span<const uint8_t, kFrameHeader> header,
                                     MsgType expected, uint32_t max_len);

// A message type the receiver accepts at this point, with its own payload bound.
struct Accept {
  MsgType type;
  uint32_t max_len;
};
// The same check against several acceptable types (an kError frame is always acceptable).
core::Result<uint32_t> decode_header_any(std::span<const uint8_t, kFrameHeader> header,
                                         std::span<const Accept> accepted);

template <typename Channel>
void send_frame(Channel& ch, MsgType type, std::span<const uint8_t> payload) {
  PG_ASSERT(payload.size() <= kMaxFrame, "frame too large");
  const auto h = encode_header(type, static_cast<uint32_t>(payload.size()));
  ch.send(h.data(), h.size());
  if (!payload.empty()) ch.send(payload.data(), payload.size());
  ch.flush();
}

template <typename Channel>
void send_error(Channel& ch, const std::string& message) {
  send_frame(
      ch, MsgType::kError,
      {reinterpret_cast<const uint8_t*>(message.data()), std::min<size_t>(message.size(), 4096)});
}

struct Frame {
  MsgType type;
  core::Bytes payload;
};

// The prefix of every error that carries the peer's own kError message.
inline constexpr const char* kPeerReportPrefix = "the peer reported: ";
inline bool is_peer_report(const core::Error& e) {
  return e.message.rfind(kPeerReportPrefix, 0) == 0;
}

// Receives one frame of any of the accepted types (at least one). A kError frame from the peer
// becomes an Error carrying its message.
template <typename Channel>
core::Result<Frame> recv_any_frame(Channel& ch, std::span<const Accept> accepted) {
  std::array<uint8_t, kFrameHeader> h;
  ch.recv(h.data(), h.size());
  PG_TRY_ASSIGN(uint32_t len, decode_header_any(h, accepted));
  Frame f{static_cast<MsgType>(h[3]), {}};
  // Address space for the claimed length is reserved at once (no copies as it fills), but pages
  // are written, and so become resident, only as the bytes arrive: a header that claims a large
  // payload costs the peer as many bytes as it costs us memory.
  f.payload.reserve(len);
  constexpr size_t kChunk = size_t{1} << 20;
  for (size_t got = 0; got < len;) {
    const size_t take = std::min<size_t>(len - got, kChunk);
    f.payload.resize(got + take);
    ch.recv(f.payload.data() + got, take);
    got += take;
  }
  if (f.type == MsgType::kError) {
    return core::make_error(core::ErrorCode::kProtocol,
                            kPeerReportPrefix + std::string(f.payload.begin(), f.payload.end()));
  }
  return f;
}

// Receives one frame of the expected type and at most max_len payload bytes.
template <typename Channel>
core::Result<core::Bytes> recv_frame(Channel& ch, MsgType expected, uint32_t max_len) {
  const Accept one[] = {{expected, max_len}};
  PG_TRY_ASSIGN(Frame f, recv_any_frame(ch, std::span<const Accept>(one)));
  return std::move(f.payload);
}

}  // namespace pg::protocol
