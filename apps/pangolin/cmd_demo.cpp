// pangolin demo: a server and a client in one process over loopback TCP, on the bundled
// Fashion-MNIST model: secure predictions against the plaintext ones, and the cost per stage.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "cli.h"
#include "commands.h"
#include "dataset.h"
#include "nn/fixed_point.h"
#include "nn/kernels/fp64_gemm.h"
#include "nn/reference.h"
#include "protocol/client.h"
#include "protocol/server.h"
#include "protocol_cli.h"

namespace pg::app {
namespace {

struct ImageResult {
  size_t index = 0;
  int secure_label = -1, plain_label = -1, true_label = -1;
  double max_abs_logit_error = 0;  // secure logits vs the float model
  bool exact = false;              // secure logits == the fixed-point oracle, bit for bit
};

struct DemoRun {
  std::vector<ImageResult> images;
  std::vector<protocol::StageStats> stages;  // merge, preprocess, online (per inference)
};

void usage() {
  std::printf(
      "usage: pangolin demo [--images N] [--model M.onnx] [--label-only] [--json]\n\n"
      "Starts a server and a client in this process, talking over loopback TCP, and runs N\n"
      "(default 5) Fashion-MNIST test images through the three-stage protocol on the bundled\n"
      "model (models/minionn.onnx). For each image it prints the secure prediction, the\n"
      "plaintext prediction of the float model, and the largest logit error; then the time and\n"
      "bytes of each stage, per inference: merge (once, on the server), preprocess (the\n"
      "session's handshake and one material set), online.\n\n"
      "  --json          one JSON object: images[] (secure_label, plain_label,\n"
      "                  max_abs_logit_error, ...), stages[] (name, seconds,\n"
      "                  bytes_client_to_server, bytes_server_to_client, rounds)\n"
      "  --label-only    the client learns only the label (argmax circuit); no logit error\n\n"
      "exit codes: 0 every secure result matched the plaintext plan exactly, 1 a failure or a\n"
      "mismatch, 2 bad usage or input (a missing model or data set)\n");
}

protocol::StageStats mean(const std::string& name, const std::vector<protocol::StageStats>& v) {
  protocol::StageStats m{name, 0, 0, 0, 0};
  for (const auto& s : v) {
    m.seconds += s.seconds;
    m.bytes_client_to_server += s.bytes_client_to_server;
    m.bytes_server_to_client += s.bytes_server_to_client;
    m.rounds += s.rounds;
  }
  const double n = double(std::max<size_t>(v.size(), 1));
  m.seconds /= n;
  m.bytes_client_to_server = uint64_t(std::llround(double(m.bytes_client_to_server) / n));
  m.bytes_server_to_client = uint64_t(std::llround(double(m.bytes_server_to_client) / n));
  m.rounds = uint64_t(std::llround(double(m.rounds) / n));
  return m;
}

ImageResult check(const LoadedModel& m, const Image& img, const protocol::Inference& r) {
  ImageResult out;
  out.secure_label = r.label;
  const auto plain = nn::evaluate(m.merged.graph, img.pixels);
  out.plain_label = int(argmax(plain));
  const nn::Plan& plan = m.server->plan();
  const auto oracle = nn::run_plan(plan, nn::encode_input(plan, img.pixels));
  if (r.logits_ring.empty()) {  // label mode: the oracle's first maximum
    int best = 0;
    for (size_t i = 1; i < oracle.size(); ++i) {
      if (nn::to_signed(oracle[i], plan.ell) > nn::to_signed(oracle[best], plan.ell)) best = int(i);
    }
    out.exact = best == r.label;
    out.max_abs_logit_error = std::nan("");
    return out;
  }
  out.exact = r.logits_ring == oracle;
  for (size_t i = 0; i < plain.size() && i < r.logits.size(); ++i) {
    out.max_abs_logit_error = std::max(out.max_abs_logit_error, std::fabs(r.logits[i] - plain[i]));
  }
  return out;
}

core::Result<DemoRun> run(const LoadedModel& m, const Dataset& ds, bool label_only,
                          ProgressLine& progress) {
  auto acceptor = protocol::TcpAcceptor::listen("127.0.0.1", 0, tcp_options(120, 1));
  if (!acceptor.ok()) return acceptor.error();
  protocol::ServerOptions so;
  so.pool = std::min<size_t>(ds.images.size(), 4);
  so.poll_interval = std::chrono::milliseconds(50);
  protocol::Server server(m.server, *acceptor.value(), so);
  std::thread server_thread([&] { server.run(); });
  struct Stop {
    protocol::Server& s;
    std::thread& t;
    ~Stop() {
      s.request_stop();
      t.join();
    }
  } stop{server, server_thread};

  protocol::TcpConnector connector("127.0.0.1", acceptor.value()->port(), tcp_options(120, 3));
  protocol::ClientOptions co;
  co.pool = so.pool;
  co.max_sets = ds.images.size();
  co.expected_hash = m.server->hash();
  co.progress = progress.preprocessing();
  PG_TRY_ASSIGN(auto client, protocol::Client::connect(connector, co));
  // Let the pool fill first, so that the online times are not shared with preprocessing.
  PG_TRY(client->wait_ready(co.pool));
  DemoRun out;
  std::vector<protocol::StageStats> sets, online;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    progress.update("image " + std::to_string(i + 1) + "/" + std::to_string(ds.images.size()) +
                    ": online");
    PG_TRY_ASSIGN(auto r,
                  client->infer(ds.images[i].pixels, label_only ? protocol::OutputMode::kLabel
                                                                : protocol::OutputMode::kLogits));
    ImageResult ir = check(m, ds.images[i], r);
    ir.index = i;
    ir.true_label = ds.labels[i];
    out.images.push_back(ir);
    sets.push_back(r.preprocess);
    online.push_back(r.online);
  }
  PG_TRY(client->close());
  progress.clear();
  auto per_inference =
      client_stages(client->handshake_stats(), mean("preprocess", sets), mean("online", online));
  out.stages = {protocol::StageStats{"merge", m.merge_seconds, 0, 0, 0}, per_inference[0],
                per_inference[1]};
  return out;
}

void print_text(const LoadedModel& m, const std::string& path, const DemoRun& r) {
  const nn::Plan& plan = m.server->plan();
  std::printf("model %s: ℓ = %d, f = %d, f_w = %d, architecture hash %s\n", path.c_str(), plan.ell,
              plan.f, plan.f_w, nn::hex(m.server->hash()).substr(0, 16).c_str());
  std::printf("server and client over loopback TCP; %zu Fashion-MNIST test images\n\n",
              r.images.size());
  std::printf("%5s  %-22s %-22s %-14s %10s  %s\n", "image", "secure prediction",
              "plaintext (float)", "true label", "max |err|", "exact");
  for (const auto& im : r.images) {
    auto label = [&](int l) {
      const std::string n = class_name(plan, l);
      return std::to_string(l) + (n.empty() ? "" : " " + n);
    };
    std::printf("%5zu  %-22s %-22s %-14s %10.5f  %s\n", im.index, label(im.secure_label).c_str(),
                label(im.plain_label).c_str(), label(im.true_label).c_str(), im.max_abs_logit_error,
                im.exact ? "yes" : "NO");
  }
  std::printf("\nper inference (means over the images; merge once per model):\n%s",
              protocol::format_stage_table(r.stages).c_str());
  std::printf(
      "(preprocess = the session's handshake, once, + one material set; exact = the secure\n"
      " logits equal the merged plan's fixed-point logits bit for bit)\n");
}

void print_json(const LoadedModel& m, const std::string& path, const DemoRun& r) {
  std::string images = "[";
  for (size_t i = 0; i < r.images.size(); ++i) {
    const auto& im = r.images[i];
    char buf[256];
    char err[32];
    if (std::isnan(im.max_abs_logit_error)) {
      std::snprintf(err, sizeof(err), "null");
    } else {
      std::snprintf(err, sizeof(err), "%.6g", im.max_abs_logit_error);
    }
    std::snprintf(buf, sizeof(buf),
                  "%s{\"index\":%zu,\"secure_label\":%d,\"plain_label\":%d,\"true_label\":%d,"
                  "\"max_abs_logit_error\":%s,\"exact\":%s}",
                  i ? "," : "", im.index, im.secure_label, im.plain_label, im.true_label, err,
                  im.exact ? "true" : "false");
    images += buf;
  }
  images += "]";
  std::printf(
      "{\"model\":%s,\"architecture_hash\":\"%s\",\"ell\":%d,\"images\":%s,\"stages\":%s}\n",
      protocol::json_string(path).c_str(), nn::hex(m.server->hash()).c_str(), m.server->plan().ell,
      images.c_str(), protocol::stages_json(r.stages).c_str());
}

int cmd_demo(int argc, char** argv) {
  Args args(argc, argv, 2, {"help", "json", "label-only"});
  if (args.has("help")) {
    usage();
    return 0;
  }
  const auto n = args.get_int("images", 1, 1000);
  if (!args.reject_unknown({"help", "json", "label-only", "images", "model"}) || !args.ok()) {
    std::fprintf(stderr, "pangolin demo: %s\n", args.error().c_str());
    return 2;
  }
  const std::string path = args.get_or("model", default_model_path());
  // Both parties share this machine's cores: one GEMM thread for the server's online affine
  // steps, so that OpenBLAS's spinning workers do not starve the garbled-circuit threads.
  nn::kernels::set_gemm_threads(1);
  ProgressLine progress;
  progress.update("merging " + path + " ...");
  auto model = load_model_for_serving(path, MergeSettings{});
  if (!model.ok()) {
    progress.clear();
    std::fprintf(stderr, "pangolin demo: %s\n", model.error().to_string().c_str());
    return 2;
  }
  const auto& in = model.value().server->plan().tensors[model.value().server->plan().input];
  if (in.c != 1 || in.h != 28 || in.w != 28) {
    progress.clear();
    std::fprintf(stderr,
                 "pangolin demo: the model takes %dx%dx%d inputs, not Fashion-MNIST's 1x28x28\n",
                 in.c, in.h, in.w);
    return 2;
  }
  auto ds = load_fashion_mnist("t10k", n ? size_t(*n) : 5);
  if (!ds.ok()) {
    progress.clear();
    std::fprintf(stderr, "pangolin demo: %s\n", ds.error().to_string().c_str());
    return 2;
  }
  auto r = run(model.value(), ds.value(), args.has("label-only"), progress);
  progress.clear();
  if (!r.ok()) {
    std::fprintf(stderr, "pangolin demo: %s\n", r.error().message.c_str());
    return 1;
  }
  if (args.has("json")) {
    print_json(model.value(), path, r.value());
  } else {
    print_text(model.value(), path, r.value());
  }
  const bool all_exact = std::all_of(r.value().images.begin(), r.value().images.end(),
                                     [](const ImageResult& im) { return im.exact; });
  return all_exact ? 0 : 1;
}

}  // namespace

PG_REGISTER_COMMAND("demo", "server and client in one process on the bundled model", &cmd_demo);

}  // namespace pg::app
