#include "bench_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "core/bytes.h"
#include "core/thread_pool.h"
#include "dataset.h"
#include "mpc/nonlinear_spec.h"
#include "nn/fixed_point.h"
#include "nn/kernels/fp64_gemm.h"
#include "nn/lower.h"
#include "nn/onnx_import.h"
#include "nn/passes.h"
#include "nn/quantize.h"
#include "nn/reference.h"
#include "protocol/client.h"
#include "protocol/server.h"
#include "protocol_cli.h"

namespace pg::app {

using core::ErrorCode;
using core::make_error;

namespace {

using Clock = std::chrono::steady_clock;

enum : uint8_t { kReady = 1, kResult = 2, kFailed = 3 };
constexpr uint32_t kMaxPipeMessage = 1u << 26;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t k = ::write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= size_t(k);
  }
  return true;
}

bool write_message(int fd, const core::Bytes& body) {
  uint8_t len[4];
  for (int i = 0; i < 4; ++i) len[i] = uint8_t(body.size() >> (8 * i));
  return write_all(fd, len, 4) && write_all(fd, body.data(), body.size());
}

// false on end of file or error
bool read_all(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t k = ::read(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= size_t(k);
  }
  return true;
}

core::Result<core::Bytes> read_message(int fd) {
  uint8_t len[4];
  if (!read_all(fd, len, 4)) {
    return make_error(ErrorCode::kNetwork, "the server process ended without a report");
  }
  const uint32_t n =
      uint32_t(len[0]) | uint32_t(len[1]) << 8 | uint32_t(len[2]) << 16 | uint32_t(len[3]) << 24;
  if (n > kMaxPipeMessage) return make_error(ErrorCode::kMalformed, "oversized pipe message");
  core::Bytes body(n);
  if (!read_all(fd, body.data(), n)) {
    return make_error(ErrorCode::kNetwork, "the server process ended in the middle of a report");
  }
  return body;
}

// The passes the protocol cannot do without: BN, constants, pads, truncations, and the MaxPool
// move (lowering has no MaxPool on a ReLU's output: MaxPool+ReLU is one step). Only the linear
// fusion, the merge stage's optional optimisation, is left out.
core::Result<MergedModel> load_unmerged(const std::string& path, const MergeSettings& s) {
  MergedModel m;
  PG_TRY_ASSIGN(m.graph, nn::import_onnx_file(path));
  nn::MergeResult& r = m.merged;
  r.merged = m.graph;
  PG_TRY(nn::remove_identities(r.merged, &r.log));
  PG_TRY(nn::fold_pads(r.merged, &r.log));
  PG_TRY(nn::fold_batch_norm(r.merged, &r.log));
  PG_TRY(nn::fold_constants(r.merged, &r.log));
  PG_TRY(nn::fold_pads(r.merged, &r.log));
  PG_TRY(nn::reorder_maxpool(r.merged, &r.log));
  PG_TRY(nn::insert_truncations(r.merged, &r.log));
  PG_TRY_ASSIGN(r.lowered, nn::lower(r.merged));
  PG_TRY_ASSIGN(r.plan, nn::quantize(r.lowered, s.f, s.f_w, s.weight_bits));
  const auto calibration = calibration_inputs(m.graph, s.calibration, &m.calibration_source);
  PG_TRY_ASSIGN(r.calibration, nn::calibrate(r.plan, calibration, s.margin_bits));
  PG_TRY_ASSIGN(r.plan.ell, nn::choose_ell(r.calibration, s.ell));
  r.plan.validate();
  return m;
}

uint64_t vm_hwm_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "NNN kB"
  }
  return protocol::peak_rss_bytes();
}

std::string merge_counts_json(const MergedModel& m, const MergeSettings& s) {
  try {
    const auto r =
        nn::make_report(m.graph, m.merged, s.margin_bits, protocol_ring_degree(m.merged.plan.ell));
    return "{\"before\": " + counts_json(r.before) + ", \"after\": " + counts_json(r.after) + "}";
  } catch (const std::invalid_argument& e) {
    return "null";
  }
}

GcEstimate estimate_gc(const protocol::Schedule& s) {
  GcEstimate e;
  auto add = [&e](const mpc::NonLinearSpec& spec) {
    const auto c = mpc::cost(spec);
    e.client_held_bytes += c.client_held_bytes;
    e.offline_client_to_server += c.offline_client_to_server;
    e.offline_server_to_client += c.offline_server_to_client;
    e.online_client_to_server += c.online_client_to_server;
    e.online_server_to_client += c.online_server_to_client;
    e.and_gates += c.and_gates;
  };
  for (const auto& spec : s.nl_specs) add(spec);
  add(s.argmax);
  return e;
}

// The server child, after the model is loaded: serves exactly one session.
core::Status serve_one(const BenchConfig& c, const std::shared_ptr<const protocol::ServerModel>& m,
                       int fd, protocol::SessionReport& report) {
  PG_TRY_ASSIGN(auto acceptor, protocol::TcpAcceptor::listen("127.0.0.1", 0,
                                                             tcp_options(c.io_timeout_seconds, 1)));
  ShapedAcceptor shaped(*acceptor, c.net);
  core::ByteWriter ready;
  ready.put_u8(kReady);
  ready.put_u32(acceptor->port());
  const GcEstimate e = estimate_gc(m->schedule());
  for (uint64_t v : {e.client_held_bytes, e.offline_client_to_server, e.offline_server_to_client,
                     e.online_client_to_server, e.online_server_to_client, e.and_gates}) {
    ready.put_u64(v);
  }
  if (!write_message(fd, ready.bytes())) {
    return make_error(ErrorCode::kNetwork, "the bench parent went away");
  }
  std::mutex mu;
  bool done = false;
  protocol::Server* server_ptr = nullptr;
  protocol::ServerOptions so;
  so.pool = 1;
  so.max_sessions = 1;
  so.poll_interval = std::chrono::milliseconds(20);
  so.wait_timeout = std::chrono::seconds(c.io_timeout_seconds);
  so.handshake_timeout = so.wait_timeout;
  so.on_session_end = [&](const protocol::SessionReport& r) {
    std::lock_guard<std::mutex> lock(mu);
    report = r;
    done = true;
    server_ptr->request_stop();
  };
  protocol::Server server(m, shaped, so);
  server_ptr = &server;
  server.run();
  if (!done) return make_error(ErrorCode::kProtocol, "the server stopped before the session ended");
  if (!report.ok) return make_error(ErrorCode::kProtocol, "server: " + report.error);
  return {};
}

int child_body(const BenchConfig& c, size_t index, int fd) {
  const auto t0 = Clock::now();
  auto merged =
      c.merge ? load_and_merge(c.model_path, c.settings) : load_unmerged(c.model_path, c.settings);
  if (!merged.ok()) throw std::runtime_error(merged.error().message);
  const double merge_seconds = since(t0);
  const nn::Plan& plan = merged.value().merged.plan;
  const auto t1 = Clock::now();
  protocol::ModelOptions options;
  options.he.pool = &core::default_pool();
  auto model = protocol::ServerModel::from_plan(plan, options, merge_seconds);
  if (!model.ok()) throw std::runtime_error(model.error().message);
  const double setup_seconds = since(t1);
  const std::string counts = merge_counts_json(merged.value(), c.settings);

  protocol::SessionReport report;
  const auto st = serve_one(c, model.value(), fd, report);
  if (!st.ok()) throw std::runtime_error(st.error().message);
  const auto& in = plan.tensors[plan.input];
  const auto xs = bench_inputs(in.c, in.h, in.w, inference_inputs(c, index));

  core::ByteWriter w;
  w.put_u8(kResult);
  w.put_f64(merge_seconds);
  w.put_f64(setup_seconds);
  // the measured (last) inference's affine steps
  w.put_f64(report.online_affine_seconds.empty() ? 0.0 : report.online_affine_seconds.back());
  w.put_u64(vm_hwm_bytes());
  w.put_u64(uint64_t(plan.ell));
  w.put_string(counts);
  w.put_u64(xs.size());
  for (const auto& x : xs) {
    w.put_u64_array(nn::run_plan(plan, nn::encode_input(plan, x)));
    w.put_u64(argmax(nn::evaluate(merged.value().graph, x)));  // the float model's label
  }
  return write_message(fd, w.bytes()) ? 0 : 1;
}

struct ChildProcess {
  pid_t pid = -1;
  int fd = -1;
  ~ChildProcess() {
    if (fd >= 0) ::close(fd);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

core::Status spawn_server(const BenchConfig& c, size_t index, ChildProcess& child) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  std::error_code ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return make_error(ErrorCode::kIo, "cannot find this executable: " + ec.message());
  std::vector<std::string> args = {exe,
                                   "bench",
                                   "--server-child",
                                   std::to_string(fds[1]),
                                   "--repeat-index",
                                   std::to_string(index),
                                   "--model",
                                   c.model_path,
                                   "--threads",
                                   std::to_string(c.threads),
                                   "--net",
                                   net_profile_name(c.net),
                                   "--f",
                                   std::to_string(c.settings.f),
                                   "--f-w",
                                   std::to_string(c.settings.f_w),
                                   "--margin",
                                   std::to_string(c.settings.margin_bits),
                                   "--ell",
                                   std::to_string(c.settings.ell),
                                   "--weight-bits",
                                   std::to_string(c.settings.weight_bits),
                                   "--calibration",
                                   std::to_string(c.settings.calibration),
                                   "--warmup",
                                   std::to_string(c.warmup)};
  if (c.accuracy) {
    args.push_back("--accuracy");
    args.push_back(std::to_string(c.accuracy));
  }
  if (!c.merge) args.push_back("--no-merge");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return make_error(ErrorCode::kIo, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::fcntl(fds[1], F_SETFD, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  child.pid = pid;
  child.fd = fds[0];
  return {};
}

struct ClientRun {
  RepeatResult result;
  std::vector<std::vector<uint64_t>> logits_ring;  // per inference of the session
  std::vector<int> labels;
};

core::Result<ClientRun> run_client(const BenchConfig& c, size_t index, uint16_t port) {
  protocol::TcpConnector tcp("127.0.0.1", port, tcp_options(c.io_timeout_seconds, 3));
  ShapedConnector connector(tcp, c.net);
  protocol::ClientOptions co;
  const auto inputs = inference_inputs(c, index);
  co.pool = c.accuracy ? 2 : 1;
  co.max_sets = inputs.size();
  PG_TRY_ASSIGN(auto client, protocol::Client::connect(connector, co));
  const nn::Plan& a = client->architecture();
  const auto& in = a.tensors[a.input];
  if (c.accuracy && (in.c != 1 || in.h != 28 || in.w != 28)) {
    return make_error(ErrorCode::kInvalidInput,
                      "--accuracy needs a model of Fashion-MNIST's 1x28x28 inputs");
  }
  const auto xs = bench_inputs(in.c, in.h, in.w, inputs);
  // Each set is ready before its input is sent, so an online time is the online stage alone.
  // The first set is prepared alone (its time is the preprocessing figure); the later ones
  // overlap with the inferences before them, so only their online stage is used.
  std::vector<protocol::Inference> runs;
  for (const auto& x : xs) {
    PG_TRY(client->wait_ready(1));
    PG_TRY_ASSIGN(auto inf, client->infer(x, protocol::OutputMode::kLogits));
    runs.push_back(std::move(inf));
  }
  PG_TRY(client->close());
  ClientRun out;
  const auto stages =
      client_stages(client->handshake_stats(), runs.front().preprocess, runs.back().online);
  out.result.preprocess = stages[0];
  out.result.online = stages[1];
  out.result.online_first_seconds = runs.front().online.seconds;
  out.result.preprocess_linear = runs.front().preprocess_linear;
  out.result.label = runs.back().label;
  for (auto& r : runs) {
    out.logits_ring.push_back(std::move(r.logits_ring));
    out.labels.push_back(r.label);
  }
  return out;
}

core::Status read_result(core::ByteReader& r, RepeatResult& out, const ClientRun& client,
                         const std::vector<int>& true_labels) {
  PG_TRY_ASSIGN(out.merge.seconds, r.get_f64());
  out.merge.name = "merge";
  PG_TRY_ASSIGN(out.setup_seconds, r.get_f64());
  PG_TRY_ASSIGN(out.online_linear_seconds, r.get_f64());
  PG_TRY_ASSIGN(out.server_peak_rss, r.get_u64());
  PG_TRY_ASSIGN(const uint64_t ell, r.get_u64());
  out.ell = int(ell);
  PG_TRY_ASSIGN(out.counts_json, r.get_string(kMaxPipeMessage));
  PG_TRY_ASSIGN(const uint64_t n, r.get_u64());
  if (n != client.logits_ring.size()) {
    return make_error(ErrorCode::kMismatch, "the server checked " + std::to_string(n) +
                                                " inferences, the client ran " +
                                                std::to_string(client.logits_ring.size()));
  }
  out.exact = n > 0;
  for (size_t i = 0; i < n; ++i) {
    PG_TRY_ASSIGN(const auto oracle, r.get_u64_array(kMaxPipeMessage / 8));
    PG_TRY_ASSIGN(const uint64_t plain_label, r.get_u64());
    out.exact = out.exact && oracle == client.logits_ring[i];
    if (i < true_labels.size()) {
      out.accuracy.images++;
      out.accuracy.secure_correct += client.labels[i] == true_labels[i];
      out.accuracy.plain_correct += int(plain_label) == true_labels[i];
      out.accuracy.agree += uint64_t(client.labels[i]) == plain_label;
    }
  }
  return r.expect_end();
}

}  // namespace

std::vector<double> bench_input(int c, int h, int w, size_t index) {
  if (c == 1 && h == 28 && w == 28) {
    auto ds = load_fashion_mnist("t10k", index + 1);
    if (ds.ok() && ds.value().images.size() == index + 1) {
      return std::move(ds.value().images[index].pixels);
    }
  }
  // SplitMix64 of (index, i): a fixed formula, the same in both processes.
  std::vector<double> x(size_t(c) * size_t(h) * size_t(w));
  for (size_t i = 0; i < x.size(); ++i) {
    uint64_t z = (uint64_t(index) << 40) + i + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    x[i] = double(z >> 11) / double(uint64_t{1} << 53);
  }
  return x;
}

std::vector<std::vector<double>> bench_inputs(int c, int h, int w,
                                              const std::vector<size_t>& indices) {
  std::vector<std::vector<double>> out;
  if (c == 1 && h == 28 && w == 28 && !indices.empty()) {
    const size_t n = *std::max_element(indices.begin(), indices.end()) + 1;
    auto ds = load_fashion_mnist("t10k", n);
    if (ds.ok() && ds.value().images.size() == n) {
      for (size_t i : indices) out.push_back(ds.value().images[i].pixels);
      return out;
    }
  }
  for (size_t i : indices) out.push_back(bench_input(c, h, w, i));
  return out;
}

std::vector<size_t> inference_inputs(const BenchConfig& c, size_t index) {
  if (c.accuracy == 0) return std::vector<size_t>(1 + c.warmup, index);
  std::vector<size_t> v(c.accuracy);
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

int run_server_child(const BenchConfig& config, size_t index, int fd) {
  // The same thread budget as the client's, so that the two parties share the cores evenly.
  core::set_num_threads(config.threads);
  nn::kernels::set_gemm_threads(int(config.threads));
  std::string error;
  try {
    return child_body(config, index, fd);
  } catch (const std::exception& e) {
    error = e.what();
  }
  core::ByteWriter w;
  w.put_u8(kFailed);
  w.put_string(error);
  (void)write_message(fd, w.bytes());
  return 1;
}

core::Result<RepeatResult> run_repeat(const BenchConfig& c, size_t index) {
  ChildProcess child;
  PG_TRY(spawn_server(c, index, child));
  PG_TRY_ASSIGN(auto ready, read_message(child.fd));
  core::ByteReader rr(ready);
  PG_TRY_ASSIGN(const uint8_t kind, rr.get_u8());
  if (kind == kFailed) {
    PG_TRY_ASSIGN(auto msg, rr.get_string(kMaxPipeMessage));
    return make_error(ErrorCode::kInvalidInput, msg);
  }
  if (kind != kReady) return make_error(ErrorCode::kMalformed, "unexpected pipe message");
  PG_TRY_ASSIGN(const uint32_t port, rr.get_u32());
  GcEstimate e;
  for (uint64_t* v :
       {&e.client_held_bytes, &e.offline_client_to_server, &e.offline_server_to_client,
        &e.online_client_to_server, &e.online_server_to_client, &e.and_gates}) {
    PG_TRY_ASSIGN(*v, rr.get_u64());
  }
  // With a warm-up, the next set is prepared while the previous inference still holds its own.
  const uint64_t held = e.client_held_bytes * (c.warmup > 0 ? 2 : 1);
  if (held > c.max_client_held_bytes) {
    return make_error(ErrorCode::kTooLarge,
                      "the client would hold " + protocol::human_bytes(held) +
                          " of garbled material (" + std::to_string(e.and_gates) +
                          " AND gates), above the limit of " +
                          protocol::human_bytes(c.max_client_held_bytes) +
                          " (--max-client-memory; --warmup 0 halves it); not run");
  }
  auto client = run_client(c, index, uint16_t(port));
  if (!client.ok()) {
    // The server's own report names the cause better, when it comes soon.
    pollfd p{child.fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0) return client.error();
  }
  PG_TRY_ASSIGN(auto body, read_message(child.fd));
  core::ByteReader r(body);
  PG_TRY_ASSIGN(const uint8_t result_kind, r.get_u8());
  if (result_kind == kFailed) {
    PG_TRY_ASSIGN(auto msg, r.get_string(kMaxPipeMessage));
    return make_error(ErrorCode::kProtocol, msg);
  }
  if (!client.ok()) return client.error();
  if (result_kind != kResult) return make_error(ErrorCode::kMalformed, "unexpected pipe message");
  RepeatResult out = std::move(client.value().result);
  out.estimate = e;
  std::vector<int> true_labels;
  if (c.accuracy) {
    PG_TRY_ASSIGN(auto ds, load_fashion_mnist("t10k", c.accuracy));
    true_labels = std::move(ds.labels);
  }
  PG_TRY(read_result(r, out, client.value(), true_labels));
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  child.pid = -1;
  out.client_peak_rss = protocol::peak_rss_bytes();
  return out;
}

}  // namespace pg::app
