// Minimal argument parsing for the pangolin subcommands: --flag value, --flag=value, switches.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pg::app {

class Args {
 public:
  // Parses argv[first..]. `switches` are flags without a value; every other --flag takes one.
  Args(int argc, char** argv, int first, const std::set<std::string>& switches);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  bool has(const std::string& flag) const { return values_.count(flag) != 0; }
  std::optional<std::string> get(const std::string& flag) const;
  std::string get_or(const std::string& flag, const std::string& fallback) const;
  // A non-negative integer flag; sets error() on a bad value.
  std::optional<long long> get_int(const std::string& flag, long long lo, long long hi);
  const std::vector<std::string>& positional() const { return positional_; }

  // Flags that were given but are not in `known`: an error naming the first one.
  bool reject_unknown(const std::set<std::string>& known);

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  std::string error_;
};

}  // namespace pg::app
