// Fuzzes the HE linear terms' untrusted inputs. The first byte picks the parser: 0 a reply
// (HeLinearClient::decrypt), 1 a request (HeLinearServer::respond), 2 key material
// (HeClientKeys::parse); the rest is the input. Each must return a value or an error: never
// crash, hang or throw. Seeds are well-formed messages of a small two-term plan, so mutations
// reach the ciphertext payloads.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/plan.h"
#include "protocol/linear/he_linear.h"

namespace {

using namespace pg;

nn::Plan small_plan() {
  nn::Plan p;
  p.ell = 20;
  p.f = p.f_w = 4;
  const auto g = nn::kernels::square_conv(1, 4, 4, 2, 3, 1, 1);
  p.tensors = {{1, 4, 4}, {2, 4, 4}};
  nn::HeTerm t;
  t.geometry = g;
  t.weight_bits = 5;
  t.weights.assign(g.weight_count(), 0);
  for (size_t i = 0; i < t.weights.size(); ++i) t.weights[i] = int64_t(i % 31) - 15;
  nn::AffineStep a;
  a.out = 1;
  a.he_terms.push_back(t);
  a.bias.assign(p.tensors[1].size(), 0);
  p.steps.push_back(a);
  p.output = 1;
  return p;
}

struct State {
  nn::Plan plan = small_plan();
  protocol::HeOptions opt{};
  protocol::HeLinearClient client{plan.architecture(), opt};
  protocol::HeLinearServer server{plan, opt};
  core::Bytes material = client.public_material();
  protocol::HeClientKeys keys = [this] {
    auto k = protocol::HeClientKeys::parse(plan.architecture(), opt, material);
    if (!k.ok()) std::abort();
    return std::move(k).value();
  }();
  std::vector<uint64_t> r = std::vector<uint64_t>(plan.tensors[0].size(), 77);
  std::vector<uint64_t> t = std::vector<uint64_t>(plan.tensors[1].size());
};

State& state() {
  static State s;
  return s;
}

std::vector<uint8_t> tagged(uint8_t tag, const core::Bytes& b) {
  std::vector<uint8_t> v(b.size() + 1);
  v[0] = tag;
  std::copy(b.begin(), b.end(), v.begin() + 1);
  return v;
}

}  // namespace

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  State& s = state();
  const core::Bytes req = s.client.encrypt(0, s.r);
  core::Prg prg = core::Prg::from_os();
  auto rep = s.server.respond(0, req, s.keys, s.t, prg);
  if (!rep.ok()) std::abort();
  out->push_back(tagged(0, rep.value()));
  out->push_back(tagged(1, req));
  out->push_back(tagged(2, s.material));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  State& s = state();
  const std::span<const uint8_t> in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto c = s.client.decrypt(0, in);
      if (c.ok() && c.value().size() != s.t.size()) std::abort();
      break;
    }
    case 1: {
      core::Prg prg = core::Prg::from_seed(core::Seed{});
      (void)s.server.respond(0, in, s.keys, s.t, prg);
      break;
    }
    default:
      (void)protocol::HeClientKeys::parse(s.plan.architecture(), s.opt, in);
  }
  return 0;
}
