#!/usr/bin/python3
"""Exports Pangolin's synthetic benchmark networks to ONNX, with random weights.

Runs under Debian's system python3 with Debian's python3-torch and python3-torchvision
(scripts/setup.sh --tools):
    /usr/bin/python3 tools/export_bench.py [--only NAME] [--out models]

Networks (weights from PyTorch's default initialisation under a fixed seed; batch-norm
running statistics are set to random values so that folding them is not a no-op):
  minionn_cifar   MiniONN's CIFAR-10 network, input 3x32x32: conv3x3 64 - conv3x3 64 - avgpool2
                  - conv3x3 64 - conv3x3 64 - avgpool2 - conv3x3 64 - conv1x1 64 - conv1x1 16
                  - FC10, a ReLU after every convolution (the avg-pools follow the ReLUs)
  resnet32        ResNet-32 for CIFAR-100 (He et al. 2016, sec. 4.2), input 3x32x32: conv3x3 16,
                  three stages of five basic blocks (16, 32, 64 channels), option-A shortcuts
                  (strided subsampling and zero channel padding), global average pooling, FC100;
                  exported with BatchNormalization nodes kept
  squeezenet      torchvision's SqueezeNet 1.1, 1000 classes, input 3x227x227 (as in Cheetah's
                  benchmark): fire modules (channel Concat) and 3x3 stride-2 ceil-mode max-pools
Each writes models/<name>.onnx (opset 13) and models/<name>.logits.txt: the float logits of the
deterministic input x[i] = (i * 7919 mod 10007) / 10007 (i the flat NCHW index), which the C++
tests rebuild to check the engine against PyTorch.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class MiniOnnCifar(nn.Module):
    def __init__(self):
        super().__init__()
        c = [nn.Conv2d(3, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1),
             nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1),
             nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 64, 1), nn.Conv2d(64, 16, 1)]
        self.convs = nn.ModuleList(c)
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        for i, conv in enumerate(self.convs):
            x = F.relu(conv(x))
            if i in (1, 3):
                x = F.avg_pool2d(x, 2)
        return self.fc(torch.flatten(x, 1))


class ShortcutA(nn.Module):
    """Option A of He et al.: subsample by 2 and pad the new channels with zeros."""

    def __init__(self, planes):
        super().__init__()
        self.pad = planes // 4

    def forward(self, x):
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = ShortcutA(cout) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet32(nn.Module):
    def __init__(self, classes=100, blocks=5):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for b in range(blocks):
                layers.append(BasicBlock(cin, cout, stride if b == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.layers(x)
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


def randomise_bn(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=gen)
            m.bias.data = 0.2 * torch.randn(n, generator=gen)
            m.running_mean.data = 0.2 * torch.randn(n, generator=gen)
            m.running_var.data = 0.5 + torch.rand(n, generator=gen)


def export(name, model, shape, out_dir, keep_bn):
    model.eval()
    count = int(np.prod(shape))
    x = torch.from_numpy(((np.arange(count, dtype=np.int64) * 7919) % 10007 / 10007.0)
                         .astype(np.float32).reshape(shape))
    path = os.path.join(out_dir, f"{name}.onnx")
    mode = torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                      output_names=["logits"], training=mode, do_constant_folding=True)
    with torch.no_grad():
        logits = model(x).numpy()
    np.savetxt(os.path.join(out_dir, f"{name}.logits.txt"), logits, fmt="%.9g")
    print(f"{name}: wrote {path} ({os.path.getsize(path)} bytes)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    nets = {
        "minionn_cifar": (MiniOnnCifar, (1, 3, 32, 32), False),
        "resnet32": (ResNet32, (1, 3, 32, 32), True),
        "squeezenet": (lambda: torchvision.models.squeezenet1_1(num_classes=1000),
                       (1, 3, 227, 227), False),
    }
    for name, (make, shape, keep_bn) in nets.items():
        if args.only and name != args.only:
            continue
        torch.manual_seed(1)
        model = make()
        randomise_bn(model, torch.Generator().manual_seed(3))
        export(name, model, shape, args.out, keep_bn)


if __name__ == "__main__":
    sys.exit(main())
