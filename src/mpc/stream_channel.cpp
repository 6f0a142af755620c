#include "mpc/stream_channel.h"

#include <cstring>

namespace pg::mpc {

StreamChannel::StreamChannel(size_t buffer_bytes) : wbuf_(buffer_bytes), rbuf_(buffer_bytes) {}

void StreamChannel::send(const void* data, size_t n) {
  if (n == 0) return;
  const auto* p = static_cast<const uint8_t*>(data);
  if (wlen_ + n > wbuf_.size()) {
    flush();
    if (n >= wbuf_.size()) {  // large writes bypass the buffer
      write_all(p, n);
      return;
    }
  }
  std::memcpy(wbuf_.data() + wlen_, p, n);
  wlen_ += n;
}

void StreamChannel::flush() {
  if (wlen_ == 0) return;
  const size_t n = wlen_;
  wlen_ = 0;
  write_all(wbuf_.data(), n);
}

void StreamChannel::recv(void* data, size_t n) {
  flush();
  if (n == 0) return;
  auto* dst = static_cast<uint8_t*>(data);
  const size_t cached = std::min(n, rlen_ - rpos_);
  std::memcpy(dst, rbuf_.data() + rpos_, cached);
  rpos_ += cached;
  dst += cached;
  n -= cached;
  while (n > 0) {
    if (n >= rbuf_.size()) {  // large reads go straight to the destination
      const size_t got = read_some(dst, n);
      dst += got;
      n -= got;
      continue;
    }
    rlen_ = read_some(rbuf_.data(), rbuf_.size());
    rpos_ = std::min(n, rlen_);
    std::memcpy(dst, rbuf_.data(), rpos_);
    dst += rpos_;
    n -= rpos_;
  }
}

void StreamChannel::close_stream(Socket& socket, const std::function<void()>& goodbye) {
  if (!socket.valid()) return;
  try {
    flush();
  } catch (const ChannelError&) {
    socket.close();
    throw;
  }
  goodbye();
  socket.shutdown_write();
  socket.close();
}

void StreamChannel::drop_buffers() {
  wlen_ = 0;
  rpos_ = rlen_ = 0;
}

}  // namespace pg::mpc
