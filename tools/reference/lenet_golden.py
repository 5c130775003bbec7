"""Golden fixture: PyTorch LeNet / LeNet-BN training steps on real Fashion-MNIST, for the tfjs equivalence test.

Initialises each network with PyTorch (seed 0), converts the initial weights to tfjs-layers layout and order, trains
it with the seed's settings (SGD lr 1.0, batch 100, unshuffled) and records every step's loss, then the test
accuracy and loss of the first 1,000 test images in evaluation mode. `apps/fashion-mnist/src/lenet-golden.test.ts`
loads the same weights into the tfjs models, trains them the same way and compares.

    python3 tools/reference/lenet_golden.py  # writes apps/fashion-mnist/src/__fixtures__/lenet-golden.json
"""
import base64
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from lenet_fashion_mnist import lenet, read_idx

STEPS = 60
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "apps/fashion-mnist/src/__fixtures__/lenet-golden.json"


def tfjs_weights(model: nn.Sequential) -> list:
    """Weights in the order of tfjs `model.getWeights()`, converted to tfjs layouts (NHWC flatten for fc1)."""
    out = []
    for module in model:
        if isinstance(module, nn.Conv2d):
            out += [module.weight.detach().permute(2, 3, 1, 0), module.bias.detach()]
        elif isinstance(module, nn.Linear):
            w = module.weight.detach()
            if w.shape[1] == 400:  # PyTorch flattens (C, H, W); tfjs flattens (H, W, C)
                w = w.reshape(-1, 16, 5, 5).permute(0, 2, 3, 1).reshape(-1, 400)
            out += [w.t(), module.bias.detach()]
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            out += [module.weight.detach(), module.bias.detach(), module.running_mean.clone(), module.running_var.clone()]
    return [
        {"shape": list(t.shape), "data": base64.b64encode(np.ascontiguousarray(t.numpy(), dtype="<f4").tobytes()).decode()}
        for t in out
    ]


def main() -> None:
    torch.set_num_threads(1)
    data = Path("/usr/share/datasets/fashion-mnist")
    x = torch.tensor(read_idx(data / "train-images-idx3-ubyte.gz")[: STEPS * 100], dtype=torch.float32).unsqueeze(1) / 255
    y = torch.tensor(read_idx(data / "train-labels-idx1-ubyte.gz")[: STEPS * 100], dtype=torch.long)
    xt = torch.tensor(read_idx(data / "t10k-images-idx3-ubyte.gz")[:1000], dtype=torch.float32).unsqueeze(1) / 255
    yt = torch.tensor(read_idx(data / "t10k-labels-idx1-ubyte.gz")[:1000], dtype=torch.long)
    fixture = {"steps": STEPS, "batchSize": 100, "learningRate": 1.0, "torch": torch.__version__, "models": {}}
    for name, batch_norm in (("lenet", False), ("lenet_bn", True)):
        torch.manual_seed(0)
        model = lenet(batch_norm)
        weights = tfjs_weights(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
        loss_fn = nn.CrossEntropyLoss()
        losses = []
        model.train()
        for step in range(STEPS):
            loss = loss_fn(model(x[step * 100 : (step + 1) * 100]), y[step * 100 : (step + 1) * 100])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            logits = model(xt)
        fixture["models"][name] = {
            "initialWeights": weights,
            "losses": losses,
            "testAccuracy": (logits.argmax(1) == yt).float().mean().item(),
            "testLoss": loss_fn(logits, yt).item(),
        }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
