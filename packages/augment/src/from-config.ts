/**
 * The registry of transforms: rebuilds a transform from its `toConfig()`, in a worker thread (the factory of every
 * transform's `workerRecipe()`) or from a saved experiment.
 */
import { GaussianBlur } from './blur.js';
import { ColorJitter } from './color-jitter.js';
import { Compose, RandomSubset } from './compose.js';
import { RandomErasing } from './erasing.js';
import { CenterCrop, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, RandomVerticalFlip, Resize } from './geometry.js';
import { GaussianNoise, SaltAndPepperNoise } from './noise.js';
import { RandomRotation } from './rotation.js';
import { Normalize, ToTensor } from './tensor-transforms.js';
import type { Transform, TransformConfig } from './transform-base.js';

type Factory = (options: Record<string, unknown>) => Transform;

const registry = new Map<string, Factory>();

/**
 * Registers a transform class of your own under `name`, so that {@link transformFromConfig} (and so worker threads,
 * which import this module) can rebuild it. Register it in a module the worker imports as well.
 */
export function registerTransform(name: string, factory: Factory): void {
  if (typeof name !== 'string' || name.length === 0 || typeof factory !== 'function') {
    throw new TypeError('registerTransform: expected a non-empty name and a factory (options) => Transform');
  }
  registry.set(name, factory);
}

function builtIn(): Map<string, Factory> {
  if (registry.has('Resize')) return registry;
  const entries: Array<[string, Factory]> = [
    ['Resize', (o) => new Resize(o as never)],
    ['CenterCrop', (o) => new CenterCrop(o as never)],
    ['RandomCrop', (o) => new RandomCrop(o as never)],
    ['RandomResizedCrop', (o) => new RandomResizedCrop(o as never)],
    ['RandomHorizontalFlip', (o) => new RandomHorizontalFlip(o)],
    ['RandomVerticalFlip', (o) => new RandomVerticalFlip(o)],
    ['RandomRotation', (o) => new RandomRotation(o as never)],
    ['ColorJitter', (o) => new ColorJitter(o)],
    ['ToTensor', () => new ToTensor()],
    ['Normalize', (o) => new Normalize(o as never)],
    ['RandomErasing', (o) => new RandomErasing(o)],
    ['GaussianBlur', (o) => new GaussianBlur(o as never)],
    ['GaussianNoise', (o) => new GaussianNoise(o)],
    ['SaltAndPepperNoise', (o) => new SaltAndPepperNoise(o)],
    ['Compose', (o) => new Compose(o.transforms as Transform[])],
    ['RandomSubset', (o) => new RandomSubset(o as never)],
  ];
  for (const [name, factory] of entries) if (!registry.has(name)) registry.set(name, factory);
  return registry;
}

/**
 * Rebuilds a transform from `transform.toConfig()`: `transformFromConfig(t.toConfig())` applies exactly as `t` for
 * the same random source. Nested configs (`transforms` of `Compose` and `RandomSubset`) are rebuilt recursively.
 *
 * @throws Error naming the unknown `name` and the registered ones.
 */
export function transformFromConfig(config: TransformConfig): Transform {
  if (config === null || typeof config !== 'object' || typeof config.name !== 'string') {
    throw new TypeError(`transformFromConfig: expected { name: string, ...options }, got ${JSON.stringify(config)}`);
  }
  const factories = builtIn();
  const factory = factories.get(config.name);
  if (factory === undefined) {
    throw new Error(`transformFromConfig: unknown transform '${config.name}'; registered: ${[...factories.keys()].join(', ')} (use registerTransform for your own)`);
  }
  const { name: _name, ...options } = config;
  for (const [key, value] of Object.entries(options)) if (value === undefined) delete options[key];
  if (Array.isArray(options.transforms)) options.transforms = (options.transforms as TransformConfig[]).map(transformFromConfig);
  return factory(options);
}
