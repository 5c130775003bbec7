"""PyTorch reference for `pnpm bench`: trains the bench networks on random data and prints images/s as JSON.

The networks are the ones the fixture generators already define (so they are the networks our tests compare with):
- `lenet-bn`: seed 004's LeNet with BatchNorm (`lenet_fashion_mnist.lenet(batch_norm=True)`), 28x28x1, batch 100;
- `resnet18-cifar`: torchvision's ResNet-18 with the CIFAR stem, 3x3/1 convolution and no max-pool
  (`resnet_densenet_golden.ResNet(BasicBlock, [2, 2, 2, 2], 10, stem="cifar")`), 32x32x3, batch 128;
- `convnext-cifar`: seed 003's final `ConvNext(3, 64, [2, 2, 6, 2], [64, 128, 256, 512])`
  (`convnext_golden.ConvNextCifar`), 32x32x3, batch 64.

Each step is what `pnpm bench` times on TensorFlow.js: forward in training mode, softmax cross-entropy, backward,
SGD (learning rate 0.01, momentum 0.9), on one fixed batch of uniform random images and labels from a seeded
generator, after untimed warm-up steps. PyTorch keeps its default thread count (printed). `peakMemoryMB` is the
process's peak resident set size (getrusage maxrss), as for the bench's own child processes, so run one model per
process for a clean figure (the bench does).

    python3 tools/reference/bench_pytorch.py --model resnet18-cifar --steps 5 --warmup 1 [--batch-size 128]

Prints one JSON object per model on stdout: model, backend ("pytorch"), batchSize, steps, imagesPerSecond,
peakMemoryMB, parameters, threads, torch, stepSeconds, losses.
"""
import argparse
import json
import resource
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convnext_golden import ConvNextCifar  # noqa: E402
from lenet_fashion_mnist import lenet  # noqa: E402
from resnet_densenet_golden import BasicBlock, ResNet  # noqa: E402

# name: (builder, input [C, H, W], classes, batch size, parameter count of our tfjs model)
MODELS = {
    "lenet-bn": (lambda: lenet(batch_norm=True), (1, 28, 28), 10, 100, 62_158),
    "resnet18-cifar": (lambda: ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10, stem="cifar"), (3, 32, 32), 10, 128, 11_173_962),
    "convnext-cifar": (lambda: ConvNextCifar(3, 64, [2, 2, 6, 2], [64, 128, 256, 512]), (3, 32, 32), 10, 64, 8_531_978),
}


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def bench(name: str, steps: int, warmup: int, batch_size: int | None, seed: int) -> dict:
    build, shape, classes, default_batch, expected_parameters = MODELS[name]
    batch = batch_size or default_batch
    torch.manual_seed(seed)
    model = build()
    parameters = count(model)
    if parameters != expected_parameters:
        raise SystemExit(f"{name}: PyTorch model has {parameters} parameters, the tfjs model {expected_parameters}; the networks differ")
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand((batch, *shape), generator=generator)
    labels = torch.randint(0, classes, (batch,), generator=generator)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    seconds, losses = [], []
    for step in range(warmup + steps):
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        value = loss.item()
        seconds.append(time.perf_counter() - t0)
        losses.append(value)
    timed = seconds[warmup:]
    return {
        "model": name,
        "backend": "pytorch",
        "batchSize": batch,
        "steps": steps,
        "imagesPerSecond": batch * steps / sum(timed),
        "peakMemoryMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "parameters": parameters,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "stepSeconds": timed,
        "losses": losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=list(MODELS), help="repeatable; default: every model")
    parser.add_argument("--steps", type=int, default=5, help="timed steps (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first (default 1)")
    parser.add_argument("--batch-size", type=int, default=None, help="images per step (default: the model's)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0 or (args.batch_size is not None and args.batch_size < 1):
        parser.error("--steps and --batch-size must be >= 1, --warmup >= 0")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads", file=sys.stderr)
    for name in args.model or list(MODELS):
        result = bench(name, args.steps, args.warmup, args.batch_size, args.seed)
        print(f"{name}: {result['parameters']:,} parameters, {result['imagesPerSecond']:.1f} images/s", file=sys.stderr)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
