#include "nn/kernels/conv_geometry.h"

namespace pg::nn::kernels {

void ConvGeometry::validate() const {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("convolution geometry: " + what);
  };
  if (in_c < 1 || in_h < 1 || in_w < 1) fail("input dimensions must be positive");
  if (out_c < 1) fail("out_c must be positive");
  if (kh < 1 || kw < 1) fail("kernel dimensions must be positive");
  if (stride_h < 1 || stride_w < 1) fail("strides must be positive");
  if (pad_top < 0 || pad_left < 0 || pad_bottom < 0 || pad_right < 0) fail("negative padding");
  if (groups < 1 || in_c % groups != 0 || out_c % groups != 0) {
    fail("groups must divide in_c and out_c");
  }
  if (in_h + pad_top + pad_bottom < kh || in_w + pad_left + pad_right < kw) {
    fail("kernel larger than the padded input");
  }
}

}  // namespace pg::nn::kernels
