#include "protocol_cli.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/thread_pool.h"

namespace pg::app {

core::Result<LoadedModel> load_model_for_serving(const std::string& path,
                                                 const MergeSettings& settings) {
  LoadedModel m;
  const auto t0 = std::chrono::steady_clock::now();
  PG_TRY_ASSIGN(m.merged, load_and_merge(path, settings));
  m.merge_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  protocol::ModelOptions options;
  options.he.pool = &core::default_pool();
  PG_TRY_ASSIGN(m.server,
                protocol::ServerModel::from_plan(m.merged.merged.plan, options, m.merge_seconds));
  return m;
}

std::string default_model_path() {
  return bundled_model_path("minionn.onnx");
}

std::string bundled_model_path(const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path rel = fs::path("models") / file;
  if (fs::exists(rel)) return rel.string();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/bin/pangolin → <repository>/models/minionn.onnx
    const fs::path candidate = exe.parent_path().parent_path().parent_path() / rel;
    if (fs::exists(candidate)) return candidate.string();
  }
  return rel.string();
}

mpc::TcpOptions tcp_options(long long seconds, int connect_attempts) {
  mpc::TcpOptions o;
  o.io_timeout = std::chrono::seconds(seconds);
  o.connect_attempts = connect_attempts;
  return o;
}

std::optional<nn::Hash> parse_hash(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  nn::Hash h{};
  for (size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    for (size_t k = 0; k < 2; ++k) {
      const char c = hex[2 * i + k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + unsigned(d);
    }
    h[i] = uint8_t(v);
  }
  return h;
}

std::string class_name(const nn::Plan& a, int label) {
  static const char* kNames[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  const auto& in = a.tensors[a.input];
  const bool fashion = in.c == 1 && in.h == 28 && in.w == 28 && a.tensors[a.output].size() == 10;
  return fashion && label >= 0 && label < 10 ? kNames[label] : "";
}

ProgressLine::ProgressLine() : tty_(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
  clear();
}

void ProgressLine::update(const std::string& text) {
  if (!tty_) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(stderr, "\r%-*s", int(width_), text.c_str());
  width_ = std::max(width_, text.size());
  std::fflush(stderr);
}

void ProgressLine::clear() {
  if (!tty_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (width_ == 0) return;
  std::fprintf(stderr, "\r%*s\r", int(width_), "");
  std::fflush(stderr);
  width_ = 0;
}

protocol::ProgressFn ProgressLine::preprocessing() {
  return [this](uint64_t set, const std::string& what, size_t done, size_t total) {
    update("preprocessing set " + std::to_string(set) + ": " + what + " " + std::to_string(done) +
           "/" + std::to_string(total));
  };
}

std::vector<protocol::StageStats> client_stages(const protocol::StageStats& handshake,
                                                const protocol::StageStats& set,
                                                const protocol::StageStats& online) {
  protocol::StageStats prep = set;
  prep.name = "preprocess";
  prep.seconds += handshake.seconds;
  prep.bytes_client_to_server += handshake.bytes_client_to_server;
  prep.bytes_server_to_client += handshake.bytes_server_to_client;
  prep.rounds += handshake.rounds;
  protocol::StageStats on = online;
  on.name = "online";
  return {prep, on};
}

}  // namespace pg::app
