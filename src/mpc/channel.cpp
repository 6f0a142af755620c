#include "mpc/channel.h"

#include <array>

namespace pg::mpc {

void Channel::send_u32(uint32_t v) {
  std::array<uint8_t, 4> b;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  send(b.data(), b.size());
}

uint32_t Channel::recv_u32() {
  std::array<uint8_t, 4> b;
  recv(b.data(), b.size());
  uint32_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= static_cast<uint32_t>(b[i]) << (8 * i);
  return v;
}

void Channel::send_u64(uint64_t v) {
  std::array<uint8_t, 8> b;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  send(b.data(), b.size());
}

uint64_t Channel::recv_u64() {
  std::array<uint8_t, 8> b;
  recv(b.data(), b.size());
  uint64_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
  return v;
}

uint64_t Channel::recv_u64_bounded(uint64_t max_value, const char* what) {
  const uint64_t v = recv_u64();
  if (v > max_value) {
    throw ChannelError(core::ErrorCode::kTooLarge, std::string("the peer sent ") + what + " = " +
                                                       std::to_string(v) + ", above the limit of " +
                                                       std::to_string(max_value));
  }
  return v;
}

}  // namespace pg::mpc
