"""Golden fixtures and parameter counts for the ResNet and DenseNet families of `@cnn/models`.

The PyTorch definitions below follow torchvision's `resnet.py` (BasicBlock, Bottleneck v1.5, ResNet) and
`densenet.py` (_DenseLayer, _DenseBlock, _Transition, DenseNet) module for module, with the state-dict names
torchvision uses, since torchvision itself is not installed here; `Seed000ResBlock` / `Seed000ResNet` are seed 000's
`ResBlock` and `ResNet34` (IP102 study) as written there, generalised to any widths and depths for the tiny variant.

It writes
- `packages/models/src/__fixtures__/resnet-golden.json`: for tiny ResNets (basic blocks with the ImageNet stem,
  bottleneck blocks with the ImageNet and the CIFAR stems, seed 000's ResNet with DropBlock) their options, the weights
  of every layer in tfjs layout keyed by tfjs layer name (conv [out, in, kh, kw] → [kh, kw, in, out], linear
  transposed, BN γ, β, running mean, running variance with non-trivial values), one input batch (NHWC) and the
  inference-mode logits;
- `packages/models/src/__fixtures__/densenet-golden.json`: the same for a tiny DenseNet-BC;
and prints the trainable parameter counts of the full networks (ResNet-18/34/50, DenseNet-121 with 1000 classes and
seed 000's ResNet-34 with 102 classes) that the tests assert.

    python3 tools/reference/resnet_densenet_golden.py
"""
import base64
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "packages/models/src/__fixtures__"


# ---------------------------------------------------------------- torchvision ResNet (v1.5)
def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision's ResNet with configurable stage widths and a `stem` switch ('cifar': 3x3/1 conv, no max-pool)."""

    def __init__(self, block, layers, num_classes=1000, widths=(64, 128, 256, 512), stem="imagenet"):
        super().__init__()
        self.inplanes = widths[0]
        if stem == "imagenet":
            self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        else:
            self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---------------------------------------------------------------- torchvision DenseNet
class _DenseLayer(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)

    def forward(self, inputs):
        concated = torch.cat(inputs, 1)
        out = self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(concated))))))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        return out


class _DenseBlock(nn.ModuleDict):
    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"denselayer{i + 1}", _DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size, drop_rate))

    def forward(self, init_features):
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return torch.cat(features, 1)


class _Transition(nn.Sequential):
    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential()
        self.features.add_module("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False))
        self.features.add_module("norm0", nn.BatchNorm2d(num_init_features))
        self.features.add_module("relu0", nn.ReLU(inplace=True))
        self.features.add_module("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            self.features.add_module(f"denseblock{i + 1}", _DenseBlock(num_layers, num_features, bn_size, growth_rate, drop_rate))
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(num_features, num_features // 2))
                num_features = num_features // 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.relu(self.features(x), inplace=True)
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1))


# ---------------------------------------------------------------- seed 000 (IP102): ResBlock and ResNet34
class WeightsInitializer(nn.Module):
    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


class DropBlock2D(nn.Module):
    """Stand-in for `dropblock.DropBlock2D`: parameter-free and the identity in evaluation mode, all this script needs."""

    def __init__(self, drop_prob, block_size):
        super().__init__()
        self.drop_prob, self.block_size = drop_prob, block_size

    def forward(self, x):
        if self.training:
            raise RuntimeError("this stand-in only supports evaluation mode")
        return x


class Seed000ResBlock(WeightsInitializer):
    def __init__(self, input_channels, output_channels, downsampling):
        super().__init__()
        self.downsampling = None if not downsampling else nn.Sequential(
            nn.Conv2d(input_channels, output_channels, kernel_size=1, stride=2, padding=0), nn.BatchNorm2d(output_channels)
        )
        self.res_pass = nn.Sequential(
            nn.Conv2d(input_channels, output_channels, kernel_size=3, stride=2 if self.downsampling else 1, padding=1),
            nn.BatchNorm2d(output_channels),
            nn.ReLU(),
            nn.Conv2d(output_channels, output_channels, kernel_size=3, stride=1, padding=1),
            nn.BatchNorm2d(output_channels),
        )
        self.relu = nn.ReLU()
        self._init_weights()

    def forward(self, X):
        out = self.res_pass(X)
        if self.downsampling:
            X = self.downsampling(X)
        return self.relu(X + out)


class Seed000ResNet(WeightsInitializer):
    """Seed 000's `ResNet34` for widths (64, 128, 256, 512), depths (3, 4, 6, 3), DropBlock (0.3; 15, 8, 4), 102 classes."""

    def __init__(self, input_dim=3, widths=(64, 128, 256, 512), depths=(3, 4, 6, 3), block_sizes=(15, 8, 4), num_classes=102):
        super().__init__()
        self.initial_convolution = nn.Sequential(
            nn.Conv2d(input_dim, widths[0], kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(widths[0]), nn.ReLU(), nn.MaxPool2d(2)
        )
        blocks = []
        for stage, (width, depth) in enumerate(zip(widths, depths)):
            previous = widths[max(stage - 1, 0)]
            for b in range(depth):
                down = stage > 0 and b == 0
                blocks.append(Seed000ResBlock(previous if b == 0 else width, width, down))
                if down:
                    blocks.append(DropBlock2D(0.3, block_size=block_sizes[stage - 1]))
        self.res_pass = nn.Sequential(*blocks)
        self.global_pooling = nn.AdaptiveAvgPool2d((1, 1))
        self.linear_pass = nn.Sequential(nn.Flatten(), nn.Linear(widths[-1], num_classes))
        self._init_weights()

    def forward(self, X):
        return self.linear_pass(self.global_pooling(self.res_pass(self.initial_convolution(X))))

    def tfjs_names(self):
        """PyTorch module name → tfjs layer name (`layer{stage}.{block}.conv1`, ...) as `@cnn/models` names them."""
        names = {"initial_convolution.0": "conv1", "initial_convolution.1": "bn1", "linear_pass.1": "fc"}
        inner = {"res_pass.0": "conv1", "res_pass.1": "bn1", "res_pass.3": "conv2", "res_pass.4": "bn2", "downsampling.0": "downsample.0", "downsampling.1": "downsample.1"}
        stage, index = 1, -1
        for i, module in enumerate(self.res_pass):
            if not isinstance(module, Seed000ResBlock):
                continue
            if module.downsampling is not None:
                stage, index = stage + 1, -1
            index += 1
            for key, value in inner.items():
                names[f"res_pass.{i}.{key}"] = f"layer{stage}.{index}.{value}"
        return names


# ---------------------------------------------------------------- fixtures
def encode(t: torch.Tensor) -> dict:
    a = np.ascontiguousarray(t.detach().numpy(), dtype="<f4")
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}


def randomise_batch_norm(model: nn.Module, generator: torch.Generator) -> None:
    """Non-trivial γ, β and running statistics, so that the tfjs side must load and use all four."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(1 + 0.2 * torch.randn(n, generator=generator))
                m.bias.copy_(0.1 * torch.randn(n, generator=generator))
                m.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(n, generator=generator))


def tfjs_weights(model: nn.Module, names: dict | None = None) -> dict:
    """Weights of every conv, BN and linear layer in tfjs layout, keyed by tfjs layer name (default: the module name)."""
    out = {}
    for name, m in model.named_modules():
        if names is not None and name not in names:
            continue
        key = names[name] if names is not None else name
        if isinstance(m, nn.Conv2d):
            out[key] = [m.weight.permute(2, 3, 1, 0)] + ([m.bias] if m.bias is not None else [])
        elif isinstance(m, nn.BatchNorm2d):
            out[key] = [m.weight, m.bias, m.running_mean, m.running_var]
        elif isinstance(m, nn.Linear):
            out[key] = [m.weight.t(), m.bias]
    return {k: [encode(t) for t in v] for k, v in out.items()}


def case(model: nn.Module, options: dict, x: torch.Tensor, generator: torch.Generator, names: dict | None = None) -> dict:
    randomise_batch_norm(model, generator)
    model.eval()
    with torch.no_grad():
        y = model(x)
    print(f"  {options}: logits {tuple(y.shape)}, max |y| {y.abs().max().item():.3f}")
    return {"options": options, "weights": tfjs_weights(model, names), "output": encode(y)}


def trainable(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def write(path: Path, fixture: dict) -> None:
    path.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def main() -> None:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    counts = {
        "resnet18": trainable(ResNet(BasicBlock, [2, 2, 2, 2])),
        "resnet34": trainable(ResNet(BasicBlock, [3, 4, 6, 3])),
        "resnet50": trainable(ResNet(Bottleneck, [3, 4, 6, 3])),
        "densenet121": trainable(DenseNet()),
        "resnet34_dropblock (seed 000, 102 classes)": trainable(Seed000ResNet()),
    }
    for name, count in counts.items():
        print(f"{name}: {count:,} trainable parameters")

    FIXTURES.mkdir(parents=True, exist_ok=True)
    x = torch.randn(2, 3, 32, 32, generator=generator)
    x_nhwc = encode(x.permute(0, 2, 3, 1))
    tiny = {"numClasses": 5, "inputShape": [32, 32, 3]}
    resnet_cases = {}
    widths = [4, 8, 8, 16]
    narrow = [2, 4, 4, 8]  # bottleneck blocks output 4x these
    print("resnet-golden.json")
    resnet_cases["basic_imagenet"] = case(
        ResNet(BasicBlock, [2, 1, 1, 1], 5, widths, "imagenet"), {**tiny, "block": "basic", "depths": [2, 1, 1, 1], "widths": widths, "stem": "imagenet"}, x, generator
    )
    resnet_cases["bottleneck_imagenet"] = case(
        ResNet(Bottleneck, [1, 2, 1, 1], 5, narrow, "imagenet"), {**tiny, "block": "bottleneck", "depths": [1, 2, 1, 1], "widths": narrow, "stem": "imagenet"}, x, generator
    )
    resnet_cases["bottleneck_cifar"] = case(
        ResNet(Bottleneck, [1, 1, 1, 1], 5, narrow, "cifar"), {**tiny, "block": "bottleneck", "depths": [1, 1, 1, 1], "widths": narrow, "stem": "cifar"}, x, generator
    )
    seed000 = Seed000ResNet(3, widths, (2, 2, 1, 1), (3, 2, 1), 5)
    resnet_cases["seed000_dropblock"] = case(
        seed000,
        {**tiny, "depths": [2, 2, 1, 1], "widths": widths, "dropBlockSizes": [3, 2, 1]},
        x,
        generator,
        seed000.tfjs_names(),
    )
    write(FIXTURES / "resnet-golden.json", {"torch": torch.__version__, "trainableParams": counts, "input": x_nhwc, "cases": resnet_cases})

    print("densenet-golden.json")
    options = {**tiny, "growthRate": 4, "blockConfig": [2, 1, 2, 1], "numInitFeatures": 8, "bnSize": 2}
    densenet = DenseNet(growth_rate=4, block_config=(2, 1, 2, 1), num_init_features=8, bn_size=2, num_classes=5)
    write(FIXTURES / "densenet-golden.json", {"torch": torch.__version__, "input": x_nhwc, "cases": {"tiny": case(densenet, options, x, generator)}})


if __name__ == "__main__":
    main()
