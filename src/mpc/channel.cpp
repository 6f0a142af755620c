#include "mpc/channel.h"

#include <array>

namespace pg::mpc {

namespace {

template <typename T>
void send_le(Channel& ch, T v) {
  std::array<uint8_t, sizeof(T)> b;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  ch.send(b.data(), b.size());
}

template <typename T>
T recv_le(Channel& ch) {
  std::array<uint8_t, sizeof(T)> b;
  ch.recv(b.data(), b.size());
  T v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= static_cast<T>(static_cast<T>(b[i]) << (8 * i));
  return v;
}

}  // namespace

void Channel::send_u32(uint32_t v) {
  send_le(*this, v);
}
uint32_t Channel::recv_u32() {
  return recv_le<uint32_t>(*this);
}
void Channel::send_u64(uint64_t v) {
  send_le(*this, v);
}
uint64_t Channel::recv_u64() {
  return recv_le<uint64_t>(*this);
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
