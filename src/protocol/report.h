// Per-stage accounting shared by `pangolin demo`, `infer` and `bench`: wall time, bytes in each
// direction and rounds, printed as a table or as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pg::protocol {

struct StageStats {
  std::string name;  // merge | preprocess | online (or a finer phase)
  double seconds = 0;
  uint64_t bytes_client_to_server = 0;
  uint64_t bytes_server_to_client = 0;
  uint64_t rounds = 0;
};

// A fixed-width text table, one row per stage plus a total row.
std::string format_stage_table(const std::vector<StageStats>& stages);

// [{"name":..., "seconds":..., "bytes_client_to_server":..., ...}, ...]
std::string stages_json(const std::vector<StageStats>& stages);

// "12.3 KiB", "4.56 MiB", ...
std::string human_bytes(uint64_t bytes);

// JSON string literal with escapes.
std::string json_string(const std::string& s);

// Peak resident set size of this process, in bytes (getrusage).
uint64_t peak_rss_bytes();

}  // namespace pg::protocol
