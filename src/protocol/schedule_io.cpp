#include "protocol/schedule_io.h"

#include <openssl/sha.h>

#include <stdexcept>

namespace pg::protocol {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

constexpr uint32_t kArchMagic = 0x50474152;  // "PGAR"
constexpr uint8_t kAffine = 1, kNonLinear = 2;

void write_geometry(core::ByteWriter& w, const ConvGeometry& g) {
  for (int v : {g.in_c, g.in_h, g.in_w, g.out_c, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_top,
                g.pad_left, g.pad_bottom, g.pad_right, g.groups}) {
    w.put_varint(uint64_t(v));
  }
}

Result<int> read_dim(core::ByteReader& r, const char* what) {
  PG_TRY_ASSIGN(uint64_t v, r.get_varint_max(kMaxDim, what));
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

Result<Step> read_step(core::ByteReader& r, size_t n_tensors) {
  PG_TRY_ASSIGN(uint8_t kind, r.get_u8());
  if (kind == kAffine) {
    AffineStep a;
    PG_TRY_ASSIGN(a.out, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(uint64_t n_he, r.get_varint_max(16, "homomorphic term count"));
    for (uint64_t i = 0; i < n_he; ++i) {
      HeTerm t;
      PG_TRY_ASSIGN(t.in, r.get_varint_max(n_tensors - 1, "tensor index"));
      PG_TRY_ASSIGN(uint8_t dense, r.get_u8());
      t.dense = dense != 0;
      PG_TRY_ASSIGN(t.geometry, read_geometry(r));
      a.he_terms.push_back(std::move(t));
    }
    PG_TRY_ASSIGN(uint64_t n_scale, r.get_varint_max(16, "scale term count"));
    for (uint64_t i = 0; i < n_scale; ++i) {
      ScaleTerm t;
      PG_TRY_ASSIGN(t.in, r.get_varint_max(n_tensors - 1, "tensor index"));
      PG_TRY_ASSIGN(t.factor, r.get_i64());
      a.scale_terms.push_back(t);
    }
    return Step(std::move(a));
  }
  if (kind == kNonLinear) {
    NonLinearStep n;
    PG_TRY_ASSIGN(n.in, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(n.out, r.get_varint_max(n_tensors - 1, "tensor index"));
    PG_TRY_ASSIGN(uint8_t nl, r.get_u8());
    if (nl > 1) return make_error(ErrorCode::kMalformed, "unknown non-linear kind");
    n.kind = nl == 0 ? NonLinearKind::kRelu : NonLinearKind::kMaxPoolRelu;
    PG_TRY_ASSIGN(n.pool_k, read_dim(r, "pool size"));
    PG_TRY_ASSIGN(n.pool_stride, read_dim(r, "pool stride"));
    PG_TRY_ASSIGN(n.pool_pad, read_dim(r, "pool padding"));
    return Step(n);
  }
  return make_error(ErrorCode::kMalformed, "unknown step kind " + std::to_string(kind));
}

}  // namespace

void write_architecture(core::ByteWriter& w, const Schedule& s) {
  w.put_u32(kArchMagic);
  w.put_u8(uint8_t(s.ell));
  w.put_u8(uint8_t(s.f));
  w.put_u8(uint8_t(s.f_w));
  w.put_varint(s.tensors.size());
  for (const auto& t : s.tensors) {
    w.put_varint(uint64_t(t.c));
    w.put_varint(uint64_t(t.h));
    w.put_varint(uint64_t(t.w));
  }
  w.put_varint(s.input);
  w.put_varint(s.output);
  w.put_varint(s.steps.size());
  for (const auto& step : s.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      w.put_u8(kAffine);
      w.put_varint(a->out);
      w.put_varint(a->he_terms.size());
      for (const auto& t : a->he_terms) {
        w.put_varint(t.in);
        w.put_u8(t.dense ? 1 : 0);
        write_geometry(w, t.geometry);
      }
      w.put_varint(a->scale_terms.size());
      for (const auto& t : a->scale_terms) {
        w.put_varint(t.in);
        w.put_i64(t.factor);
      }
    } else {
      const auto& n = std::get<NonLinearStep>(step);
      w.put_u8(kNonLinear);
      w.put_varint(n.in);
      w.put_varint(n.out);
      w.put_u8(n.kind == NonLinearKind::kRelu ? 0 : 1);
      w.put_varint(uint64_t(n.pool_k));
      w.put_varint(uint64_t(n.pool_stride));
      w.put_varint(uint64_t(n.pool_pad));
    }
  }
}

Result<Schedule> read_architecture(core::ByteReader& r) {
  PG_TRY_ASSIGN(uint32_t magic, r.get_u32());
  if (magic != kArchMagic) return make_error(ErrorCode::kMalformed, "not a Pangolin architecture");
  Schedule s;
  PG_TRY_ASSIGN(uint8_t ell, r.get_u8());
  PG_TRY_ASSIGN(uint8_t f, r.get_u8());
  PG_TRY_ASSIGN(uint8_t f_w, r.get_u8());
  s.ell = ell;
  s.f = f;
  s.f_w = f_w;
  PG_TRY_ASSIGN(uint64_t n_tensors, r.get_varint_max(kMaxTensors, "tensor count"));
  if (n_tensors == 0) return make_error(ErrorCode::kMalformed, "an architecture with no tensors");
  for (uint64_t i = 0; i < n_tensors; ++i) {
    TensorInfo t;
    PG_TRY_ASSIGN(t.c, read_dim(r, "tensor channels"));
    PG_TRY_ASSIGN(t.h, read_dim(r, "tensor height"));
    PG_TRY_ASSIGN(t.w, read_dim(r, "tensor width"));
    if (t.c < 1 || t.h < 1 || t.w < 1 || t.size() > kMaxTensorSize) {
      return make_error(ErrorCode::kTooLarge, "a tensor of " + std::to_string(t.c) + "x" +
                                                  std::to_string(t.h) + "x" + std::to_string(t.w) +
                                                  " is out of bounds");
    }
    s.tensors.push_back(t);
  }
  PG_TRY_ASSIGN(s.input, r.get_varint_max(n_tensors - 1, "input tensor"));
  PG_TRY_ASSIGN(s.output, r.get_varint_max(n_tensors - 1, "output tensor"));
  PG_TRY_ASSIGN(uint64_t n_steps, r.get_varint_max(kMaxSteps, "step count"));
  for (uint64_t i = 0; i < n_steps; ++i) {
    PG_TRY_ASSIGN(Step step, read_step(r, n_tensors));
    s.steps.push_back(std::move(step));
  }
  try {
    s.validate();
  } catch (const std::invalid_argument& e) {
    return make_error(ErrorCode::kMalformed, std::string("inconsistent architecture: ") + e.what());
  }
  return s;
}

Hash architecture_hash(const Schedule& s) {
  core::ByteWriter w;
  write_architecture(w, s);
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

}  // namespace pg::protocol
