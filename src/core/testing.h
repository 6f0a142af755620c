// Test-only: deterministic seeding of os_seed(), for golden transcripts and reproducible tests.
// Defined in the pg_core_testing library, which only test executables link.
#pragma once

#include "core/prg.h"

namespace pg::core::testing {

// While alive, every os_seed() call returns the next seed of a PRG seeded with `seed`.
class FixedSeedScope {
 public:
  explicit FixedSeedScope(const Seed& seed);
  ~FixedSeedScope();
  FixedSeedScope(const FixedSeedScope&) = delete;
  FixedSeedScope& operator=(const FixedSeedScope&) = delete;
};

// A seed filled with one byte value, for readable test code.
Seed seed_of(uint8_t byte);

}  // namespace pg::core::testing
