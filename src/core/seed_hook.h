// Internal: the hook through which pg_core_testing fixes os_seed(). Not for use outside core.
#pragma once

#include "core/prg.h"

namespace pg::core::detail {

// If a test installed a fixed seed, writes the next derived seed to `out` and returns true.
bool fixed_seed_hook(Seed& out);

using FixedSeedFn = bool (*)(Seed&);
void install_fixed_seed_fn(FixedSeedFn fn);

}  // namespace pg::core::detail
