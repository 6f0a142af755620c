// pangolin infer --server HOST:PORT --image FILE: one private inference against `pangolin serve`.
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "image_io.h"
#include "protocol/client.h"
#include "protocol_cli.h"

namespace pg::app {
namespace {

void usage() {
  std::printf(
      "usage: pangolin infer --server HOST:PORT --image FILE [--index I] [--label-only]\n"
      "                      [--tls-ca CA.pem] [--expect-hash HEX] [--timeout SECONDS] [--json]\n\n"
      "Runs one private inference: the server learns nothing about the image, and this side\n"
      "learns the prediction (and the model's architecture) only.\n\n"
      "  --server HOST:PORT   where `pangolin serve` listens\n"
      "  --image FILE         a PNG or PGM image, or an IDX image file (Fashion-MNIST's format,\n"
      "                       .gz or not) with --index I (or FILE:I)\n"
      "  --label-only         learn only the top-1 label (an argmax circuit), not the logits\n"
      "  --tls-ca CA.pem      connect with TLS 1.3 and verify the server against this CA\n"
      "  --expect-hash HEX    refuse a server whose architecture hash differs (64 hex digits)\n"
      "  --timeout SECONDS    give up on a server that stalls this long (default 120)\n"
      "  --json               print one JSON object\n\n"
      "exit codes: 0 success, 1 the inference failed (network, server), 2 bad usage or input\n");
}

void print_text(const protocol::Client& c, const protocol::Inference& r, bool label_only) {
  const std::string name = class_name(c.architecture(), r.label);
  std::printf("prediction: %d%s%s%s\n", r.label, name.empty() ? "" : " (", name.c_str(),
              name.empty() ? "" : ")");
  if (!label_only) {
    std::printf("logits:");
    for (double v : r.logits) std::printf(" %.4f", v);
    std::printf("\n");
  }
  std::printf("architecture hash %s\n\n", nn::hex(c.architecture_hash()).c_str());
  std::printf(
      "%s", protocol::format_stage_table(client_stages(c.handshake_stats(), r.preprocess, r.online))
                .c_str());
  std::printf("(preprocess = session handshake %.3f s + one material set)\n",
              c.handshake_stats().seconds);
}

void print_json(const protocol::Client& c, const protocol::Inference& r) {
  std::string logits = "[";
  for (size_t i = 0; i < r.logits.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%.6f", i ? "," : "", r.logits[i]);
    logits += buf;
  }
  std::printf(
      "{\"label\":%d,\"class\":%s,\"logits\":%s],\"architecture_hash\":\"%s\",\"stages\":%s}\n",
      r.label, protocol::json_string(class_name(c.architecture(), r.label)).c_str(), logits.c_str(),
      nn::hex(c.architecture_hash()).c_str(),
      protocol::stages_json(client_stages(c.handshake_stats(), r.preprocess, r.online)).c_str());
}

int fail(const char* what, const core::Error& e, int code) {
  std::fprintf(stderr, "pangolin infer: %s%s\n", what, e.message.c_str());
  return code;
}

int cmd_infer(int argc, char** argv) {
  Args args(argc, argv, 2, {"help", "label-only", "json"});
  if (args.has("help")) {
    usage();
    return 0;
  }
  const auto index = args.get_int("index", 0, 1000000000);
  const auto timeout = args.get_int("timeout", 1, 86400);
  if (!args.reject_unknown({"help", "label-only", "json", "server", "image", "index", "tls-ca",
                            "expect-hash", "timeout"}) ||
      !args.ok() || !args.has("server") || !args.has("image")) {
    std::fprintf(
        stderr, "pangolin infer: %s\n",
        args.ok() ? "--server HOST:PORT and --image FILE are required" : args.error().c_str());
    return 2;
  }
  auto where = protocol::parse_host_port(*args.get("server"));
  if (!where.ok()) return fail("", where.error(), 2);
  std::optional<nn::Hash> expect;
  if (auto h = args.get("expect-hash")) {
    expect = parse_hash(*h);
    if (!expect) {
      std::fprintf(stderr, "pangolin infer: --expect-hash takes 64 hex digits\n");
      return 2;
    }
  }
  std::string spec = *args.get("image");
  if (index) spec += ":" + std::to_string(*index);
  auto image = load_image(spec);
  if (!image.ok()) return fail("", image.error(), 2);
  std::optional<mpc::TlsContext> tls;
  try {
    if (auto ca = args.get("tls-ca")) tls = mpc::TlsContext::client({*ca, true});
  } catch (const mpc::ChannelError& e) {
    std::fprintf(stderr, "pangolin infer: TLS: %s\n", e.what());
    return 2;
  }
  protocol::TcpConnector connector(where.value().first, where.value().second,
                                   tcp_options(timeout ? *timeout : 120, 3), tls);
  ProgressLine progress;
  protocol::ClientOptions options;
  options.pool = 1;
  options.max_sets = 1;
  options.expected_hash = expect;
  options.progress = progress.preprocessing();
  progress.update("connecting to " + *args.get("server") + " ...");
  auto client = protocol::Client::connect(connector, options);
  if (!client.ok()) return fail("", client.error(), 1);
  protocol::Client& c = *client.value();
  const auto& in = c.architecture().tensors[c.architecture().input];
  if (auto st = check_image_shape(image.value(), in.c, in.h, in.w); !st.ok()) {
    progress.clear();
    (void)c.close();
    return fail("", st.error(), 2);
  }
  const bool label_only = args.has("label-only") || c.label_only();
  if (label_only && !args.has("label-only")) {
    std::fprintf(stderr, "pangolin infer: this server reveals only the top-1 label\n");
  }
  auto r = c.infer(image.value().pixels,
                   label_only ? protocol::OutputMode::kLabel : protocol::OutputMode::kLogits);
  progress.clear();
  const auto closed = c.close();
  if (!r.ok()) return fail("", r.error(), 1);
  if (!closed.ok()) return fail("closing the session: ", closed.error(), 1);
  if (args.has("json")) {
    print_json(c, r.value());
  } else {
    print_text(c, r.value(), label_only);
  }
  return 0;
}

}  // namespace

PG_REGISTER_COMMAND("infer", "one private inference against a server (the client)", &cmd_infer);

}  // namespace pg::app
