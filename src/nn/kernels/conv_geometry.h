// The shape of a 2-D convolution or a dense layer, as the online kernels see it (NCHW, batch 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pg::nn::kernels {

struct ConvGeometry {
  int in_c = 1, in_h = 1, in_w = 1;
  int out_c = 1;
  int kh = 1, kw = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int groups = 1;

  int out_h() const { return (in_h + pad_top + pad_bottom - kh) / stride_h + 1; }
  int out_w() const { return (in_w + pad_left + pad_right - kw) / stride_w + 1; }
  size_t in_size() const { return size_t(in_c) * in_h * in_w; }
  size_t out_size() const { return size_t(out_c) * out_h() * out_w(); }
  // Multiply-accumulates per output element, and the weight count.
  size_t taps() const { return size_t(in_c / groups) * kh * kw; }
  size_t weight_count() const { return size_t(out_c) * taps(); }

  // Throws std::invalid_argument naming the first inconsistent field.
  void validate() const;
};

// A convolution with a square kernel, equal strides and equal padding on every side.
inline ConvGeometry square_conv(int c, int h, int w, int m, int k, int stride = 1, int pad = 0,
                                int groups = 1) {
  ConvGeometry g;
  g.in_c = c;
  g.in_h = h;
  g.in_w = w;
  g.out_c = m;
  g.kh = g.kw = k;
  g.stride_h = g.stride_w = stride;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = pad;
  g.groups = groups;
  return g;
}

// A dense layer y = W x with W of shape [out][in], as a 1x1 convolution on a 1x1 image.
inline ConvGeometry dense_geometry(int in, int out) {
  ConvGeometry g;
  g.in_c = in;
  g.out_c = out;
  return g;
}

}  // namespace pg::nn::kernels
