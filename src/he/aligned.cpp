#include "he/aligned.h"

#include <unordered_map>

namespace pg::he {
namespace {

constexpr std::align_val_t kAlign{64};
constexpr size_t kMinPooled = 4096;
constexpr size_t kMaxPerSize = 16;
constexpr size_t kMaxBytes = size_t{256} << 20;

struct Cache {
  std::unordered_map<size_t, std::vector<void*>> free;
  size_t bytes = 0;
  ~Cache() {
    for (auto& [size, blocks] : free) {
      for (void* p : blocks) ::operator delete(p, kAlign);
    }
  }
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

}  // namespace

void* pool_allocate(size_t bytes) {
  if (bytes >= kMinPooled) {
    Cache& c = cache();
    auto it = c.free.find(bytes);
    if (it != c.free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.bytes -= bytes;
      return p;
    }
  }
  return ::operator new(bytes, kAlign);
}

void pool_deallocate(void* p, size_t bytes) noexcept {
  if (bytes >= kMinPooled) {
    Cache& c = cache();
    if (c.bytes + bytes <= kMaxBytes) {
      try {
        auto& list = c.free[bytes];
        if (list.size() < kMaxPerSize) {
          list.push_back(p);
          c.bytes += bytes;
          return;
        }
      } catch (...) {
        // No room to remember the block: free it below.
      }
    }
  }
  ::operator delete(p, kAlign);
}

}  // namespace pg::he
