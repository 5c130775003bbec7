"""PyTorch's CrossEntropyLoss with label smoothing and class weights on fixed logits, for @cnn/train's loss tests."""
import json
import os

import torch

logits = torch.tensor([[1.0, 2.0, 0.5], [0.2, -1.0, 3.0], [2.5, 0.0, -0.5], [0.0, 0.3, 0.1]])
labels = torch.tensor([1, 2, 0, 1])
weights = [0.2, 1.0, 3.0]
cases = []
for smoothing in (0.0, 0.1, 0.3):
    for weight in (None, weights):
        loss = torch.nn.CrossEntropyLoss(weight=None if weight is None else torch.tensor(weight), label_smoothing=smoothing)
        cases.append({"labelSmoothing": smoothing, "classWeights": weight, "loss": loss(logits, labels).item()})
aux = [logits * 0.5, logits.flip(1)]
ce = torch.nn.CrossEntropyLoss()
multi = ce(logits, labels) + 0.3 * ce(aux[0], labels) + 0.3 * ce(aux[1], labels)
out = {
    "torch": torch.__version__,
    "logits": logits.tolist(),
    "labels": labels.tolist(),
    "cases": cases,
    "multiOutput": {"outputs": [logits.tolist(), aux[0].tolist(), aux[1].tolist()], "weights": [1, 0.3, 0.3], "loss": multi.item()},
}
path = os.path.join(os.path.dirname(__file__), "../../packages/train/src/__fixtures__/losses-golden.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
