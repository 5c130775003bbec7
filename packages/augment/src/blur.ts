/** `GaussianBlur`: torchvision's separable Gaussian kernel with reflect padding. */
import type { AnyImage, RandomSource } from '@cnn/data';
import { borderIndex } from './functional-geometry.js';
import { checkImage, emptyLike, isFloatImage } from './image.js';
import { checkNumber, checkRange } from './options.js';
import { uniform } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';

/** torchvision's `_get_gaussian_kernel1d` in float32: `exp(-0.5 (x / sigma)^2)` at `x = -(k-1)/2 .. (k-1)/2`, normalised. */
export function gaussianKernel1d(kernelSize: number, sigma: number): Float32Array {
  const half = (kernelSize - 1) * 0.5;
  const kernel = new Float32Array(kernelSize);
  let sum = 0;
  for (let i = 0; i < kernelSize; i++) {
    const x = Math.fround(-half + (kernelSize === 1 ? 0 : (i * 2 * half) / (kernelSize - 1)));
    kernel[i] = Math.exp(-0.5 * (x / sigma) ** 2);
    sum += kernel[i]!;
  }
  for (let i = 0; i < kernelSize; i++) kernel[i]! /= sum;
  return kernel;
}

/**
 * `F.gaussian_blur(image, [kx, ky], [sx, sy])`: separable convolution with reflect padding (`kx // 2` columns, `ky // 2`
 * rows; each must be smaller than the image's side). Bytes are rounded half to even back to bytes, as torchvision's
 * `torch.round`; its 2-D float32 convolution differs from this separable one by at most one level.
 *
 * @param kernelSize `[kx, ky]`: odd positive widths along x (columns) and y (rows), torchvision's order.
 * @param sigma `[sx, sy]`, > 0.
 */
export function gaussianBlur(image: AnyImage, kernelSize: readonly [number, number], sigma: readonly [number, number]): AnyImage {
  const { height, width, channels, data } = image;
  const [kx, ky] = kernelSize;
  const px = Math.floor(kx / 2);
  const py = Math.floor(ky / 2);
  if (px >= width || py >= height) {
    throw new RangeError(`GaussianBlur: kernel ${kx}x${ky} needs reflect padding ${px}/${py} smaller than the ${height}x${width} image`);
  }
  const kernelX = gaussianKernel1d(kx, sigma[0]);
  const kernelY = gaussianKernel1d(ky, sigma[1]);
  const temp = new Float64Array(data.length);
  const cols = Int32Array.from({ length: width + 2 * px }, (_, x) => borderIndex(x - px, width, 'reflect'));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < kx; k++) sum += kernelX[k]! * (data[(y * width + cols[x + k]!) * channels + c] as number);
        temp[(y * width + x) * channels + c] = sum;
      }
    }
  }
  const rows = Int32Array.from({ length: height + 2 * py }, (_, y) => borderIndex(y - py, height, 'reflect'));
  const out = emptyLike(image, height, width);
  const bytes = !isFloatImage(image);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < ky; k++) sum += kernelY[k]! * temp[(rows[y + k]! * width + x) * channels + c]!;
        const i = (y * width + x) * channels + c;
        if (bytes) {
          const r = Math.round(sum);
          out.data[i] = Math.min(255, Math.max(0, r - (r - sum === 0.5 && r % 2 === 1 ? 1 : 0)));
        } else out.data[i] = sum;
      }
    }
  }
  return out;
}

/** Options of {@link GaussianBlur}. */
export interface GaussianBlurOptions {
  /** Kernel size: an odd positive integer, or `[kx, ky]` (x = columns first, as torchvision). */
  kernelSize: number | [number, number];
  /** Standard deviation: a number, or the range `[min, max]` to draw it from uniformly; default `[0.1, 2]`. Pixels. */
  sigma?: number | [number, number];
}

/** `transforms.GaussianBlur`: blurs with a sigma drawn uniformly from the range (same sigma along x and y). */
export class GaussianBlur extends Transform {
  readonly kernelSize: [number, number];
  readonly sigma: [number, number];

  constructor(options: GaussianBlurOptions) {
    super();
    const { kernelSize, sigma = [0.1, 2] } = options ?? ({} as GaussianBlurOptions);
    const k = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    if (!Array.isArray(k) || k.length !== 2 || !k.every((v) => Number.isSafeInteger(v) && v > 0 && v % 2 === 1)) {
      throw new RangeError(`GaussianBlur: kernelSize must be an odd positive integer or [kx, ky] of them, got ${JSON.stringify(kernelSize)}`);
    }
    this.kernelSize = [k[0]!, k[1]!];
    this.sigma = typeof sigma === 'number' ? [checkNumber('GaussianBlur', 'sigma', sigma, Number.MIN_VALUE), sigma] : checkRange('GaussianBlur', 'sigma', sigma, Number.MIN_VALUE);
  }

  /** The sigma for one image, `U(sigma[0], sigma[1])`. */
  sampleParameters(random: RandomSource): number {
    return this.sigma[0] === this.sigma[1] ? this.sigma[0] : uniform(random, this.sigma[0], this.sigma[1]);
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'GaussianBlur');
    const sigma = this.sampleParameters(random);
    return gaussianBlur(image, this.kernelSize, [sigma, sigma]);
  }

  override toConfig(): TransformConfig {
    return { name: 'GaussianBlur', kernelSize: this.kernelSize, sigma: this.sigma };
  }
}
