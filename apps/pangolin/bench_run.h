// One repetition of `pangolin bench`: the server in a child process (a fresh exec of this
// binary, so that its peak RSS is its own), the client in this process, both over loopback TCP.
//
//   parent (client)                         child (server: `pangolin bench --server-child FD`)
//                                           merge, prepare the model, listen on port 0
//                  ◀── pipe: kReady(port) ──
//   connect, preprocess one set, one inference
//                  ◀── pipe: kResult(timings, server report, oracle logits, VmHWM) ──
//   compare the secure logits with the oracle's, bit for bit
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench_net.h"
#include "core/result.h"
#include "model_cli.h"
#include "protocol/report.h"

namespace pg::app {

struct BenchConfig {
  std::string model_path;
  size_t threads = 1;  // per party
  NetProfile net = NetProfile::kNone;
  bool merge = true;  // false: only the passes the protocol needs (no linear fusion)
  MergeSettings settings;
  // Inferences per session before the measured one: the first inference of a server process
  // pays one-time costs (lazily prepared kernels, cold caches) that a serving server does not.
  size_t warmup = 1;
  // > 0: accuracy mode, one session over the first `accuracy` Fashion-MNIST test images.
  size_t accuracy = 0;
  long long io_timeout_seconds = 3600;
  // Refuse to run when the garbled material the client would hold (the exact cost model of
  // mpc::cost) exceeds this; a run that would swap the machine measures nothing.
  uint64_t max_client_held_bytes = uint64_t{12} << 30;
};

// The garbled-circuit cost of one preprocessing set, from mpc::cost over the schedule.
struct GcEstimate {
  uint64_t client_held_bytes = 0;
  uint64_t offline_client_to_server = 0, offline_server_to_client = 0;
  uint64_t online_client_to_server = 0, online_server_to_client = 0;
  uint64_t and_gates = 0;
};

struct RepeatResult {
  protocol::StageStats merge;              // server; no traffic
  protocol::StageStats preprocess;         // handshake + one set (client's view)
  protocol::StageStats preprocess_linear;  // of which the homomorphic terms
  protocol::StageStats online;             // the measured inference (after the warm-up ones)
  double online_first_seconds = 0;         // the session's first inference
  double setup_seconds = 0;                // server: HE weight plaintexts and online evaluators
  double online_linear_seconds = 0;        // server: the affine steps of the online stage
  uint64_t server_peak_rss = 0;            // VmHWM of the server process
  uint64_t client_peak_rss = 0;            // this process, so far
  bool exact = false;  // every inference's secure logits == the plan's fixed-point logits
  int label = -1;
  int ell = 0;
  GcEstimate estimate;  // the server's, before the session
  struct {
    uint64_t images = 0, secure_correct = 0, plain_correct = 0, agree = 0;
  } accuracy;  // accuracy mode: against the true labels; agree = secure label == float label
  std::string counts_json;  // the merge report's HE operation counts, {"before":..,"after":..}
};

// The benchmark input of repetition `index` for a model taking c×h×w inputs: Fashion-MNIST test
// image `index` for 1×28×28 when the data set is installed, else fixed pseudo-random values in
// [0, 1) (not secret; timing does not depend on them). Both parties compute it.
std::vector<double> bench_input(int c, int h, int w, size_t index);
// The same for several indices, reading the data set once.
std::vector<std::vector<double>> bench_inputs(int c, int h, int w,
                                              const std::vector<size_t>& indices);
// The input indices of one session's inferences: `index` (1 + warm-up times), or 0..N-1 in
// accuracy mode.
std::vector<size_t> inference_inputs(const BenchConfig& config, size_t index);

core::Result<RepeatResult> run_repeat(const BenchConfig& config, size_t index);

// The child's side; returns the process exit code.
int run_server_child(const BenchConfig& config, size_t index, int fd);

}  // namespace pg::app
