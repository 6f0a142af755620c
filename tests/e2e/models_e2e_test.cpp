// End to end on the three bundled Fashion-MNIST models, with the product HE backend, over the
// in-memory channel and over loopback TCP: on the first 200 test images (one session, its pool
// reused across images), the secure logits equal the merged plan's fixed-point logits bit for
// bit, so the secure predictions equal the plaintext predictions of the quantised plan; every
// tenth image runs in label mode (the argmax circuit) and must give the same label.
#include <gtest/gtest.h>

#include <tuple>

#include "e2e_util.h"
#include "nn/fixed_point.h"
#include "protocol/client.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

using namespace testing;

inline constexpr size_t kImages = 200;

int first_argmax(const nn::Plan& p, const std::vector<uint64_t>& y) {
  int best = 0;
  for (size_t i = 1; i < y.size(); ++i) {
    if (nn::to_signed(y[i], p.ell) > nn::to_signed(y[best], p.ell)) best = int(i);
  }
  return best;
}

void run_images(Connector& connector, const ServerModel& model, size_t images) {
  const nn::Plan& plan = model.plan();
  ClientOptions co;
  co.pool = 3;
  co.expected_hash = model.hash();
  auto client = Client::connect(connector, co);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  const auto& ds = test_images(images);
  size_t mismatches = 0;
  for (size_t i = 0; i < images; ++i) {
    const auto& x = ds.images[i].pixels;
    const auto want = nn::run_plan(plan, nn::encode_input(plan, x));
    const auto mode = i % 10 == 9 ? OutputMode::kLabel : OutputMode::kLogits;
    auto r = client.value()->infer(x, mode);
    ASSERT_TRUE(r.ok()) << "image " << i << ": " << r.error().to_string();
    if (mode == OutputMode::kLogits && r.value().logits_ring != want) ++mismatches;
    EXPECT_EQ(r.value().label, first_argmax(plan, want)) << "image " << i;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_TRUE(client.value()->close().ok());
}

class Models : public ::testing::TestWithParam<std::tuple<const char*, bool>> {};

TEST_P(Models, SecureLogitsAreBitExactOn200TestImages) {
  const auto [name, tcp] = GetParam();
  auto model = server_model(name, Backend::kReal);
  if (tcp) {
    auto acceptor = TcpAcceptor::listen("127.0.0.1", 0, {});
    ASSERT_TRUE(acceptor.ok()) << acceptor.error().to_string();
    ServerThread server(model, *acceptor.value());
    TcpConnector connector("127.0.0.1", acceptor.value()->port(), {});
    run_images(connector, *model, kImages);
    EXPECT_TRUE(server.reports(1).at(0).ok);
  } else {
    MemoryNetwork net;
    ServerThread server(model, net);
    run_images(net, *model, kImages);
    EXPECT_TRUE(server.reports(1).at(0).ok);
  }
}

INSTANTIATE_TEST_SUITE_P(E2e, Models,
                         ::testing::Combine(::testing::Values("minionn", "minionn_bn", "resnet"),
                                            ::testing::Bool()),
                         [](const auto& p) {
                           return std::string(std::get<0>(p.param)) +
                                  (std::get<1>(p.param) ? "_tcp" : "_memory");
                         });

}  // namespace
}  // namespace pg::protocol
