// The CLI as a user runs it: `pangolin serve` in one process and `pangolin infer` in others,
// `pangolin demo`, and every bad input of issue 7 (a wrong image size, an unsupported or
// unreadable model, garbage from either peer, a peer that disconnects mid-stage, a port in use,
// an unreadable image): each gives a clear message and its exit code, and the server keeps
// serving.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "e2e_util.h"
#include "mpc/socket.h"
#include "mpc/tcp_channel.h"
#include "nn/fixed_point.h"
#include "nn/onnx_builder.h"
#include "process.h"
#include "protocol/messages.h"
#include "protocol/wire.h"

namespace pg::protocol {
namespace {

using namespace std::chrono_literals;
using testing::Process;
namespace fs = std::filesystem;

const std::string kBin = PG_PANGOLIN_BIN;
const std::string kImages = std::string(app::kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz";

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("pg_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<std::string> args, std::chrono::milliseconds timeout = 120s) {
  args.insert(args.begin(), kBin);
  Process p(args);
  const int code = p.wait(timeout);
  return {code, p.out(), p.err()};
}

int json_int(const std::string& s, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(s, m, std::regex("\"" + key + "\":(-?[0-9]+)"))) return -100;
  return std::stoi(m[1]);
}

// The label the merged plan gives test image i (what the secure protocol must return).
int plan_label(size_t i) {
  const nn::Plan& plan = testing::merged_plan("minionn");
  const auto y =
      nn::run_plan(plan, nn::encode_input(plan, testing::test_images(i + 1).images[i].pixels));
  int best = 0;
  for (size_t k = 1; k < y.size(); ++k) {
    if (nn::to_signed(y[k], plan.ell) > nn::to_signed(y[best], plan.ell)) best = int(k);
  }
  return best;
}

// The logits the merged plan gives test image i, as `infer --json` prints them: the secure ones
// must be these exactly (the fixed-point oracle, decoded and printed the same way).
std::string plan_logits_json(size_t i) {
  const nn::Plan& plan = testing::merged_plan("minionn");
  const auto y = nn::decode_output(
      plan,
      nn::run_plan(plan, nn::encode_input(plan, testing::test_images(i + 1).images[i].pixels)));
  std::string out = "\"logits\":[";
  for (size_t k = 0; k < y.size(); ++k) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%.6f", k ? "," : "", y[k]);
    out += buf;
  }
  return out + "]";
}

// `pangolin serve` on an ephemeral port of 127.0.0.1, for the duration of a test.
class Serve {
 public:
  explicit Serve(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        kBin,        "serve",     "--model", testing::model_path("minionn"),
        "--host",    "127.0.0.1", "--port",  "0",
        "--timeout", "20"};
    args.insert(args.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Process>(args);
    ready_ = proc_->read_until("listening on", 120s) && proc_->read_until("\n", 1s);
    std::smatch m;
    const std::string out = proc_->out();
    if (std::regex_search(out, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)"))) {
      port_ = std::stoi(m[1]);
    }
  }
  bool ready() const { return ready_ && port_ > 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  // Stops it (SIGTERM) and returns its exit code.
  int stop() {
    proc_->signal(SIGTERM);
    return proc_->wait(60s);
  }
  const std::string& out() const { return proc_->out(); }
  const std::string& err() const { return proc_->err(); }

 private:
  std::unique_ptr<Process> proc_;
  bool ready_ = false;
  int port_ = 0;
};

TEST(Cli, ServeAndInferGiveThePlansPredictionAndSurviveBadClients) {
  Serve server({"--max-sessions", "2"});
  ASSERT_TRUE(server.ready()) << server.out() << server.err();
  const auto ok =
      run({"infer", "--server", server.address(), "--image", kImages, "--index", "7", "--json"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(json_int(ok.out, "label"), plan_label(7)) << ok.out;
  EXPECT_NE(ok.out.find(plan_logits_json(7)), std::string::npos)
      << ok.out << "\nwant " << plan_logits_json(7);
  EXPECT_NE(ok.out.find("\"stages\":[{\"name\":\"preprocess\""), std::string::npos) << ok.out;
  const auto label =
      run({"infer", "--server", server.address(), "--image", kImages + ":7", "--label-only"});
  ASSERT_EQ(label.code, 0) << label.err;
  EXPECT_NE(label.out.find("prediction: " + std::to_string(plan_label(7))), std::string::npos)
      << label.out;
  EXPECT_NE(label.out.find("online"), std::string::npos);

  // Bad input on the client side: exit code 2 and a message naming the problem.
  const fs::path dir = temp_dir();
  write_file(dir / "big.pgm", "P2\n32 32\n255\n" + std::string(32 * 32 * 2, '0'));
  {
    std::string pgm = "P2\n32 32\n255\n";
    for (int i = 0; i < 32 * 32; ++i) pgm += "7 ";
    write_file(dir / "big.pgm", pgm);
  }
  const auto big =
      run({"infer", "--server", server.address(), "--image", (dir / "big.pgm").string()});
  EXPECT_EQ(big.code, 2);
  EXPECT_NE(big.err.find("the image is 1x32x32 (CxHxW) but the model expects 1x28x28"),
            std::string::npos)
      << big.err;
  const auto missing = run({"infer", "--server", server.address(), "--image", "/nonexistent.png"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("/nonexistent.png"), std::string::npos) << missing.err;
  const auto pinned = run({"infer", "--server", server.address(), "--image", kImages + ":0",
                           "--expect-hash", std::string(64, '0')});
  EXPECT_EQ(pinned.code, 1);
  EXPECT_NE(pinned.err.find("architecture hash"), std::string::npos) << pinned.err;

  // Garbage, and a client that disconnects mid-handshake and mid-preprocessing.
  {
    auto ch = mpc::TcpChannel::connect("127.0.0.1", uint16_t(server.port()));
    ch->send("GET / HTTP/1.1\r\n\r\n", 18);
    ch->flush();
    std::array<uint8_t, kFrameHeader> h;
    ch->recv(h.data(), h.size());  // the server answers with an error frame, then hangs up
    EXPECT_EQ(h[3], uint8_t(MsgType::kError));
  }
  {
    auto ch = mpc::TcpChannel::connect("127.0.0.1", uint16_t(server.port()));
    Hello hello;
    hello.client_version = "test";
    send_frame(*ch, MsgType::kHello, encode_hello(hello));
    auto arch = recv_frame(*ch, MsgType::kArchitecture, kMaxArchitecture + 256);
    ASSERT_TRUE(arch.ok());
    ch->close();  // gone before its public key
  }
  // Still serving, and the disconnected sessions freed their slots (--max-sessions 2).
  for (int i = 0; i < 3; ++i) {
    const auto again = run({"infer", "--server", server.address(), "--image", kImages + ":3",
                            "--label-only", "--json"});
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_EQ(json_int(again.out, "label"), plan_label(3));
  }
  EXPECT_EQ(server.stop(), 0) << server.err();
  EXPECT_NE(server.out().find("stopped"), std::string::npos);
  EXPECT_NE(server.out().find("not a Pangolin frame"), std::string::npos) << server.out();
  fs::remove_all(dir);
}

// serve --label-only: a client learns only the label, and is told so when it did not ask.
TEST(Cli, ALabelOnlyServerAnswersWithTheLabelAlone) {
  Serve server({"--label-only"});
  ASSERT_TRUE(server.ready()) << server.out() << server.err();
  const auto r = run({"infer", "--server", server.address(), "--image", kImages + ":5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json_int(r.out, "label"), plan_label(5)) << r.out;
  EXPECT_NE(r.out.find("\"logits\":[]"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("reveals only the top-1 label"), std::string::npos) << r.err;
  EXPECT_EQ(server.stop(), 0);
}

TEST(Cli, TlsServeAndInfer) {
  if (std::system("openssl version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
  const fs::path dir = temp_dir();
  const std::string key = (dir / "key.pem").string(), cert = (dir / "cert.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
      "/CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Serve server({"--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server.ready()) << server.out() << server.err();
  EXPECT_NE(server.out().find("(TLS)"), std::string::npos);
  const auto ok = run({"infer", "--server", server.address(), "--image", kImages + ":1", "--tls-ca",
                       cert, "--json"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(json_int(ok.out, "label"), plan_label(1));
  // A client without TLS meets a TLS server: a clear failure, and the server carries on.
  const auto plain =
      run({"infer", "--server", server.address(), "--image", kImages + ":1", "--timeout", "5"});
  EXPECT_EQ(plain.code, 1);
  EXPECT_FALSE(plain.err.empty());
  const auto again = run({"infer", "--server", server.address(), "--image", kImages + ":2",
                          "--tls-ca", cert, "--label-only", "--json"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(json_int(again.out, "label"), plan_label(2));
  EXPECT_EQ(server.stop(), 0);
  fs::remove_all(dir);
}

TEST(Cli, ServeRejectsUnusableModelsAndABusyPort) {
  const fs::path dir = temp_dir();
  const auto missing = run({"serve", "--model", "/nonexistent.onnx"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("/nonexistent.onnx"), std::string::npos) << missing.err;
  write_file(dir / "garbage.onnx", "this is not a protobuf");
  const auto garbage = run({"serve", "--model", (dir / "garbage.onnx").string()});
  EXPECT_EQ(garbage.code, 2);
  EXPECT_FALSE(garbage.err.empty());
  auto sigmoid = nn::testing::OnnxModel::small_conv();
  sigmoid.m.mutable_graph()->mutable_node(1)->set_op_type("Sigmoid");
  const auto bytes = sigmoid.bytes();
  write_file(dir / "sigmoid.onnx", std::string(bytes.begin(), bytes.end()));
  const auto unsupported = run({"serve", "--model", (dir / "sigmoid.onnx").string()});
  EXPECT_EQ(unsupported.code, 2);
  EXPECT_NE(unsupported.err.find("unsupported op 'Sigmoid'"), std::string::npos) << unsupported.err;

  auto busy = mpc::TcpListener::listen("127.0.0.1", 0);
  const auto in_use = run({"serve", "--model", testing::model_path("minionn_bn"), "--host",
                           "127.0.0.1", "--port", std::to_string(busy.port())});
  EXPECT_EQ(in_use.code, 1);
  EXPECT_NE(in_use.err.find("in use"), std::string::npos) << in_use.err;
  fs::remove_all(dir);
}

TEST(Cli, InferReportsAServerThatIsAbsentOrSpeaksGarbage) {
  uint16_t port;
  {
    auto l = mpc::TcpListener::listen("127.0.0.1", 0);
    port = l.port();
  }  // closed: nothing listens there now
  const auto absent =
      run({"infer", "--server", "127.0.0.1:" + std::to_string(port), "--image", kImages + ":0"});
  EXPECT_EQ(absent.code, 1);
  EXPECT_NE(absent.err.find("cannot connect"), std::string::npos) << absent.err;

  auto listener = mpc::TcpListener::listen("127.0.0.1", 0);
  std::thread fake([&] {
    auto ch = mpc::TcpChannel::accept(listener, 30s);
    std::array<uint8_t, 64> buf;
    ch->recv(buf.data(), kFrameHeader);  // the client's hello header
    ch->send("HTTP/1.1 400 Bad Request\r\n\r\n", 28);
    ch->close();
  });
  const auto garbage = run({"infer", "--server", "127.0.0.1:" + std::to_string(listener.port()),
                            "--image", kImages + ":0"});
  fake.join();
  EXPECT_EQ(garbage.code, 1);
  EXPECT_NE(garbage.err.find("not a Pangolin frame"), std::string::npos) << garbage.err;
  const auto usage = run({"infer", "--server", "nowhere", "--image", kImages + ":0"});
  EXPECT_EQ(usage.code, 2);
  EXPECT_NE(usage.err.find("HOST:PORT"), std::string::npos) << usage.err;
}

TEST(Cli, DemoJson) {
  const auto r = run({"demo", "--json", "--images", "2"}, 300s);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* key :
       {"\"images\":[", "\"secure_label\":", "\"plain_label\":", "\"max_abs_logit_error\":",
        "\"stages\":[", "\"name\":\"merge\"", "\"name\":\"preprocess\"", "\"name\":\"online\"",
        "\"seconds\":", "\"bytes_client_to_server\":", "\"bytes_server_to_client\":"}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key << " in " << r.out;
  }
  size_t exact = 0;
  for (size_t p = r.out.find("\"exact\":true"); p != std::string::npos;
       p = r.out.find("\"exact\":true", p + 1)) {
    ++exact;
  }
  EXPECT_EQ(exact, 2u) << r.out;
  EXPECT_EQ(json_int(r.out, "secure_label"), plan_label(0));
}

}  // namespace
}  // namespace pg::protocol
