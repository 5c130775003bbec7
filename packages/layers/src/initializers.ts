/**
 * Weight initialisers with PyTorch's definitions (`torch.nn.init`), as tfjs-layers initialisers that serialise under
 * the `cnn` package name, so that a saved model loads again with only this package and TensorFlow.js.
 *
 * Shapes follow tfjs-layers: convolution kernels are `[kh, kw, inChannels, outChannels]`, dense kernels
 * `[inFeatures, outFeatures]`. PyTorch's fan-in is the product of every dimension but the output one; its fan-out is
 * the product of every dimension but the input one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';
import type { Initializer as LayersInitializer } from '@tensorflow/tfjs-layers/dist/initializers.js';

/**
 * tfjs-layers checks `instanceof Initializer` but does not export the class from its entry point; a deep import would
 * load a second copy of the module, so take the base class from a stock initialiser instead.
 */
const Initializer = Object.getPrototypeOf(initializers.zeros().constructor) as abstract new () => LayersInitializer;

/**
 * Non-linearities for which PyTorch's `calculate_gain` is defined here. tfjs serialisation camel-cases string values,
 * so the canonical spelling is tfjs's (`leakyRelu`); PyTorch's `leaky_relu` is accepted too.
 */
export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'selu';

/**
 * Which fan a Kaiming initialiser preserves: the forward pass (`fanIn`) or the backward pass (`fanOut`), spelled as
 * tfjs's `VarianceScaling` does; PyTorch's `fan_in` / `fan_out` are accepted too.
 */
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

const NONLINEARITIES: readonly Nonlinearity[] = ['linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu'];

function canonicalNonlinearity(value: Nonlinearity): Nonlinearity {
  return value === 'leaky_relu' ? 'leakyRelu' : value;
}

function canonicalMode(value: FanMode): 'fanIn' | 'fanOut' | undefined {
  if (value === 'fan_in' || value === 'fanIn') return 'fanIn';
  if (value === 'fan_out' || value === 'fanOut') return 'fanOut';
  return undefined;
}

/**
 * PyTorch's `torch.nn.init.calculate_gain`.
 * @param nonlinearity the activation that follows the layer.
 * @param param the negative slope for `leaky_relu` (PyTorch's default 0.01).
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (canonicalNonlinearity(nonlinearity)) {
    case 'linear':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new Error(`calculateGain: negative slope must be a finite number, got ${slope}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unknown non-linearity '${String(nonlinearity)}'; use one of ${NONLINEARITIES.join(', ')}`);
  }
}

/**
 * PyTorch's fan-in and fan-out for a tfjs weight shape (`[..., in, out]`; receptive field = product of the leading
 * dimensions). Rank-1 shapes (biases) have no fan and are refused.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`computeFans: a weight of rank >= 2 is needed to compute fans, got shape [${shape.join(', ')}]`);
  }
  const inputs = shape[shape.length - 2]!;
  const outputs = shape[shape.length - 1]!;
  const receptiveField = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: inputs * receptiveField, fanOut: outputs * receptiveField };
}

function checkSeed(seed: number | undefined, where: string): void {
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${seed}`);
}

/** Options of {@link KaimingUniform} and {@link KaimingNormal}. */
export interface KaimingArgs {
  /** Negative slope of the rectifier after this layer (used with `leakyRelu`). Default 0. */
  a?: number;
  /** Which fan to preserve. Default `'fanIn'`. */
  mode?: FanMode;
  /** The non-linearity after the layer. Default `'leakyRelu'` (PyTorch's default). */
  nonlinearity?: Nonlinearity;
  /** Seed of the random draw; unseeded when absent. */
  seed?: number;
}

interface ResolvedKaiming {
  a: number;
  mode: 'fanIn' | 'fanOut';
  nonlinearity: Nonlinearity;
  seed?: number;
}

function kaimingStd(shape: readonly number[], args: ResolvedKaiming): number {
  const { fanIn, fanOut } = computeFans(shape);
  const fan = args.mode === 'fanIn' ? fanIn : fanOut;
  return calculateGain(args.nonlinearity, args.a) / Math.sqrt(fan);
}

function resolveKaiming(args: KaimingArgs, where: string): ResolvedKaiming {
  const mode = canonicalMode(args.mode ?? 'fanIn');
  if (mode === undefined) throw new Error(`${where}: mode must be 'fanIn' or 'fanOut' (or fan_in, fan_out), got '${String(args.mode)}'`);
  const nonlinearity = canonicalNonlinearity(args.nonlinearity ?? 'leakyRelu');
  if (!NONLINEARITIES.includes(nonlinearity)) {
    throw new Error(`${where}: unknown non-linearity '${String(nonlinearity)}'; use one of ${NONLINEARITIES.join(', ')}`);
  }
  checkSeed(args.seed, where);
  const a = args.a ?? 0;
  if (!Number.isFinite(a)) throw new Error(`${where}: a must be a finite number, got ${String(a)}`);
  const resolved: ResolvedKaiming = { a, mode, nonlinearity };
  if (args.seed !== undefined) resolved.seed = args.seed;
  return resolved;
}

/** Base of this package's initialisers: tfjs deserialisation builds them from their `getConfig()`. */
abstract class ConfigInitializer extends Initializer {
  /** Builds the initialiser from its `getConfig()` (tfjs deserialisation). */
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/** Shared argument handling of {@link KaimingUniform} and {@link KaimingNormal}. */
abstract class KaimingInitializer extends ConfigInitializer {
  protected readonly args: ResolvedKaiming;

  constructor(args: KaimingArgs, where: string) {
    super();
    this.args = resolveKaiming(args, where);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.args };
  }
}

/**
 * `torch.nn.init.kaiming_uniform_`: U(-b, b) with b = gain · √(3 / fan). PyTorch's default for convolution and linear
 * weights is `new KaimingUniform({ a: Math.sqrt(5) })`, which gives b = 1/√fan_in.
 */
export class KaimingUniform extends KaimingInitializer {
  /** @nocollapse */
  static className = 'KaimingUniform';

  constructor(args: KaimingArgs = {}) {
    super(args, 'KaimingUniform');
  }

  apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    const bound = Math.sqrt(3) * kaimingStd(shape, this.args);
    return tf.randomUniform(shape, -bound, bound, dtype as 'float32' | undefined, this.args.seed);
  }
}

/** `torch.nn.init.kaiming_normal_`: N(0, std²) with std = gain / √fan (untruncated, as PyTorch). */
export class KaimingNormal extends KaimingInitializer {
  /** @nocollapse */
  static className = 'KaimingNormal';

  constructor(args: KaimingArgs = {}) {
    super(args, 'KaimingNormal');
  }

  apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    const std = kaimingStd(shape, this.args);
    return tf.randomNormal(shape, 0, std, dtype as 'float32' | undefined, this.args.seed);
  }
}

/** Options of {@link FanInUniform}. */
export interface FanInUniformArgs {
  /** Fan-in of the weight this bias belongs to (for a convolution: inChannels / groups · kh · kw). */
  fanIn: number;
  /** Seed of the random draw; unseeded when absent. */
  seed?: number;
}

/**
 * PyTorch's default bias initialisation for convolution and linear layers: U(-1/√fan_in, 1/√fan_in), where fan_in is
 * the fan-in of the layer's weight (a bias shape alone does not tell it, so it is given).
 */
export class FanInUniform extends ConfigInitializer {
  /** @nocollapse */
  static className = 'FanInUniform';
  readonly fanIn: number;
  readonly seed: number | undefined;

  constructor(args: FanInUniformArgs) {
    super();
    if (!Number.isInteger(args?.fanIn) || args.fanIn <= 0) {
      throw new Error(`FanInUniform: fanIn must be a positive integer, got ${String(args?.fanIn)}`);
    }
    checkSeed(args.seed, 'FanInUniform');
    this.fanIn = args.fanIn;
    this.seed = args.seed;
  }

  apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    const bound = 1 / Math.sqrt(this.fanIn);
    return tf.randomUniform(shape, -bound, bound, dtype as 'float32' | undefined, this.seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.seed === undefined ? { fanIn: this.fanIn } : { fanIn: this.fanIn, seed: this.seed };
  }
}

tf.serialization.registerClass(KaimingUniform, 'cnn');
tf.serialization.registerClass(KaimingNormal, 'cnn');
tf.serialization.registerClass(FanInUniform, 'cnn');
