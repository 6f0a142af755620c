// End to end on the bundled Fashion-MNIST models (exploration of timings).
#include <gtest/gtest.h>

#include <chrono>

#include "dataset.h"
#include "model_setup.h"
#include "nn/fixed_point.h"
#include "protocol/client.h"
#include "protocol/ideal_he.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

std::string model_path(const std::string& name) {
  return std::string(PG_SOURCE_DIR) + "/models/" + name + ".onnx";
}

TEST(E2e, Timing) {
  auto ds = app::load_fashion_mnist("t10k", 20).value();
  for (const char* name : {"minionn", "minionn_bn", "resnet"}) {
    ModelOptions mo;
    mo.he_factory = testing::ideal_server_factory();
    auto model = app::load_server_model(model_path(name), mo, nullptr);
    ASSERT_TRUE(model.ok()) << model.error().to_string();
    MemoryNetwork net;
    testing::ServerThread server(model.value(), net);
    ClientOptions co;
    co.he_factory = testing::ideal_client_factory();
    co.pool = 2;
    auto client = Client::connect(net, co);
    ASSERT_TRUE(client.ok());
    const auto t0 = std::chrono::steady_clock::now();
    double online = 0, prep = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < ds.images.size(); ++i) {
      auto r = client.value()->infer(ds.images[i].pixels, OutputMode::kLogits);
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      const auto want = nn::run_plan(model.value()->plan(),
                                     nn::encode_input(model.value()->plan(), ds.images[i].pixels));
      EXPECT_EQ(r.value().logits_ring, want);
      online += r.value().online.seconds;
      prep += r.value().preprocess.seconds;
      bytes += r.value().preprocess.bytes_server_to_client + r.value().preprocess.bytes_client_to_server + r.value().online.bytes_client_to_server + r.value().online.bytes_server_to_client;
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s: %zu images %.3f s total, per image: online %.4f s prep %.4f s, %.2f MB\n", name,
                ds.images.size(), total, online / ds.images.size(), prep / ds.images.size(),
                bytes / 1e6 / ds.images.size());
    EXPECT_TRUE(client.value()->close().ok());
  }
}

}  // namespace
}  // namespace pg::protocol
