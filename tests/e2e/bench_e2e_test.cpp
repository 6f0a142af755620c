// `pangolin bench` as a user runs it: the JSON of one repeat on MiniONN-MNIST (structure,
// plausible values, the exactness flag, and traffic equal to what `pangolin demo` reports for
// the same model, an independent driver of the same protocol), and the exit code 2 with a clear
// message for every kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "process.h"

namespace pg::app {
namespace {

using namespace std::chrono_literals;
using protocol::testing::Process;

struct Run {
  int code;
  std::string out, err;
};

Run run(std::vector<std::string> args, std::chrono::milliseconds timeout = 120s) {
  args.insert(args.begin(), PG_PANGOLIN_BIN);
  Process p(args);
  const int code = p.wait(timeout);
  return {code, p.out(), p.err()};
}

// The object of stage `name` in a "stages" array (up to the next stage), or "".
std::string stage(const std::string& json, const std::string& name) {
  const auto b = json.find("{\"name\":\"" + name + "\"");
  if (b == std::string::npos) return "";
  const auto e = json.find("{\"name\":", b + 1);
  return json.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

// The first number after "key": (-1 when absent).
double number(const std::string& s, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(s, m, std::regex("\"" + key + "\":(-?[0-9.eE+-]+)"))) return -1;
  return std::stod(m[1]);
}

TEST(Bench, MinionnMnistJsonIsCompleteExactAndAgreesWithDemo) {
  const auto r = run({"bench", "--model", "minionn-mnist", "--repeat", "1", "--json"}, 300s);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"network\":\"minionn-mnist\""), std::string::npos) << r.out;
  EXPECT_EQ(number(r.out, "threads"), 1);
  EXPECT_NE(r.out.find("\"exact\":true"), std::string::npos) << r.out;
  const std::string rss = r.out.substr(r.out.find("\"peak_rss_bytes\""));
  EXPECT_GT(number(rss, "server"), 1e6);
  EXPECT_GT(number(rss, "client"), 1e6);
  EXPECT_LT(number(rss, "server"), 4e9);

  const auto demo = run({"demo", "--json", "--images", "1"}, 300s);
  ASSERT_EQ(demo.code, 0) << demo.err;
  for (const char* name : {"merge", "preprocess", "online"}) {
    SCOPED_TRACE(name);
    const std::string s = stage(r.out, name);
    ASSERT_FALSE(s.empty()) << r.out;
    const double median = number(s, "seconds_median");
    EXPECT_GT(median, 0);
    EXPECT_LT(median, 60);
    EXPECT_LE(number(s, "seconds_min"), median);
    EXPECT_GE(number(s, "seconds_max"), median);
    // The same protocol on the same model moves the same bytes in the same rounds.
    const std::string d = stage(demo.out, name);
    for (const char* key : {"bytes_client_to_server", "bytes_server_to_client", "rounds"}) {
      EXPECT_EQ(number(s, key), number(d, key)) << key << "\nbench: " << s << "\ndemo: " << d;
    }
  }
  const std::string prep = stage(r.out, "preprocess");
  EXPECT_GT(number(prep, "bytes_client_to_server"), 1e5);
  EXPECT_GT(number(prep, "bytes_server_to_client"), 1e5);
  // The linear/non-linear split adds up to the stage (first match = the stage's own field).
  const std::string lin = prep.substr(prep.find("\"linear\""));
  const std::string nonlin = prep.substr(prep.find("\"nonlinear\""));
  EXPECT_EQ(number(lin, "bytes_client_to_server") + number(nonlin, "bytes_client_to_server"),
            number(prep, "bytes_client_to_server"));
  EXPECT_GT(number(lin, "seconds_median"), 0);
  EXPECT_GT(number(nonlin, "seconds_median"), 0);
}

TEST(Bench, EmulatedWanAddsItsLatencyAndStaysExact) {
  const auto r = run({"bench", "--net", "wan", "--repeat", "1", "--warmup", "0", "--json"}, 300s);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"net\":\"wan\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"exact\":true"), std::string::npos) << r.out;
  // The online stage needs at least one round trip (input out, labels back) at 40 ms.
  EXPECT_GE(number(stage(r.out, "online"), "seconds_median"), 0.04) << r.out;
}

// --ell pins the ring (comparisons with other systems use theirs): the run reports it and stays
// exact; a ring narrower than the calibrated bound is refused.
TEST(Bench, PinnedRingIsReportedAndExact) {
  const auto r = run({"bench", "--ell", "44", "--repeat", "1", "--warmup", "0", "--json"}, 300s);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_EQ(number(r.out, "ell"), 44) << r.out;
  EXPECT_NE(r.out.find("\"exact\":true"), std::string::npos) << r.out;
}

TEST(Bench, AccuracyModeCountsEveryImageAndMatchesThePlaintextModel) {
  const auto r = run({"bench", "--accuracy", "4", "--json"}, 300s);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  const std::string acc = r.out.substr(r.out.find("\"accuracy\":{"));
  EXPECT_EQ(number(acc, "images"), 4);
  // Exact secure logits give the float model's label wherever the margin exceeds the rounding.
  EXPECT_EQ(number(acc, "same_label"), 4) << acc;
  EXPECT_GE(number(acc, "secure_correct"), 0);
  EXPECT_EQ(number(acc, "secure_correct"), number(acc, "plain_correct")) << acc;
  EXPECT_NE(r.out.find("\"exact\":true"), std::string::npos) << r.out;
  const auto cifar = run({"bench", "--accuracy", "2", "--model", "minionn-cifar10"}, 120s);
  EXPECT_EQ(cifar.code, 2) << cifar.err;
  EXPECT_NE(cifar.err.find("1x28x28"), std::string::npos) << cifar.err;
}

TEST(Bench, BadInputExitsWithTwoAndSaysWhy) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("pg_bench_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto garbage = (dir / "garbage.onnx").string();
  std::ofstream(garbage) << "not a model";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"bench", "--model", "lenet-17"}, "no model file"},
      {{"bench", "--model", "/nonexistent/m.onnx"}, "no model file"},
      {{"bench", "--model", garbage, "--repeat", "1"}, "pangolin bench:"},
      {{"bench", "--threads", "0"}, "--threads"},
      {{"bench", "--repeat", "x"}, "--repeat"},
      {{"bench", "--net", "moon"}, "--net must be none, lan or wan"},
      {{"bench", "--accuracy", "0"}, "--accuracy"},
      {{"bench", "--ell", "20", "--repeat", "1"}, "ℓ = 20 is too small"},
      {{"bench", "--ell", "65"}, "--ell"},
      {{"bench", "--frobnicate"}, "frobnicate"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run(args, 60s);
    EXPECT_EQ(r.code, 2) << args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args.back() << ": " << r.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pg::app
