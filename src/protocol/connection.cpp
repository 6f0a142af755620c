#include "protocol/connection.h"

#include <array>
#include <cstring>

namespace pg::protocol {

using core::ErrorCode;

void FramedStream::send(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    if (out_.capacity() < kStreamChunk) out_.reserve(kStreamChunk);
    const size_t take = std::min(n, kStreamChunk - out_.size());
    out_.insert(out_.end(), p, p + take);
    p += take;
    n -= take;
    if (out_.size() == kStreamChunk) emit();
  }
}

void FramedStream::emit() {
  if (out_.empty()) return;
  const auto h = encode_header(MsgType::kStream, static_cast<uint32_t>(out_.size()));
  inner_.send(h.data(), h.size());
  inner_.send(out_.data(), out_.size());
  out_.clear();
}

void FramedStream::flush() {
  emit();
  inner_.flush();
}

void FramedStream::next_frame() {
  std::array<uint8_t, kFrameHeader> h;
  inner_.recv(h.data(), h.size());
  auto len = decode_header(h, MsgType::kStream, kMaxStreamFrame);
  if (!len.ok()) throw mpc::ChannelError(len.error().code, len.error().message);
  in_.refill(len.value());
  if (len.value() > 0) inner_.recv(in_.bytes.data(), len.value());
  if (static_cast<MsgType>(h[3]) == MsgType::kError) {
    const std::string msg(in_.bytes.begin(), in_.bytes.end());
    in_.refill(0);
    throw mpc::ChannelError(ErrorCode::kProtocol, kPeerReportPrefix + msg);
  }
}

void FramedStream::recv(void* data, size_t n) {
  flush();
  in_.read(data, n, [this] { next_frame(); });
}

Connection::Connection(Link link)
    : link_(std::move(link)), counter_(*link_.channel), stream_(counter_) {}

Connection::~Connection() {
  {
    std::lock_guard<std::mutex> lock(abort_mu_);
    closed_ = true;
  }
  close();
}

core::Status Connection::check_no_stream_left() const {
  if (stream_.has_unread()) {
    return core::make_error(ErrorCode::kProtocol,
                            "the peer sent more two-party stream data than the protocol reads");
  }
  return {};
}

void Connection::send_msg(MsgType type, std::span<const uint8_t> payload) {
  stream_.flush();
  send_frame(counter_, type, payload);
}

core::Result<core::Bytes> Connection::recv_msg(MsgType type, uint32_t max_len) {
  PG_TRY(check_no_stream_left());
  stream_.flush();
  return recv_frame(counter_, type, max_len);
}

core::Result<Frame> Connection::recv_any(std::span<const Accept> accepted) {
  PG_TRY(check_no_stream_left());
  stream_.flush();
  return recv_any_frame(counter_, accepted);
}

core::Error Connection::peer_reason(const core::Error& local) noexcept {
  if (local.code != ErrorCode::kNetwork || is_peer_report(local)) return local;
  try {
    std::array<uint8_t, kFrameHeader> h;
    std::array<uint8_t, 4096> skip;
    uint64_t skipped = 0;  // a hostile peer cannot keep us reading: 64 frames, 64 MiB at most
    for (int frames = 0; frames < 64; ++frames) {
      counter_.recv(h.data(), h.size());
      if (h[0] != 'P' || h[1] != 'G') return local;
      uint32_t len = frame_length(h);
      if (static_cast<MsgType>(h[3]) == MsgType::kError) {
        if (len > skip.size()) return local;
        counter_.recv(skip.data(), len);
        return core::make_error(ErrorCode::kProtocol,
                                kPeerReportPrefix + std::string(skip.begin(), skip.begin() + len));
      }
      skipped += len;
      if (len > kMaxFrame || skipped > (uint64_t{64} << 20)) return local;
      while (len > 0) {
        const uint32_t take = std::min<uint32_t>(len, skip.size());
        counter_.recv(skip.data(), take);
        len -= take;
      }
    }
  } catch (...) {
    // The link is gone without a report: the local error is all there is.
  }
  return local;
}

void Connection::send_error(const std::string& message) noexcept {
  try {
    protocol::send_error(counter_, message);
  } catch (...) {
    // The peer is gone or stalled: it learns of the end from the closed connection instead.
  }
}

void Connection::close() noexcept {
  if (!link_.channel) return;
  try {
    if (link_.close) {
      link_.close();
    } else {
      link_.channel->flush();
    }
  } catch (...) {
    // Closing a connection the peer already dropped: nothing left to tell it.
  }
}

void Connection::abort() noexcept {
  std::lock_guard<std::mutex> lock(abort_mu_);
  if (!closed_ && link_.abort) link_.abort();
}

}  // namespace pg::protocol
