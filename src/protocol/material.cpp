#include "protocol/material.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "core/thread_pool.h"

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

namespace {

// Wipes the per-tensor masks and shares of a preparation however it ends.
struct TensorSecrets {
  std::vector<Shares> r, c;
  ~TensorSecrets() {
    wipe(r);
    wipe(c);
  }
};

// The set id, term index and body length around a part's body (three varints).
constexpr size_t kPrepPartOverhead = 32;

// The body of the next kPrepRequest or kPrepReply, which must be term k of set `id`, with at
// most max_body bytes (the frame is refused before it is read when it claims more).
core::Result<core::Bytes> recv_part(Connection& conn, MsgType type, uint64_t id, size_t k,
                                    size_t max_body = kMaxPrepMessage) {
  const size_t max_frame = std::min<size_t>(max_body + kPrepPartOverhead, kMaxPrepMessage);
  PG_TRY_ASSIGN(auto bytes, conn.recv_msg(type, uint32_t(max_frame)));
  PG_TRY_ASSIGN(auto part, decode_prep_part(bytes));
  if (part.set_id != id || part.term != k) {
    return make_error(ErrorCode::kProtocol,
                      std::string("expected the ") + msg_type_name(type) + " of set " +
                          std::to_string(id) + ", term " + std::to_string(k) + "; got set " +
                          std::to_string(part.set_id) + ", term " + std::to_string(part.term));
  }
  return std::move(part.body);
}

void add_into(Shares& acc, const Shares& v, uint64_t mask) {
  for (size_t i = 0; i < acc.size(); ++i) acc[i] = (acc[i] + v[i]) & mask;
}

// The client's c of every affine output: the decrypted HE terms plus its public terms P(r_in).
// while_waiting runs between the requests and the replies, while the server computes.
core::Status client_he_terms(Connection& conn, const HeClientBackend& he, const Schedule& s,
                             uint64_t id, TensorSecrets& sec, const ProgressFn& progress,
                             const std::function<void()>& while_waiting) {
  const nn::Plan& p = s.architecture;
  const size_t terms = s.he_terms.size();
  std::vector<core::Bytes> requests(terms);
  core::parallel_for(terms, [&](size_t b, size_t e) {
    for (size_t k = b; k < e; ++k) requests[k] = he.encrypt(k, sec.r[s.term(k).in]);
  });
  for (size_t k = 0; k < terms; ++k) {
    conn.send_msg(MsgType::kPrepRequest, encode_prep_part({id, k, std::move(requests[k])}));
  }
  while_waiting();
  std::vector<core::Bytes> replies(terms);
  for (size_t k = 0; k < terms; ++k) {
    PG_TRY_ASSIGN(replies[k], recv_part(conn, MsgType::kPrepReply, id, k));
    if (progress) progress(id, "homomorphic terms", k + 1, terms);
  }
  std::vector<core::Result<std::vector<uint64_t>>> decoded(terms, std::vector<uint64_t>{});
  core::parallel_for(terms, [&](size_t b, size_t e) {
    for (size_t k = b; k < e; ++k) decoded[k] = he.decrypt(k, replies[k]);
  });
  const uint64_t mask = s.mask();
  for (size_t k = 0; k < terms; ++k) {
    if (!decoded[k].ok()) return decoded[k].error();
    Shares& c = sec.c[s.affine_of(k).out];
    if (decoded[k].value().size() != c.size()) {
      return make_error(ErrorCode::kMalformed, "the reply of term " + std::to_string(k) +
                                                   " decrypts to the wrong number of elements");
    }
    add_into(c, decoded[k].value(), mask);
    wipe(decoded[k].value());
  }
  for (const auto& step : p.steps) {
    if (const auto* a = std::get_if<nn::AffineStep>(&step)) {
      for (const auto& pt : a->public_terms) {
        pt.accumulate(p.tensors[pt.in], sec.r[pt.in], sec.c[a->out]);
      }
      for (auto& v : sec.c[a->out]) v &= mask;
    }
  }
  return {};
}

}  // namespace

ClientSet::~ClientSet() {
  wipe(r_input);
  wipe(c_output);
}

ServerSet::~ServerSet() {
  wipe(t);
}

core::Result<ClientSet> client_prepare_set(Connection& conn, mpc::EvaluatorSession& gc,
                                           const HeClientBackend& he, const Schedule& s,
                                           core::Prg& prg, uint64_t id,
                                           const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto before = conn.total();
  const nn::Plan& p = s.architecture;
  const auto masked = p.masked();
  TensorSecrets sec;
  sec.r.resize(p.tensors.size());
  sec.c.resize(p.tensors.size());
  for (size_t i = 0; i < p.tensors.size(); ++i) {
    if (masked[i]) sec.r[i] = random_shares(prg, p.tensors[i].size(), p.ell);
  }
  for (const auto& step : p.steps) {
    if (const auto* a = std::get_if<nn::AffineStep>(&step)) {
      sec.c[a->out].assign(p.tensors[a->out].size(), 0);
    }
  }
  ClientSet set;
  set.id = id;
  const size_t layers = s.nonlinear_steps.size();
  set.layers.reserve(layers);
  for (size_t j = 0; j < layers; ++j) set.layers.emplace_back(s.nl_specs[j]);
  conn.send_msg(MsgType::kPrepBegin, encode_set_id(id));
  // The garbled tables take the most memory (GiBs on large networks): fault their pages in
  // while the server computes the homomorphic replies, not while they stream in.
  PG_TRY(client_he_terms(conn, he, s, id, sec, progress, [&] {
    for (auto& layer : set.layers) layer.reserve();
  }));
  const auto he_end = std::chrono::steady_clock::now();
  const auto after_he = conn.total();

  for (size_t j = 0; j < layers; ++j) {
    const auto& step = std::get<nn::NonLinearStep>(p.steps[s.nonlinear_steps[j]]);
    set.layers[j].offline(conn.stream(), gc, sec.c[step.in], sec.r[step.out]);
    if (progress) progress(id, "garbled circuits", j + 1, layers + 1);
  }
  set.argmax = std::make_unique<mpc::NonLinearEvaluator>(s.argmax);
  set.argmax->offline(conn.stream(), gc, sec.c[p.output], {});
  if (progress) progress(id, "garbled circuits", layers + 1, layers + 1);
  conn.stream().flush();
  set.r_input = std::move(sec.r[p.input]);
  set.c_output = std::move(sec.c[p.output]);
  set.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto after = conn.total();
  set.traffic.bytes_sent = after.bytes_sent - before.bytes_sent;
  set.traffic.bytes_received = after.bytes_received - before.bytes_received;
  set.traffic.rounds = after.rounds - before.rounds;
  set.linear_seconds = std::chrono::duration<double>(he_end - start).count();
  set.linear_traffic.bytes_sent = after_he.bytes_sent - before.bytes_sent;
  set.linear_traffic.bytes_received = after_he.bytes_received - before.bytes_received;
  set.linear_traffic.rounds = after_he.rounds - before.rounds;
  return set;
}

core::Result<ServerSet> server_prepare_set(Connection& conn, mpc::GarblerSession& gc,
                                           const HeServerBackend& he, const HeSessionKeys& keys,
                                           const Schedule& s, core::Prg& prg, uint64_t id) {
  const nn::Plan& p = s.architecture;
  const size_t terms = s.he_terms.size();
  std::vector<core::Bytes> requests(terms);
  for (size_t k = 0; k < terms; ++k) {
    PG_TRY_ASSIGN(requests[k], recv_part(conn, MsgType::kPrepRequest, id, k, he.request_bytes(k)));
  }
  ServerSet set;
  set.id = id;
  set.t.resize(p.steps.size());
  for (size_t i = 0; i < p.steps.size(); ++i) {
    if (const auto* a = std::get_if<nn::AffineStep>(&p.steps[i])) {
      set.t[i].assign(p.tensors[a->out].size(), 0);
    }
  }
  const uint64_t mask = s.mask();
  std::vector<core::Bytes> replies(terms);
  for (size_t k = 0; k < terms; ++k) {
    Shares& t = set.t[s.he_terms[k].step];
    Shares t_term(t.size());
    auto reply = he.respond(k, requests[k], keys, t_term, prg);
    if (!reply.ok()) {
      wipe(t_term);
      return make_error(reply.error().code,
                        "term " + std::to_string(k) + ": " + reply.error().message);
    }
    replies[k] = std::move(reply).value();
    add_into(t, t_term, mask);
    wipe(t_term);
  }
  for (size_t k = 0; k < terms; ++k) {
    conn.send_msg(MsgType::kPrepReply, encode_prep_part({id, k, std::move(replies[k])}));
  }
  set.layers.reserve(s.nl_specs.size());
  for (const auto& spec : s.nl_specs) {
    set.layers.emplace_back(spec);
    set.layers.back().offline(conn.stream(), gc);
  }
  set.argmax = std::make_unique<mpc::NonLinearGarbler>(s.argmax);
  set.argmax->offline(conn.stream(), gc);
  conn.stream().flush();
  return set;
}

}  // namespace pg::protocol
