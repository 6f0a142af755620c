#include "mpc/memory_channel.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

namespace pg::mpc {
namespace {

// Recycled chunks kept per direction (16 MiB at the default buffer size): enough to cover a
// producer running well ahead of its reader without holding memory for long.
constexpr size_t kPooledChunks = 64;

}  // namespace

// One direction: the writer appends chunks, the reader consumes them from the front and hands
// emptied chunks back through a small pool, so steady streaming allocates nothing.
struct MemoryChannel::Pipe {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<SecretBytes> chunks;
  std::vector<SecretBytes> pool;
  size_t front_pos = 0;  // bytes of chunks.front() already consumed
  bool writer_closed = false;
  bool reader_closed = false;
};

std::pair<std::unique_ptr<MemoryChannel>, std::unique_ptr<MemoryChannel>> MemoryChannel::make_pair(
    const MemoryChannelOptions& options) {
  auto a_to_b = std::make_shared<Pipe>();
  auto b_to_a = std::make_shared<Pipe>();
  std::unique_ptr<MemoryChannel> a(new MemoryChannel(a_to_b, b_to_a, options));
  std::unique_ptr<MemoryChannel> b(new MemoryChannel(b_to_a, a_to_b, options));
  return {std::move(a), std::move(b)};
}

MemoryChannel::MemoryChannel(std::shared_ptr<Pipe> out, std::shared_ptr<Pipe> in,
                             const MemoryChannelOptions& options)
    : out_(std::move(out)), in_(std::move(in)), options_(options) {
  if (options_.buffer_bytes == 0) options_.buffer_bytes = 1;
  wbuf_.reserve(options_.buffer_bytes);
}

MemoryChannel::~MemoryChannel() {
  // Unsent bytes are dropped, as a socket closed without a flush drops them.
  wbuf_.clear();
  try {
    close();
  } catch (const ChannelError&) {
    // The peer is gone already; nothing to report from a destructor.
  }
}

void MemoryChannel::close() {
  if (closed_) return;
  if (!wbuf_.empty()) flush();
  closed_ = true;
  {
    std::lock_guard<std::mutex> lock(out_->mu);
    out_->writer_closed = true;
    out_->cv.notify_all();
  }
  std::lock_guard<std::mutex> lock(in_->mu);
  in_->reader_closed = true;
  in_->chunks.clear();
  in_->pool.clear();
  in_->cv.notify_all();
}

void MemoryChannel::push(SecretBytes chunk) {
  std::lock_guard<std::mutex> lock(out_->mu);
  if (out_->reader_closed) {
    throw ChannelError(core::ErrorCode::kNetwork, "the peer closed the in-memory channel");
  }
  out_->chunks.push_back(std::move(chunk));
  out_->cv.notify_one();
}

void MemoryChannel::send(const void* data, size_t n) {
  if (closed_) throw ChannelError(core::ErrorCode::kNetwork, "send on a closed channel");
  const auto* p = static_cast<const uint8_t*>(data);
  // Every chunk is at most buffer_bytes, so the reader can hand each one back for reuse: a
  // large flight then cycles through the pool instead of allocating (and faulting in, and
  // wiping on release) fresh memory for every send.
  while (n > 0) {
    const size_t take = std::min(n, options_.buffer_bytes - wbuf_.size());
    append_bytes(wbuf_, p, take);
    p += take;
    n -= take;
    if (wbuf_.size() == options_.buffer_bytes) flush();
  }
}

void MemoryChannel::flush() {
  if (wbuf_.empty()) return;
  SecretBytes next;
  {
    std::lock_guard<std::mutex> lock(out_->mu);
    if (!out_->pool.empty()) {
      next = std::move(out_->pool.back());
      out_->pool.pop_back();
    }
  }
  push(std::move(wbuf_));
  wbuf_ = std::move(next);
  wbuf_.clear();
  wbuf_.reserve(options_.buffer_bytes);
}

void MemoryChannel::recv(void* data, size_t n) {
  if (closed_) throw ChannelError(core::ErrorCode::kNetwork, "recv on a closed channel");
  flush();
  auto* dst = static_cast<uint8_t*>(data);
  std::unique_lock<std::mutex> lock(in_->mu);
  while (n > 0) {
    if (!in_->chunks.empty()) {
      auto& front = in_->chunks.front();
      const size_t take = std::min(n, front.size() - in_->front_pos);
      std::memcpy(dst, front.data() + in_->front_pos, take);
      dst += take;
      n -= take;
      in_->front_pos += take;
      if (in_->front_pos == front.size()) {
        if (in_->pool.size() < kPooledChunks && front.capacity() <= options_.buffer_bytes) {
          in_->pool.push_back(std::move(front));
        }
        in_->chunks.pop_front();
        in_->front_pos = 0;
      }
      continue;
    }
    if (in_->writer_closed) {
      throw ChannelError(core::ErrorCode::kNetwork, "the peer closed the in-memory channel with " +
                                                        std::to_string(n) +
                                                        " expected bytes still missing");
    }
    // The deadline restarts whenever data arrives: a stall, not a slow transfer, times out.
    if (in_->cv.wait_for(lock, options_.timeout) == std::cv_status::timeout &&
        in_->chunks.empty() && !in_->writer_closed) {
      throw ChannelError(core::ErrorCode::kTimeout, "the peer sent nothing for " +
                                                        std::to_string(options_.timeout.count()) +
                                                        " ms (in-memory channel)");
    }
  }
}

}  // namespace pg::mpc
