// Payloads of the session's messages (wire.h frames them). Every decoder treats its bytes as
// untrusted: each field is bounded before anything is allocated, trailing bytes are an error,
// and errors name the message and the field.
//
//   main connection (handshake, then online)
//     C→S kHello        role 0 · client version (string ≤ 64) · pool size it asks for (varint)
//     S→C kArchitecture session id (u64) · join token (32 B) · pool limit (varint) ·
//                       HE scheme (u8) · HE packing (u8) · architecture (blob, plan_io.h)
//     C→S kPublicKey    the HE public material (opaque to the driver)
//     S→C kReady
//     C→S kInput        set id (varint) · output mode (u8) · x̂ (ring vector)
//     (kStream frames: the garbled circuits' online traffic)
//     S→C kOutput       the server's share of the logits (ring vector; logits mode only)
//   preprocessing connection
//     C→S kHello        role 1 · session id (u64) · join token (32 B)
//     S→C kReady, then kStream frames (base OTs)
//     C→S kPrepBegin    set id (varint)
//     C→S kPrepRequest  set id · term (varint) · request (blob)      one per HE term
//     S→C kPrepReply    set id · term (varint) · reply (blob)        one per HE term
//     (kStream frames: OT extension and garbled tables of every non-linear layer and the argmax)
//   either connection, either way: kKeepAlive (C→S), kBye, kError.
//
// A ring vector is its elements in ⌈ℓ/8⌉ bytes each, little endian; its length comes from the
// plan, and an element ≥ 2^ℓ is malformed.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/linear/he_linear.h"

namespace pg::protocol {

using JoinToken = std::array<uint8_t, 32>;

// Payload bounds per message type.
inline constexpr uint32_t kMaxHello = 256;
inline constexpr uint32_t kMaxArchitecture = 64u << 20;
inline constexpr uint32_t kMaxPublicKey = 512u << 20;
inline constexpr uint32_t kMaxPrepMessage = 512u << 20;
inline constexpr uint32_t kMaxSmallMessage = 64;
inline constexpr size_t kMaxPoolSize = 64;

enum class HelloRole : uint8_t { kNewSession = 0, kJoin = 1 };
enum class OutputMode : uint8_t { kLogits = 0, kLabel = 1 };

struct Hello {
  HelloRole role = HelloRole::kNewSession;
  std::string client_version;  // kNewSession
  uint64_t pool = 1;           // kNewSession
  uint64_t session_id = 0;     // kJoin
  JoinToken token{};           // kJoin
};
core::Bytes encode_hello(const Hello& h);
core::Result<Hello> decode_hello(std::span<const uint8_t> bytes);

struct Welcome {
  uint64_t session_id = 0;
  JoinToken token{};
  uint64_t pool_limit = 1;
  HeScheme he_scheme = HeScheme::kAuto;
  HePacking he_packing = HePacking::kCoefficient;
  std::array<uint8_t, 32> he_setup{};  // the server's HE setup digest (PlanSetup::digest)
  bool label_only = false;             // the server answers only kLabel inputs
  core::Bytes architecture;            // plan_io.h, parsed by the caller
};
core::Bytes encode_welcome(const Welcome& w);
core::Result<Welcome> decode_welcome(std::span<const uint8_t> bytes);

// kPrepRequest and kPrepReply share one layout.
struct PrepPart {
  uint64_t set_id = 0;
  uint64_t term = 0;
  core::Bytes body;
};
core::Bytes encode_prep_part(const PrepPart& p);
core::Result<PrepPart> decode_prep_part(std::span<const uint8_t> bytes);

core::Bytes encode_set_id(uint64_t id);
core::Result<uint64_t> decode_set_id(std::span<const uint8_t> bytes);

void put_ring_vector(core::ByteWriter& w, std::span<const uint64_t> v, int ell);
core::Result<std::vector<uint64_t>> get_ring_vector(core::ByteReader& r, size_t count, int ell,
                                                    const char* what);

struct InputMsg {
  uint64_t set_id = 0;
  OutputMode mode = OutputMode::kLogits;
  std::vector<uint64_t> xhat;
};
core::Bytes encode_input(const InputMsg& m, int ell);
// count: the plan's input size.
core::Result<InputMsg> decode_input(std::span<const uint8_t> bytes, size_t count, int ell);

}  // namespace pg::protocol
