// What `pangolin inspect` and `pangolin plain` share: importing a model, choosing its
// calibration inputs, merging it, and the protocol's ring degree per homomorphic block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "cli.h"
#include "core/result.h"
#include "nn/graph.h"
#include "nn/merge.h"
#include "nn/merge_report.h"

namespace pg::app {

struct MergeSettings {
  int f = 12;
  int f_w = 12;
  int margin_bits = 2;
  int ell = 0;               // 0: the calibrated ℓ; else this (larger) ℓ
  int weight_bits = 0;       // the public weight bound; 0: f_w + 3
  size_t calibration = 500;  // inputs used to calibrate the activation bounds
};

// Reads --f, --f-w, --margin, --ell, --weight-bits and --calibration; false (with args.error()) on
// a bad value.
bool read_merge_settings(Args& args, MergeSettings& s);

// A command's own flags plus the merge settings' flags, for Args::reject_unknown.
std::set<std::string> with_merge_flags(std::set<std::string> own);

struct MergedModel {
  nn::Graph graph;
  nn::MergeResult merged;
  std::string calibration_source;
};

// Calibration inputs: the first `count` Fashion-MNIST training images for a 1x28x28 model when
// the data set is installed, else `count` deterministic pseudo-random inputs in [0, 1) (a fixed
// formula, so that ℓ and the architecture hash are reproducible).
std::vector<std::vector<double>> calibration_inputs(const nn::Graph& g, size_t count,
                                                    std::string* source);

core::Result<MergedModel> load_and_merge(const std::string& path, const MergeSettings& s);

// N per block as the protocol chooses it (protocol::choose_linear_params at the plan's ℓ).
nn::RingDegreeFn protocol_ring_degree(int ell);

// The merge report's counts of one network as a JSON object (linear layers, levels, ReLUs,
// truncations, MACs, and the HE operations of the coefficient and slot encodings).
std::string counts_json(const nn::NetworkCounts& c);

// Index of the largest value (the top-1 class).
size_t argmax(const std::vector<double>& v);

}  // namespace pg::app
