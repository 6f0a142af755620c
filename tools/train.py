#!/usr/bin/python3
"""Trains Pangolin's three Fashion-MNIST models and exports them to ONNX.

Runs under Debian's system python3 with Debian's python3-torch (scripts/setup.sh --tools):
    /usr/bin/python3 tools/train.py [--epochs 10] [--threads 2] [--only minionn]

Models (input 1x28x28, pixels scaled to [0, 1], no other normalisation):
  minionn      MiniONN's MNIST network: conv5x5x16-ReLU-maxpool2-conv5x5x16-ReLU-maxpool2-
               FC100-ReLU-FC10
  minionn_bn   the same with BatchNorm after each conv and average pooling (exercises the
               merge stage: BN folding and Conv->AvgPool fusion); exported with BN kept
  resnet       a small residual net: conv3x3x16-ReLU-maxpool2 stem, two residual blocks of two
               3x3x16 convs each (ReLU(x + conv(ReLU(conv(x))))), avgpool2, FC10
Each model writes models/<name>.onnx and models/<name>.logits.txt (the float logits of the
first 100 test images, one image per line), and prints its test accuracy.
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def load(kind):
    with gzip.open(os.path.join(DATA, f"{kind}-images-idx3-ubyte.gz")) as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    x = np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, 28, 28).astype(np.float32) / 255.0
    with gzip.open(os.path.join(DATA, f"{kind}-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


class MiniOnn(nn.Module):
    def __init__(self, bn=False):
        super().__init__()
        self.bn = bn
        self.conv1 = nn.Conv2d(1, 16, 5)
        self.conv2 = nn.Conv2d(16, 16, 5)
        if bn:
            self.bn1 = nn.BatchNorm2d(16)
            self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(256, 100)
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x):
        if self.bn:
            # BN+avgpool variant: conv -> BN -> avgpool -> ReLU keeps a linear chain
            # (conv, BN, avgpool) for the merge stage to fold and fuse.
            x = F.relu(F.avg_pool2d(self.bn1(self.conv1(x)), 2))
            x = F.relu(F.avg_pool2d(self.bn2(self.conv2(x)), 2))
        else:
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = nn.Conv2d(c, c, 3, padding=1)
        self.b = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return F.relu(self.b(F.relu(self.a(x))) + x)


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1)  # 16x28x28, max-pooled to 16x14x14
        self.block1 = Block(16)
        self.block2 = Block(16)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.stem(x)), 2)
        x = self.block2(self.block1(x))
        x = F.avg_pool2d(x, 2)  # 16x7x7: the merge fuses it into the FC layer
        return self.fc(torch.flatten(x, 1))


def train(name, model, epochs, xtr, ytr, xte, yte):
    torch.manual_seed(1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"{name}: epoch {epoch + 1}/{epochs} test accuracy {acc:.4f} "
              f"({time.time() - start:.0f} s)", flush=True)
    return acc


def export(name, model, xte, out_dir, keep_bn):
    model.eval()
    path = os.path.join(out_dir, f"{name}.onnx")
    mode = torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, xte[:1], path, opset_version=13, input_names=["input"],
                      output_names=["logits"], training=mode, do_constant_folding=not keep_bn)
    with torch.no_grad():
        logits = model(xte[:100]).numpy()
    np.savetxt(os.path.join(out_dir, f"{name}.logits.txt"), logits, fmt="%.9g")
    print(f"{name}: wrote {path}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    models = {"minionn": (lambda: MiniOnn(False), False),
              "minionn_bn": (lambda: MiniOnn(True), True),
              "resnet": (SmallResNet, False)}
    for name, (make, keep_bn) in models.items():
        if args.only and name != args.only:
            continue
        model = make()
        acc = train(name, model, args.epochs, xtr, ytr, xte, yte)
        export(name, model, xte, args.out, keep_bn)
        print(f"RESULT {name} accuracy={acc:.4f} epochs={args.epochs}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
