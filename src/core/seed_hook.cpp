#include "core/seed_hook.h"

#include <atomic>

namespace pg::core::detail {
namespace {
std::atomic<FixedSeedFn> g_fixed_seed_fn{nullptr};
}  // namespace

// Only pg_core_testing (linked by tests alone) calls this; production binaries never do, so
// os_seed() in a production binary always reads getrandom().
void install_fixed_seed_fn(FixedSeedFn fn) {
  g_fixed_seed_fn.store(fn);
}

bool fixed_seed_hook(Seed& out) {
  FixedSeedFn fn = g_fixed_seed_fn.load();
  return fn != nullptr && fn(out);
}

}  // namespace pg::core::detail
