// The client side of a session (PROTOCOL.md §3–6).
//
// connect() runs the handshake on a main connection (the server's architecture, whose hash the
// client may pin; the client's HE public material), then joins a second connection on which a
// background thread fills a pool of preprocessing sets ahead of time while the caller runs
// inferences on the main connection. infer() takes a ready set (waiting for one if needed), uses
// it for exactly one inference, and wipes it.
//
// Errors: every failure is a Result with a message that says what happened (the server's own
// message when it reported one). A failed session stays failed: later calls return its error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/prg.h"
#include "core/result.h"
#include "mpc/session.h"
#include "nn/plan_io.h"
#include "protocol/connection.h"
#include "protocol/he_backend.h"
#include "protocol/material.h"
#include "protocol/messages.h"
#include "protocol/online.h"
#include "protocol/report.h"
#include "protocol/schedule.h"
#include "protocol/transport.h"

namespace pg::protocol {

struct ClientOptions {
  size_t pool = 2;                        // sets prepared ahead (capped by the server's limit)
  size_t max_sets = 0;                    // sets to prepare in the whole session; 0 = no limit
  std::optional<nn::Hash> expected_hash;  // refuse any other architecture
  std::chrono::milliseconds keepalive{20'000};
  HeClientFactory he_factory;  // empty: the product backend (make_he_client)
  ProgressFn progress;         // called from the preprocessing thread
  // Tests only: ask for the logits even from a label-only server, as a deviating client would,
  // to check that the server refuses them.
  bool testing_ignore_label_only = false;
};

struct Inference {
  uint64_t set_id = 0;
  std::vector<uint64_t> logits_ring;  // logits mode: scale 2^{f + f_w}, mod 2^ℓ
  std::vector<double> logits;         // logits mode: decoded
  int label = -1;                     // argmax (from the logits, or from the argmax circuit)
  StageStats preprocess;              // this inference's set
  StageStats preprocess_linear;       // of which the homomorphic terms (linear layers)
  StageStats online;
};

class Client {
 public:
  static core::Result<std::unique_ptr<Client>> connect(Connector& connector,
                                                       ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const nn::Plan& architecture() const { return schedule_.architecture; }
  const Schedule& schedule() const { return schedule_; }
  const nn::Hash& architecture_hash() const { return hash_; }
  size_t pool_size() const { return pool_; }
  // The server answers only with the label: infer(…, kLogits) is refused before anything is sent.
  bool label_only() const { return label_only_; }
  // Connection, architecture, keys and base OTs (client → server = sent).
  const StageStats& handshake_stats() const { return handshake_; }

  // input: the model's input tensor (CHW, real values); its size must match.
  core::Result<Inference> infer(std::span<const double> input, OutputMode mode);
  // The same on an encoded input (nn::encode_input).
  core::Result<Inference> infer_encoded(std::span<const uint64_t> x, OutputMode mode);

  // Blocks until n sets are ready (n ≤ pool), or the session failed.
  core::Status wait_ready(size_t n);
  // Ends the session cleanly (kBye on both connections). Idempotent; returns the session's
  // first error if it had one.
  core::Status close();

 private:
  Client() : prg_(core::Prg::from_os()) {}
  core::Status handshake(Connector& connector);
  core::Status join(Connector& connector, const Welcome& w);
  void start_threads();
  void prep_thread();
  void keepalive_thread();
  core::Status session_error(core::Error fallback);
  void fail(const core::Error& e);
  core::Result<ClientSet> take_set();

  ClientOptions options_;
  core::Prg prg_;
  Schedule schedule_;
  nn::Hash hash_{};
  size_t pool_ = 1;
  bool label_only_ = false;
  StageStats handshake_;
  std::unique_ptr<HeClientBackend> he_;
  mpc::EvaluatorSession gc_;
  std::unique_ptr<Connection> main_, prep_;

  std::mutex main_mu_;  // the main connection: one inference or keep-alive at a time
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ClientSet> ready_;
  uint64_t started_sets_ = 0;
  size_t preparing_ = 0;
  bool stop_ = false;
  bool closed_ = false;
  std::optional<core::Error> failure_;
  std::thread prep_thread_, keepalive_thread_;
};

}  // namespace pg::protocol
