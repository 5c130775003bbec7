/** The study's settings, with seed 004's values as defaults, and the figures the seed reports. */
import type { BackendName } from '@cnn/backend';

/** The two networks of the lesson, named as in `metrics.json`, with their registry names. */
export const STUDY_MODELS = { lenet: 'lenet', 'lenet-bn': 'lenet_bn' } as const;
export type StudyModel = keyof typeof STUDY_MODELS;

/** Test accuracy the seed reports after 6,000 iterations (10 epochs of 600 batches). */
export const SEED_TEST_ACCURACY: Record<StudyModel, number> = { lenet: 0.8428, 'lenet-bn': 0.8998 };

/** Everything a run needs. */
export interface StudySettings {
  /** Epochs per model. Seed: 10. */
  epochs: number;
  /** Mini-batch size. Seed: 100. */
  batchSize: number;
  /** SGD learning rate. Seed: 1.0. */
  learningRate: number;
  /** Measure test accuracy every this many steps. Seed: 50. */
  evalEvery: number;
  /** Train on the first N training images; all 60,000 when undefined. */
  limit: number | undefined;
  /** Evaluate on the first N test images; all 10,000 when undefined. */
  testLimit: number | undefined;
  /** Models to train, in order. Default both. */
  models: StudyModel[];
  /** Backend name or 'auto'. */
  backend: BackendName | 'auto';
  /** Seed of the weight initialisation (and of shuffling, when enabled). */
  seed: number;
  /** Shuffle the training set each epoch. The seed's DataLoader does not (shuffle=False). */
  shuffle: boolean;
  /** Directory holding the Fashion-MNIST IDX files; searched for as `@cnn/data` documents when undefined. */
  data: string | undefined;
  /** Allow downloading Fashion-MNIST into the cache when it is not found. */
  download: boolean;
  /** Run directory to create; it must not exist yet. */
  out: string;
  /** Progress display. */
  progress: 'auto' | 'bar' | 'lines' | 'silent';
}

/** Seed 004's settings. `out` defaults to `runs/fashion-mnist/<UTC timestamp>`. */
export function defaultSettings(): StudySettings {
  return {
    epochs: 10,
    batchSize: 100,
    learningRate: 1.0,
    evalEvery: 50,
    limit: undefined,
    testLimit: undefined,
    models: ['lenet', 'lenet-bn'],
    backend: 'auto',
    seed: 0,
    shuffle: false,
    data: undefined,
    download: true,
    out: `runs/fashion-mnist/${new Date().toISOString().replace(/[:.]/g, '-')}`,
    progress: 'auto',
  };
}
