// Requests, replies and key material are untrusted bytes: every malformed variant is a
// core::Result error (never a crash or an exception), while API misuse throws
// std::invalid_argument naming the problem.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "he_linear_util.h"
#include "nn/kernels/conv_geometry.h"
#include "protocol/he_backend.h"

namespace pg::protocol {
namespace {

struct Exchange {
  nn::Plan plan;
  HeOptions opt{HeScheme::kAuto, HePacking::kCoefficient, nullptr};
  HeLinearClient client;
  HeLinearServer server;
  HeClientKeys keys;
  std::vector<uint64_t> r, t;
  core::Bytes request, reply;

  static nn::Plan make_plan() {
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(61));
    const auto g = nn::kernels::square_conv(2, 6, 6, 3, 3, 1, 1);
    return testing::one_term_plan(g, false, 20, 6,
                                  testing::random_weights(prg, g.weight_count(), 6));
  }
  static HeClientKeys parse(const nn::Plan& p, const HeOptions& o, const core::Bytes& b) {
    auto k = HeClientKeys::parse(p.architecture(), o, b);
    if (!k.ok()) throw std::runtime_error(k.error().to_string());
    return std::move(k).value();
  }
  Exchange()
      : plan(make_plan()),
        client(plan.architecture(), opt),
        server(plan, opt),
        keys(parse(plan, opt, client.public_material())),
        r(plan.tensors[0].size(), 12345),
        t(plan.tensors[1].size()) {
    request = client.encrypt(0, r);
    core::Prg prg = core::Prg::from_os();
    auto rep = server.respond(0, request, keys, t, prg);
    if (!rep.ok()) throw std::runtime_error(rep.error().to_string());
    reply = rep.value();
  }
  core::Result<core::Bytes> respond(const core::Bytes& req) {
    core::Prg prg = core::Prg::from_os();
    return server.respond(0, req, keys, t, prg);
  }
};

std::vector<core::Bytes> variants(const core::Bytes& good) {
  std::vector<core::Bytes> v;
  v.emplace_back();                              // empty
  v.emplace_back(good.begin(), good.end() - 1);  // truncated
  v.push_back(good);
  v.back().push_back(0);  // trailing byte
  v.push_back(good);
  v.back()[0] ^= 1;  // magic
  v.push_back(good);
  v.back()[4] ^= 1;  // version
  v.push_back(good);
  v.back()[5] ^= 1;  // term index
  v.push_back(good);
  v.back()[9] ^= 1;  // count
  v.push_back(good);
  for (size_t i = 40; i < 80; ++i) v.back()[i] = 0xff;  // residues above their prime
  v.push_back(good);
  v.back().back() = 0xff;  // padding bits / seed
  return v;
}

TEST(HeUntrusted, MalformedRequestsAreErrors) {
  Exchange x;
  EXPECT_TRUE(x.respond(x.request).ok());
  for (const auto& bad : variants(x.request)) {
    if (bad == x.request) continue;
    const auto res = x.respond(bad);
    if (bad.size() == x.request.size() && bad.back() != x.request.back()) {
      continue;  // a changed seed is a different, valid request
    }
    EXPECT_FALSE(res.ok()) << "accepted a malformed request of " << bad.size() << " bytes";
  }
  // A ciphertext whose scale field claims 2.0.
  core::Bytes scaled = x.request;
  const size_t scale_at =
      13 + 4 + 1 + 1 + 8 + 1 + 1;  // request header, ciphertext header, level, size
  scaled[scale_at + 7] ^= 0x40;
  EXPECT_FALSE(x.respond(scaled).ok());
}

TEST(HeUntrusted, MalformedRepliesAreErrors) {
  Exchange x;
  auto c = x.client.decrypt(0, x.reply);
  ASSERT_TRUE(c.ok());
  for (const auto& bad : variants(x.reply)) {
    if (bad == x.reply) continue;
    const auto res = x.client.decrypt(0, bad);
    if (bad.size() == x.reply.size() && bad.back() != x.reply.back() && res.ok()) {
      continue;  // the last byte may be a legitimate value
    }
    EXPECT_FALSE(res.ok()) << "accepted a malformed reply of " << bad.size() << " bytes";
  }
  // A reply for the wrong term index is a mismatch.
  core::Bytes other = x.reply;
  other[5] = 1;
  const auto res = x.client.decrypt(0, other);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, core::ErrorCode::kMismatch);
}

TEST(HeUntrusted, MalformedKeyMaterialIsAnError) {
  Exchange x;
  const core::Bytes good = x.client.public_material();
  auto all = variants(good);
  // Residues above their prime anywhere in the material, not only in its first bytes.
  for (size_t at : {good.size() / 3, good.size() / 2, good.size() - 80}) {
    all.push_back(good);
    for (size_t i = at; i < at + 40; ++i) all.back()[i] = 0xff;
  }
  for (size_t k = 0; k < all.size(); ++k) {
    const core::Bytes& bad = all[k];
    if (bad == good) continue;
    if (bad.size() == good.size() && bad.back() != good.back() &&
        std::equal(good.begin(), good.end() - 1, bad.begin())) {
      continue;  // only the last byte changed: a seed byte, any value of which is valid
    }
    const auto parsed = HeClientKeys::parse(x.plan.architecture(), x.opt, bad);
    EXPECT_FALSE(parsed.ok()) << "variant " << k << " of " << bad.size() << " bytes was accepted";
  }
  // Keys of another architecture do not parse against this one.
  const nn::Plan other = testing::one_term_plan(nn::kernels::dense_geometry(7, 3), true, 30, 4, {});
  const HeLinearClient c2(other, x.opt);
  EXPECT_FALSE(HeClientKeys::parse(x.plan.architecture(), x.opt, c2.public_material()).ok());
}

// The server refuses a request frame larger than its term's request before reading it, so the
// bound it uses must be the exact size of what an honest client sends.
TEST(HeUntrusted, TheServersRequestBoundIsTheClientsRequestSize) {
  Exchange x;
  const auto server = make_he_server(x.plan, x.opt);
  const auto client = make_he_client(x.plan.architecture(), x.opt);
  EXPECT_EQ(server->request_bytes(0), client->encrypt(0, x.r).size());
  EXPECT_EQ(server->request_bytes(0), x.request.size());
}

TEST(HeUntrusted, ApiMisuseThrows) {
  Exchange x;
  core::Prg prg = core::Prg::from_os();
  std::vector<uint64_t> short_t(x.t.size() - 1);
  EXPECT_THROW((void)x.server.respond(0, x.request, x.keys, short_t, prg), std::invalid_argument);
  EXPECT_THROW((void)x.server.respond(1, x.request, x.keys, x.t, prg), std::invalid_argument);
  EXPECT_THROW((void)x.client.encrypt(0, std::vector<uint64_t>(3)), std::invalid_argument);
  EXPECT_THROW((void)x.client.encrypt(5, x.r), std::invalid_argument);
  EXPECT_THROW((void)x.client.decrypt(2, x.reply), std::invalid_argument);
  EXPECT_THROW(HeLinearServer(x.plan.architecture(), x.opt), std::invalid_argument);
  // A weight beyond the public bound.
  nn::Plan bad = x.plan;
  std::get<nn::AffineStep>(bad.steps[0]).he_terms[0].weights[0] = 1 << 6;
  EXPECT_THROW(HeLinearServer(bad, x.opt), std::invalid_argument);
}

}  // namespace
}  // namespace pg::protocol
