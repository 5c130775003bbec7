/**
 * The benchmark's networks: each bench name maps to a registry model of `@cnn/models`, its options, input shape and
 * default batch size. `tools/reference/bench_pytorch.py` builds the same networks in PyTorch under the same names.
 */

/** One benchmark network. */
export interface BenchModel {
  /** Name on the bench command line and in its output, e.g. `resnet18-cifar`. */
  readonly name: string;
  /** The `@cnn/models` registry name. */
  readonly registryName: string;
  /** Options passed to `createModel` (besides `inputShape`, `numClasses` and `seed`). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Input `[height, width, channels]`. */
  readonly inputShape: readonly [number, number, number];
  /** Output classes. */
  readonly numClasses: number;
  /** Batch size of a training step (images). */
  readonly batchSize: number;
  /** Timed steps when `--steps` is not given: enough for a stable figure at this model's step time. */
  readonly steps: number;
  /**
   * Warm-up steps when `--warmup` is not given: enough for V8 to have compiled the WebAssembly kernels at full speed
   * (it starts them in a baseline compiler and optimises each after enough calls) and the JavaScript around them. For
   * LeNet-BN's 8 ms steps that takes longer than 20 steps: data-parallel training measured 9,500 images/s after 20
   * warm-up steps and 11,300 after 100 (same script, same machine), so LeNet-BN warms up for 100 steps (about 1 s),
   * PyTorch too.
   */
  readonly warmup: number;
  /**
   * Rounds when `--rounds` is not given: how many times PyTorch and every backend are measured, alternating, before
   * each one's median is reported. LeNet-BN's steps take milliseconds, and PyTorch's figure for them moved by 2x
   * between runs on a 2-core machine (ours by under 5%); alternating rounds measure both under the same conditions.
   */
  readonly rounds: number;
  /** One line for `--help` and the README. */
  readonly description: string;
}

/** Every benchmark network, in the order they run. */
export const BENCH_MODELS: readonly BenchModel[] = Object.freeze([
  {
    name: 'lenet-bn',
    registryName: 'lenet_bn',
    overrides: {},
    inputShape: [28, 28, 1],
    numClasses: 10,
    batchSize: 100,
    steps: 200,
    warmup: 100,
    rounds: 5,
    description: 'LeNet-5 with BatchNorm (seed 004), 28x28x1, batch 100',
  },
  {
    name: 'resnet18-cifar',
    registryName: 'resnet18',
    overrides: { stem: 'cifar' },
    inputShape: [32, 32, 3],
    numClasses: 10,
    batchSize: 128,
    steps: 3,
    warmup: 2,
    rounds: 1,
    description: 'ResNet-18 with the CIFAR stem (3x3/1 conv, no max-pool), 32x32x3, batch 128',
  },
  {
    name: 'convnext-cifar',
    registryName: 'convnext_cifar',
    overrides: {},
    inputShape: [32, 32, 3],
    numClasses: 10,
    batchSize: 64,
    steps: 3,
    warmup: 2,
    rounds: 1,
    description: "Seed 003's final ConvNeXt for CIFAR-10 (8.5M parameters), 32x32x3, batch 64",
  },
]);

/** Bench model names, in run order. */
export const BENCH_MODEL_NAMES: readonly string[] = BENCH_MODELS.map((m) => m.name);

/**
 * The bench model called `name`.
 * @throws Error naming the bad value and listing the known names.
 */
export function getBenchModel(name: string): BenchModel {
  const model = BENCH_MODELS.find((m) => m.name === name);
  if (model === undefined) throw new Error(`Unknown bench model '${name}': expected one of ${BENCH_MODEL_NAMES.join(', ')}`);
  return model;
}
