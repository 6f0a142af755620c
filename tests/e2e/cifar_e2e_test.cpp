// The synthetic MiniONN-CIFAR-10 export (random weights, models/minionn_cifar.onnx): the secure
// logits equal the fixed-point oracle bit for bit on a few inputs, with the real HE backend.
#include <gtest/gtest.h>

#include <chrono>

#include "core/testing.h"
#include "e2e_util.h"
#include "nn/fixed_point.h"
#include "protocol/client.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

using namespace testing;

TEST(E2eCifar, BitExactOnAFewInputs) {
  auto t0 = std::chrono::steady_clock::now();
  auto model = server_model("minionn_cifar", Backend::kReal);
  std::printf("model ready in %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  MemoryNetwork net;
  ServerThread server(model, net);
  ClientOptions co;
  co.pool = 1;
  co.max_sets = 2;
  auto client = Client::connect(net, co);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  const nn::Plan& plan = model->plan();
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(42));
  for (int i = 0; i < 2; ++i) {
    std::vector<double> x(plan.tensors[plan.input].size());
    for (auto& v : x) v = double(prg.uniform_below(1 << 16)) / double(1 << 16);
    auto r = client.value()->infer(x, OutputMode::kLogits);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r.value().logits_ring, nn::run_plan(plan, nn::encode_input(plan, x)));
    std::printf(
        "input %d: preprocess %.2f s %.1f MB, online %.3f s %.1f MB\n", i,
        r.value().preprocess.seconds,
        (r.value().preprocess.bytes_client_to_server +
         r.value().preprocess.bytes_server_to_client) /
            1e6,
        r.value().online.seconds,
        (r.value().online.bytes_client_to_server + r.value().online.bytes_server_to_client) / 1e6);
  }
  EXPECT_TRUE(client.value()->close().ok());
}

}  // namespace
}  // namespace pg::protocol
