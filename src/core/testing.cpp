#include "core/testing.h"

#include <memory>
#include <mutex>

#include "core/seed_hook.h"

namespace pg::core::testing {
namespace {
std::mutex g_mu;
std::unique_ptr<Prg> g_prg;

bool next_fixed(Seed& out) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_prg) return false;
  out = g_prg->derive_seed();
  return true;
}
}  // namespace

FixedSeedScope::FixedSeedScope(const Seed& seed) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_prg = std::make_unique<Prg>(Prg::from_seed(seed));
  detail::install_fixed_seed_fn(&next_fixed);
}

FixedSeedScope::~FixedSeedScope() {
  detail::install_fixed_seed_fn(nullptr);
  std::lock_guard<std::mutex> lock(g_mu);
  g_prg.reset();
}

Seed seed_of(uint8_t byte) {
  Seed s;
  s.fill(byte);
  return s;
}

}  // namespace pg::core::testing
