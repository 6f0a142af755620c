// How the CLI prepares the server's model: the merge options (f, f_w, margin) and the
// calibration inputs for ℓ, then ServerModel::from_onnx. A 1×28×28 model is calibrated on the
// first Fashion-MNIST training images when Debian's dataset is installed; any other model on a
// fixed deterministic pattern (so that ℓ, and with it the architecture hash, are reproducible).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "protocol/server_model.h"

namespace pg::app {

inline constexpr size_t kCalibrationImages = 256;

struct ModelSetup {
  std::string calibration_source;  // a line for the log
  protocol::ModelOptions options;
};

// Reads the model's input shape to choose the calibration.
core::Result<std::shared_ptr<const protocol::ServerModel>> load_server_model(
    const std::string& onnx_path, protocol::ModelOptions options, std::string* calibration_note);

}  // namespace pg::app
