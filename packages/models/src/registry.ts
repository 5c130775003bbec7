/**
 * The model registry: every architecture registers a name, its documented defaults and a builder; users call
 * `createModel(name, overrides)` and `listModels()`, and tests walk the registry.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

/** Options every model accepts. */
export interface BaseModelOptions {
  /** Number of output classes (logits). Default: the model's own (its seed's) value. */
  numClasses?: number;
  /** Input `[height, width, channels]`, channels last. Default: the model's own. */
  inputShape?: readonly [number, number, number];
  /** Seed of the weight initialisation; unseeded (different every run) when absent. */
  seed?: number;
  /** Model name given to the tfjs-layers model. Default: the registry name. */
  name?: string;
}

/** A registered architecture. */
export interface ModelEntry<O extends BaseModelOptions = BaseModelOptions> {
  /** Registry name, e.g. `lenet_bn`. */
  readonly name: string;
  /** One line: what the network is and where it comes from. */
  readonly description: string;
  /** Defaults merged under the caller's options. */
  readonly defaults: Required<Pick<O, 'numClasses' | 'inputShape'>> & Partial<O>;
  /**
   * Smallest input `[height, width, channels]` the network accepts, for quick checks (tests walking the registry
   * train on it). Optional: when absent, such checks search small square inputs, keeping the default channels.
   */
  readonly minInputShape?: readonly [number, number, number];
  /** Builds the model from fully merged options; throws on impossible options. */
  readonly build: (options: O & Required<Pick<O, 'numClasses' | 'inputShape'>>) => tfl.LayersModel;
}

const registry = new Map<string, ModelEntry<any>>();

/** Registers an architecture; a second registration of the same name is refused. */
export function registerModel<O extends BaseModelOptions>(entry: ModelEntry<O>): void {
  if (!/^[a-z][a-z0-9_]*$/.test(entry.name)) {
    throw new Error(`registerModel: name must be lower_snake_case, got '${entry.name}'`);
  }
  if (registry.has(entry.name)) throw new Error(`registerModel: a model named '${entry.name}' is already registered`);
  registry.set(entry.name, entry);
}

/** Names and descriptions of every registered model, sorted by name. */
export function listModels(): Array<{ name: string; description: string }> {
  return [...registry.values()]
    .map(({ name, description }) => ({ name, description }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The registry entry of `name`; unknown names are refused with the list of known ones. */
export function getModelEntry(name: string): ModelEntry {
  const entry = registry.get(name);
  if (entry === undefined) {
    const known = [...registry.keys()].sort().join(', ');
    throw new Error(`Unknown model '${name}'; registered models: ${known}`);
  }
  return entry;
}

function checkBaseOptions(name: string, options: BaseModelOptions & { numClasses: number; inputShape: readonly number[] }): void {
  const { numClasses, inputShape, seed } = options;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`${name}: numClasses must be a positive integer, got ${String(numClasses)}`);
  }
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new Error(`${name}: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`${name}: seed must be an integer, got ${String(seed)}`);
}

/**
 * Builds the registered model `name` with the caller's options merged over its defaults.
 * @example const model = createModel('lenet_bn', { numClasses: 10, seed: 1 });
 */
export function createModel<O extends BaseModelOptions = BaseModelOptions>(name: string, overrides: O = {} as O): tfl.LayersModel {
  const entry = getModelEntry(name);
  const options = { name, ...entry.defaults, ...stripUndefined(overrides) };
  checkBaseOptions(name, options);
  return entry.build(options);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
