/**
 * DropBlock (Ghiasi, Lin and Le, "DropBlock: A regularization method for convolutional networks", NeurIPS 2018) on
 * NHWC feature maps, in two variants.
 *
 * `'paper'` (default), as `torchvision.ops.drop_block2d` implements the paper:
 * - block seeds are Bernoulli(γ) draws at the (H − b + 1)(W − b + 1) positions where a b × b block fits inside the
 *   map, with the paper's γ = p / b² · (H · W) / ((H − b + 1)(W − b + 1)), so that about p of the units are dropped
 *   (a little less, as blocks overlap);
 * - every seed drops the b × b block it anchors (a max-pool of the seed map), each channel with its own mask;
 * - b is clipped to the map's height and width.
 *
 * `'dropblockPackage'`, as the `dropblock` PyTorch package (`DropBlock2D(drop_prob, block_size)`) that seeds 000 and
 * 001 use, which departs from the paper: γ = p / b² without the (H · W) / ((H − b + 1)(W − b + 1)) correction (so
 * fewer units are dropped than p: about 1 − e^(−p) inside the map), seeds drawn at every position so that blocks are
 * cut by the border, blocks centred on their seed (rows and columns seed − b/2 + 1 … seed + b/2 for even b), one mask
 * per sample shared by all channels, and b not clipped.
 *
 * Both rescale the kept units by count / kept over the whole batch, so the mean is preserved, and are the identity
 * at inference.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, positiveInteger, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Which DropBlock: the paper's (as torchvision) or the `dropblock` package's that the seeds use. */
export type DropBlockVariant = 'paper' | 'dropblockPackage';

/** Options of {@link DropBlock2D}. */
export interface DropBlock2DArgs extends LayerArgs {
  /** Fraction of units to drop in training, in [0, 1) (the seeds' `drop_prob`). */
  dropProb: number;
  /** Side b of the square blocks, in pixels (the seeds' `block_size`); the paper variant clips it to the map's size. */
  blockSize: number;
  /** `'paper'` (torchvision's) or `'dropblockPackage'` (the seeds' library); see the module comment. Default `'paper'`. */
  variant?: DropBlockVariant;
  /**
   * When set, the drop probability grows linearly from 0 to `dropProb` over this many training calls, as the
   * `dropblock` package's `LinearScheduler(block, 0, drop_prob, nr_steps)` stepped before every forward pass: training
   * call k (from 0) uses dropProb · min(k, N − 1) / (N − 1). The count of training calls is kept in a non-trainable
   * weight `step`, so that it is saved and restored with the model's weights. Default: no schedule.
   */
  scheduleSteps?: number;
}

/** The drop probability of training call `step` (from 0) under a linear schedule of `scheduleSteps` calls. */
export function scheduledDropProb(dropProb: number, scheduleSteps: number, step: number): number {
  return scheduleSteps <= 1 ? dropProb : (dropProb * Math.min(step, scheduleSteps - 1)) / (scheduleSteps - 1);
}

/** The paper's γ: the seed rate that drops about `dropProb` of an height × width map with blocks of `blockSize`. */
export function dropBlockGamma(dropProb: number, blockSize: number, height: number, width: number): number {
  const b = Math.min(blockSize, height, width);
  return (dropProb * height * width) / (b * b * (height - b + 1) * (width - b + 1));
}

/**
 * The keep mask (1 kept, 0 dropped) that block seeds (1 where a block starts) give. `'paper'`: seeds
 * `[n, H − b + 1, W − b + 1, C]`, each dropping the b × b square below-right of it; `'dropblockPackage'`: seeds
 * `[n, H, W, 1]`, each dropping rows and columns seed − (b − 1 − ⌊b/2⌋) … seed + ⌊b/2⌋ inside the map (PyTorch's
 * `max_pool2d` with padding ⌊b/2⌋, cropped for even b). The result has the map's height and width.
 */
export function blockKeepMask(seeds: tf.Tensor4D, blockSize: number, variant: DropBlockVariant = 'paper'): tf.Tensor4D {
  return tf.tidy(() => {
    const b = blockSize;
    const [before, after] = variant === 'paper' ? [b - 1, b - 1] : [Math.floor(b / 2), b - 1 - Math.floor(b / 2)];
    const padded = tf.pad(seeds, [[0, 0], [before, after], [before, after], [0, 0]]);
    return tf.sub(1, tf.maxPool(padded, b, 1, 'valid'));
  });
}

/**
 * One DropBlock training pass over an NHWC tensor: `dropProb` may be a scalar tensor (a scheduled value).
 * Draws Bernoulli(γ) seeds, makes their {@link blockKeepMask} and returns x · mask · count / (kept + 1e-6).
 */
export function dropBlock2d(x: tf.Tensor4D, dropProb: number | tf.Scalar, blockSize: number, variant: DropBlockVariant = 'paper'): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = x.shape;
    const paper = variant === 'paper';
    const b = paper ? Math.min(blockSize, height, width) : blockSize;
    const seedShape = paper ? [n, height - b + 1, width - b + 1, channels] : [n, height, width, 1];
    const gamma = tf.mul(dropProb, paper ? dropBlockGamma(1, b, height, width) : 1 / (b * b));
    const seeds = tf.cast(tf.less(tf.randomUniform(seedShape), gamma), 'float32') as tf.Tensor4D;
    const keep = blockKeepMask(seeds, b, variant);
    const scale = tf.div(keep.size, tf.add(tf.sum(keep), 1e-6));
    return tf.mul(tf.mul(x, keep), scale) as tf.Tensor4D;
  });
}

/** {@link dropBlock2d} as a layer on NHWC maps: identity at inference, DropBlock in training, optionally scheduled. */
export class DropBlock2D extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'DropBlock2D';
  readonly dropProb: number;
  readonly blockSize: number;
  readonly variant: DropBlockVariant;
  readonly scheduleSteps: number | undefined;
  private step: tfl.LayerVariable | undefined;

  constructor(args: DropBlock2DArgs) {
    super(args);
    if (typeof args?.dropProb !== 'number' || !(args.dropProb >= 0 && args.dropProb < 1)) {
      throw new Error(`DropBlock2D: dropProb must be in [0, 1), got ${String(args?.dropProb)}`);
    }
    this.dropProb = args.dropProb;
    this.blockSize = positiveInteger(args.blockSize, 'blockSize', 'DropBlock2D');
    this.variant = args.variant ?? 'paper';
    if (this.variant !== 'paper' && this.variant !== 'dropblockPackage') {
      throw new Error(`DropBlock2D: variant must be 'paper' or 'dropblockPackage', got '${String(args.variant)}'`);
    }
    this.scheduleSteps = args.scheduleSteps == null ? undefined : positiveInteger(args.scheduleSteps, 'scheduleSteps', 'DropBlock2D');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, 'DropBlock2D');
    if (shape.length !== 4) throw new Error(`DropBlock2D: expects NHWC input of rank 4, got shape [${shape.join(', ')}]`);
    if (this.scheduleSteps !== undefined) {
      this.step = this.addWeight('step', [], 'float32', tfl.initializers.zeros(), undefined, false);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  /** Training calls counted so far (0 without a schedule). */
  get trainingSteps(): number {
    return this.step === undefined ? 0 : this.step.read().dataSync()[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs, 'DropBlock2D') as tf.Tensor4D;
      if (kwargs['training'] !== true || this.dropProb === 0) return tf.clone(x);
      if (this.step === undefined || this.scheduleSteps === undefined) return dropBlock2d(x, this.dropProb, this.blockSize, this.variant);
      const step = this.step.read();
      const ramp = this.scheduleSteps <= 1 ? tf.scalar(1) : tf.div(tf.minimum(step, this.scheduleSteps - 1), this.scheduleSteps - 1);
      const y = dropBlock2d(x, tf.mul(ramp, this.dropProb) as tf.Scalar, this.blockSize, this.variant);
      this.step.write(tf.add(step, 1));
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), dropProb: this.dropProb, blockSize: this.blockSize, variant: this.variant };
    if (this.scheduleSteps !== undefined) config.scheduleSteps = this.scheduleSteps;
    return config;
  }
}

tf.serialization.registerClass(DropBlock2D, 'cnn');
