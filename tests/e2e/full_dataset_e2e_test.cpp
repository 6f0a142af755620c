// Label slow: the whole Fashion-MNIST test set (10,000 images) through the secure protocol on
// each bundled model, one session each (product HE, in-memory channel): every secure logit
// vector equals the merged plan's fixed-point logits bit for bit.
#include <gtest/gtest.h>

#include "e2e_util.h"
#include "nn/fixed_point.h"
#include "protocol/client.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

using namespace testing;

class FullTestSet : public ::testing::TestWithParam<const char*> {};

TEST_P(FullTestSet, SecureLogitsAreBitExactOnAll10000Images) {
  auto model = server_model(GetParam(), Backend::kReal);
  const nn::Plan& plan = model->plan();
  const auto& ds = test_images(10000);
  ASSERT_EQ(ds.images.size(), 10000u);
  MemoryNetwork net;
  ServerThread server(model, net);
  ClientOptions co;
  co.pool = 4;
  auto client = Client::connect(net, co);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  size_t mismatches = 0, correct = 0;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const auto& x = ds.images[i].pixels;
    auto r = client.value()->infer(x, OutputMode::kLogits);
    ASSERT_TRUE(r.ok()) << "image " << i << ": " << r.error().to_string();
    if (r.value().logits_ring != nn::run_plan(plan, nn::encode_input(plan, x))) ++mismatches;
    correct += r.value().label == ds.labels[i];
  }
  EXPECT_EQ(mismatches, 0u);
  std::printf("%s: secure accuracy %.2f%% on the 10,000 test images\n", GetParam(),
              100.0 * double(correct) / 10000.0);
  EXPECT_TRUE(client.value()->close().ok());
}

INSTANTIATE_TEST_SUITE_P(E2eSlow, FullTestSet, ::testing::Values("minionn", "minionn_bn", "resnet"),
                         [](const auto& p) { return std::string(p.param); });

}  // namespace
}  // namespace pg::protocol
