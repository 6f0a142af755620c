#include "cli.h"

#include <charconv>

namespace pg::app {

Args::Args(int argc, char** argv, int first, const std::set<std::string>& switches) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      values_[name.substr(0, eq)] = name.substr(eq + 1);
    } else if (switches.count(name) != 0) {
      values_[name] = "1";
    } else if (i + 1 < argc) {
      values_[name] = argv[++i];
    } else {
      error_ = "option --" + name + " needs a value";
    }
  }
}

std::optional<std::string> Args::get(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::get_or(const std::string& flag, const std::string& fallback) const {
  auto v = get(flag);
  return v ? *v : fallback;
}

std::optional<long long> Args::get_int(const std::string& flag, long long lo, long long hi) {
  auto v = get(flag);
  if (!v) return std::nullopt;
  long long out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < lo || out > hi) {
    error_ = "--" + flag + " must be an integer in [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "], got '" + *v + "'";
    return std::nullopt;
  }
  return out;
}

bool Args::reject_unknown(const std::set<std::string>& known) {
  for (const auto& [k, v] : values_) {
    if (known.count(k) == 0) {
      error_ = "unknown option --" + k;
      return false;
    }
  }
  return true;
}

}  // namespace pg::app
