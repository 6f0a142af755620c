// The cost model behind RingMethod::kAuto: predicted time of each exact method for a layer, from
// public data only (shape, ℓ, weight bound, thread count). Each method's time is a sum of terms
// "work units × seconds per unit", where the units are what the method's inner loops do (GEMM
// multiply-accumulates times passes, transformed or gathered elements, outputs), plus a fixed
// call overhead. The per-unit constants were fitted to measurements of bench/online_layers on
// the development machine (2-core AMD EPYC, AVX2, 1 and 2 threads); the model only has to rank
// the methods, and bench/online_layers prints measured next to predicted times to check that.
#pragma once

#include <cstddef>

#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"
#include "nn/kernels/ring_conv.h"

namespace pg::nn::kernels {

// GEMM passes of an INT16-engine product: the (weight plane i, digit plane j) pairs whose
// shift 16 i + o_j is below the modulus bits (the others vanish mod 2^L).
int int16_passes(const DigitPlan& plan, int weight_planes);

// Predicted seconds, or a negative value when the method does not support the layer and ell.
double predicted_seconds(const ConvGeometry& g, const WeightBound& bound, RingMethod m, int ell,
                         size_t threads);

}  // namespace pg::nn::kernels
