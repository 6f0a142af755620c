#include "core/secure.h"

#include <string.h>  // explicit_bzero (glibc)

namespace pg::core {

void secure_zero(void* p, size_t n) {
  if (p != nullptr && n != 0) explicit_bzero(p, n);
}

bool ct_memeq(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const volatile uint8_t*>(a);
  const auto* y = static_cast<const volatile uint8_t*>(b);
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= static_cast<uint8_t>(x[i] ^ y[i]);
  return ct_is_zero(acc) != 0;
}

}  // namespace pg::core
