"""Parameter counts and golden fixtures for the seed 001 (CIFAR-10) and seed 002 (Oxford-IIIT Pet, cats vs dogs)
networks and for torchvision's GoogLeNet.

* Parameter counts: the seeds' PyTorch definitions verbatim (seed 001's `PlainCNN` with `plain_cnn_block`, both
  `SENet` versions with their `SEBlock`s, `InceptionNet` with `InceptionBlock` and `AuxiliaryClassifier`) and
  torchvision's `GoogLeNet` written out as torchvision defines it (torchvision is not installed), at full size.
  Seed 002 does not print its `network.py`; `CatDogNet` below is reconstructed from the seed's text (blocks of
  Conv2d, BatchNorm2d, ReLU, MaxPool2d; four pools so 128 -> 8; 512 channels · 8² into the first Linear; ReLU,
  Dropout, Linear to 2 classes) and its printed count: the seed says its ResNet-50 (torchvision's, head
  Linear(2048, 512) · ReLU · Dropout(0.5) · Linear(512, 37) as for its ResNet-34) has 10,534,301 fewer parameters,
  i.e. 24,576,101 + 10,534,301 = 35,110,402, which this reconstruction gives exactly.
* Golden fixtures: the same definitions with every width taken from a config table (identical to the verbatim
  ones at full size: the script asserts equal parameter counts), built at tiny widths with seeded weights and
  non-trivial BatchNorm statistics, run in inference mode on a seeded input. Weights are stored per tfjs layer name
  (the names the TypeScript builders give) in tfjs layouts: conv [kh, kw, in, out], dense [in, out] (rows of a dense
  layer after a flatten permuted from PyTorch's (C, H, W) order to tfjs' (H, W, C)), BatchNorm [gamma, beta, mean,
  var], SqueezeExcitation [squeeze kernel, squeeze bias, excite kernel, excite bias].

    python3 tools/reference/seed001_002_golden.py  # writes packages/models/src/__fixtures__/{plain-cnn,senet,googlenet,catdog}-golden.json
"""
import base64
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/models/src/__fixtures__"


# ---------------------------------------------------------------------------------------------------------------
# Seed 001, verbatim (DropBlock2D from the `dropblock` package is the identity in eval mode and has no parameters).


class DropBlock2D(nn.Module):
    def __init__(self, drop_prob, block_size):
        super().__init__()

    def forward(self, x):
        return x  # inference mode: the identity, as dropblock.DropBlock2D with self.training False


def plain_cnn_block(in_channels, kernel_size, out_channels, padding, stride=1, pool=False, norm=False, db=False):
    layers = []
    layers.append(nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding))
    if norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(nn.ReLU(inplace=True))
    if db:
        layers.append(DropBlock2D(0.3, db))
    if pool:
        layers.append(nn.AvgPool2d(pool))
    return nn.Sequential(*layers)


class PlainCNN(nn.Module):
    def __init__(self, in_channels=3):
        super(PlainCNN, self).__init__()
        self.conv_block1 = plain_cnn_block(in_channels, 7, 32, 3, 1, norm=True, pool=2, db=8)
        self.conv_block2 = plain_cnn_block(32, 5, 64, 2, 1, norm=True, pool=2, db=4)
        self.conv_block3 = plain_cnn_block(64, 5, 128, 2, 1, norm=True, pool=2, db=2)
        self.conv_block4 = plain_cnn_block(128, 3, 256, 1, 1, norm=True, pool=2)
        self.conv_block5 = plain_cnn_block(256, 3, 512, 1, 1, norm=True, pool=2)
        self.linear_block = nn.Sequential(nn.Linear(512, 2000), nn.LeakyReLU(), nn.Dropout(0.4), nn.Linear(2000, 10))

    def forward(self, x):
        out = self.conv_block1(x)
        out = self.conv_block2(out)
        out = self.conv_block3(out)
        out = self.conv_block4(out)
        out = self.conv_block5(out).view(out.size(0), -1)
        return self.linear_block(out)


class SEBlockV1(nn.Module):
    def __init__(self, out_channels) -> None:
        super().__init__()
        self.linear_layer = nn.Sequential(
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(out_channels, 1000), nn.ReLU(),
            nn.Linear(1000, out_channels), nn.Sigmoid())

    def forward(self, x):
        return x * self.linear_layer(x).unsqueeze(-1).unsqueeze(-1)


class SEBlock(nn.Module):
    def __init__(self, out_channels, reduction) -> None:
        super().__init__()
        self.linear_layer = nn.Sequential(
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(out_channels, int(out_channels // reduction)),
            nn.ReLU(), nn.Linear(int(out_channels // reduction), out_channels), nn.Sigmoid())

    def forward(self, x):
        return x * self.linear_layer(x).unsqueeze(-1).unsqueeze(-1)


class SENetV1(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.se_blocks = nn.Sequential(
            nn.Conv2d(3, 64, 7, 1, 3), nn.BatchNorm2d(64), nn.ReLU(), SEBlockV1(64),
            nn.Conv2d(64, 108, 5, 1, 2), nn.BatchNorm2d(108), nn.ReLU(), SEBlockV1(108),
            nn.Conv2d(108, 186, 5, 1, 2), nn.BatchNorm2d(186), nn.ReLU(), SEBlockV1(186),
            nn.Conv2d(186, 230, 3, 1, 1), nn.BatchNorm2d(230), nn.ReLU(), SEBlockV1(230),
            nn.Conv2d(230, 300, 3, 1, 1), nn.BatchNorm2d(300), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear_layers = nn.Sequential(nn.Linear(300, 10))

    def forward(self, x):
        out = self.pool(self.se_blocks(x))
        return self.linear_layers(out.view(out.size(0), -1))


class SENetV2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.se_blocks = nn.Sequential(
            nn.Conv2d(3, 64, 7, 1, 3), nn.BatchNorm2d(64), nn.ReLU(), SEBlock(64, 8), nn.AvgPool2d(2), DropBlock2D(0.35, 4),
            nn.Conv2d(64, 96, 5, 1, 2), nn.BatchNorm2d(96), nn.ReLU(), SEBlock(96, 12),
            nn.Conv2d(96, 144, 5, 1, 2), nn.BatchNorm2d(144), nn.ReLU(), SEBlock(144, 16), nn.AvgPool2d(2), DropBlock2D(0.6, 2),
            nn.Conv2d(144, 192, 3, 1, 1), nn.BatchNorm2d(192), nn.ReLU(), SEBlock(192, 16),
            nn.Conv2d(192, 272, 3, 1, 1), nn.BatchNorm2d(272), nn.ReLU(), SEBlock(272, 32), nn.AvgPool2d(2), DropBlock2D(0.35, 1))
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear_layers = nn.Sequential(nn.Linear(272, 1000), nn.ReLU(), nn.Dropout(0.6), nn.Linear(1000, 10))

    def forward(self, x):
        out = self.pool(self.se_blocks(x))
        return self.linear_layers(out.view(out.size(0), -1))


class InceptionBlock(nn.Module):
    def __init__(self, in_channels, out_1x1, red_3x3, out_3x3, red_5x5, out_5x5, pool_proj):
        super(InceptionBlock, self).__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, out_channels=out_1x1, kernel_size=1, padding=0, stride=1))
        self.branch2 = nn.Sequential(
            nn.Conv2d(in_channels, red_3x3, kernel_size=1, padding=0, stride=1), nn.ReLU(), nn.BatchNorm2d(red_3x3),
            nn.Conv2d(red_3x3, out_3x3, kernel_size=3, padding=1, stride=1), nn.BatchNorm2d(out_3x3), nn.ReLU())
        self.branch3 = nn.Sequential(
            nn.Conv2d(in_channels, red_5x5, kernel_size=1, padding=0, stride=1), nn.ReLU(), nn.BatchNorm2d(red_5x5),
            nn.Conv2d(red_5x5, out_5x5, kernel_size=5, padding=2, stride=1), nn.BatchNorm2d(out_5x5), nn.ReLU())
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1), nn.ReLU(), nn.BatchNorm2d(in_channels),
            nn.Conv2d(in_channels, pool_proj, kernel_size=1, padding=0, stride=1), nn.BatchNorm2d(pool_proj), nn.ReLU())

    def forward(self, X):
        return torch.cat([self.branch1(X), self.branch2(X), self.branch3(X), self.branch4(X)], dim=1)


class AuxiliaryClassifier(nn.Module):
    def __init__(self, in_channels, num_classes, conv_channels=128, hidden=1024):  # seed: 128 and 1024, fixed
        super(AuxiliaryClassifier, self).__init__()
        self.auxiliary = nn.Sequential(
            nn.AvgPool2d(kernel_size=1, stride=1), nn.Conv2d(in_channels, conv_channels, kernel_size=1),
            nn.BatchNorm2d(conv_channels), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)))
        self.linear = nn.Sequential(nn.Linear(conv_channels, hidden), nn.ReLU(inplace=True), nn.Dropout(p=0.6), nn.Linear(hidden, num_classes))

    def forward(self, x):
        x = self.auxiliary(x)
        return self.linear(x.view(x.size(0), -1))


SEED_INCEPTION = {  # seed 001's InceptionBlock arguments (out_1x1, red_3x3, out_3x3, red_5x5, out_5x5, pool_proj)
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64), "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}
TINY_INCEPTION = {k: (4, 4, 4, 2, 4, 4) for k in SEED_INCEPTION}  # 16 channels out of every block
TINY_INCEPTION["4d"] = (4, 4, 6, 2, 4, 4)  # 18 channels: different widths feed aux2 and 4e


class InceptionNet(nn.Module):
    """Seed 001's InceptionNet with its widths from a table (the seed's at `SEED_INCEPTION`, stem (64, 192), aux (128, 1024))."""

    def __init__(self, num_classes=10, stem=(64, 192), blocks=SEED_INCEPTION, aux=(128, 1024), in_channels=3):
        super(InceptionNet, self).__init__()
        self.conv_initial = nn.Sequential(
            nn.Conv2d(in_channels, stem[0], kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(stem[0]), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
            nn.Conv2d(stem[0], stem[1], kernel_size=3, padding=1), nn.BatchNorm2d(stem[1]), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
        c = stem[1]
        for name in SEED_INCEPTION:
            cfg = blocks[name]
            setattr(self, f"inception{name}", InceptionBlock(c, *cfg))
            c = cfg[0] + cfg[2] + cfg[4] + cfg[5]
            if name == "3b":
                self.aux1 = AuxiliaryClassifier(c, num_classes, *aux)
            if name == "4d":
                self.aux2 = AuxiliaryClassifier(c, num_classes, *aux)
        self.maxpool4 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.maxpool5 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.4)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.conv_initial(x)
        x = self.inception3a(x)
        x = self.inception3b(x)
        aux1 = self.aux1(x)
        x = self.maxpool4(x)
        x = self.inception4a(x)
        x = self.inception4b(x)
        x = self.inception4c(x)
        x = self.inception4d(x)
        aux2 = self.aux2(x)
        x = self.inception4e(x)
        x = self.maxpool5(x)
        x = self.inception5a(x)
        x = self.inception5b(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(self.dropout(x)), aux1, aux2


# ---------------------------------------------------------------------------------------------------------------
# torchvision.models.googlenet, written out (torchvision/models/googlenet.py), widths from a table.


class BasicConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, kernel_size=1), BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        # torchvision's "5x5" branch uses a 3x3 kernel (kept for its pretrained weights)
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, kernel_size=1), BasicConv2d(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True), BasicConv2d(in_channels, pool_proj, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    def __init__(self, in_channels, num_classes, dropout=0.7, conv_channels=128, hidden=1024):
        super().__init__()
        self.conv = BasicConv2d(in_channels, conv_channels, kernel_size=1)
        self.fc1 = nn.Linear(conv_channels * 16, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(x, (4, 4))
        x = self.conv(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x), inplace=True)
        return self.fc2(self.dropout(x))


class GoogLeNet(nn.Module):
    def __init__(self, num_classes=1000, aux_logits=False, stem=(64, 64, 192), blocks=SEED_INCEPTION, aux=(128, 1024), in_channels=3):
        super().__init__()
        self.aux_logits = aux_logits
        self.conv1 = BasicConv2d(in_channels, stem[0], kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(stem[0], stem[1], kernel_size=1)
        self.conv3 = BasicConv2d(stem[1], stem[2], kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        c = stem[2]
        for name in SEED_INCEPTION:
            cfg = blocks[name]
            setattr(self, f"inception{name}", Inception(c, *cfg))
            c = cfg[0] + cfg[2] + cfg[4] + cfg[5]
            if name == "4a" and aux_logits:
                self.aux1 = InceptionAux(c, num_classes, 0.7, *aux)
            if name == "4d" and aux_logits:
                self.aux2 = InceptionAux(c, num_classes, 0.7, *aux)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.2)
        self.fc = nn.Linear(c, num_classes)
        for m in self.modules():  # torchvision's init_weights=True
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                torch.nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux_logits else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux_logits else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = torch.flatten(self.avgpool(x), 1)
        x = self.fc(self.dropout(x))
        return (x, aux1, aux2) if self.aux_logits else x


# ---------------------------------------------------------------------------------------------------------------
# Table-driven versions of the other seed networks (same layers as the verbatim ones).


class PlainCNNTable(nn.Module):
    def __init__(self, widths=(32, 64, 128, 256, 512), hidden=2000, num_classes=10, in_channels=3, flat=512):
        super().__init__()
        kernels, pads, dbs = (7, 5, 5, 3, 3), (3, 2, 2, 1, 1), (8, 4, 2, False, False)
        blocks, c = [], in_channels
        for w, k, p, db in zip(widths, kernels, pads, dbs):
            blocks.append(plain_cnn_block(c, k, w, p, 1, norm=True, pool=2, db=db))
            c = w
        self.blocks = nn.Sequential(*blocks)
        self.linear_block = nn.Sequential(nn.Linear(flat, hidden), nn.LeakyReLU(), nn.Dropout(0.4), nn.Linear(hidden, num_classes))

    def forward(self, x):
        out = self.blocks(x)
        return self.linear_block(out.view(out.size(0), -1))


class SEBlockHidden(SEBlock):
    """Seed 001's first SEBlock with its 1000 hidden units as a parameter."""

    def __init__(self, out_channels, hidden) -> None:
        super().__init__(out_channels, 1)
        self.linear_layer[2] = nn.Linear(out_channels, hidden)
        self.linear_layer[4] = nn.Linear(hidden, out_channels)


class SENetTable(nn.Module):
    """version 1: SEBlock(C, hidden) after the first four convolutions; version 2: SEBlock(C, r) after each, pools and DropBlocks."""

    def __init__(self, version, widths, se, hidden=None, num_classes=10, in_channels=3):
        super().__init__()
        kernels, layers, c = (7, 5, 5, 3, 3), [], in_channels
        for i, (w, k) in enumerate(zip(widths, kernels)):
            layers += [nn.Conv2d(c, w, k, 1, k // 2), nn.BatchNorm2d(w), nn.ReLU()]
            if version == 1 and i < 4:
                layers.append(SEBlockHidden(w, se))
            if version == 2:
                layers.append(SEBlock(w, se[i]))
                if i in (0, 2, 4):
                    layers += [nn.AvgPool2d(2), DropBlock2D(*{0: (0.35, 4), 2: (0.6, 2), 4: (0.35, 1)}[i])]
            c = w
        self.se_blocks = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        if version == 1:
            self.linear_layers = nn.Sequential(nn.Linear(c, num_classes))
        else:
            self.linear_layers = nn.Sequential(nn.Linear(c, hidden), nn.ReLU(), nn.Dropout(0.6), nn.Linear(hidden, num_classes))

    def forward(self, x):
        out = self.pool(self.se_blocks(x))
        return self.linear_layers(out.view(out.size(0), -1))


class CatDogNet(nn.Module):
    """Seed 002's CatDogNet as reconstructed (see the module docstring); widths from a table."""

    def __init__(self, num_classes=2, widths=(64, 128, 256, 512), hidden=1024, image_size=128, in_channels=3):
        super().__init__()
        layers, c = [], in_channels
        for w in widths:
            layers += [nn.Conv2d(c, w, kernel_size=3, padding=1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)]
            c = w
        self.conv_blocks = nn.Sequential(*layers)
        side = image_size // 2 ** len(widths)
        self.linear = nn.Sequential(nn.Flatten(), nn.Linear(c * side * side, hidden), nn.ReLU(), nn.Dropout(0.5), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.linear(self.conv_blocks(x))


def resnet50_catdog_head_count() -> int:
    """torchvision ResNet-50 without fc (23,508,032) plus the seed's head for 37 breeds."""
    backbone = 25_557_032 - (2048 * 1000 + 1000)
    return backbone + (2048 * 512 + 512) + (512 * 37 + 37)


# ---------------------------------------------------------------------------------------------------------------
# Fixture helpers.


def count(model: nn.Module) -> dict:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    running = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
    return {"trainable": trainable, "nonTrainable": running}


def encode(t: torch.Tensor) -> dict:
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": base64.b64encode(np.ascontiguousarray(t.numpy(), dtype="<f4").tobytes()).decode()}


def nhwc(t: torch.Tensor) -> torch.Tensor:
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t


def randomise(model: nn.Module, seed: int) -> None:
    """Non-trivial weights and BatchNorm statistics, so that every term of the inference formula is exercised."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * (3 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_((torch.rand(m.bias.shape, generator=g) * 2 - 1) * 0.2)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
                m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) - 0.5)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)


def conv(m: nn.Conv2d) -> list:
    return [m.weight.permute(2, 3, 1, 0)] + ([m.bias] if m.bias is not None else [])


def bn(m: nn.BatchNorm2d) -> list:
    return [m.weight, m.bias, m.running_mean, m.running_var]


def dense(m: nn.Linear, chw=None) -> list:
    w = m.weight
    if chw is not None:  # rows of a flatten: PyTorch (C, H, W) order -> tfjs (H, W, C)
        c, h, wd = chw
        w = w.reshape(-1, c, h, wd).permute(0, 2, 3, 1).reshape(w.shape[0], -1)
    return [w.t(), m.bias]


def se(m: SEBlock) -> list:
    return dense(m.linear_layer[2]) + dense(m.linear_layer[4])


def fixture(name: str, model: nn.Module, x: torch.Tensor, weights: dict, config: dict, full_counts: dict, inputs=None) -> None:
    """Writes `<name>-golden.json`: the model's inference outputs on `x`; `inputs` (a dict of encoded inputs) replaces `x`
    in the file when the outputs come from several inputs."""
    model.eval()
    with torch.no_grad():
        y = model(x)
    outputs = list(y) if isinstance(y, tuple) else [y]
    data = {
        "torch": torch.__version__,
        "config": config,
        "parameterCounts": full_counts,
        "input": inputs if inputs is not None else encode(nhwc(x)),
        "weights": {k: [encode(t) for t in v] for k, v in weights.items()},
        "outputs": [encode(o) for o in outputs],
    }
    path = OUT / f"{name}-golden.json"
    path.write_text(json.dumps(data) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def seeded_input(shape, seed):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)

    # Full-size counts from the verbatim definitions; the table versions must agree.
    counts = {
        "plain_cnn": count(PlainCNN()),
        "senet_v1": count(SENetV1()),
        "senet_v2": count(SENetV2()),
        "inception_v1_aux": count(InceptionNet(10)),
        "googlenet": count(GoogLeNet(1000)),
        "googlenet_aux": count(GoogLeNet(1000, aux_logits=True)),
        "catdog_cnn": count(CatDogNet(2)),
    }
    assert count(PlainCNNTable()) == counts["plain_cnn"]
    assert count(SENetTable(1, (64, 108, 186, 230, 300), 1000)) == counts["senet_v1"]
    assert count(SENetTable(2, (64, 96, 144, 192, 272), (8, 12, 16, 16, 32), 1000)) == counts["senet_v2"]
    assert counts["googlenet"]["trainable"] == 6_624_904, counts["googlenet"]
    assert counts["googlenet_aux"]["trainable"] == 13_004_888, counts["googlenet_aux"]
    assert counts["catdog_cnn"]["trainable"] == resnet50_catdog_head_count() + 10_534_301, counts["catdog_cnn"]
    for k, v in counts.items():
        print(f"{k}: {v}")

    # plain_cnn, tiny widths, 32x32 input (five 2x2 average pools leave 1x1).
    cfg = {"widths": [4, 4, 8, 8, 8], "hiddenUnits": 16, "numClasses": 10, "inputShape": [32, 32, 3]}
    m = PlainCNNTable(cfg["widths"], 16, 10, 3, 8)
    randomise(m, 1)
    w = {}
    for i, block in enumerate(m.blocks, 1):
        w[f"block{i}_conv"] = conv(block[0])
        w[f"block{i}_bn"] = bn(block[1])
    w["fc1"] = dense(m.linear_block[0])
    w["fc2"] = dense(m.linear_block[3])
    fixture("plain-cnn", m, seeded_input((2, 3, 32, 32), 11), w, {"plain_cnn": cfg}, {"plain_cnn": counts["plain_cnn"]})

    # senet_v1 and senet_v2, tiny widths, 16x16 input; two models in one fixture (outputs[0] v1, outputs[1] v2).
    cfg1 = {"widths": [4, 6, 8, 8, 8], "seHiddenUnits": 8, "numClasses": 10, "inputShape": [16, 16, 3]}
    cfg2 = {"widths": [8, 12, 16, 16, 16], "seReductions": [2, 3, 4, 4, 4], "hiddenUnits": 16, "numClasses": 10, "inputShape": [16, 16, 3]}
    m1 = SENetTable(1, cfg1["widths"], 8)
    m2 = SENetTable(2, cfg2["widths"], cfg2["seReductions"], 16)
    randomise(m1, 2)
    randomise(m2, 3)
    x = seeded_input((2, 3, 16, 16), 12)

    def senet_weights(m, prefix):
        w, stage = {}, 0
        for layer in m.se_blocks:
            if isinstance(layer, nn.Conv2d):
                stage += 1
                w[f"{prefix}stage{stage}_conv"] = conv(layer)
            elif isinstance(layer, nn.BatchNorm2d):
                w[f"{prefix}stage{stage}_bn"] = bn(layer)
            elif isinstance(layer, SEBlock):
                w[f"{prefix}stage{stage}_se"] = se(layer)
        fcs = [l for l in m.linear_layers if isinstance(l, nn.Linear)]
        if len(fcs) == 1:
            w[f"{prefix}fc"] = dense(fcs[0])
        else:
            w[f"{prefix}fc1"], w[f"{prefix}fc2"] = dense(fcs[0]), dense(fcs[1])
        return w

    m1.eval(), m2.eval()
    with torch.no_grad():
        y1, y2 = m1(x), m2(x)

    class Both(nn.Module):
        def forward(self, x):
            return y1, y2

    fixture("senet", Both(), x, {**senet_weights(m1, "v1/"), **senet_weights(m2, "v2/")},
            {"senet_v1": cfg1, "senet_v2": cfg2}, {"senet_v1": counts["senet_v1"], "senet_v2": counts["senet_v2"]})

    # GoogLeNet family: seed 001's InceptionNet (outputs main, aux1, aux2) on 32x32 and torchvision's GoogLeNet with
    # aux heads (outputs main, aux1, aux2) on 84x84 (even and odd maps at the ceil-mode pools, a 5x5 -> 4x4 adaptive pool).
    blocks = {k: list(v) for k, v in TINY_INCEPTION.items()}
    cfg_seed = {"stem": [8, 16], "blocks": blocks, "aux": [8, 16], "numClasses": 10, "inputShape": [32, 32, 3]}
    cfg_tv = {"stem": [8, 8, 16], "blocks": blocks, "aux": [8, 16], "numClasses": 5, "inputShape": [84, 84, 3], "auxLogits": True}
    ms = InceptionNet(10, (8, 16), TINY_INCEPTION, (8, 16))
    mt = GoogLeNet(5, True, (8, 8, 16), TINY_INCEPTION, (8, 16))
    randomise(ms, 4)
    randomise(mt, 5)
    xs = seeded_input((2, 3, 32, 32), 13)
    xt = seeded_input((1, 3, 84, 84), 14)
    w = {}
    st = ms.conv_initial
    w["seed/stem_conv1"], w["seed/stem_bn1"], w["seed/stem_conv2"], w["seed/stem_bn2"] = conv(st[0]), bn(st[1]), conv(st[4]), bn(st[5])
    for name in SEED_INCEPTION:
        b, p = getattr(ms, f"inception{name}"), f"seed/inception{name}_"
        w[p + "b1_conv"] = conv(b.branch1[0])
        for br, key in ((b.branch2, "b2"), (b.branch3, "b3")):
            w[p + key + "_reduce_conv"], w[p + key + "_reduce_bn"] = conv(br[0]), bn(br[2])
            w[p + key + "_conv"], w[p + key + "_bn"] = conv(br[3]), bn(br[4])
        w[p + "b4_pool_bn"], w[p + "b4_conv"], w[p + "b4_bn"] = bn(b.branch4[2]), conv(b.branch4[3]), bn(b.branch4[4])
    for a in ("aux1", "aux2"):
        aux = getattr(ms, a)
        w[f"seed/{a}_conv"], w[f"seed/{a}_bn"] = conv(aux.auxiliary[1]), bn(aux.auxiliary[2])
        w[f"seed/{a}_fc1"], w[f"seed/{a}_fc2"] = dense(aux.linear[0]), dense(aux.linear[3])
    w["seed/fc"] = dense(ms.fc)

    def basic(prefix, m):
        w[f"tv/{prefix}_conv"], w[f"tv/{prefix}_bn"] = conv(m.conv), bn(m.bn)

    basic("conv1", mt.conv1), basic("conv2", mt.conv2), basic("conv3", mt.conv3)
    for name in SEED_INCEPTION:
        b, p = getattr(mt, f"inception{name}"), f"inception{name}_"
        basic(p + "b1", b.branch1)
        basic(p + "b2_reduce", b.branch2[0]), basic(p + "b2", b.branch2[1])
        basic(p + "b3_reduce", b.branch3[0]), basic(p + "b3", b.branch3[1])
        basic(p + "b4", b.branch4[1])
    for a in ("aux1", "aux2"):
        aux = getattr(mt, a)
        basic(f"{a}_conv", aux.conv)
        w[f"tv/{a}_fc1"] = dense(aux.fc1, (aux.conv.conv.out_channels, 4, 4))
        w[f"tv/{a}_fc2"] = dense(aux.fc2)
    w["tv/fc"] = dense(mt.fc)
    ms.eval(), mt.eval()
    with torch.no_grad():
        outs_seed, outs_tv = ms(xs), mt(xt)

    class All(nn.Module):
        def forward(self, x):
            return (*outs_seed, *outs_tv)

    fixture("googlenet", All(), xs, w, {"inception_v1_aux": cfg_seed, "googlenet": cfg_tv},
            {"inception_v1_aux": counts["inception_v1_aux"], "googlenet": counts["googlenet"], "googlenet_aux": counts["googlenet_aux"]},
            inputs={"seed": encode(nhwc(xs)), "tv": encode(nhwc(xt))})  # seed's 32x32 batch of 2, torchvision's 84x84 batch of 1

    # catdog_cnn, tiny widths, 32x32 input (2x2 map into the flatten: exercises the (C, H, W) -> (H, W, C) rows).
    cfg = {"widths": [4, 4, 8, 8], "hiddenUnits": 16, "numClasses": 2, "inputShape": [32, 32, 3]}
    m = CatDogNet(2, cfg["widths"], 16, 32)
    randomise(m, 6)
    w = {}
    convs = [l for l in m.conv_blocks if isinstance(l, nn.Conv2d)]
    bns = [l for l in m.conv_blocks if isinstance(l, nn.BatchNorm2d)]
    for i, (c, b) in enumerate(zip(convs, bns), 1):
        w[f"block{i}_conv"], w[f"block{i}_bn"] = conv(c), bn(b)
    w["fc1"] = dense(m.linear[1], (8, 2, 2))
    w["fc2"] = dense(m.linear[4])
    fixture("catdog", m, seeded_input((2, 3, 32, 32), 15), w, {"catdog_cnn": cfg}, {"catdog_cnn": counts["catdog_cnn"]})


if __name__ == "__main__":
    main()
