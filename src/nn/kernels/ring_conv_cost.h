// The cost model behind RingMethod::kAuto: predicted time of each exact method for a layer, from
// public data only (shape, ℓ, weight bound, thread count). A method's time is Σ_k units_k ·
// seconds_k over a few kinds of work (CostTerm): GEMM multiply-accumulates times passes, input
// elements laid out per digit plane, Winograd-transformed values, output epilogues, and a fixed
// call cost. The per-unit seconds were fitted (least squares) to single-thread measurements
// printed by `bench/online_layers --calibrate` on the development machine (2-core AMD EPYC,
// AVX2); on T > 1 threads the parallel terms are scaled by a measured two-thread factor. The
// model only has to rank the methods: bench/online_layers prints its prediction next to every
// measurement and flags the layers where kAuto's choice was not the fastest.
#pragma once

#include <array>
#include <cstddef>

#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"
#include "nn/kernels/ring_conv.h"

namespace pg::nn::kernels {

enum CostTerm : int {
  kCall,        // one call
  kInt16Mac,    // INT16 engine: multiply-accumulate × pass
  kInt16In,     // INT16 engine: input word laid out × digit plane
  kInt16Out,    // INT16 engine: output element × pass (the uint64 epilogue)
  kFp64Mac,     // OpenBLAS dgemm: multiply-accumulate × plane
  kFp64Col,     // FP64: im2col entry or transformed value × plane (serial)
  kFp64Weight,  // FP64: weight read by dgemm (dominates matrix-vector products)
  kWino2In,     // F(2,3): transformed input value (per position, channel and tile)
  kWino4In,     // F(4,3): the same
  kWino2Out,    // F(2,3): transformed output value (per position, output channel and tile)
  kWino4Out,    // F(4,3): the same
  kDirectMac,   // naive direct loop: multiply-accumulate
  kCostTerms
};

using CostUnits = std::array<double, kCostTerms>;

// GEMM passes of an INT16-engine product: the (weight plane i, digit plane j) pairs whose
// shift 16 i + o_j is below the modulus bits (the others vanish mod 2^L).
int int16_passes(const DigitPlan& plan, int weight_planes);

// Work units of method m on this layer, or false if m cannot run it for ell.
bool cost_units(const ConvGeometry& g, const WeightBound& bound, RingMethod m, int ell,
                CostUnits& units);

// Predicted seconds, or a negative value when the method does not support the layer and ell.
double predicted_seconds(const ConvGeometry& g, const WeightBound& bound, RingMethod m, int ell,
                         size_t threads);

}  // namespace pg::nn::kernels
