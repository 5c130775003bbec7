"""Golden fixture and parameter counts for ConvNeXt (Liu et al. 2022, "A ConvNet for the 2020s") and seed 003's
seven-step ablation (ResNet-50-style CIFAR network → ConvNeXt).

The PyTorch references are written here because torchvision is not installed:
- seed 003's networks follow the notebook's code; the notebook redefines `Stem` and `BottleNeckBlock` as it goes, so
  each step keeps the previous steps' changes (the patchify stem stays from step 3 on, also in the final ConvNext);
  the classes below are those successive definitions side by side, with the seed's module names;
- the official ConvNeXt follows timm's `convnext.py` layout (conv stem 4x4/4 + LayerNorm, per-stage LayerNorm + 2x2/2
  downsampling, blocks dwconv 7x7 → LayerNorm → Linear 4x → GELU → Linear → γ → drop path, head pool → LayerNorm → fc).

Writes `packages/models/src/__fixtures__/convnext-golden.json`: the trainable parameter count of every full-size
network, and for tiny-width versions of each network an input, every weight (tfjs layout, keyed by the module path
that is also the tfjs layer name, stored as float16 after rounding the PyTorch weights to float16) and the eval-mode
output (for the ablation steps, the logits before the seed's final softmax). Norm affines, BatchNorm running statistics and layer-scale
γ are randomised, so that no branch is hidden by γ = 1e-6.

    python3 tools/reference/convnext_golden.py
"""
import base64
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/models/src/__fixtures__/convnext-golden.json"


# ---------------------------------------------------------------- seed 003, steps 1-6 (ResNet family)
class utilConv(nn.Sequential):
    def __init__(self, in_features, out_features, kernel_size, stride=1, norm=nn.BatchNorm2d, act=nn.ReLU, bias=True, groups=1):
        super().__init__(
            nn.Conv2d(in_features, out_features, kernel_size=kernel_size, padding=kernel_size // 2, stride=stride, bias=bias, groups=groups),
            norm(out_features),
            act(),
        )


class BottleNeckBlock(nn.Module):
    """Steps 1-3 (`kind='plain'`) and 4 (`kind='resnextify'`): 1x1 reduce (stride) → 3x3 → 1x1 expand."""

    def __init__(self, in_features, out_features, reduction=4, stride=1, kind="plain"):
        super().__init__()
        reduced_features = out_features // reduction
        groups = reduced_features if kind == "resnextify" else 1
        self.block = nn.Sequential(
            utilConv(in_features, reduced_features, kernel_size=1, stride=stride, bias=False),
            utilConv(reduced_features, reduced_features, kernel_size=3, bias=False, groups=groups),
            utilConv(reduced_features, out_features, kernel_size=1, bias=False, act=nn.Identity),
        )
        if in_features != out_features:
            self.shortcut = nn.Sequential(utilConv(in_features, out_features, kernel_size=1, stride=stride, bias=False))
        else:
            self.shortcut = nn.Identity()
        self.act = nn.ReLU()

    def forward(self, x):
        res = x
        x = self.block(x)
        res = self.shortcut(res)
        x += res
        return self.act(x)


class InvertedBottleNeckBlock(BottleNeckBlock):
    """Step 5: 1x1 expand 4x (stride) → 3x3 grouped (groups = in_features) → 1x1 reduce."""

    def __init__(self, in_features, out_features, expansion=4, stride=1):
        nn.Module.__init__(self)
        expanded_features = out_features * expansion
        self.block = nn.Sequential(
            utilConv(in_features, expanded_features, kernel_size=1, stride=stride, bias=False),
            utilConv(expanded_features, expanded_features, kernel_size=3, bias=False, groups=in_features),
            utilConv(expanded_features, out_features, kernel_size=1, bias=False, act=nn.Identity),
        )
        if in_features != out_features:
            self.shortcut = nn.Sequential(utilConv(in_features, out_features, kernel_size=1, stride=stride, bias=False))
        else:
            self.shortcut = nn.Identity()
        self.act = nn.ReLU()


class LargeKernelBottleNeckBlock(BottleNeckBlock):
    """Step 6: depthwise 7x7 (stride) first → 1x1 expand 4x (with bias) → 1x1 reduce."""

    def __init__(self, in_features, out_features, expansion=4, stride=1):
        nn.Module.__init__(self)
        expanded_features = out_features * expansion
        self.block = nn.Sequential(
            utilConv(in_features, in_features, kernel_size=7, stride=stride, bias=False, groups=in_features),
            utilConv(in_features, expanded_features, kernel_size=1),
            utilConv(expanded_features, out_features, kernel_size=1, bias=False, act=nn.Identity),
        )
        if in_features != out_features:
            self.shortcut = nn.Sequential(utilConv(in_features, out_features, kernel_size=1, stride=stride, bias=False))
        else:
            self.shortcut = nn.Identity()
        self.act = nn.ReLU()


BLOCKS = {
    "bottleneck": lambda i, o, stride: BottleNeckBlock(i, o, stride=stride),
    "resnextify": lambda i, o, stride: BottleNeckBlock(i, o, stride=stride, kind="resnextify"),
    "inverted": lambda i, o, stride: InvertedBottleNeckBlock(i, o, stride=stride),
    "large_kernel": lambda i, o, stride: LargeKernelBottleNeckBlock(i, o, stride=stride),
}


class Stage(nn.Sequential):
    def __init__(self, in_features, out_features, depth, block, stride=2):
        super().__init__(
            BLOCKS[block](in_features, out_features, stride),
            *[BLOCKS[block](out_features, out_features, 1) for _ in range(depth - 1)],
        )


class ResNetStem(nn.Sequential):
    """Steps 1-2: 3x3 conv (bias) + BN + ReLU, no downsampling."""

    def __init__(self, in_features, out_features):
        super().__init__(utilConv(in_features, out_features, kernel_size=3, stride=1))


class PatchifyStem(nn.Sequential):
    """Step 3 on (also the final ConvNext's stem): conv with kernel = stride = patch_size (1) + BN."""

    def __init__(self, in_features, out_features, patch_size=1):
        super().__init__(nn.Conv2d(in_features, out_features, kernel_size=patch_size, stride=patch_size), nn.BatchNorm2d(out_features))


class Encoder(nn.Module):
    def __init__(self, in_channels, stem_features, depths, widths, stem, block):
        super().__init__()
        self.stem = ResNetStem(in_channels, stem_features) if stem == "resnet" else PatchifyStem(in_channels, stem_features)
        self.stages = nn.ModuleList()
        self.stages.append(Stage(stem_features, widths[0], depths[0], block, stride=1))
        for (i, o), depth in zip(zip(widths, widths[1:]), depths[1:]):
            self.stages.append(Stage(i, o, depth, block))

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return x


class Decoder(nn.Module):
    def __init__(self, in_features, n_classes):
        super().__init__()
        self.avg = nn.AdaptiveAvgPool2d((1, 1))
        self.decoder = nn.Linear(in_features, n_classes)

    def forward(self, x):
        x = self.avg(x)
        x = x.view(x.size(0), -1)
        return F.softmax(self.decoder(x), dim=1)


class ResNet(nn.Module):
    def __init__(self, in_channels, n_classes, stem_features, depths, widths, stem, block):
        super().__init__()
        self.encoder = Encoder(in_channels, stem_features, depths, widths, stem, block)
        self.decoder = Decoder(widths[-1], n_classes)

    def forward(self, x):
        return self.decoder(self.encoder(x))


ABLATION = {
    "convnext_ablation_base": dict(depths=[3, 4, 6, 3], stem="resnet", block="bottleneck"),
    "convnext_ablation_stage_ratio": dict(depths=[3, 3, 9, 3], stem="resnet", block="bottleneck"),
    "convnext_ablation_patchify": dict(depths=[3, 3, 9, 3], stem="patchify", block="bottleneck"),
    "convnext_ablation_resnextify": dict(depths=[3, 3, 9, 3], stem="patchify", block="resnextify"),
    "convnext_ablation_inverted_bottleneck": dict(depths=[3, 3, 9, 3], stem="patchify", block="inverted"),
    "convnext_ablation_large_kernel": dict(depths=[3, 3, 9, 3], stem="patchify", block="large_kernel"),
}


# ---------------------------------------------------------------- seed 003, step 7 (final ConvNext)
class LayerScaler(nn.Module):
    def __init__(self, init_value, dimensions):
        super().__init__()
        self.gamma = nn.Parameter(init_value * torch.ones((dimensions)), requires_grad=True)

    def forward(self, x):
        return self.gamma[None, ..., None, None] * x


def stochastic_depth(x, p, training):  # torchvision.ops.stochastic_depth, mode="batch"
    if not training or p == 0.0:
        return x
    noise = torch.empty([1] * x.ndim, dtype=x.dtype).bernoulli_(1 - p)
    return x * noise / (1 - p)


class CifarBlock(nn.Module):
    def __init__(self, in_features, out_features, expansion=4, drop_p=0.0, layer_scaler_init_value=1e-6):
        super().__init__()
        expanded_features = out_features * expansion
        self.block = nn.Sequential(
            nn.Conv2d(in_features, in_features, kernel_size=7, padding=3, bias=False, groups=in_features),
            nn.GroupNorm(num_groups=1, num_channels=in_features),
            nn.Conv2d(in_features, expanded_features, kernel_size=1),
            nn.GELU(),
            nn.Conv2d(expanded_features, out_features, kernel_size=1),
        )
        self.layer_scaler = LayerScaler(layer_scaler_init_value, out_features)
        self.p = drop_p

    def forward(self, x):
        res = x
        x = self.block(x)
        x = self.layer_scaler(x)
        x = stochastic_depth(x, self.p, self.training)
        return x + res


class CifarStage(nn.Sequential):
    def __init__(self, in_features, out_features, depth, drop_p=0.0):
        down = []
        if in_features != out_features:
            down = [nn.Sequential(nn.GroupNorm(num_groups=1, num_channels=in_features), nn.Conv2d(in_features, out_features, kernel_size=2, stride=2))]
        super().__init__(*down, *[CifarBlock(out_features, out_features, drop_p=drop_p) for _ in range(depth)])


class ConvNextEncoder(nn.Module):
    def __init__(self, in_channels, stem_features, depths, widths, drop_p=0.0):
        super().__init__()
        self.stem = PatchifyStem(in_channels, stem_features)
        drop_probs = [x.item() for x in torch.linspace(0, drop_p, sum(depths))]
        self.stages = nn.ModuleList()
        self.stages.append(CifarStage(stem_features, widths[0], depths[0], drop_p=drop_probs[0]))
        for (i, o), depth, p in zip(zip(widths, widths[1:]), depths[1:], drop_probs[1:]):
            self.stages.append(CifarStage(i, o, depth, drop_p=p))

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return x


class ConvNextDecoder(nn.Sequential):
    def __init__(self, num_channels, num_classes=10):
        super().__init__(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(1), nn.LayerNorm(num_channels), nn.Linear(num_channels, num_classes))


class ConvNextCifar(nn.Sequential):
    def __init__(self, in_channels, stem_features, depths, widths, drop_p=0.0, num_classes=10):
        super().__init__()
        self.encoder = ConvNextEncoder(in_channels, stem_features, depths, widths, drop_p)
        self.head = ConvNextDecoder(widths[-1], num_classes)


# ---------------------------------------------------------------- official ConvNeXt (timm layout)
class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        return F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps).permute(0, 3, 1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class OfficialBlock(nn.Module):
    def __init__(self, dim, ls_init_value=1e-6):
        super().__init__()
        self.conv_dw = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)
        self.gamma = nn.Parameter(ls_init_value * torch.ones(dim))

    def forward(self, x):
        shortcut = x
        x = self.conv_dw(x).permute(0, 2, 3, 1)
        x = self.mlp(self.norm(x)) * self.gamma
        return x.permute(0, 3, 1, 2) + shortcut  # drop path is the identity at inference


class OfficialStage(nn.Module):
    def __init__(self, in_chs, out_chs, depth, downsample):
        super().__init__()
        self.downsample = nn.Sequential(LayerNorm2d(in_chs, eps=1e-6), nn.Conv2d(in_chs, out_chs, kernel_size=2, stride=2)) if downsample else nn.Identity()
        self.blocks = nn.Sequential(*[OfficialBlock(out_chs) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(self.downsample(x))


class ConvNeXt(nn.Module):
    def __init__(self, depths, dims, num_classes=1000, in_chans=3, patch_size=4):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_chans, dims[0], kernel_size=patch_size, stride=patch_size), LayerNorm2d(dims[0], eps=1e-6))
        self.stages = nn.Sequential(*[OfficialStage(dims[max(i - 1, 0)], dims[i], depths[i], i > 0) for i in range(len(depths))])
        self.head = nn.Module()
        self.head.norm = nn.LayerNorm(dims[-1], eps=1e-6)
        self.head.fc = nn.Linear(dims[-1], num_classes)

    def forward(self, x):
        x = self.stages(self.stem(x)).mean((2, 3))
        return self.head.fc(self.head.norm(x))


OFFICIAL = {
    "convnext_tiny": dict(depths=[3, 3, 9, 3], dims=[96, 192, 384, 768]),
    "convnext_small": dict(depths=[3, 3, 27, 3], dims=[96, 192, 384, 768]),
    "convnext_base": dict(depths=[3, 3, 27, 3], dims=[128, 256, 512, 1024]),
    "convnext_test": dict(depths=[1, 1, 2, 1], dims=[8, 16, 24, 32]),
}


# ---------------------------------------------------------------- export
def encode(t: torch.Tensor, dtype: str = "float32") -> dict:
    """Base64 little-endian float32, or float16 (weights, already rounded to float16 so that nothing is lost)."""
    code = "<f2" if dtype == "float16" else "<f4"
    data = base64.b64encode(np.ascontiguousarray(t.detach().numpy(), dtype=code).tobytes()).decode()
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def randomise(model: nn.Module) -> None:
    """Non-trivial norm affines, running statistics and layer scales, so that every branch shows in the output."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
            if isinstance(m, nn.BatchNorm2d):  # positive shifts keep the narrow ReLU paths of the tiny networks alive
                m.bias.uniform_(0.0, 1.0)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
            if isinstance(m, LayerScaler) or isinstance(m, OfficialBlock):
                m.gamma.uniform_(0.5, 1.5)


def tfjs_weights(model: nn.Module) -> dict:
    """Each weighted module's tensors in tfjs layout, keyed by its module path (the tfjs layer name)."""
    out = {}
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):  # [out, in/groups, kh, kw] → [kh, kw, in/groups, out]
            out[name] = [m.weight.permute(2, 3, 1, 0)] + ([m.bias] if m.bias is not None else [])
        elif isinstance(m, nn.Linear):
            w = m.weight.t()
            if name.endswith("mlp.fc1") or name.endswith("mlp.fc2"):  # pointwise layers are 1x1 convolutions in tfjs
                w = w.reshape(1, 1, *w.shape)
            out[name] = [w, m.bias]
        elif isinstance(m, nn.BatchNorm2d):
            out[name] = [m.weight, m.bias, m.running_mean, m.running_var]
        elif isinstance(m, (nn.GroupNorm, nn.LayerNorm)):
            out[name] = [m.weight, m.bias]
        elif isinstance(m, LayerScaler):
            out[name] = [m.gamma]
        elif isinstance(m, OfficialBlock):
            out[name + ".gamma"] = [m.gamma]
    return {k: [encode(t, "float16") for t in v] for k, v in out.items()}


def round_to_float16(model: nn.Module) -> None:
    """Rounds every parameter and buffer to the nearest float16 (kept as float32) so the fixture can store them in half."""
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point():
                t.copy_(t.half().float())


def golden_case(model: nn.Module, batch: int, size: int, config: dict) -> dict:
    randomise(model)
    round_to_float16(model)
    model.eval()
    x = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        if isinstance(model, ResNet):  # seed 003's Decoder ends with a softmax: compare the logits before it, which show more
            y = model.decoder.decoder(model.decoder.avg(model.encoder(x)).flatten(1))
            assert torch.allclose(F.softmax(y, dim=1), model(x))
        else:
            y = model(x)
    return {"config": config, "input": encode(x.permute(0, 2, 3, 1)), "weights": tfjs_weights(model), "output": encode(y)}


# Tiny widths keep the fixture small: three stages (the seed's code takes any number), the first without downsampling.
TINY_ABLATION = dict(stem_features=8, depths=[2, 1, 1], widths=[8, 16, 24])


def main() -> None:
    torch.manual_seed(0)
    counts = {}
    for name, c in ABLATION.items():
        counts[name] = count(ResNet(3, 10, 64, c["depths"], [64, 128, 256, 512], c["stem"], c["block"]))
    counts["convnext_cifar"] = count(ConvNextCifar(3, 64, [2, 2, 6, 2], [64, 128, 256, 512]))
    for name, c in OFFICIAL.items():
        counts[name] = count(ConvNeXt(c["depths"], c["dims"], num_classes=10 if name == "convnext_test" else 1000))
    cases = {}
    for name, c in ABLATION.items():
        model = ResNet(3, 10, TINY_ABLATION["stem_features"], TINY_ABLATION["depths"], TINY_ABLATION["widths"], c["stem"], c["block"])
        config = {"stemFeatures": TINY_ABLATION["stem_features"], "depths": TINY_ABLATION["depths"], "widths": TINY_ABLATION["widths"], "numClasses": 10, "inputShape": [16, 16, 3]}
        cases[name] = golden_case(model, 2, 16, config)
    model = ConvNextCifar(3, 4, [1, 2, 1], [4, 8, 12])
    config = {"stemFeatures": 4, "depths": [1, 2, 1], "widths": [4, 8, 12], "numClasses": 10, "inputShape": [8, 8, 3]}
    cases["convnext_cifar"] = golden_case(model, 2, 8, config)
    model = ConvNeXt([1, 2, 1, 1], [4, 8, 12, 16], num_classes=5)
    config = {"depths": [1, 2, 1, 1], "dims": [4, 8, 12, 16], "numClasses": 5, "inputShape": [32, 32, 3]}
    cases["convnext_tiny"] = golden_case(model, 1, 32, config)
    fixture = {"torch": torch.__version__, "parameterCounts": counts, "cases": cases}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture) + "\n")
    print(json.dumps(counts, indent=1))
    for k, v in cases.items():
        print(k, len(json.dumps(v)))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
