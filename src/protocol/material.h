// One preprocessing set (PROTOCOL.md §3): the material of exactly one inference, and the two
// halves of the exchange that makes it.
//
//   client                                             server
//   draws r for every masked tensor (CSPRNG)
//   kPrepBegin(id)                             ──▶
//   kPrepRequest(id, k, Enc(r_in))  for every term ──▶  (all requests are read first, so that
//                                              ◀──   neither side blocks on a full pipe)
//                                                     kPrepReply(id, k, Enc(A r − t_k)), keeps t_k
//   c = Σ_k Dec(reply_k) + Σ_public P(r_in)
//   per non-linear step, in plan order, then the argmax of the logits:
//   NonLinearEvaluator::offline(c_in, r_out)   ◀─▶   NonLinearGarbler::offline
//
// The client keeps r of the input, c of the logits and the evaluators; the server keeps
// t = Σ_k t_k per affine step and the garblers. Everything else is wiped as soon as it is used.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/prg.h"
#include "core/result.h"
#include "mpc/nonlinear_evaluator.h"
#include "mpc/nonlinear_garbler.h"
#include "mpc/session.h"
#include "protocol/connection.h"
#include "protocol/he_backend.h"
#include "protocol/messages.h"
#include "protocol/schedule.h"

namespace pg::protocol {

// Progress of a set's preparation: which set, what is being done, and how far (done of total).
using ProgressFn =
    std::function<void(uint64_t set, const std::string& what, size_t done, size_t total)>;

struct ClientSet {
  uint64_t id = 0;
  Shares r_input;   // the mask of the network input
  Shares c_output;  // the client's share of the logits
  std::vector<mpc::NonLinearEvaluator> layers;
  std::unique_ptr<mpc::NonLinearEvaluator> argmax;
  double seconds = 0;  // wall time of its preprocessing
  mpc::TrafficStats traffic;
  double linear_seconds = 0;  // of which the homomorphic terms (the linear layers)
  mpc::TrafficStats linear_traffic;

  ClientSet() = default;
  ClientSet(ClientSet&&) = default;
  ClientSet& operator=(ClientSet&&) = default;
  ~ClientSet();
};

struct ServerSet {
  uint64_t id = 0;
  std::vector<Shares> t;  // per step of the plan (empty for non-linear steps)
  std::vector<mpc::NonLinearGarbler> layers;
  std::unique_ptr<mpc::NonLinearGarbler> argmax;

  ServerSet() = default;
  ServerSet(ServerSet&&) = default;
  ServerSet& operator=(ServerSet&&) = default;
  ~ServerSet();
};

// Both throw mpc::ChannelError when the connection fails; peer errors are Results.
core::Result<ClientSet> client_prepare_set(Connection& conn, mpc::EvaluatorSession& gc,
                                           const HeClientBackend& he, const Schedule& schedule,
                                           core::Prg& prg, uint64_t id, const ProgressFn& progress);
// Called after the kPrepBegin(id) message has been read.
core::Result<ServerSet> server_prepare_set(Connection& conn, mpc::GarblerSession& gc,
                                           const HeServerBackend& he, const HeSessionKeys& keys,
                                           const Schedule& schedule, core::Prg& prg, uint64_t id);

}  // namespace pg::protocol
