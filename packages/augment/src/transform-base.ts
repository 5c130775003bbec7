/**
 * The base of every transform of this package: an {@link ImageTransform} that describes itself as a plain,
 * structured-cloneable config, so that a worker thread (or a saved experiment) rebuilds it with
 * {@link transformFromConfig}.
 */
import type { AnyImage, ImageTransform, RandomSource, WorkerRecipe } from '@cnn/data';
import type * as tf from '@tensorflow/tfjs-core';

/** A transform's description: its class `name` and its options, all structured-cloneable (JSON-safe). */
export interface TransformConfig {
  /** The class name, e.g. `'RandomCrop'`; the key of {@link transformFromConfig}'s registry. */
  name: string;
  /** The options, as the constructor takes them. */
  [option: string]: unknown;
}

// The module that exports `transformFromConfig`, with this module's own extension (`.ts` when run from source).
const fromConfigModule = new URL(`./from-config${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

/**
 * A per-image transform, torchvision-style. Random transforms split drawing their parameters (`sampleParameters`,
 * from the caller's seeded {@link RandomSource}) from applying them (`applyWith`), as Keras' augmentation layers do.
 */
export abstract class Transform implements ImageTransform {
  /** Transforms one image (bytes or floats); never modifies `image`. */
  abstract apply(image: AnyImage, random: RandomSource): AnyImage;

  /** This transform's options as a plain object; `transformFromConfig(t.toConfig())` rebuilds an equal transform. */
  abstract toConfig(): TransformConfig;

  /**
   * The batch version, on an NHWC float32 tensor, when the transform has one: call it inside `tf.tidy`; it does not
   * dispose its input. Values are in the range the transform was told (`maxValue`, default 255 for the raw batches a
   * `DataLoader` yields).
   */
  applyBatch?(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D;

  /** `{ module: <from-config module URL>, factory: 'transformFromConfig', args: [this.toConfig()] }`. */
  workerRecipe(): WorkerRecipe {
    return { module: fromConfigModule, factory: 'transformFromConfig', args: [this.toConfig()] };
  }
}
