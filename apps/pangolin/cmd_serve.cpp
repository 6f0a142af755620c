// pangolin serve --model M.onnx [--port P] ...: merges the model once, then serves private
// inferences until interrupted (SIGINT/SIGTERM).
#include <csignal>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "cli.h"
#include "commands.h"
#include "core/thread_pool.h"
#include "nn/kernels/fp64_gemm.h"
#include "protocol/server.h"
#include "protocol_cli.h"

namespace pg::app {
namespace {

std::atomic<protocol::Server*> g_server{nullptr};

extern "C" void on_signal(int) {
  if (auto* s = g_server.load()) s->request_stop();
}

void log_line(const std::string& line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%H:%M:%S", std::localtime(&now));
  std::printf("[%s] %s\n", stamp, line.c_str());
  std::fflush(stdout);
}

void usage() {
  std::printf(
      "usage: pangolin serve --model M.onnx [--host H] [--port P] [--pool K] [--threads T]\n"
      "                      [--max-sessions S] [--timeout SECONDS] [--label-only]\n"
      "                      [--tls-cert CERT.pem --tls-key KEY.pem]\n"
      "                      [--f F] [--f-w FW] [--margin BITS] [--ell L] [--weight-bits B] "
      "[--calibration N]\n\n"
      "Merges the model once (stage 1) and serves private inferences: each client session\n"
      "preprocesses in the background and runs its inferences online; the server learns\n"
      "nothing about the images. Stops on Ctrl-C (SIGINT) or SIGTERM.\n\n"
      "  --model M.onnx       the network (weights stay on the server)\n"
      "  --host H             address to listen on (default 0.0.0.0, all interfaces)\n"
      "  --port P             TCP port (default 7000; 0 picks a free one)\n"
      "  --pool K             unused preprocessing sets a session may hold (default 4)\n"
      "  --threads T          worker threads (default: all cores)\n"
      "  --max-sessions S     concurrent sessions; more are refused with a message (default 4)\n"
      "  --timeout SECONDS    a peer that stalls this long, or takes this long for its\n"
      "                       handshake, ends its session (default 120)\n"
      "  --label-only         answer only with the top-1 label (clients never see logits)\n"
      "  --tls-cert/--tls-key TLS 1.3 with this certificate chain and key (PEM)\n"
      "  --f, --f-w, --margin, --ell, --weight-bits, --calibration   merge settings, as for "
      "`pangolin inspect`\n\n"
      "exit codes: 0 stopped cleanly, 1 the server failed, 2 bad usage or an unusable model\n");
}

struct ServeConfig {
  std::string model, host = "0.0.0.0";
  uint16_t port = 7000;
  size_t pool = 4, max_sessions = 4;
  long long timeout = 120;
  bool label_only = false;
  std::optional<std::string> cert, key;
  MergeSettings merge;
};

bool parse(Args& args, ServeConfig& c) {
  const auto port = args.get_int("port", 0, 65535);
  const auto pool = args.get_int("pool", 1, long(protocol::kMaxPoolSize));
  const auto threads = args.get_int("threads", 1, 1024);
  const auto max_sessions = args.get_int("max-sessions", 1, 1024);
  const auto timeout = args.get_int("timeout", 1, 86400);
  if (!read_merge_settings(args, c.merge) ||
      !args.reject_unknown(
          with_merge_flags({"help", "label-only", "model", "host", "port", "pool", "threads",
                            "max-sessions", "timeout", "tls-cert", "tls-key"}))) {
    return false;
  }
  if (!args.ok()) return false;
  c.model = args.get_or("model", "");
  c.host = args.get_or("host", c.host);
  if (port) c.port = uint16_t(*port);
  if (pool) c.pool = size_t(*pool);
  if (max_sessions) c.max_sessions = size_t(*max_sessions);
  if (timeout) c.timeout = *timeout;
  if (threads) {
    core::set_num_threads(size_t(*threads));
    nn::kernels::set_gemm_threads(int(*threads));
  }
  c.label_only = args.has("label-only");
  c.cert = args.get("tls-cert");
  c.key = args.get("tls-key");
  return true;
}

int cmd_serve(int argc, char** argv) {
  Args args(argc, argv, 2, {"help", "label-only"});
  if (args.has("help")) {
    usage();
    return 0;
  }
  ServeConfig c;
  if (!parse(args, c)) {
    std::fprintf(stderr, "pangolin serve: %s\n", args.error().c_str());
    return 2;
  }
  if (c.model.empty() || c.cert.has_value() != c.key.has_value()) {
    std::fprintf(
        stderr, "pangolin serve: %s\n",
        c.model.empty() ? "--model M.onnx is required" : "--tls-cert and --tls-key go together");
    return 2;
  }
  std::optional<mpc::TlsContext> tls;
  try {
    if (c.cert) tls = mpc::TlsContext::server({*c.cert, *c.key});
  } catch (const mpc::ChannelError& e) {
    std::fprintf(stderr, "pangolin serve: TLS: %s\n", e.what());
    return 2;
  }
  log_line("merging " + c.model + " ...");
  auto model = load_model_for_serving(c.model, c.merge);
  if (!model.ok()) {
    std::fprintf(stderr, "pangolin serve: %s\n", model.error().to_string().c_str());
    return 2;
  }
  const auto& m = *model.value().server;
  char line[256];
  std::snprintf(line, sizeof(line), "merged in %.2f s: ℓ = %d, f = %d, f_w = %d; calibrated on %s",
                m.merge_seconds(), m.plan().ell, m.plan().f, m.plan().f_w,
                model.value().merged.calibration_source.c_str());
  log_line(line);
  log_line("architecture hash " + nn::hex(m.hash()));
  auto acceptor = protocol::TcpAcceptor::listen(c.host, c.port, tcp_options(c.timeout, 1), tls);
  if (!acceptor.ok()) {
    std::fprintf(stderr, "pangolin serve: %s\n", acceptor.error().message.c_str());
    return 1;
  }
  protocol::ServerOptions so;
  so.pool = c.pool;
  so.max_sessions = c.max_sessions;
  so.label_only = c.label_only;
  so.wait_timeout = std::chrono::seconds(c.timeout);
  so.handshake_timeout = so.wait_timeout;
  so.log = log_line;
  so.on_session_end = [](const protocol::SessionReport& r) {
    log_line("session " + std::to_string(r.id) + " " + (r.ok ? "done" : "failed") + ": " +
             std::to_string(r.inferences) + " inferences, " + std::to_string(r.sets_prepared) +
             " sets prepared, " +
             protocol::human_bytes(r.handshake.bytes_total() + r.preprocess.bytes_total() +
                                   r.online.bytes_total()) +
             " exchanged");
  };
  protocol::Server server(model.value().server, *acceptor.value(), so);
  g_server.store(&server);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  log_line("listening on " + c.host + ":" + std::to_string(acceptor.value()->port()) +
           (tls ? " (TLS)" : "") + "; pool " + std::to_string(c.pool) + ", at most " +
           std::to_string(c.max_sessions) + " sessions");
  server.run();
  g_server.store(nullptr);
  log_line("stopped");
  return 0;
}

}  // namespace

PG_REGISTER_COMMAND("serve", "serve private inferences on a model (the server)", &cmd_serve);

}  // namespace pg::app
