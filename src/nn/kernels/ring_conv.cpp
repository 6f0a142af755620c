#include "nn/kernels/ring_conv.h"

#include <mutex>
#include <stdexcept>
#include <string>

#include "nn/kernels/direct_conv.h"
#include "nn/kernels/fp64_conv.h"
#include "nn/kernels/int16_conv.h"
#include "nn/kernels/ring_conv_cost.h"
#include "nn/kernels/winograd.h"

namespace pg::nn::kernels {
namespace {

// Largest layers and weights the exact GEMMs accept (the direct oracle has no limit, but a layer
// must be runnable by a fast method).
constexpr int kMaxWeightBits = 40;
constexpr int kMaxRowL1Bits = 48;
constexpr size_t kMaxElements = size_t{1} << 28;

struct WinogradKind {
  WinogradTile tile;
  GemmBackend backend;
};

int winograd_index(RingMethod m) {
  switch (m) {
    case RingMethod::kWinograd2Int16:
      return 0;
    case RingMethod::kWinograd2Fp64:
      return 1;
    case RingMethod::kWinograd4Int16:
      return 2;
    case RingMethod::kWinograd4Fp64:
      return 3;
    default:
      return -1;
  }
}

constexpr WinogradKind kWinogradKinds[4] = {{WinogradTile::kF2, GemmBackend::kInt16},
                                            {WinogradTile::kF2, GemmBackend::kFp64},
                                            {WinogradTile::kF4, GemmBackend::kInt16},
                                            {WinogradTile::kF4, GemmBackend::kFp64}};

}  // namespace

const char* method_name(RingMethod m) {
  switch (m) {
    case RingMethod::kAuto:
      return "auto";
    case RingMethod::kDirect:
      return "direct";
    case RingMethod::kFp64Im2col:
      return "fp64-im2col";
    case RingMethod::kInt16:
      return "int16";
    case RingMethod::kWinograd2Int16:
      return "winograd2-int16";
    case RingMethod::kWinograd2Fp64:
      return "winograd2-fp64";
    case RingMethod::kWinograd4Int16:
      return "winograd4-int16";
    case RingMethod::kWinograd4Fp64:
      return "winograd4-fp64";
  }
  return "?";
}

struct RingConv::Engines {
  std::once_flag fp64_once, int16_once, wino_once[4];
  std::unique_ptr<Fp64Conv> fp64;
  std::unique_ptr<Int16Conv> int16;
  std::unique_ptr<WinogradConv> wino[4];
};

namespace {
// The bound derived from the weights, or an empty one when the sizes are wrong (the main
// constructor then reports the mismatch).
WeightBound derived_bound(const ConvGeometry& g, std::span<const int64_t> weights) {
  g.validate();
  if (weights.size() != g.weight_count()) return {};
  return WeightBound::of(weights, size_t(g.out_c), g.taps());
}
}  // namespace

RingConv::RingConv(const ConvGeometry& geometry, std::span<const int64_t> weights)
    : RingConv(geometry, weights, derived_bound(geometry, weights)) {}

RingConv::RingConv(const ConvGeometry& geometry, std::span<const int64_t> weights,
                   const WeightBound& bound)
    : g_(geometry),
      bound_(bound),
      w_(weights.begin(), weights.end()),
      engines_(std::make_unique<Engines>()) {
  g_.validate();
  if (weights.size() != g_.weight_count()) {
    throw std::invalid_argument("RingConv: expected " + std::to_string(g_.weight_count()) +
                                " weights, got " + std::to_string(weights.size()));
  }
  if (g_.in_size() > kMaxElements || g_.out_size() > kMaxElements ||
      g_.weight_count() > kMaxElements) {
    throw std::invalid_argument("RingConv: layer larger than 2^28 elements");
  }
  if (bound_.max_abs_bits > kMaxWeightBits || bound_.row_l1_bits > kMaxRowL1Bits) {
    throw std::invalid_argument(
        "RingConv: weights too large for an exact GEMM (need |w| < 2^40 and row L1 < 2^48)");
  }
  bound_.check(weights, g_.out_c, g_.taps(), "RingConv");
}

RingConv::RingConv(RingConv&&) noexcept = default;
RingConv& RingConv::operator=(RingConv&&) noexcept = default;
RingConv::~RingConv() = default;

bool RingConv::supports(RingMethod m, int ell) const {
  if (ell < 1 || ell > 64) return false;
  if (m == RingMethod::kAuto || m == RingMethod::kDirect) return true;
  return predicted_seconds(g_, bound_, m, ell, 1) >= 0;
}

int RingConv::gemm_passes(RingMethod m, int ell) const {
  if (!supports(m, ell)) throw std::invalid_argument("RingConv: method not supported here");
  switch (m) {
    case RingMethod::kAuto:
      return gemm_passes(choose(ell, 1), ell);
    case RingMethod::kDirect:
      return 1;
    case RingMethod::kFp64Im2col:
      return int(fp64_plan(ell, bound_.row_l1_bits).size());
    case RingMethod::kInt16:
      return int16_passes(int16_plan(ell, int16_l1_bits(bound_, g_.taps())),
                          weight_planes_int16(bound_.max_abs_bits));
    default: {
      const WinogradKind k = kWinogradKinds[winograd_index(m)];
      const WeightBound u = WinogradConv::transformed_bound(bound_, k.tile);
      const int bits = ell + (k.tile == WinogradTile::kF2 ? 2 : 6);
      if (k.backend == GemmBackend::kFp64) return int(fp64_plan(bits, u.row_l1_bits).size());
      return int16_passes(int16_plan(bits, int16_l1_bits(u, size_t(g_.in_c))),
                          weight_planes_int16(u.max_abs_bits));
    }
  }
}

RingMethod RingConv::choose(int ell, size_t threads) const {
  RingMethod best = RingMethod::kDirect;
  double best_s = predicted_seconds(g_, bound_, best, ell, threads);
  for (RingMethod m : kExactMethods) {
    const double s = predicted_seconds(g_, bound_, m, ell, threads);
    if (s >= 0 && s < best_s) best = m, best_s = s;
  }
  return best;
}

void RingConv::apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y, RingMethod method,
                     core::ThreadPool* pool) const {
  if (ell < 1 || ell > 64) throw std::invalid_argument("RingConv: ell must be in [1, 64]");
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("RingConv: input or output size does not match the geometry");
  }
  core::ThreadPool& tp = pool ? *pool : core::default_pool();
  if (method == RingMethod::kAuto) method = choose(ell, tp.size());
  if (!supports(method, ell)) {
    throw std::invalid_argument(std::string("RingConv: method ") + method_name(method) +
                                " cannot run this layer exactly for ell = " + std::to_string(ell));
  }
  Engines& e = *engines_;
  switch (method) {
    case RingMethod::kAuto:
    case RingMethod::kDirect: {
      const uint64_t mask = ring_mask(ell);
      const size_t pix = size_t(g_.out_h()) * g_.out_w();
      tp.parallel_for(size_t(g_.out_c), [&](size_t m0, size_t m1) {
        direct_conv<uint64_t>(g_, w_.data(), x.data(), y.data(), int(m0), int(m1));
        for (size_t i = m0 * pix; i < m1 * pix; ++i) y[i] &= mask;
      });
      return;
    }
    case RingMethod::kFp64Im2col:
      std::call_once(e.fp64_once, [&] { e.fp64 = std::make_unique<Fp64Conv>(g_, w_, bound_); });
      e.fp64->apply(x, ell, y, tp);
      return;
    case RingMethod::kInt16:
      std::call_once(e.int16_once, [&] { e.int16 = std::make_unique<Int16Conv>(g_, w_, bound_); });
      e.int16->apply(x, ell, y, tp);
      return;
    default: {
      const int i = winograd_index(method);
      std::call_once(e.wino_once[i], [&] {
        e.wino[i] = std::make_unique<WinogradConv>(g_, w_, bound_, kWinogradKinds[i].tile,
                                                   kWinogradKinds[i].backend);
      });
      e.wino[i]->apply(x, ell, y, tp);
      return;
    }
  }
}

}  // namespace pg::nn::kernels
