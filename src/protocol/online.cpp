#include "protocol/online.h"

#include <chrono>

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

core::Status server_online(Connection& conn, const nn::Plan& plan, const AffineEvaluators& affine,
                           ServerSet& set, InputMsg& input, double* affine_seconds) {
  struct Secrets {
    std::vector<Shares> shares;
    ~Secrets() { wipe(shares); }
  } sec;
  sec.shares.resize(plan.tensors.size());
  sec.shares[plan.input] = std::move(input.xhat);
  size_t layer = 0;
  std::chrono::steady_clock::duration in_affine{0};
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (const auto* a = std::get_if<nn::AffineStep>(&plan.steps[i])) {
      const auto t0 = std::chrono::steady_clock::now();
      sec.shares[a->out].resize(plan.tensors[a->out].size());
      affine[i]->apply(sec.shares, set.t[i], sec.shares[a->out]);
      in_affine += std::chrono::steady_clock::now() - t0;
    } else {
      const auto& n = std::get<nn::NonLinearStep>(plan.steps[i]);
      sec.shares[n.out] = set.layers.at(layer++).online(conn.stream(), sec.shares[n.in]);
    }
  }
  if (affine_seconds) *affine_seconds = std::chrono::duration<double>(in_affine).count();
  if (input.mode == OutputMode::kLogits) {
    core::ByteWriter w;
    put_ring_vector(w, sec.shares[plan.output], plan.ell);
    conn.send_msg(MsgType::kOutput, w.bytes());
  } else {
    set.argmax->online(conn.stream(), sec.shares[plan.output]);
    conn.stream().flush();
  }
  return {};
}

core::Result<ClientOutput> client_online(Connection& conn, const Schedule& s, ClientSet& set,
                                         std::span<const uint64_t> x, OutputMode mode) {
  const nn::Plan& p = s.architecture;
  if (x.size() != set.r_input.size()) {
    return make_error(ErrorCode::kInvalidInput,
                      "the encoded input has " + std::to_string(x.size()) +
                          " elements, the model takes " + std::to_string(set.r_input.size()));
  }
  const uint64_t mask = s.mask();
  InputMsg msg{set.id, mode, Shares(x.size())};
  for (size_t i = 0; i < x.size(); ++i) msg.xhat[i] = (x[i] - set.r_input[i]) & mask;
  conn.send_msg(MsgType::kInput, encode_input(msg, p.ell));
  for (auto& layer : set.layers) (void)layer.online(conn.stream());
  ClientOutput out;
  if (mode == OutputMode::kLabel) {
    out.label = set.argmax->online(conn.stream());
    if (!out.label) return make_error(ErrorCode::kProtocol, "the argmax circuit gave no label");
    return out;
  }
  PG_TRY_ASSIGN(auto bytes, conn.recv_msg(MsgType::kOutput,
                                          kMaxSmallMessage + 8 * uint32_t(set.c_output.size())));
  core::ByteReader r(bytes);
  PG_TRY_ASSIGN(out.logits, get_ring_vector(r, set.c_output.size(), p.ell, "the logits share"));
  PG_TRY(r.expect_end());
  for (size_t i = 0; i < out.logits.size(); ++i) {
    out.logits[i] = (out.logits[i] + set.c_output[i]) & mask;
  }
  return out;
}

}  // namespace pg::protocol
