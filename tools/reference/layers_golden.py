"""Golden fixture: PyTorch outputs of the `@cnn/layers` custom layers, in inference mode, on tiny fixed inputs, and
DropBlock's block masks from fixed seed maps.

For each case it draws an input and non-trivial weights with a fixed seed, runs the PyTorch module (or the seed's
definition of it) and stores input, weights and output converted to tfjs layouts: activations NCHW -> NHWC,
convolution weights [out, in/groups, kh, kw] -> [kh, kw, in/groups, out], linear weights [out, in] -> [in, out].
Weights are listed in the order of the tfjs layer's `getWeights()`. `packages/layers/src/*.test.ts` load the same
weights into the tfjs layers and compare outputs within 1e-5.

    python3 tools/reference/layers_golden.py  # writes packages/layers/src/__fixtures__/layers-golden.json
"""
import base64
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/layers/src/__fixtures__/layers-golden.json"


def encode(t: torch.Tensor) -> dict:
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": base64.b64encode(np.ascontiguousarray(t.numpy(), dtype="<f4").tobytes()).decode()}


def nhwc(t: torch.Tensor) -> torch.Tensor:
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t


def conv_weight(w: torch.Tensor) -> torch.Tensor:
    return w.permute(2, 3, 1, 0)


def case(x: torch.Tensor, weights: list, y: torch.Tensor, **config) -> dict:
    return {"config": config, "input": encode(nhwc(x)), "weights": [encode(w) for w in weights], "output": encode(nhwc(y))}


class LayerScaler(nn.Module):
    """Seed 003's LayerScaler, verbatim."""

    def __init__(self, init_value, dimensions):
        super().__init__()
        self.gamma = nn.Parameter(init_value * torch.ones((dimensions)), requires_grad=True)

    def forward(self, x):
        return self.gamma[None, ..., None, None] * x


class ConvNeXtLayerNorm(nn.Module):
    """ConvNeXt's LayerNorm with data_format='channels_first' (facebookresearch/ConvNeXt models/convnext.py)."""

    def __init__(self, normalized_shape, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(normalized_shape))
        self.bias = nn.Parameter(torch.zeros(normalized_shape))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class SEBlock(nn.Module):
    """Seed 001's second SEBlock(out_channels, reduction), verbatim."""

    def __init__(self, out_channels, reduction) -> None:
        super().__init__()
        self.linear_layer = nn.Sequential(
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Flatten(),
            nn.Linear(out_channels, int(out_channels // reduction)),
            nn.ReLU(),
            nn.Linear(int(out_channels // reduction), out_channels),
            nn.Sigmoid(),
        )

    def forward(self, x):
        linear_out = self.linear_layer(x)
        linear_out = linear_out.unsqueeze(-1).unsqueeze(-1)
        return x * linear_out


def affine(module: nn.Module, channels: int) -> None:
    with torch.no_grad():
        module.weight.copy_(1 + 0.5 * torch.randn(channels))
        module.bias.copy_(0.5 * torch.randn(channels))


def main() -> None:
    torch.manual_seed(0)
    fixture = {"torch": torch.__version__}

    x = torch.linspace(-4, 4, 41)
    fixture["gelu"] = case(x, [], nn.GELU()(x))
    fixture["gelu_tanh"] = case(x, [], nn.GELU(approximate="tanh")(x))

    x = torch.randn(2, 4, 3, 3)
    scaler = LayerScaler(1e-6, 4)
    with torch.no_grad():
        scaler.gamma.copy_(torch.tensor([0.5, -1.0, 2.0, 0.25]))
    fixture["layer_scaler"] = case(x, [scaler.gamma], scaler(x), dimensions=4)

    x = 3 * torch.randn(2, 6, 4, 5) + 1
    norm = ConvNeXtLayerNorm(6)
    affine(norm, 6)
    fixture["layer_norm_2d"] = case(x, [norm.weight, norm.bias], norm(x), epsilon=1e-6)

    x = 2 * torch.randn(2, 6, 4, 5) - 1
    group_norm = nn.GroupNorm(3, 6)
    affine(group_norm, 6)
    fixture["group_norm"] = case(x, [group_norm.weight, group_norm.bias], group_norm(x), groups=3, epsilon=1e-5)

    x = torch.randn(2, 16, 4, 4)
    se = SEBlock(16, 4)
    fc1, fc2 = se.linear_layer[2], se.linear_layer[4]
    fixture["squeeze_excitation"] = case(
        x, [fc1.weight.t(), fc1.bias, fc2.weight.t(), fc2.bias], se(x), channels=16, reduction=4
    )

    convs = {
        "grouped_conv2d": dict(cin=6, filters=4, kernel=3, groups=2, stride=2, padding=1, dilation=1, bias=True, hw=(7, 6)),
        "grouped_conv2d_dilated": dict(cin=8, filters=8, kernel=3, groups=4, stride=1, padding=2, dilation=2, bias=False, hw=(6, 6)),
        "depthwise_conv2d": dict(cin=4, filters=8, kernel=7, groups=4, stride=1, padding=3, dilation=1, bias=True, hw=(8, 8)),
    }
    for name, c in convs.items():
        conv = nn.Conv2d(c["cin"], c["filters"], c["kernel"], stride=c["stride"], padding=c["padding"],
                         dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
        x = torch.randn(2, c["cin"], *c["hw"])
        weights = [conv_weight(conv.weight)] + ([conv.bias] if c["bias"] else [])
        fixture[name] = case(x, weights, conv(x), filters=c["filters"], kernelSize=c["kernel"], groups=c["groups"],
                             strides=c["stride"], padding=c["padding"], dilation=c["dilation"], useBias=c["bias"])

    # DropBlock's block masks from fixed seed maps (the random draw aside): torchvision.ops.drop_block2d's for the
    # paper (seeds where a block fits, padded by b // 2 and max-pooled; odd b only, as torchvision), and the `dropblock`
    # package's that seeds 000/001 use (seeds everywhere, one per sample, max_pool2d padding b // 2, cropped for even b)
    for b in (3, 5):
        noise = (torch.rand(2, 2, 9 - b + 1, 9 - b + 1) < 0.08).float()
        pooled = F.max_pool2d(F.pad(noise, [b // 2] * 4, value=0), stride=(1, 1), kernel_size=(b, b), padding=b // 2)
        fixture[f"drop_block_mask_paper_{b}"] = case(noise, [], 1 - pooled, blockSize=b)
    for b in (3, 4):
        mask = (torch.rand(2, 9, 9) < 0.05).float()
        block_mask = F.max_pool2d(mask[:, None, :, :], kernel_size=(b, b), stride=(1, 1), padding=b // 2)
        if b % 2 == 0:
            block_mask = block_mask[:, :, :-1, :-1]
        fixture[f"drop_block_mask_package_{b}"] = case(mask[:, None], [], 1 - block_mask, blockSize=b)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
