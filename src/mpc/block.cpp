#include "mpc/block.h"

#include <sys/mman.h>

#include <cstdlib>

namespace pg::mpc::detail {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t round_up(size_t bytes, size_t to) {
  return (bytes + to - 1) / to * to;
}

}  // namespace

void* allocate_buffer(size_t bytes, size_t align) {
  if (bytes < kHugePage) return ::operator new(bytes, std::align_val_t(align));
  void* p = std::aligned_alloc(kHugePage, round_up(bytes, kHugePage));
  if (p == nullptr) throw std::bad_alloc();
  madvise(p, round_up(bytes, kHugePage), MADV_HUGEPAGE);  // advisory: failure is harmless
  return p;
}

void deallocate_buffer(void* p, size_t bytes, size_t align) {
  if (bytes < kHugePage) {
    ::operator delete(p, std::align_val_t(align));
  } else {
    std::free(p);
  }
}

}  // namespace pg::mpc::detail
