"""Golden fixture: training-mode statistics of the stochastic layers, as PyTorch draws them.

Over many seeded forward passes (`torch.manual_seed(0)`) of
- torchvision's `torchvision.ops.drop_block2d` (the paper's DropBlock; written out below from torchvision 0.20's
  `torchvision/ops/drop_block.py`, as torchvision is not installed here),
- the `dropblock` package's `DropBlock2D` (miguelvr/dropblock `dropblock/dropblock.py`, written out; seeds 000/001),
- torchvision's `torchvision.ops.stochastic_depth` in modes 'row' and 'batch' (`torchvision/ops/stochastic_depth.py`),
it records per-pass statistics and stores their means with standard errors (std over passes / sqrt(passes)), so that
`packages/layers/src/stochastic-golden.test.ts` can draw the same statistics from the tfjs layers and compare them
within 4 combined standard errors. Block statistics are taken on an input of ones, per (sample, channel) map, with
4-connected dropped regions ("components"); every statistic is defined in `dropblock_stats` and mirrored in the test.

    python3 tools/reference/stochastic_golden.py  # writes packages/layers/src/__fixtures__/stochastic-golden.json
"""
import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/layers/src/__fixtures__/stochastic-golden.json"


def drop_block2d(input, p: float, block_size: int, inplace: bool = False, eps: float = 1e-06, training: bool = True):
    """torchvision.ops.drop_block2d (torchvision/ops/drop_block.py), verbatim but for the API-usage logging."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}.")
    if input.ndim != 4:
        raise ValueError(f"input should be 4 dimensional. Got {input.ndim} dimensions.")
    if not training or p == 0.0:
        return input

    N, C, H, W = input.size()
    block_size = min(block_size, W, H)
    # compute the gamma of Bernoulli distribution
    gamma = (p * H * W) / ((block_size**2) * ((H - block_size + 1) * (W - block_size + 1)))
    noise = torch.empty((N, C, H - block_size + 1, W - block_size + 1), dtype=input.dtype, device=input.device)
    noise.bernoulli_(gamma)

    noise = F.pad(noise, [block_size // 2] * 4, value=0)
    noise = F.max_pool2d(noise, stride=(1, 1), kernel_size=(block_size, block_size), padding=block_size // 2)
    noise = 1 - noise
    normalize_scale = noise.numel() / (eps + noise.sum())
    if inplace:
        input.mul_(noise).mul_(normalize_scale)
    else:
        input = input * noise * normalize_scale
    return input


class DropBlock2D(nn.Module):
    """The `dropblock` package's DropBlock2D (dropblock/dropblock.py), verbatim."""

    def __init__(self, drop_prob, block_size):
        super(DropBlock2D, self).__init__()
        self.drop_prob = drop_prob
        self.block_size = block_size

    def forward(self, x):
        # shape: (bsize, channels, height, width)
        assert x.dim() == 4, "Expected input with 4 dimensions (bsize, channels, height, width)"

        if not self.training or self.drop_prob == 0.:
            return x
        else:
            # get gamma value
            gamma = self._compute_gamma(x)

            # sample mask
            mask = (torch.rand(x.shape[0], *x.shape[2:]) < gamma).float()

            # place mask on input device
            mask = mask.to(x.device)

            # compute block mask
            block_mask = self._compute_block_mask(mask)

            # apply block mask
            out = x * block_mask[:, None, :, :]

            # scale output
            out = out * block_mask.numel() / block_mask.sum()

            return out

    def _compute_block_mask(self, mask):
        block_mask = F.max_pool2d(input=mask[:, None, :, :],
                                  kernel_size=(self.block_size, self.block_size),
                                  stride=(1, 1),
                                  padding=self.block_size // 2)

        if self.block_size % 2 == 0:
            block_mask = block_mask[:, :, :-1, :-1]

        block_mask = 1 - block_mask.squeeze(1)

        return block_mask

    def _compute_gamma(self, x):
        return self.drop_prob / (self.block_size ** 2)


def stochastic_depth(input, p: float, mode: str, training: bool = True):
    """torchvision.ops.stochastic_depth (torchvision/ops/stochastic_depth.py), verbatim but for the logging."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ["batch", "row"]:
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input

    survival_rate = 1.0 - p
    if mode == "row":
        size = [input.shape[0]] + [1] * (input.ndim - 1)
    else:
        size = [1] * input.ndim
    noise = torch.empty(size, dtype=input.dtype, device=input.device)
    noise = noise.bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


def components(mask: np.ndarray):
    """4-connected regions of zeros of one [H, W] keep mask: (size, bbox height, bbox width) each."""
    h, w = mask.shape
    seen = np.zeros((h, w), dtype=bool)
    out = []
    for i in range(h):
        for j in range(w):
            if mask[i, j] != 0 or seen[i, j]:
                continue
            stack, size, r0, r1, c0, c1 = [(i, j)], 0, i, i, j, j
            seen[i, j] = True
            while stack:
                y, x = stack.pop()
                size += 1
                r0, r1, c0, c1 = min(r0, y), max(r1, y), min(c0, x), max(c1, x)
                for yy, xx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                    if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] == 0 and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack.append((yy, xx))
            out.append((size, r1 - r0 + 1, c1 - c0 + 1))
    return out


def dropblock_stats(y: torch.Tensor, b: int) -> dict:
    """Per-pass statistics of one output on ones, y [N, C, H, W]; b is the (clipped) block side.

    kept: fraction of nonzero units; rowDropped[i]: fraction of units of row i dropped; channelDisagree: fraction of
    (sample, row, column) positions where the channels' masks differ; meanOutput: mean of y (1 up to the eps);
    keptValues: number of distinct nonzero values; per component (4-connected dropped region of one (sample, channel)
    map): componentsPerMap, meanSize, squareFraction (size b² with a b × b bounding box), meanBoxH, meanBoxW,
    and the smallest and largest bounding-box sides seen (over all passes).
    """
    y = y.numpy()
    n, c, h, w = y.shape
    mask = (y != 0).astype(np.float64)
    comps = [comp for m in mask.reshape(n * c, h, w) for comp in components(m)]
    stats = {
        "kept": mask.mean(),
        "rowDropped": 1 - mask.mean(axis=(0, 1, 3)),
        "channelDisagree": (mask.min(axis=1) != mask.max(axis=1)).mean(),
        "meanOutput": float(y.astype(np.float64).mean()),
        "keptValues": len(np.unique(y[y != 0])),
        "componentsPerMap": len(comps) / (n * c),
    }
    if comps:
        sizes, hs, ws = (np.array(v, dtype=np.float64) for v in zip(*comps))
        stats.update(meanSize=sizes.mean(), squareFraction=((sizes == b * b) & (hs == b) & (ws == b)).mean(),
                     meanBoxH=hs.mean(), meanBoxW=ws.mean(), minBox=[hs.min(), ws.min()], maxBox=[hs.max(), ws.max()])
    return stats


def summarize(per_pass: list) -> dict:
    """Mean and standard error over passes of every statistic (ratios of passes with components only)."""
    out = {}
    for key in ("kept", "rowDropped", "channelDisagree", "meanOutput", "componentsPerMap", "meanSize",
                "squareFraction", "meanBoxH", "meanBoxW"):
        values = np.array([s[key] for s in per_pass if key in s], dtype=np.float64)
        out[key] = {"mean": values.mean(axis=0).tolist(), "se": (values.std(axis=0, ddof=1) / math.sqrt(len(values))).tolist()}
    boxes = [s for s in per_pass if "minBox" in s]
    out["minBox"] = [int(min(s["minBox"][k] for s in boxes)) for k in range(2)]
    out["maxBox"] = [int(max(s["maxBox"][k] for s in boxes)) for k in range(2)]
    out["keptValuesMax"] = int(max(s["keptValues"] for s in per_pass))
    out["meanOutputMaxDev"] = float(max(abs(s["meanOutput"] - 1) for s in per_pass))
    return out


DROPBLOCK_CASES = [
    # name, variant, dropProb, blockSize, [N, C, H, W], passes
    ("paper_p0.1_b3_12x12", "paper", 0.1, 3, [4, 4, 12, 12], 3000),
    ("paper_p0.3_b5_16x16", "paper", 0.3, 5, [4, 4, 16, 16], 2000),
    ("paper_sparse_p0.02_b3_16x16", "paper", 0.02, 3, [4, 4, 16, 16], 3000),
    ("paper_clipped_p0.2_b7_5x8", "paper", 0.2, 7, [4, 4, 5, 8], 4000),
    ("package_p0.1_b3_12x12", "dropblockPackage", 0.1, 3, [4, 3, 12, 12], 3000),
    ("package_p0.2_b4_12x12", "dropblockPackage", 0.2, 4, [4, 3, 12, 12], 3000),
    ("package_sparse_p0.02_b4_16x16", "dropblockPackage", 0.02, 4, [4, 3, 16, 16], 3000),
]

DEPTH_CASES = [
    # name, mode, p, passes
    ("row_p0.2", "row", 0.2, 20000),
    ("row_p0.5", "row", 0.5, 20000),
    ("batch_p0.3", "batch", 0.3, 20000),
    ("batch_p0.7", "batch", 0.7, 20000),
]


def main() -> None:
    torch.manual_seed(0)
    fixture = {"dropBlock": {}, "stochasticDepth": {}}
    for name, variant, p, b, shape, passes in DROPBLOCK_CASES:
        n, c, h, w = shape
        module = DropBlock2D(p, b).train()
        per_pass = []
        for _ in range(passes):
            x = torch.ones(n, c, h, w)
            y = drop_block2d(x, p, b) if variant == "paper" else module(x)
            per_pass.append(dropblock_stats(y, min(b, h, w) if variant == "paper" else b))
        fixture["dropBlock"][name] = {"variant": variant, "dropProb": p, "blockSize": b, "shapeNHWC": [n, h, w, c],
                                      "passes": passes, **summarize(per_pass)}
        print(name, {k: v for k, v in fixture["dropBlock"][name].items() if k != "rowDropped"})

    # stochastic depth on a fixed [8, 2, 2, 3] NHWC input (NCHW for torch): per pass, the fraction of samples dropped,
    # whether the pass mixes kept and dropped samples, and whether every sample is either all zeros or exactly the
    # kept output x * (1 / (1 - p)) recorded below
    x_nhwc = torch.randn(8, 2, 2, 3, generator=torch.Generator().manual_seed(1))
    x = x_nhwc.permute(0, 3, 1, 2)
    for name, mode, p, passes in DEPTH_CASES:
        kept_output = x * torch.full([1] * 4, 1.0).div_(1.0 - p)
        dropped, mixed, exact = [], 0, True
        for _ in range(passes):
            y = stochastic_depth(x, p, mode)
            zero = (y == 0).flatten(1).all(1)
            kept = (y == kept_output).flatten(1).all(1)
            exact = exact and bool((zero | kept).all())
            dropped.append(zero.double().mean().item())
            mixed += int(bool(zero.any()) and not bool(zero.all()))
        d = np.array(dropped)
        fixture["stochasticDepth"][name] = {
            "mode": mode, "p": p, "passes": passes,
            "droppedFraction": {"mean": d.mean(), "se": d.std(ddof=1) / math.sqrt(passes)},
            "wholeBatchDropped": {"mean": float((d == 1).mean()), "se": float((d == 1).std(ddof=1) / math.sqrt(passes))},
            "mixedFraction": {"mean": mixed / passes, "se": math.sqrt(mixed / passes * (1 - mixed / passes) / passes)},
            "everySampleZeroOrExactlyScaled": exact,
        }
        fixture["stochasticDepth"][name]["keptOutputNHWC"] = kept_output.permute(0, 2, 3, 1).flatten().tolist()
        print(name, {k: v for k, v in fixture["stochasticDepth"][name].items() if k != "keptOutputNHWC"})
    fixture["stochasticDepthInputNHWC"] = {"shape": list(x_nhwc.shape), "values": x_nhwc.flatten().tolist()}

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1, default=float) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
