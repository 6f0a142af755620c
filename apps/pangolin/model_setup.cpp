#include "model_setup.h"

#include "dataset.h"
#include "nn/onnx_import.h"

namespace pg::app {

core::Result<std::shared_ptr<const protocol::ServerModel>> load_server_model(
    const std::string& onnx_path, protocol::ModelOptions options, std::string* note) {
  if (options.merge.calibration.empty()) {
    PG_TRY_ASSIGN(nn::Graph g, nn::import_onnx_file(onnx_path));
    size_t size = 1;
    for (auto d : g.input_shape) size *= size_t(d);
    std::string source;
    if (size == 28 * 28) {
      auto ds = load_fashion_mnist("train", kCalibrationImages);
      if (ds.ok()) {
        for (auto& img : ds.value().images) options.merge.calibration.push_back(img.pixels);
        source = "the first " + std::to_string(kCalibrationImages) +
                 " Fashion-MNIST training images";
      }
    }
    if (options.merge.calibration.empty()) {
      options.merge.calibration = protocol::pattern_calibration(size, 16);
      source = "16 deterministic pattern inputs";
    }
    if (note != nullptr) *note = source;
  }
  return protocol::ServerModel::from_onnx(onnx_path, options);
}

}  // namespace pg::app
