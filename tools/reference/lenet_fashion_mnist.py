"""PyTorch reference for seed 004 (LeNet with and without BatchNorm on Fashion-MNIST).

Runs the seed notebook's exact training (SGD lr 1.0, batch 100, no shuffling, 10 epochs, test accuracy every 50
iterations) and writes a JSON file with each model's accuracy curve, final test accuracy and training images/s, for
comparison with `pnpm study fashion-mnist`. Needs `torch` and `numpy` (not needed by tests or CI).

    python3 tools/reference/lenet_fashion_mnist.py --out tools/reference/lenet_fashion_mnist.json [--threads 1]
"""
import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn


def read_idx(path: Path) -> np.ndarray:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def lenet(batch_norm: bool) -> nn.Module:
    def norm2d(c):
        return [nn.BatchNorm2d(c)] if batch_norm else []

    def norm1d(c):
        return [nn.BatchNorm1d(c)] if batch_norm else []

    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), *norm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, kernel_size=5), *norm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120), *norm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), *norm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = Path(args.data)
    x_train = torch.tensor(read_idx(data / "train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    y_train = torch.tensor(read_idx(data / "train-labels-idx1-ubyte.gz"), dtype=torch.long)
    x_test = torch.tensor(read_idx(data / "t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    y_test = torch.tensor(read_idx(data / "t10k-labels-idx1-ubyte.gz"), dtype=torch.long)

    results = []
    for name, batch_norm in (("lenet", False), ("lenet-bn", True)):
        torch.manual_seed(args.seed)
        model = lenet(batch_norm)
        optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
        loss_fn = nn.CrossEntropyLoss()
        curve, train_seconds, step = [], 0.0, 0
        for _ in range(args.epochs):
            for start in range(0, len(x_train), 100):
                model.train()
                t0 = time.perf_counter()
                loss = loss_fn(model(x_train[start : start + 100]), y_train[start : start + 100])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                train_seconds += time.perf_counter() - t0
                step += 1
                if step % 50 == 0:
                    model.eval()
                    with torch.no_grad():
                        correct = sum(
                            (model(x_test[i : i + 1000]).argmax(1) == y_test[i : i + 1000]).sum().item()
                            for i in range(0, len(x_test), 1000)
                        )
                    curve.append({"step": step, "loss": loss.item(), "test_accuracy": correct / len(x_test)})
        results.append({
            "model": name,
            "testAccuracy": curve[-1]["test_accuracy"],
            "steps": step,
            "imagesPerSecond": step * 100 / train_seconds,
            "firstStepAbove50Percent": next((c["step"] for c in curve if c["test_accuracy"] > 0.5), None),
            "curve": curve,
        })
        print(f"{name}: test accuracy {curve[-1]['test_accuracy']:.4f}, {step * 100 / train_seconds:.0f} img/s")
    Path(args.out).write_text(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "seed": args.seed, "epochs": args.epochs,
        "models": results,
    }, indent=1) + "\n")


if __name__ == "__main__":
    main()
