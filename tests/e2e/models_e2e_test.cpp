// End to end on the bundled Fashion-MNIST models (exploration of timings).
#include <gtest/gtest.h>

#include <chrono>

#include "e2e_util.h"
#include "nn/fixed_point.h"
#include "protocol/client.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

using namespace testing;

TEST(E2e, Timing) {
  const auto& ds = test_images(10);
  for (Backend b : {Backend::kReal, Backend::kIdeal}) {
    for (const char* name : {"minionn", "minionn_bn", "resnet"}) {
      auto t0 = std::chrono::steady_clock::now();
      auto model = server_model(name, b);
      const double setup =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      MemoryNetwork net;
      ServerThread server(model, net);
      ClientOptions co;
      co.he_factory = client_factory(b);
      co.pool = 2;
      t0 = std::chrono::steady_clock::now();
      auto client = Client::connect(net, co);
      ASSERT_TRUE(client.ok()) << client.error().to_string();
      double online = 0, prep = 0;
      uint64_t bytes = 0;
      for (size_t i = 0; i < 10; ++i) {
        auto r = client.value()->infer(ds.images[i].pixels, OutputMode::kLogits);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        const auto want =
            nn::run_plan(model->plan(), nn::encode_input(model->plan(), ds.images[i].pixels));
        EXPECT_EQ(r.value().logits_ring, want);
        online += r.value().online.seconds;
        prep += r.value().preprocess.seconds;
        bytes += r.value().preprocess.bytes_server_to_client +
                 r.value().preprocess.bytes_client_to_server +
                 r.value().online.bytes_client_to_server + r.value().online.bytes_server_to_client;
      }
      const double total =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf(
          "%s %s: setup %.2f s, handshake %.3f s %.2f MB; 10 images %.3f s, per image: online %.4f "
          "s prep %.4f s, %.2f MB\n",
          b == Backend::kReal ? "real" : "ideal", name, setup,
          client.value()->handshake_stats().seconds,
          (client.value()->handshake_stats().bytes_client_to_server +
           client.value()->handshake_stats().bytes_server_to_client) /
              1e6,
          total, online / 10, prep / 10, bytes / 1e7);
      EXPECT_TRUE(client.value()->close().ok());
    }
  }
}

}  // namespace
}  // namespace pg::protocol
