// Double-precision GEMM pieces on OpenBLAS: im2col of stacked planes, the exact digit-plane GEMM
// (one dgemm over all planes, then an exact uint64 recombination), and the plain double
// convolutions that measure what exactness costs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"

namespace pg::nn::kernels {

// im2col of one group over `planes` stacked inputs: rows = (c, dy, dx) over the group's input
// channels, columns = plane-major then output pixel. Plane p starts at src + p * plane_stride and
// is [in_c][in_h][in_w]. cols must hold taps() · planes · out pixels.
void im2col(const ConvGeometry& g, int group, const double* src, size_t plane_stride, size_t planes,
            double* cols);

// out[m * out_stride + n] = Σ_j 2^{o_j} (A · D_j)[m][n] mod 2^L, where D = [D_0 | D_1 | ...] is
// K × (P·N) row-major (plane-major columns) and A is M × K row-major doubles. Exact when the
// planes follow plan (digit_plan.h). tmp is scratch of M · P · N doubles.
void exact_dgemm(const double* a, size_t m, size_t k, const double* d, size_t n,
                 const DigitPlan& plan, uint64_t* out, size_t out_stride, double* tmp);

// Makes OpenBLAS use as many threads as the pool (OpenBLAS keeps its own threads).
void use_pool_threads_for_blas(const core::ThreadPool& pool);

// Plain double convolution (im2col + dgemm): y = W x on real values. Uses OpenBLAS's current
// thread count.
void conv2d_double(const ConvGeometry& g, std::span<const double> weights,
                   std::span<const double> x, std::span<double> y);

// Naive direct convolution in doubles (no im2col).
void conv2d_double_direct(const ConvGeometry& g, std::span<const double> weights,
                          std::span<const double> x, std::span<double> y);

// Sets the number of threads OpenBLAS uses (1 for single-threaded measurements).
void set_gemm_threads(int threads);

}  // namespace pg::nn::kernels
