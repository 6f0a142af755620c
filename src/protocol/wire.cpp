#include "protocol/wire.h"

namespace pg::protocol {

const char* msg_type_name(MsgType t) {
  switch (t) {
    case MsgType::kHello:
      return "hello";
    case MsgType::kArchitecture:
      return "architecture";
    case MsgType::kPublicKey:
      return "public key";
    case MsgType::kPrepRequest:
      return "preprocessing request";
    case MsgType::kPrepReply:
      return "preprocessing reply";
    case MsgType::kStream:
      return "stream";
    case MsgType::kInput:
      return "input";
    case MsgType::kOutput:
      return "output";
    case MsgType::kError:
      return "error";
    case MsgType::kBye:
      return "bye";
    case MsgType::kReady:
      return "ready";
    case MsgType::kPrepBegin:
      return "preprocessing begin";
    case MsgType::kKeepAlive:
      return "keep-alive";
  }
  return "unknown";
}

std::array<uint8_t, kFrameHeader> encode_header(MsgType type, uint32_t length) {
  return {'P',
          'G',
          uint8_t(PG_PROTOCOL_VERSION),
          uint8_t(type),
          uint8_t(length),
          uint8_t(length >> 8),
          uint8_t(length >> 16),
          uint8_t(length >> 24)};
}

core::Result<uint32_t> decode_header(std::span<const uint8_t, kFrameHeader> h, MsgType expected,
                                     uint32_t max_len) {
  const Accept one[] = {{expected, max_len}};
  return decode_header_any(h, one);
}

core::Result<uint32_t> decode_header_any(std::span<const uint8_t, kFrameHeader> h,
                                         std::span<const Accept> accepted) {
  using core::ErrorCode;
  PG_ASSERT(!accepted.empty(), "decode_header_any: nothing accepted");
  if (h[0] != 'P' || h[1] != 'G') {
    return core::make_error(ErrorCode::kMalformed,
                            "the peer sent bytes that are not a Pangolin frame");
  }
  if (h[2] != PG_PROTOCOL_VERSION) {
    return core::make_error(ErrorCode::kUnsupported,
                            "the peer speaks protocol version " + std::to_string(h[2]) +
                                ", this build speaks " + std::to_string(PG_PROTOCOL_VERSION));
  }
  const uint32_t len = frame_length(h);
  const auto type = static_cast<MsgType>(h[3]);
  if (type == MsgType::kError) {
    if (len > 4096) return core::make_error(ErrorCode::kTooLarge, "error frame too large");
    return len;
  }
  const Accept* match = nullptr;
  std::string names;
  for (const auto& a : accepted) {
    if (a.type == type) match = &a;
    names += std::string(names.empty() ? "" : " or ") + msg_type_name(a.type);
  }
  if (match == nullptr) {
    const bool known = h[3] >= 1 && h[3] <= kMaxMsgType;
    return core::make_error(ErrorCode::kProtocol,
                            "expected a message of type " + names + ", got " +
                                (known ? msg_type_name(type) : "an unknown type") + " (type " +
                                std::to_string(h[3]) + ")");
  }
  if (len > match->max_len) {
    return core::make_error(ErrorCode::kTooLarge, std::string("a ") + msg_type_name(type) +
                                                      " message of " + std::to_string(len) +
                                                      " bytes exceeds the limit of " +
                                                      std::to_string(match->max_len));
  }
  return len;
}

}  // namespace pg::protocol
