// The start-up self-check behind `pangolin selfcheck`: CPU features and known-answer tests of
// AES-128 (FIPS-197 C.1) and of the PRG (SP 800-38A F.5.1, CTR-AES128).
#pragma once

#include <string>
#include <vector>

namespace pg::core {

struct CheckResult {
  std::string name;
  bool passed;
  std::string detail;
};

std::vector<CheckResult> run_selfcheck();

}  // namespace pg::core
