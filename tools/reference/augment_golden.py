"""Golden fixture: torchvision's deterministic image transforms, on PIL images, for `@cnn/augment`.

torchvision is not installed here, so its functional semantics are written out on Pillow and NumPy exactly as
torchvision 0.20 does them for PIL images (`torchvision/transforms/_functional_pil.py` and, for the blur and erasing,
`_functional_tensor.py`):

- `resize`: `img.resize((w, h), BILINEAR | NEAREST)`; an int size is the shorter side, the longer side
  `int(size * long / short)` (`_compute_resized_output_size`).
- `center_crop`: pad with 0 when the crop is larger, then `crop_top = int(round((h - th) / 2.0))` (Python's round).
- `pad`: constant via `ImageOps.expand`, edge/reflect/symmetric via `np.pad` on the array.
- `hflip` / `vflip`: `img.transpose(...)`.
- `rotate`: `img.rotate(angle, resample, expand, center, fillcolor=fill)`.
- `adjust_brightness` / `_contrast` / `_saturation`: `ImageEnhance.Brightness` / `Contrast` / `Color`.
- `adjust_hue`: HSV on PIL, `np_h += np.int32(hue_factor * 255).astype(np.uint8)` (wrapping), back to RGB.
- `to_tensor` (`/ 255`, float32; kept channels last here), `normalize` (`(x - mean) / std`, float32).
- `gaussian_blur`: torchvision's kernel `exp(-0.5 (x / sigma)^2)` normalised, 2-D outer product (float32), reflect
  padding, convolution, `torch.round` (half to even) back to uint8.
- `erase`: the box set to `value` on the float image.
- `resized_crop`: crop then bilinear resize.

Writes `packages/augment/src/__fixtures__/augment-golden.json`: two seeded 13x17 test images (RGB and greyscale,
as base64 bytes) and, per case, the operation, its parameters and the expected output (uint8 as base64, float32 as
a list). Pillow 12, NumPy 2.

    python3 tools/reference/augment_golden.py
"""
import base64
import json
import math
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageOps

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/augment/src/__fixtures__/augment-golden.json"

H, W = 13, 17


def test_images():
    rng = np.random.default_rng(0)
    # A smooth gradient plus noise: realistic enough for interpolation, varied enough to catch index errors.
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack([xx * 255 / (W - 1), yy * 255 / (H - 1), (xx + yy) * 255 / (W + H - 2)], axis=-1)
    rgb = np.clip(base + rng.normal(0, 40, size=(H, W, 3)), 0, 255).round().astype(np.uint8)
    grey = rng.integers(0, 256, size=(H, W, 1), dtype=np.uint8)
    return {"rgb": rgb, "grey": grey}


def to_pil(array):
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)


def from_pil(img):
    a = np.asarray(img)
    return a[:, :, None] if a.ndim == 2 else a


def resize(img, size, interpolation):
    w, h = img.size
    if isinstance(size, int):
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = size, int(size * long / short)
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_h, new_w = size
    return img.resize((new_w, new_h), {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST}[interpolation])


def pad(img, padding, fill=0, padding_mode="constant"):
    if len(padding) == 1:
        left = top = right = bottom = padding[0]
    elif len(padding) == 2:
        left = right = padding[0]
        top = bottom = padding[1]
    else:
        left, top, right, bottom = padding
    if padding_mode == "constant":
        fill = tuple(fill) if isinstance(fill, list) else fill
        return ImageOps.expand(img, border=(left, top, right, bottom), fill=fill)
    a = np.asarray(img)
    if a.ndim == 3:
        a = np.pad(a, ((top, bottom), (left, right), (0, 0)), padding_mode)
    else:
        a = np.pad(a, ((top, bottom), (left, right)), padding_mode)
    return Image.fromarray(a)


def crop(img, top, left, height, width):
    return img.crop((left, top, left + width, top + height))


def center_crop(img, output_size):
    crop_height, crop_width = output_size
    image_width, image_height = img.size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        image_width, image_height = img.size
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def rotate(img, angle, interpolation="nearest", expand=False, center=None, fill=None):
    resample = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST}[interpolation]
    if isinstance(fill, list):
        fill = tuple(fill) if len(img.getbands()) > 1 else fill[0]
    return img.rotate(angle, resample, expand, tuple(center) if center else None, fillcolor=fill)


def adjust_hue(img, hue_factor):
    if img.mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    with np.errstate(over="ignore"):
        np_h += np.int32(hue_factor * 255).astype(np.uint8)
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(img.mode)


def to_tensor(a):
    return a.astype(np.float32) / np.float32(255)


def normalize(x, mean, std):
    return ((x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)).astype(np.float32)


def gaussian_kernel1d(kernel_size, sigma):
    ksize_half = (kernel_size - 1) * 0.5
    x = np.linspace(-ksize_half, ksize_half, kernel_size, dtype=np.float32)
    pdf = np.exp(np.float32(-0.5) * (x / np.float32(sigma)) ** 2).astype(np.float32)
    return (pdf / pdf.sum()).astype(np.float32)


def gaussian_blur(a, kernel_size, sigma):
    """kernel_size = [kx, ky] and sigma = [sx, sy] as torchvision orders them (x = width first)."""
    kx = gaussian_kernel1d(kernel_size[0], sigma[0])
    ky = gaussian_kernel1d(kernel_size[1], sigma[1])
    kernel = (ky[:, None] * kx[None, :]).astype(np.float32)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    x = np.pad(a.astype(np.float32), ((py, py), (px, px), (0, 0)), mode="reflect")
    out = np.zeros(a.shape, dtype=np.float32)
    for i in range(kernel_size[1]):
        for j in range(kernel_size[0]):
            out += kernel[i, j] * x[i : i + a.shape[0], j : j + a.shape[1], :]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def main():
    images = test_images()
    cases = []

    def add(op, image, params, out):
        out = np.asarray(out)
        entry = {"op": op, "image": image, "params": params, "shape": list(out.shape)}
        if out.dtype == np.uint8:
            entry["uint8"] = b64(out)
        else:
            entry["float32"] = [float(v) for v in out.astype(np.float32).ravel()]
        cases.append(entry)

    pil = {k: to_pil(v) for k, v in images.items()}
    for name in ("rgb", "grey"):
        for size in (7, 20, [20, 25], [9, 30], [5, 6], [13, 17]):
            for interpolation in ("bilinear", "nearest"):
                add("resize", name, {"size": size, "interpolation": interpolation}, from_pil(resize(pil[name], size, interpolation)))
    for size in ([8, 8], [10, 15], [6, 9], [13, 17], [16, 20], [14, 17]):
        add("centerCrop", "rgb", {"size": size}, from_pil(center_crop(pil["rgb"], size)))
    for mode in ("constant", "edge", "reflect", "symmetric"):
        for padding in ([3], [2, 5], [1, 2, 3, 4], [20, 15]):
            for name in ("rgb", "grey"):
                fill = [10, 20, 30] if name == "rgb" else [7]
                p = {"padding": padding, "paddingMode": mode, "fill": fill}
                add("pad", name, p, from_pil(pad(pil[name], padding, fill if name == "rgb" else 7, mode)))
    add("crop", "rgb", {"top": 2, "left": 3, "height": 8, "width": 10}, from_pil(crop(pil["rgb"], 2, 3, 8, 10)))
    add("hflip", "rgb", {}, from_pil(pil["rgb"].transpose(Image.FLIP_LEFT_RIGHT)))
    add("vflip", "rgb", {}, from_pil(pil["rgb"].transpose(Image.FLIP_TOP_BOTTOM)))
    rotations = [
        {"angle": 30},
        {"angle": 30, "interpolation": "bilinear"},
        {"angle": -45, "interpolation": "bilinear", "expand": True},
        {"angle": -45, "expand": True},
        {"angle": 90},
        {"angle": 90, "expand": True},
        {"angle": 180},
        {"angle": 270, "expand": True, "interpolation": "bilinear"},
        {"angle": 17.5, "center": [3, 4], "fill": [255, 0, 128]},
        {"angle": 200, "interpolation": "bilinear", "fill": [50, 60, 70]},
        {"angle": 123.4, "interpolation": "bilinear", "expand": True, "center": [10.5, 2]},
    ]
    for r in rotations:
        for name in ("rgb", "grey"):
            args = dict(r)
            if name == "grey" and "fill" in args:
                args["fill"] = [args["fill"][0]]
            out = rotate(pil[name], args["angle"], args.get("interpolation", "nearest"), args.get("expand", False), args.get("center"), args.get("fill"))
            add("rotate", name, args, from_pil(out))
    for name in ("rgb", "grey"):
        for f in (0.0, 0.5, 1.0, 1.7):
            add("brightness", name, {"factor": f}, from_pil(ImageEnhance.Brightness(pil[name]).enhance(f)))
        for f in (0.0, 0.3, 1.8):
            add("contrast", name, {"factor": f}, from_pil(ImageEnhance.Contrast(pil[name]).enhance(f)))
    for f in (0.0, 0.5, 2.0):
        add("saturation", "rgb", {"factor": f}, from_pil(ImageEnhance.Color(pil["rgb"]).enhance(f)))
    for f in (-0.5, -0.3, 0.0, 0.1, 0.25, 0.45):
        add("hue", "rgb", {"factor": f}, from_pil(adjust_hue(pil["rgb"], f)))
    tensor = to_tensor(images["rgb"])
    add("toTensor", "rgb", {}, tensor)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    add("normalize", "rgb", {"mean": mean, "std": std}, normalize(tensor, mean, std))
    for kernel_size, sigma in (([5, 5], [1.0, 1.0]), ([3, 7], [0.8, 1.5]), ([9, 9], [1.0, 1.0]), ([3, 3], [0.1, 0.1])):
        for name in ("rgb", "grey"):
            add("gaussianBlur", name, {"kernelSize": kernel_size, "sigma": sigma}, gaussian_blur(images[name], kernel_size, sigma))
    erased = tensor.copy()
    erased[2:2 + 5, 4:4 + 9, :] = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    add("erase", "rgb", {"top": 2, "left": 4, "height": 5, "width": 9, "value": [0.1, 0.2, 0.3]}, erased)
    add("resizedCrop", "rgb", {"top": 2, "left": 3, "height": 8, "width": 10, "size": [11, 11]},
        from_pil(crop(pil["rgb"], 2, 3, 8, 10).resize((11, 11), Image.BILINEAR)))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "generator": f"tools/reference/augment_golden.py (Pillow {PIL.__version__}, NumPy {np.__version__})",
        "images": {k: {"height": H, "width": W, "channels": int(v.shape[2]), "uint8": b64(v)} for k, v in images.items()},
        "cases": cases,
    }
    OUT.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
