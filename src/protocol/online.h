// The online stage of one inference (PROTOCOL.md §4), on a prepared set.
//
//   client: kInput(id, mode, x̂ = enc(x) − r_in)                ──▶
//   server: per step in plan order: affine u = A x̂ + b + t (exact ring kernels);
//           non-linear: NonLinearGarbler::online(u) → x̂_out  ◀─▶  NonLinearEvaluator::online
//   logits mode:  kOutput(u_logits)                           ◀──  the client adds c_logits
//   label mode:   the argmax circuit on the logits' shares    ◀──  only the label is learnt
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "protocol/connection.h"
#include "protocol/material.h"
#include "protocol/messages.h"
#include "protocol/online_affine.h"
#include "protocol/schedule.h"

namespace pg::protocol {

// The server's prepared affine evaluators, indexed by step (null for non-linear steps).
using AffineEvaluators = std::vector<std::unique_ptr<AffineEvaluator>>;

// Runs the server's side on `set` for an already decoded kInput message (its x̂ is consumed and
// wiped). Throws mpc::ChannelError when the connection fails. When `affine_seconds` is set, it
// receives the wall time of the affine steps alone (the online linear layers, for `bench`).
core::Status server_online(Connection& conn, const nn::Plan& plan, const AffineEvaluators& affine,
                           ServerSet& set, InputMsg& input, double* affine_seconds = nullptr);

struct ClientOutput {
  std::vector<uint64_t> logits;   // logits mode: reconstructed, scale 2^{f + f_w}
  std::optional<uint64_t> label;  // label mode
};

// Runs the client's side on `set` for an encoded input (nn::encode_input). Throws
// mpc::ChannelError when the connection fails.
core::Result<ClientOutput> client_online(Connection& conn, const Schedule& schedule, ClientSet& set,
                                         std::span<const uint64_t> x_encoded, OutputMode mode);

}  // namespace pg::protocol
