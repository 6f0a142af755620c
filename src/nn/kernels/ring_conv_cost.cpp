#include "nn/kernels/ring_conv_cost.h"

#include <algorithm>
#include <cmath>

#include "nn/kernels/fp64_conv.h"
#include "nn/kernels/int16_conv.h"
#include "nn/kernels/winograd.h"

namespace pg::nn::kernels {
namespace {

// Seconds per unit of each term on one thread (see the header for how they were fitted).
constexpr CostUnits kSeconds = {
    2.1e-6,    // kCall
    12.5e-12,  // kInt16Mac
    0.39e-9,   // kInt16In
    0.16e-9,   // kInt16Out
    45e-12,    // kFp64Mac
    0.60e-9,   // kFp64Col
    0.50e-9,   // kFp64Weight
    0.80e-9,   // kWino2In
    1.49e-9,   // kWino4In
    0.48e-9,   // kWino2Out
    0.67e-9,   // kWino4Out
    1.1e-9,    // kDirectMac
};
// Terms that do not shrink with more threads.
constexpr bool kSerial[kCostTerms] = {true,  false, false, false, false, true,
                                      false, false, false, false, false, false};
// Time of the parallel terms on two or more threads relative to one (measured: two cores).
constexpr double kParallelFactor = 0.55;

void winograd_units(const ConvGeometry& g, const WeightBound& bound, WinogradTile tile,
                    GemmBackend backend, int ell, CostUnits& u) {
  const int m = tile == WinogradTile::kF2 ? 2 : 4, n = m + 2;
  const int bits = ell + (tile == WinogradTile::kF2 ? 2 : 6);
  const double tiles = double((g.out_h() + m - 1) / m) * ((g.out_w() + m - 1) / m);
  const double values = double(n) * n * tiles;  // per channel
  const WeightBound ub = WinogradConv::transformed_bound(bound, tile);
  const bool f2 = tile == WinogradTile::kF2;
  u[f2 ? kWino2In : kWino4In] = values * g.in_c;
  u[f2 ? kWino2Out : kWino4Out] = values * g.out_c;
  if (backend == GemmBackend::kInt16) {
    const DigitPlan p = int16_plan(bits, int16_l1_bits(ub, size_t(g.in_c)));
    const int passes = int16_passes(p, weight_planes_int16(ub.max_abs_bits));
    const double tiles_padded = std::ceil(tiles / 16.0) * 16.0;
    const double cin_padded = double((g.in_c + 1) / 2 * 2);
    u[kInt16Mac] = double(n) * n * tiles_padded * cin_padded * g.out_c * passes;
    u[kInt16In] = values * cin_padded * double(p.size());
    u[kInt16Out] = values * g.out_c * passes;
  } else {
    const double planes = double(fp64_plan(bits, ub.row_l1_bits).size());
    u[kFp64Mac] = double(n) * n * tiles * g.in_c * g.out_c * planes;
    u[kFp64Col] = values * g.in_c * planes + values * g.out_c * planes;
    u[kFp64Weight] = double(n) * n * g.in_c * g.out_c;
  }
}

}  // namespace

int int16_passes(const DigitPlan& plan, int weight_planes) {
  int passes = 0;
  for (int i = 0; i < weight_planes; ++i) {
    for (const auto& p : plan.planes) passes += 16 * i + p.offset < plan.modulus_bits;
  }
  return passes;
}

bool cost_units(const ConvGeometry& g, const WeightBound& bound, RingMethod m, int ell,
                CostUnits& u) {
  u.fill(0);
  u[kCall] = 1;
  if (ell < 1 || ell > 64) return false;
  const double macs = double(g.out_size()) * double(g.taps());
  const double pix = double(g.out_h()) * g.out_w();
  switch (m) {
    case RingMethod::kAuto:
      return false;
    case RingMethod::kDirect:
      u[kDirectMac] = macs;
      return true;
    case RingMethod::kFp64Im2col: {
      if (!Fp64Conv::possible(bound)) return false;
      const double planes = double(fp64_plan(ell, bound.row_l1_bits).size());
      u[kFp64Mac] = macs * planes;
      u[kFp64Col] = double(g.taps()) * g.groups * pix * planes + double(g.out_size()) * planes;
      u[kFp64Weight] = double(g.weight_count());
      return true;
    }
    case RingMethod::kInt16: {
      if (!Int16Conv::possible(g, bound, ell)) return false;
      const DigitPlan p = int16_plan(ell, int16_l1_bits(bound, g.taps()));
      const int passes = int16_passes(p, weight_planes_int16(bound.max_abs_bits));
      const int cin = g.in_c / g.groups, cout = g.out_c / g.groups;
      const bool dense = g.in_h == 1 && g.in_w == 1 && g.kh == 1 && g.kw == 1 && pix == 1;
      // Odd channel counts carry a zero channel; output rows are padded to vectors of 8 (the
      // matrix-vector kernel of dense layers pads output channels instead).
      const double rows_pad =
          dense ? (cout + 7) / 8 * 8.0 / cout : (g.out_w() + 7) / 8 * 8.0 / g.out_w();
      u[kInt16Mac] = macs * double((cin + 1) / 2 * 2) / cin * rows_pad * passes;
      u[kInt16In] = dense ? double(g.in_c) * double(p.size())
                          : double(g.in_c + g.groups) * (g.in_h + g.pad_top + g.pad_bottom) *
                                (g.in_w + g.pad_left + g.pad_right) * double(p.size());
      u[kInt16Out] = double(g.out_size()) * passes;
      return true;
    }
    default: {
      const bool f2 = m == RingMethod::kWinograd2Int16 || m == RingMethod::kWinograd2Fp64;
      const bool int16 = m == RingMethod::kWinograd2Int16 || m == RingMethod::kWinograd4Int16;
      const WinogradTile tile = f2 ? WinogradTile::kF2 : WinogradTile::kF4;
      const GemmBackend backend = int16 ? GemmBackend::kInt16 : GemmBackend::kFp64;
      if (!WinogradConv::possible(g, bound, ell, tile, backend)) return false;
      winograd_units(g, bound, tile, backend, ell, u);
      return true;
    }
  }
  return false;
}

double predicted_seconds(const ConvGeometry& g, const WeightBound& bound, RingMethod m, int ell,
                         size_t threads) {
  CostUnits u;
  if (!cost_units(g, bound, m, ell, u)) return -1;
  double serial = 0, parallel = 0;
  for (int k = 0; k < kCostTerms; ++k) (kSerial[k] ? serial : parallel) += u[k] * kSeconds[k];
  return serial + parallel * (threads > 1 ? kParallelFactor : 1.0);
}

}  // namespace pg::nn::kernels
