// What `pangolin serve`, `infer` and `demo` share: loading the server's model (merge, then the
// protocol's preparation), network options, progress lines on a terminal, class names, and the
// per-stage report.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model_cli.h"
#include "mpc/socket.h"
#include "nn/plan_io.h"
#include "protocol/material.h"
#include "protocol/report.h"
#include "protocol/server_model.h"

namespace pg::app {

struct LoadedModel {
  MergedModel merged;  // the imported graph and the merge result
  std::shared_ptr<const protocol::ServerModel> server;
  double merge_seconds = 0;
};

// Stage 1 and the server's one-time preparation (evaluators, HE weight plaintexts).
core::Result<LoadedModel> load_model_for_serving(const std::string& path,
                                                 const MergeSettings& settings);

// models/minionn.onnx in the working directory, or beside the executable's build tree.
std::string default_model_path();
// models/<file> the same way (the relative path when neither exists).
std::string bundled_model_path(const std::string& file);

// TCP options with an I/O timeout of `seconds` (a stalled peer ends the session then).
mpc::TcpOptions tcp_options(long long seconds, int connect_attempts);

// 64 hex digits → hash.
std::optional<nn::Hash> parse_hash(const std::string& hex);

// A Fashion-MNIST class name for labels 0..9 of a 10-class 1x28x28 model, else "".
std::string class_name(const nn::Plan& architecture, int label);

// One status line on stderr, rewritten in place, only when stderr is a terminal.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();
  void update(const std::string& text);
  void clear();
  // A ProgressFn for the client's preprocessing thread.
  protocol::ProgressFn preprocessing();

 private:
  bool tty_ = false;
  std::mutex mu_;
  size_t width_ = 0;
};

// The printed stages of a client: handshake and one set make the preprocessing of one
// inference; online is per inference.
std::vector<protocol::StageStats> client_stages(const protocol::StageStats& handshake,
                                                const protocol::StageStats& set,
                                                const protocol::StageStats& online);

}  // namespace pg::app
