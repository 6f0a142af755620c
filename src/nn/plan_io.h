// Serialisation of a plan, in two separate parts.
//
// Architecture (no weights): what the server sends the client in the handshake. Its SHA-256
// hash (OpenSSL) is what both parties print, pin and compare. Layout, all integers varints
// unless noted: "PGAR" (u32) · version (u8) · ℓ, f, f_w (u8 each) · tensors (count, then c, h, w)
// · input · output · steps (count, then per step a kind byte and its fields; see plan_io.cpp).
//
// Weights (server only): "PGWT" (u32) · version (u8) · the architecture hash (32 bytes) · for
// every affine step in order, every homomorphic term's weights then the step's bias, as zigzag
// varints. The counts come from the architecture, so nothing in the weights part claims a size.
//
// Loading treats the bytes as untrusted: every count and dimension is bounded before anything
// is allocated, every weight is checked against its term's public bound, and the result is
// validated. Errors are Results with a message naming the problem.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "nn/plan.h"

namespace pg::nn {

inline constexpr size_t kMaxPlanTensors = 4096;
inline constexpr size_t kMaxPlanSteps = 4096;
inline constexpr size_t kMaxTermsPerStep = 64;
inline constexpr int kMaxPlanDim = 4096;
inline constexpr size_t kMaxPlanTensorSize = size_t(1) << 26;
inline constexpr size_t kMaxTermWeights = size_t(1) << 26;

// Writes shapes, steps and geometries; weights and biases are never written.
void write_architecture(core::ByteWriter& w, const Plan& p);
core::Result<Plan> read_architecture(core::ByteReader& r);

using Hash = std::array<uint8_t, 32>;
Hash architecture_hash(const Plan& p);
std::string hex(const Hash& h);

// The plan must carry its weights (Plan::has_weights), else std::invalid_argument.
void write_weights(core::ByteWriter& w, const Plan& p);
// Fills the weights and biases of `arch` (an architecture, e.g. from read_architecture); the
// hash in the bytes must match arch's. On error `arch` is left without weights.
core::Status read_weights(core::ByteReader& r, Plan& arch);

}  // namespace pg::nn
