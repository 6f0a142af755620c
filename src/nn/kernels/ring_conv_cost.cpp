#include "nn/kernels/ring_conv_cost.h"

#include <algorithm>

#include "nn/kernels/fp64_conv.h"
#include "nn/kernels/int16_conv.h"
#include "nn/kernels/winograd.h"

namespace pg::nn::kernels {
namespace {

// Seconds per unit of work, single thread (see the header for how they were obtained).
struct Rates {
  double call = 4e-6;           // fixed cost of a call (scratch, plan, thread fork/join)
  double int16_mac = 12.5e-12;  // one multiply-accumulate of one INT16 pass
  double int16_fill = 1.0e-9;   // one input element of one digit plane laid out for the GEMM
  double int16_out = 1.0e-9;    // one output element of one pass (the uint64 epilogue)
  double fp64_mac = 70e-12;     // one multiply-accumulate of one FP64 plane (OpenBLAS)
  double fp64_col = 1.0e-9;     // one im2col entry of one plane, plus the digit conversion
  double wino_in = 2.5e-9;      // one transformed input value (per position and channel)
  double wino_out = 2.5e-9;     // one transformed output value (per position and channel)
  double direct_mac = 1.9e-9;   // one multiply-accumulate of the naive direct loop
  double thread_gain = 0.55;    // parallel time on two threads relative to one
};
constexpr Rates kRates{};

double parallel(double seconds, size_t threads) {
  return threads > 1 ? seconds * kRates.thread_gain : seconds;
}

double winograd_seconds(const ConvGeometry& g, const WeightBound& bound, WinogradTile tile,
                        GemmBackend backend, int ell, size_t threads) {
  const int m = tile == WinogradTile::kF2 ? 2 : 4, n = m + 2,
            shift = tile == WinogradTile::kF2 ? 2 : 6;
  const double tiles = double((g.out_h() + m - 1) / m) * ((g.out_w() + m - 1) / m);
  const double positions = double(n) * n;
  const WeightBound u = WinogradConv::transformed_bound(bound, tile);
  const double gemm_macs = positions * tiles * g.in_c * g.out_c;
  double gemm = 0, planes = 0;
  if (backend == GemmBackend::kInt16) {
    const DigitPlan p = int16_plan(ell + shift, int16_l1_bits(u, size_t(g.in_c)));
    const int passes = int16_passes(p, weight_planes_int16(u.max_abs_bits));
    planes = double(p.size());
    gemm = gemm_macs * ((g.in_c + 1) / 2 * 2.0 / g.in_c) * passes * kRates.int16_mac +
           positions * tiles * g.out_c * passes * kRates.int16_out;
  } else {
    planes = double(fp64_plan(ell + shift, u.row_l1_bits).size());
    gemm = gemm_macs * planes * kRates.fp64_mac;
  }
  const double transforms =
      positions * tiles * (g.in_c * planes * kRates.wino_in + g.out_c * kRates.wino_out);
  return kRates.call + parallel(gemm + transforms, threads);
}

}  // namespace

int int16_passes(const DigitPlan& plan, int weight_planes) {
  int passes = 0;
  for (int i = 0; i < weight_planes; ++i) {
    for (const auto& p : plan.planes) passes += 16 * i + p.offset < plan.modulus_bits;
  }
  return passes;
}

double predicted_seconds(const ConvGeometry& g, const WeightBound& bound, RingMethod m, int ell,
                         size_t threads) {
  const double macs = double(g.out_size()) * double(g.taps());
  const double pix = double(g.out_h()) * g.out_w();
  switch (m) {
    case RingMethod::kAuto:
      return -1;
    case RingMethod::kDirect:
      return kRates.call + parallel(macs * kRates.direct_mac, threads);
    case RingMethod::kFp64Im2col: {
      if (!Fp64Conv::possible(bound)) return -1;
      const double planes = double(fp64_plan(ell, bound.row_l1_bits).size());
      const double cols = double(g.taps()) * g.groups * pix * planes;
      return kRates.call + cols * kRates.fp64_col +
             parallel(macs * planes * kRates.fp64_mac, threads);
    }
    case RingMethod::kInt16: {
      if (!Int16Conv::possible(g, bound, ell)) return -1;
      const DigitPlan p = int16_plan(ell, int16_l1_bits(bound, g.taps()));
      const int passes = int16_passes(p, weight_planes_int16(bound.max_abs_bits));
      const int cin = g.in_c / g.groups;
      const bool dense = g.in_h == 1 && g.in_w == 1 && g.kh == 1 && g.kw == 1 && pix == 1;
      // Odd channel counts carry a zero channel; output rows are padded to vectors of 8 (the
      // matrix-vector kernel of dense layers pads output channels instead).
      const double rows_pad = dense ? (g.out_c / g.groups + 7) / 8 * 8.0 / (g.out_c / g.groups)
                                    : (g.out_w() + 7) / 8 * 8.0 / g.out_w();
      const double waste = double((cin + 1) / 2 * 2) / cin * rows_pad;
      const double fill = dense ? 0.0
                                : double(g.in_c + g.groups) * (g.in_h + g.pad_top + g.pad_bottom) *
                                      (g.in_w + g.pad_left + g.pad_right) * double(p.size());
      return kRates.call + fill * kRates.int16_fill +
             parallel(macs * waste * passes * kRates.int16_mac +
                          double(g.out_size()) * passes * kRates.int16_out,
                      threads);
    }
    case RingMethod::kWinograd2Int16:
    case RingMethod::kWinograd2Fp64:
    case RingMethod::kWinograd4Int16:
    case RingMethod::kWinograd4Fp64: {
      const WinogradTile tile =
          (m == RingMethod::kWinograd2Int16 || m == RingMethod::kWinograd2Fp64) ? WinogradTile::kF2
                                                                                : WinogradTile::kF4;
      const GemmBackend backend =
          (m == RingMethod::kWinograd2Int16 || m == RingMethod::kWinograd4Int16)
              ? GemmBackend::kInt16
              : GemmBackend::kFp64;
      if (!WinogradConv::possible(g, bound, ell, tile, backend)) return -1;
      return winograd_seconds(g, bound, tile, backend, ell, threads);
    }
  }
  return -1;
}

}  // namespace pg::nn::kernels
