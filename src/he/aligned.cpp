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

// The cache outlives everything that can still free into it: static objects destroyed after
// the thread's thread_local objects (a context held in a static, say) find it gone and free
// their blocks directly.
thread_local Cache* t_cache = nullptr;
thread_local bool t_gone = false;
struct Reaper {
  ~Reaper() {
    delete t_cache;
    t_cache = nullptr;
    t_gone = true;
  }
};
thread_local Reaper t_reaper;

Cache* cache() {
  if (t_gone) return nullptr;
  if (t_cache == nullptr) {
    (void)&t_reaper;  // registers the reaper for this thread
    t_cache = new Cache;
  }
  return t_cache;
}

}  // namespace

void* pool_allocate(size_t bytes) {
  Cache* c = bytes >= kMinPooled ? cache() : nullptr;
  if (c != nullptr) {
    auto it = c->free.find(bytes);
    if (it != c->free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c->bytes -= bytes;
      return p;
    }
  }
  return ::operator new(bytes, kAlign);
}

void pool_deallocate(void* p, size_t bytes) noexcept {
  // Never creates the cache (a thread that only frees has nothing to reuse).
  Cache* c = bytes >= kMinPooled && !t_gone ? t_cache : nullptr;
  if (c != nullptr && c->bytes + bytes <= kMaxBytes) {
    try {
      auto& list = c->free[bytes];
      if (list.size() < kMaxPerSize) {
        list.push_back(p);
        c->bytes += bytes;
        return;
      }
    } catch (...) {
      // No room to remember the block: free it below.
    }
  }
  ::operator delete(p, kAlign);
}

}  // namespace pg::he
