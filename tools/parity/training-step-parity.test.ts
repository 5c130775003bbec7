/**
 * One full training step (softmax cross-entropy loss of a batch, and the gradient of every trainable weight) of a tiny
 * variant of each model family gives the same loss and gradients on the WASM backend (with @cnn/backend's training
 * kernels) as on the CPU backend, from identical weights and inputs.
 *
 * Tolerance: |loss difference| ≤ 1e-3 · |loss|, and for every gradient tensor max |wasm − cpu| ≤ 1e-3 · max |cpu| (each
 * tensor relative to its own largest entry) + 1e-5 · the largest gradient entry of the whole model. The second term
 * covers gradients that are zero up to rounding, such as the bias of a convolution followed by BatchNorm (whose
 * gradient is a cancellation of order 1e-6). XNNPACK sums in another order than the CPU backend and BatchNorm over
 * tiny batches amplifies rounding, so float32 results differ by up to about 1e-4 of a tensor's scale.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '@cnn/backend';
import { createModel, GOOGLENET_TINY_WIDTHS, INCEPTION_V1_AUX_TINY_WIDTHS, SENET_TINY } from '@cnn/models';
import { crossEntropy, restoreGlobalRandom, seedGlobalRandom } from '@cnn/train';
import { beforeAll, describe, expect, it } from 'vitest';

const RELATIVE_TOLERANCE = 1e-3;
const MODEL_RELATIVE_TOLERANCE = 1e-5;
const BATCH = 3;

/** A tiny network of one family: registry name, overrides, and the input it trains on. */
interface ParityCase {
  family: string;
  name: string;
  options: Record<string, unknown>;
  inputShape: [number, number, number];
  numClasses: number;
  /** Batch size; default {@link BATCH}. */
  batch?: number;
}

const CASES: ParityCase[] = [
  { family: 'LeNet-5 + BatchNorm', name: 'lenet_bn', options: {}, inputShape: [28, 28, 1], numClasses: 10 },
  {
    family: 'ResNet, CIFAR stem (3x3 and 1x1 stride-2 convolutions)',
    name: 'resnet18',
    options: { stem: 'cifar', depths: [1, 1, 1], widths: [4, 8, 12] },
    inputShape: [12, 12, 3],
    numClasses: 5,
  },
  {
    family: 'ResNet bottleneck, ImageNet stem (7x7/2 convolution, 3x3/2 max-pool)',
    name: 'resnet50',
    options: { stem: 'imagenet', depths: [1, 1], widths: [4, 8] },
    inputShape: [24, 24, 3],
    numClasses: 5,
  },
  {
    family: 'ResNet-34 + DropBlock (seed 000; DropBlock drawn from a seeded Math.random)',
    name: 'resnet34_dropblock',
    options: { depths: [1, 1, 1, 1], widths: [4, 4, 8, 8], dropBlock: { dropProb: 0.3, blockSizes: [3, 2, 1], variant: 'dropblockPackage' } },
    inputShape: [32, 32, 3],
    numClasses: 6,
  },
  {
    family: 'DenseNet (dense blocks, transitions with average pooling)',
    name: 'densenet121',
    options: { growthRate: 4, blockConfig: [2, 2], numInitFeatures: 8, bnSize: 2 },
    inputShape: [32, 32, 3],
    numClasses: 5,
  },
  { family: 'GoogLeNet (torchvision layout)', name: 'googlenet', options: { widths: GOOGLENET_TINY_WIDTHS, dropout: 0 }, inputShape: [32, 32, 3], numClasses: 5 },
  {
    family: 'Inception v1 with auxiliary heads (seed 001; dropout from a seeded Math.random)',
    name: 'inception_v1_aux',
    options: { widths: INCEPTION_V1_AUX_TINY_WIDTHS },
    inputShape: [32, 32, 3],
    numClasses: 5,
    // Its 2x2 maps at 5a/5b make BatchNorm over 3 images ill-conditioned (gradients ~40); 8 images are well-behaved.
    batch: 8,
  },
  { family: 'SENet v1 (squeeze-and-excitation)', name: 'senet_v1', options: { ...SENET_TINY[1] }, inputShape: [16, 16, 3], numClasses: 5 },
  { family: 'SENet v2 (SE + DropBlock + dropout)', name: 'senet_v2', options: { ...SENET_TINY[2] }, inputShape: [16, 16, 3], numClasses: 5 },
  { family: 'ConvNeXt, official layout (depthwise 7x7, LayerNorm, GELU, 4x4/4 and 2x2/2 convolutions)', name: 'convnext_test', options: {}, inputShape: [32, 32, 3], numClasses: 10 },
  {
    family: 'ConvNeXt, seed 003 layout (GroupNorm, BatchNorm stem)',
    name: 'convnext_cifar',
    options: { depths: [1, 1], dims: [8, 16], stemFeatures: 8 },
    inputShape: [16, 16, 3],
    numClasses: 5,
  },
  {
    family: 'ConvNeXt ablation, inverted bottleneck (grouped 3x3 convolutions)',
    name: 'convnext_ablation_inverted_bottleneck',
    options: { depths: [1, 1], widths: [8, 16], stemFeatures: 8 },
    inputShape: [16, 16, 3],
    numClasses: 5,
  },
  {
    family: 'ConvNeXt ablation, ResNeXt-ified bottleneck (depthwise 3x3 via GroupedConv2D)',
    name: 'convnext_ablation_resnextify',
    options: { depths: [1, 1], widths: [8, 16], stemFeatures: 8, stem: 'resnet' },
    inputShape: [16, 16, 3],
    numClasses: 5,
  },
];

/** Loss and gradients (by weight name) of one training step, read back. */
interface StepResult {
  loss: number;
  gradients: Map<string, { shape: number[]; values: Float32Array }>;
}

/** Mean cross-entropy over the outputs (auxiliary heads weighted 0.3, as seed 001). */
function stepLoss(model: tfl.LayersModel, images: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  const output = model.apply(images, { training: true }) as tf.Tensor | tf.Tensor[];
  const outputs = Array.isArray(output) ? output : [output];
  return tf.addN(outputs.map((logits, i) => tf.mul(crossEntropy(logits, labels), i === 0 ? 1 : 0.3))) as tf.Scalar;
}

async function trainingStep(backend: string, model: tfl.LayersModel, images: Float32Array, labels: Int32Array, c: ParityCase): Promise<StepResult> {
  await tf.setBackend(backend);
  seedGlobalRandom(1234);
  try {
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const x = tf.tensor4d(images, [labels.length, ...c.inputShape]);
    const y = tf.tensor1d(labels, 'int32');
    const { value, grads } = tf.variableGrads(() => stepLoss(model, x, y), variables);
    const gradients = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const variable of variables) {
      const gradient = grads[variable.name]!;
      gradients.set(variable.name, { shape: gradient.shape, values: (await gradient.data()) as Float32Array });
    }
    const loss = (await value.data())[0]!;
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return { loss, gradients };
  } finally {
    restoreGlobalRandom();
  }
}

function relativeDifference(actual: Float32Array, expected: Float32Array): { difference: number; scale: number } {
  let difference = 0;
  let scale = 0;
  expected.forEach((value, i) => {
    scale = Math.max(scale, Math.abs(value));
    difference = Math.max(difference, Math.abs(value - actual[i]!));
  });
  return { difference, scale };
}

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe('a training step gives the same loss and gradients on WASM as on CPU', () => {
  for (const c of CASES) {
    it(`${c.family} (${c.name})`, async () => {
      await tf.setBackend('cpu');
      const model = createModel(c.name, { ...c.options, inputShape: c.inputShape, numClasses: c.numClasses, seed: 7 });
      const initial = model.getWeights().map((w) => tf.clone(w));
      let seed = 99;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
      const batch = c.batch ?? BATCH;
      const images = Float32Array.from({ length: batch * c.inputShape[0] * c.inputShape[1] * c.inputShape[2] }, random);
      const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % c.numClasses);

      const expected = await trainingStep('cpu', model, images, labels, c);
      model.setWeights(initial); // BatchNorm's moving statistics moved during the step
      const actual = await trainingStep('wasm', model, images, labels, c);

      expect(Number.isFinite(expected.loss)).toBe(true);
      expect(Math.abs(actual.loss - expected.loss), `loss ${actual.loss} vs ${expected.loss}`).toBeLessThanOrEqual(
        RELATIVE_TOLERANCE * Math.abs(expected.loss),
      );
      expect([...actual.gradients.keys()]).toEqual([...expected.gradients.keys()]);
      const modelScale = Math.max(...[...expected.gradients.values()].map(({ values }) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      for (const [name, reference] of expected.gradients) {
        const gradient = actual.gradients.get(name)!;
        expect(gradient.shape, name).toEqual(reference.shape);
        const { difference, scale } = relativeDifference(gradient.values, reference.values);
        expect(difference, `${name}: max |wasm − cpu| ${difference.toExponential(2)} of max |cpu| ${scale.toExponential(2)}`).toBeLessThanOrEqual(
          RELATIVE_TOLERANCE * scale + MODEL_RELATIVE_TOLERANCE * modelScale,
        );
      }
      tf.dispose(initial);
      model.dispose();
    });
  }
});
