/**
 * `BatchNormalization`: tfjs-layers' `BatchNormalization` with a fused training step. Strategy: a subclass that keeps
 * the class name, weights (gamma, beta, moving_mean, moving_variance), config keys, layer names and inference path of
 * tfjs-layers' class, and replaces only training-mode `call` (channels-last axis, center and scale on) by
 * {@link batchNormTraining}: one kernel forward and one backward, compiled WebAssembly SIMD on `wasm` with
 * @cnn/backend. The moving statistics update exactly as tfjs-layers does: `moving -= (moving - batch) · (1 - momentum)`
 * with the biased batch variance, both in one `CnnMovingAverage` kernel call ({@link movingAverages}). Other
 * configurations (another axis, center or scale off) run tfjs-layers' code.
 *
 * Registered for deserialisation under the class name `BatchNormalization` (importing @cnn/layers makes saved models
 * with tfjs's `BatchNormalization` load as this class; without it they load as tfjs's own, with the same results).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BatchNormalization as TfjsBatchNormalization } from '@tensorflow/tfjs-layers/dist/layers/normalization.js';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables.js';
import { batchNormTraining, movingAverages } from './batch-norm-training.js';
import { fromConfigCopy, type Kwargs } from './layer-utils.js';

/** Options of {@link BatchNormalization}: those of `tf.layers.batchNormalization`. */
export type BatchNormalizationArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;

/** tfjs-layers' class (its package exports only the factory). */
const TfjsBatchNormalizationClass = tfl.layers.batchNormalization({}).constructor as typeof TfjsBatchNormalization;

/** The private fields of tfjs-layers' class that the fused path reads. */
interface BatchNormalizationFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: LayerVariable | null;
  beta: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/** tfjs-layers' `BatchNormalization` whose training step is one fused kernel each way (see the file comment). */
export class BatchNormalization extends TfjsBatchNormalizationClass {
  /** @nocollapse */
  static override className = 'BatchNormalization';

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
  }

  /** As tfjs-layers', on a copy of `config` ({@link fromConfigCopy}). */
  static override fromConfig = fromConfigCopy;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const fields = this as unknown as BatchNormalizationFields;
    const lastAxis = input !== undefined && (fields.axis === -1 || fields.axis === input.rank - 1);
    if (kwargs['training'] !== true || !lastAxis || input.rank < 2 || fields.gamma == null || fields.beta == null || input.dtype !== 'float32') {
      return super.call(inputs, kwargs);
    }
    const { gamma, beta } = fields;
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(input, gamma.read(), beta.read(), fields.epsilon);
      tf.tidy(() => {
        const [movingMean, movingVariance] = movingAverages(
          [[fields.movingMean.read(), mean], [fields.movingVariance.read(), variance]],
          fields.momentum,
        );
        fields.movingMean.write(movingMean!);
        fields.movingVariance.write(movingVariance!);
      });
      return y;
    });
  }
}

tf.serialization.registerClass(BatchNormalization, 'cnn');
