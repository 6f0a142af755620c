// Serialisation of a schedule's architecture (no weights), as the server sends it to the client
// in the handshake, and its SHA-256 hash, which both parties print and may pin. Loading treats
// the bytes as untrusted: every count and dimension is bounded before anything is allocated,
// and the result is validated.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/schedule.h"

namespace pg::protocol {

inline constexpr size_t kMaxTensors = 4096;
inline constexpr size_t kMaxSteps = 4096;
inline constexpr int kMaxDim = 4096;
inline constexpr size_t kMaxTensorSize = size_t(1) << 26;

// Writes shapes, steps and geometries; weights and biases are never written.
void write_architecture(core::ByteWriter& w, const Schedule& s);
core::Result<Schedule> read_architecture(core::ByteReader& r);

using Hash = std::array<uint8_t, 32>;
Hash architecture_hash(const Schedule& s);
std::string hex(const Hash& h);

}  // namespace pg::protocol
