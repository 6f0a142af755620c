// Shared setup of the online linear-layer benchmarks: synthetic layers with trained-like weights,
// uniform shares, and the layer lists of the benchmark networks.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::bench {

using nn::kernels::ConvGeometry;

// Weights like a trained, He-initialised layer quantised with f_w = 12 fractional bits: uniform
// with the He variance 2 / fan_in, so |w| ≤ 4096 · sqrt(6 / fan_in). Timing does not depend on
// the values, only on the public bound they give (digit_plan.h), which this makes realistic.
inline std::vector<int64_t> trained_like_weights(const ConvGeometry& g, core::Prg& prg) {
  const double fan_in = double(g.taps());
  const uint64_t a = uint64_t(std::ceil(4096.0 * std::sqrt(6.0 / fan_in)));
  std::vector<int64_t> w(g.weight_count());
  for (auto& v : w) v = int64_t(prg.uniform_below(2 * a + 1)) - int64_t(a);
  return w;
}

inline std::vector<uint64_t> uniform_shares(size_t n, core::Prg& prg) {
  std::vector<uint64_t> x(n);
  for (auto& v : x) v = prg.next_u64();
  return x;
}

struct Layer {
  std::string network, name;
  ConvGeometry g;
  int count = 1;  // identical layers in the network
};

inline ConvGeometry conv3(int c, int hw, int m, int stride = 1) {
  return nn::kernels::square_conv(c, hw, hw, m, 3, stride, 1);
}

// Every linear layer of the benchmark networks (pooling layers are not linear-kernel work) and
// the two anchor layers.
inline std::vector<Layer> benchmark_layers() {
  using nn::kernels::dense_geometry;
  using nn::kernels::square_conv;
  return {
      {"MiniONN-MNIST", "conv5x5 1->16 28x28", square_conv(1, 28, 28, 16, 5)},
      {"MiniONN-MNIST", "conv5x5 16->16 12x12", square_conv(16, 12, 12, 16, 5)},
      {"MiniONN-MNIST", "FC 256->100", dense_geometry(256, 100)},
      {"MiniONN-MNIST", "FC 100->10", dense_geometry(100, 10)},
      {"MiniONN-CIFAR-10", "conv3x3 3->64 32x32", conv3(3, 32, 64)},
      {"MiniONN-CIFAR-10", "conv3x3 64->64 32x32", conv3(64, 32, 64)},
      {"MiniONN-CIFAR-10", "conv3x3 64->64 16x16", conv3(64, 16, 64), 2},
      {"MiniONN-CIFAR-10", "conv3x3 64->64 8x8", conv3(64, 8, 64)},
      {"MiniONN-CIFAR-10", "conv1x1 64->64 8x8", square_conv(64, 8, 8, 64, 1)},
      {"MiniONN-CIFAR-10", "conv1x1 64->16 8x8", square_conv(64, 8, 8, 16, 1)},
      {"MiniONN-CIFAR-10", "FC 1024->10", dense_geometry(1024, 10)},
      {"ResNet-32", "conv3x3 3->16 32x32", conv3(3, 32, 16)},
      {"ResNet-32", "conv3x3 16->16 32x32", conv3(16, 32, 16), 10},
      {"ResNet-32", "conv3x3 16->32 32x32 s2", conv3(16, 32, 32, 2)},
      {"ResNet-32", "conv3x3 32->32 16x16", conv3(32, 16, 32), 9},
      {"ResNet-32", "conv3x3 32->64 16x16 s2", conv3(32, 16, 64, 2)},
      {"ResNet-32", "conv3x3 64->64 8x8", conv3(64, 8, 64), 9},
      {"ResNet-32", "FC 64->100", dense_geometry(64, 100)},
      {"anchor", "conv3x3 64->64 56x56", conv3(64, 56, 64)},
      {"anchor", "FC 2048->1000", dense_geometry(2048, 1000)},
  };
}

}  // namespace pg::bench
