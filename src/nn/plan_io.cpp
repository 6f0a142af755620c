#include "nn/plan_io.h"

#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>

namespace pg::nn {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

constexpr uint32_t kArchMagic = 0x50474152;     // "PGAR"
constexpr uint32_t kWeightsMagic = 0x50475754;  // "PGWT"
constexpr uint8_t kVersion = 1;
constexpr uint8_t kAffine = 1, kNonLinear = 2;

void write_geometry(core::ByteWriter& w, const ConvGeometry& g) {
  for (int v : {g.in_c, g.in_h, g.in_w, g.out_c, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_top,
                g.pad_left, g.pad_bottom, g.pad_right, g.groups}) {
    w.put_varint(uint64_t(v));
  }
}

void write_pool(core::ByteWriter& w, const PoolWindow& p) {
  for (int v :
       {p.kh, p.kw, p.stride_h, p.stride_w, p.pad_top, p.pad_left, p.pad_bottom, p.pad_right}) {
    w.put_varint(uint64_t(v));
  }
}

Result<int> read_dim(core::ByteReader& r, const char* what) {
  PG_TRY_ASSIGN(uint64_t v, r.get_varint_max(kMaxPlanDim, what));
  return int(v);
}

Result<ConvGeometry> read_geometry(core::ByteReader& r) {
  ConvGeometry g;
  int* fields[] = {&g.in_c,       &g.in_h,      &g.in_w,     &g.out_c,   &g.kh,
                   &g.kw,         &g.stride_h,  &g.stride_w, &g.pad_top, &g.pad_left,
                   &g.pad_bottom, &g.pad_right, &g.groups};
  for (int* f : fields) {
    PG_TRY_ASSIGN(*f, read_dim(r, "a convolution dimension"));
  }
  return g;
}

Result<PoolWindow> read_pool(core::ByteReader& r) {
  PoolWindow p;
  int* fields[] = {&p.kh,      &p.kw,       &p.stride_h,   &p.stride_w,
                   &p.pad_top, &p.pad_left, &p.pad_bottom, &p.pad_right};
  for (int* f : fields) {
    PG_TRY_ASSIGN(*f, read_dim(r, "a pooling dimension"));
  }
  return p;
}

Result<AffineStep> read_affine(core::ByteReader& r, size_t n_tensors) {
  AffineStep a;
  PG_TRY_ASSIGN(a.out, r.get_varint_max(n_tensors - 1, "tensor index"));
  PG_TRY_ASSIGN(uint64_t n_he, r.get_varint_max(kMaxTermsPerStep, "homomorphic term count"));
  for (uint64_t i = 0; i < n_he; ++i) {
    HeTerm t;
    PG_TRY_ASSIGN(t.in, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(uint8_t dense, r.get_u8());
    if (dense > 1) return make_error(ErrorCode::kMalformed, "bad dense flag");
    t.dense = dense != 0;
    PG_TRY_ASSIGN(uint64_t bits, r.get_varint_max(40, "weight bound"));
    t.weight_bits = int(bits);
    PG_TRY_ASSIGN(t.geometry, read_geometry(r));
    a.he_terms.push_back(std::move(t));
  }
  PG_TRY_ASSIGN(uint64_t n_public, r.get_varint_max(kMaxTermsPerStep, "public term count"));
  for (uint64_t i = 0; i < n_public; ++i) {
    PublicTerm t;
    PG_TRY_ASSIGN(t.in, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(t.factor, r.get_i64());
    PG_TRY_ASSIGN(t.stride, read_dim(r, "public term stride"));
    PG_TRY_ASSIGN(t.pad_before, read_dim(r, "public term padding"));
    PG_TRY_ASSIGN(t.pad_after, read_dim(r, "public term padding"));
    a.public_terms.push_back(t);
  }
  return a;
}

Result<Step> read_step(core::ByteReader& r, size_t n_tensors) {
  PG_TRY_ASSIGN(uint8_t kind, r.get_u8());
  if (kind == kAffine) {
    PG_TRY_ASSIGN(AffineStep a, read_affine(r, n_tensors));
    return Step(std::move(a));
  }
  if (kind == kNonLinear) {
    NonLinearStep n;
    PG_TRY_ASSIGN(n.in, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(n.out, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(uint8_t nl, r.get_u8());
    if (nl > 2) return make_error(ErrorCode::kMalformed, "unknown non-linear kind");
    n.kind = static_cast<NonLinearKind>(nl);
    PG_TRY_ASSIGN(n.pool, read_pool(r));
    return Step(n);
  }
  return make_error(ErrorCode::kMalformed, "unknown step kind " + std::to_string(kind));
}

Result<TensorInfo> read_tensor(core::ByteReader& r) {
  TensorInfo t;
  PG_TRY_ASSIGN(t.c, read_dim(r, "tensor channels"));
  PG_TRY_ASSIGN(t.h, read_dim(r, "tensor height"));
  PG_TRY_ASSIGN(t.w, read_dim(r, "tensor width"));
  if (t.c < 1 || t.h < 1 || t.w < 1 || t.size() > kMaxPlanTensorSize) {
    return make_error(ErrorCode::kTooLarge, "a tensor of " + std::to_string(t.c) + "x" +
                                                std::to_string(t.h) + "x" + std::to_string(t.w) +
                                                " is out of bounds");
  }
  return t;
}

void put_zigzag(core::ByteWriter& w, int64_t v) {
  w.put_varint((uint64_t(v) << 1) ^ uint64_t(v >> 63));
}

Result<int64_t> get_zigzag(core::ByteReader& r) {
  PG_TRY_ASSIGN(uint64_t u, r.get_varint());
  return int64_t(u >> 1) ^ -int64_t(u & 1);
}

// Reads `count` zigzag values with |v| < 2^bits; checks the count against the bytes left first
// (each value takes at least one byte), so a hostile architecture cannot force a huge vector.
core::Status read_values(core::ByteReader& r, size_t count, int bits, const char* what,
                         std::vector<int64_t>& out) {
  if (count > kMaxTermWeights || count > r.remaining()) {
    return make_error(ErrorCode::kTruncated, std::string(what) + ": " + std::to_string(count) +
                                                 " values claimed, " +
                                                 std::to_string(r.remaining()) + " bytes left");
  }
  out.resize(count);
  const int64_t bound = bits >= 63 ? INT64_MAX : (int64_t{1} << bits);
  for (auto& v : out) {
    PG_TRY_ASSIGN(v, get_zigzag(r));
    if (bits < 63 && (v <= -bound || v >= bound)) {
      return make_error(ErrorCode::kInvalidInput,
                        std::string(what) + " exceeds its bound of 2^" + std::to_string(bits));
    }
  }
  return {};
}

// The magic and the version of a part.
core::Status read_header(core::ByteReader& r, uint32_t magic, const char* what, const char* part) {
  PG_TRY_ASSIGN(uint32_t got, r.get_u32());
  if (got != magic) return make_error(ErrorCode::kMalformed, std::string("not ") + what);
  PG_TRY_ASSIGN(uint8_t version, r.get_u8());
  if (version != kVersion) {
    return make_error(
        ErrorCode::kUnsupported,
        std::string(part) + " version " + std::to_string(version) + " (this is version 1)");
  }
  return {};
}

}  // namespace

void write_architecture(core::ByteWriter& w, const Plan& p) {
  w.put_u32(kArchMagic);
  w.put_u8(kVersion);
  w.put_u8(uint8_t(p.ell));
  w.put_u8(uint8_t(p.f));
  w.put_u8(uint8_t(p.f_w));
  w.put_varint(p.tensors.size());
  for (const auto& t : p.tensors) {
    w.put_varint(uint64_t(t.c));
    w.put_varint(uint64_t(t.h));
    w.put_varint(uint64_t(t.w));
  }
  w.put_varint(p.input);
  w.put_varint(p.output);
  w.put_varint(p.steps.size());
  for (const auto& step : p.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      w.put_u8(kAffine);
      w.put_varint(a->out);
      w.put_varint(a->he_terms.size());
      for (const auto& t : a->he_terms) {
        w.put_varint(t.in);
        w.put_u8(t.dense ? 1 : 0);
        w.put_varint(uint64_t(t.weight_bits));
        write_geometry(w, t.geometry);
      }
      w.put_varint(a->public_terms.size());
      for (const auto& t : a->public_terms) {
        w.put_varint(t.in);
        w.put_i64(t.factor);
        w.put_varint(uint64_t(t.stride));
        w.put_varint(uint64_t(t.pad_before));
        w.put_varint(uint64_t(t.pad_after));
      }
    } else {
      const auto& n = std::get<NonLinearStep>(step);
      w.put_u8(kNonLinear);
      w.put_varint(n.in);
      w.put_varint(n.out);
      w.put_u8(uint8_t(n.kind));
      write_pool(w, n.pool);
    }
  }
}

Result<Plan> read_architecture(core::ByteReader& r) {
  PG_TRY(read_header(r, kArchMagic, "a Pangolin architecture", "architecture"));
  Plan p;
  PG_TRY_ASSIGN(uint8_t ell, r.get_u8());
  PG_TRY_ASSIGN(uint8_t f, r.get_u8());
  PG_TRY_ASSIGN(uint8_t f_w, r.get_u8());
  p.ell = ell;
  p.f = f;
  p.f_w = f_w;
  PG_TRY_ASSIGN(uint64_t n_tensors, r.get_varint_max(kMaxPlanTensors, "tensor count"));
  if (n_tensors == 0) return make_error(ErrorCode::kMalformed, "an architecture with no tensors");
  for (uint64_t i = 0; i < n_tensors; ++i) {
    PG_TRY_ASSIGN(TensorInfo t, read_tensor(r));
    p.tensors.push_back(t);
  }
  PG_TRY_ASSIGN(p.input, r.get_varint_max(n_tensors - 1, "input tensor"));
  PG_TRY_ASSIGN(p.output, r.get_varint_max(n_tensors - 1, "output tensor"));
  PG_TRY_ASSIGN(uint64_t n_steps, r.get_varint_max(kMaxPlanSteps, "step count"));
  for (uint64_t i = 0; i < n_steps; ++i) {
    PG_TRY_ASSIGN(Step step, read_step(r, n_tensors));
    p.steps.push_back(std::move(step));
  }
  try {
    p.validate();
  } catch (const std::invalid_argument& e) {
    return make_error(ErrorCode::kMalformed, std::string("inconsistent architecture: ") + e.what());
  }
  return p;
}

Hash architecture_hash(const Plan& p) {
  core::ByteWriter w;
  write_architecture(w, p);
  Hash h;
  SHA256(w.bytes().data(), w.bytes().size(), h.data());
  return h;
}

std::string hex(const Hash& h) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : h) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

void write_weights(core::ByteWriter& w, const Plan& p) {
  if (!p.has_weights()) throw std::invalid_argument("write_weights: the plan has no weights");
  w.put_u32(kWeightsMagic);
  w.put_u8(kVersion);
  const Hash h = architecture_hash(p);
  w.put_raw(h);
  for (const auto& step : p.steps) {
    const auto* a = std::get_if<AffineStep>(&step);
    if (a == nullptr) continue;
    for (const auto& t : a->he_terms) {
      for (int64_t v : t.weights) put_zigzag(w, v);
    }
    for (int64_t v : a->bias) put_zigzag(w, v);
  }
}

core::Status read_weights(core::ByteReader& r, Plan& arch) {
  PG_TRY(read_header(r, kWeightsMagic, "Pangolin weights", "weights"));
  PG_TRY_ASSIGN(auto hash_bytes, r.get_raw(32));
  const Hash expect = architecture_hash(arch);
  if (!std::equal(expect.begin(), expect.end(), hash_bytes.begin())) {
    return make_error(ErrorCode::kMismatch, "the weights belong to another architecture");
  }
  Plan filled = arch.architecture();
  for (auto& step : filled.steps) {
    auto* a = std::get_if<AffineStep>(&step);
    if (a == nullptr) continue;
    for (auto& t : a->he_terms) {
      PG_TRY(read_values(r, t.geometry.weight_count(), t.weight_bits, "a weight", t.weights));
    }
    PG_TRY(read_values(r, filled.tensors[a->out].size(), filled.ell, "a bias", a->bias));
  }
  PG_TRY(r.expect_end());
  arch = std::move(filled);
  return {};
}

}  // namespace pg::nn
