/**
 * Seeded sampling on top of a {@link RandomSource} (`() => number` in `[0, 1)`): the draws torchvision's
 * `get_params` make with torch's generator, made here from the caller's source so that transforms repeat exactly.
 */
import type { RandomSource } from '@cnn/data';

/** A uniform number in `[low, high)`, like `torch.empty(1).uniform_(low, high)`. */
export function uniform(random: RandomSource, low: number, high: number): number {
  return low + (high - low) * random();
}

/** A uniform integer in `[low, high)`, like `torch.randint(low, high, (1,))`; `high > low`. */
export function randomInteger(random: RandomSource, low: number, high: number): number {
  return low + Math.min(high - low - 1, Math.floor(random() * (high - low)));
}

/** A standard normal number (Box–Muller; uses two uniforms, keeps no state). */
export function standardNormal(random: RandomSource): number {
  let u = random();
  while (u <= Number.MIN_VALUE) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A random permutation of `0..count - 1` (Fisher–Yates), like `torch.randperm(count)`. */
export function randomPermutation(random: RandomSource, count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = randomInteger(random, 0, i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * A Gamma(`shape`, 1) number by Marsaglia and Tsang's method (2000); for `shape < 1` it boosts with
 * `Gamma(shape + 1) * U^(1 / shape)`.
 *
 * @param shape The shape parameter, > 0.
 */
export function sampleGamma(random: RandomSource, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`sampleGamma: shape must be a finite number > 0, got ${shape}`);
  if (shape < 1) {
    let u = random();
    while (u <= Number.MIN_VALUE) u = random();
    return sampleGamma(random, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A Beta(`alpha`, `beta`) number, `X / (X + Y)` with `X ~ Gamma(alpha)`, `Y ~ Gamma(beta)`; the λ of mixup and cutmix.
 *
 * @param alpha First shape parameter, > 0.
 * @param beta Second shape parameter, > 0; default `alpha`.
 */
export function sampleBeta(random: RandomSource, alpha: number, beta: number = alpha): number {
  const x = sampleGamma(random, alpha);
  const y = sampleGamma(random, beta);
  return x + y === 0 ? 0.5 : x / (x + y);
}

/** A seed for tfjs' seeded random ops (`tf.randomNormal(..., seed)`), drawn from `random`. */
export function tensorSeed(random: RandomSource): number {
  return Math.floor(random() * 2 ** 31);
}

/** Python's `round()` on a float: half to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
