// Security sanity checks on the bundled MiniONN with the product HE backend (PROTOCOL.md §5):
//   - the server's transcript has the same length for different images, and the x̂ it receives
//     passes uniformity checks even for an all-black image;
//   - the client never receives a plaintext weight: the message types it receives are those of
//     PROTOCOL.md §6 and no 16-byte window of the weights, in any plausible encoding, appears in
//     the bytes it receives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <unordered_set>

#include "e2e_util.h"
#include "nn/fixed_point.h"
#include "nn/onnx_import.h"
#include "nn/plan_io.h"
#include "protocol/client.h"
#include "protocol/messages.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

using namespace testing;

struct SessionRun {
  std::vector<std::shared_ptr<TapLog>> logs;  // [0] main, [1] preprocessing
  SessionReport report;
};

SessionRun run_session(const std::shared_ptr<const ServerModel>& model,
                       const std::vector<std::vector<double>>& images, OutputMode mode) {
  MemoryNetwork net;
  ServerThread server(model, net);
  TapConnector tap(net);
  ClientOptions co;
  co.pool = 1;
  co.max_sets = images.size();
  auto client = Client::connect(tap, co);
  if (!client.ok()) throw std::runtime_error(client.error().to_string());
  for (const auto& x : images) {
    auto r = client.value()->infer(x, mode);
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
  }
  if (!client.value()->close().ok()) throw std::runtime_error("close failed");
  return {tap.logs, server.reports(1).at(0)};
}

std::vector<uint64_t> sent_xhat(const SessionRun& run, const nn::Plan& plan) {
  std::vector<uint64_t> all;
  std::lock_guard<std::mutex> lock(run.logs[0]->mu);
  for (const auto& f : parse_frames(run.logs[0]->sent)) {
    if (f.type != MsgType::kInput) continue;
    auto m = decode_input(f.payload, plan.tensors[plan.input].size(), plan.ell);
    EXPECT_TRUE(m.ok());
    all.insert(all.end(), m.value().xhat.begin(), m.value().xhat.end());
  }
  return all;
}

TEST(E2eSecurity, ServerTranscriptsHaveEqualLengthAndUniformInputs) {
  auto model = server_model("minionn", Backend::kReal);
  const nn::Plan& plan = model->plan();
  const auto& ds = test_images(3);
  const std::vector<double> black(plan.tensors[plan.input].size(), 0.0);
  const SessionRun a = run_session(model, {black, ds.images[0].pixels}, OutputMode::kLogits);
  const SessionRun b =
      run_session(model, {ds.images[1].pixels, ds.images[2].pixels}, OutputMode::kLogits);
  for (const auto* r : {&a.report, &b.report}) ASSERT_TRUE(r->ok) << r->error;
  // The server's view, stage by stage and per inference: equal lengths both ways.
  auto same = [](const mpc::TrafficStats& x, const mpc::TrafficStats& y, const char* what) {
    EXPECT_EQ(x.bytes_sent, y.bytes_sent) << what;
    EXPECT_EQ(x.bytes_received, y.bytes_received) << what;
  };
  same(a.report.handshake, b.report.handshake, "handshake");
  same(a.report.preprocess, b.report.preprocess, "preprocess");
  same(a.report.online, b.report.online, "online");
  ASSERT_EQ(a.report.online_per_inference.size(), 2u);
  same(a.report.online_per_inference[0], a.report.online_per_inference[1], "per inference");
  same(a.report.online_per_inference[0], b.report.online_per_inference[0], "per inference");
  for (size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(a.logs[c]->sent.size(), b.logs[c]->sent.size()) << "connection " << c;
    EXPECT_EQ(a.logs[c]->received.size(), b.logs[c]->received.size()) << "connection " << c;
  }
  // x̂ of the black image and of a real one: each bit position is set about half the time, and
  // the top 4 bits fill 16 buckets evenly (chi-square, 15 degrees of freedom, p ≈ 1e-6 bound).
  const auto x = sent_xhat(a, plan);
  ASSERT_EQ(x.size(), 2 * plan.tensors[plan.input].size());
  const double n = double(x.size());
  for (int bit = 0; bit < plan.ell; ++bit) {
    double ones = 0;
    for (uint64_t v : x) ones += double((v >> bit) & 1);
    EXPECT_NEAR(ones / n, 0.5, 5 * std::sqrt(0.25 / n)) << "bit " << bit;
  }
  std::vector<double> buckets(16, 0);
  for (uint64_t v : x) buckets[v >> (plan.ell - 4)] += 1;
  double chi2 = 0;
  for (double c : buckets) chi2 += (c - n / 16) * (c - n / 16) / (n / 16);
  EXPECT_LT(chi2, 50.0);
  // The black image's x̂ is −r: it must not repeat (a reused mask would).
  const std::unordered_set<uint64_t> distinct(x.begin(), x.end());
  EXPECT_GT(distinct.size(), x.size() * 9 / 10);
}

// A 16-byte window, hashed for a fast scan of tens of megabytes.
struct Window {
  uint64_t lo, hi;
  bool operator==(const Window&) const = default;
};
struct WindowHash {
  size_t operator()(const Window& w) const { return w.lo * 0x9e3779b97f4a7c15ull ^ w.hi; }
};
using Needles = std::unordered_set<Window, WindowHash>;

Window window_at(const uint8_t* p) {
  Window w;
  std::memcpy(&w, p, 16);
  return w;
}

// Every 16-byte window of the weights in the encodings a careless implementation might send:
// int64, int32 and int16 little endian, double and float of the quantised values and of the
// ONNX model's own float weights, and the plan's weight serialisation (zigzag varints).
Needles weight_needles(const nn::Plan& plan, const std::string& onnx) {
  Needles needles;
  // Windows with many zero bytes (small values in wide encodings) are skipped: they are not
  // specific to the weights.
  auto windows = [&](const std::string& bytes) {
    for (size_t i = 0; i + 16 <= bytes.size(); ++i) {
      if (std::count(bytes.begin() + long(i), bytes.begin() + long(i) + 16, '\0') >= 8) continue;
      needles.insert(window_at(reinterpret_cast<const uint8_t*>(bytes.data()) + i));
    }
  };
  auto encode = [](const auto& values, auto tag) {
    using T = decltype(tag);
    std::string out;
    for (auto v : values) {
      const T t = T(v);
      out.append(reinterpret_cast<const char*>(&t), sizeof(T));
    }
    return out;
  };
  for (const auto& step : plan.steps) {
    const auto* a = std::get_if<nn::AffineStep>(&step);
    if (a == nullptr) continue;
    for (const auto& t : a->he_terms) {
      windows(encode(t.weights, int64_t{}));
      windows(encode(t.weights, int32_t{}));
      windows(encode(t.weights, int16_t{}));
      windows(encode(t.weights, double{}));
      windows(encode(t.weights, float{}));
    }
  }
  core::ByteWriter w;
  nn::write_weights(w, plan);
  windows(std::string(w.bytes().begin(), w.bytes().end()));
  auto g = nn::import_onnx_file(onnx);
  EXPECT_TRUE(g.ok());
  for (const auto& [name, tensor] : g.value().constants) {
    windows(encode(tensor.data, float{}));
    windows(encode(tensor.data, double{}));
  }
  return needles;
}

TEST(E2eSecurity, TheClientNeverReceivesAPlaintextWeight) {
  auto model = server_model("minionn", Backend::kReal);
  const auto& ds = test_images(2);
  const SessionRun run = run_session(model, {ds.images[0].pixels}, OutputMode::kLogits);
  const SessionRun label = run_session(model, {ds.images[1].pixels}, OutputMode::kLabel);
  const auto needles = weight_needles(model->plan(), model_path("minionn"));
  ASSERT_GT(needles.size(), 10000u);
  {
    // Positive control: the scan finds 24 bytes of int32 weights hidden in random bytes.
    const auto& w = std::get<nn::AffineStep>(model->plan().steps[2]).he_terms[0].weights;
    std::vector<uint8_t> haystack(4096);
    core::Prg::from_os().fill(haystack);
    for (size_t i = 0; i < 6; ++i) {
      const int32_t v = int32_t(w[100 + i]);
      std::memcpy(&haystack[1001 + 4 * i], &v, 4);
    }
    size_t found = 0;
    for (size_t i = 0; i + 16 <= haystack.size(); ++i)
      found += needles.count(window_at(&haystack[i]));
    ASSERT_GT(found, 0u);
  }
  const std::set<MsgType> allowed = {MsgType::kArchitecture, MsgType::kReady,  MsgType::kPrepReply,
                                     MsgType::kStream,       MsgType::kOutput, MsgType::kBye};
  // Every connection of the logits session, and the online connection of the label session
  // (its preprocessing is the same as the logits session's, plus the argmax circuit).
  std::vector<const TapLog*> logs = {run.logs[0].get(), run.logs[1].get(), label.logs[0].get()};
  for (const TapLog* log : logs) {
    for (const auto& f : parse_frames(log->received)) {
      EXPECT_TRUE(allowed.count(f.type)) << msg_type_name(f.type);
    }
    const auto& bytes = log->received;
    ASSERT_GT(bytes.size(), 1000u);
    size_t hits = 0;
    for (size_t i = 0; i + 16 <= bytes.size(); ++i) hits += needles.count(window_at(&bytes[i]));
    EXPECT_EQ(hits, 0u);
  }
  // Label mode never sends the logits' share.
  for (const auto& f : parse_frames(label.logs[0]->received)) EXPECT_NE(f.type, MsgType::kOutput);
}

}  // namespace
}  // namespace pg::protocol
