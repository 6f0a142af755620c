#include "mpc/block.h"

#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace pg::mpc {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t round_up(size_t bytes, size_t to) {
  return (bytes + to - 1) / to * to;
}

// Freed large buffers kept for reuse: a layer's tables and labels are tens of MiB, and fresh
// pages cost a fault and a kernel clear each (a fifth of the offline time before this cache).
// Secret buffers are wiped before they get here. Bounded by a byte limit; a block of exactly
// the requested rounded size is reused, others are freed.
class BufferCache {
 public:
  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = free_.find(bytes);
    if (it == free_.end()) return nullptr;
    void* p = it->second;
    free_.erase(it);
    cached_ -= bytes;
    return p;
  }
  bool give(void* p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_ + bytes > limit_) return false;
    free_.emplace(bytes, p);
    cached_ += bytes;
    return true;
  }
  void set_limit(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = bytes;
    while (cached_ > limit_ && !free_.empty()) {
      auto it = std::prev(free_.end());
      cached_ -= it->first;
      std::free(it->second);
      free_.erase(it);
    }
  }

 private:
  std::mutex mu_;
  std::multimap<size_t, void*> free_;
  size_t cached_ = 0;
  size_t limit_ = size_t{256} << 20;
};

BufferCache& cache() {
  static auto* c = new BufferCache;  // never destroyed: buffers may be freed during exit
  return *c;
}

}  // namespace

void set_buffer_cache_limit(size_t bytes) {
  cache().set_limit(bytes);
}

void touch_pages(void* p, size_t bytes) {
  auto* b = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < bytes; i += 4096) b[i] = 0;
  if (bytes > 0) b[bytes - 1] = 0;
}

namespace detail {

void* allocate_buffer(size_t bytes, size_t align) {
  if (bytes < kHugePage) return ::operator new(bytes, std::align_val_t(align));
  const size_t rounded = round_up(bytes, kHugePage);
  if (void* p = cache().take(rounded)) return p;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
  madvise(p, rounded, MADV_HUGEPAGE);  // advisory: failure is harmless
  return p;
}

void deallocate_buffer(void* p, size_t bytes, size_t align) {
  if (bytes < kHugePage) {
    ::operator delete(p, std::align_val_t(align));
    return;
  }
  const size_t rounded = round_up(bytes, kHugePage);
  if (!cache().give(p, rounded)) std::free(p);
}

}  // namespace detail
}  // namespace pg::mpc
