/**
 * The part of a tfjs `LayersModel` that {@link LabelEncoder.attachTo} and {@link LabelEncoder.fromModel} use; any
 * `tf.LayersModel` fits, and `@cnn/data` needs no dependency on tfjs-layers.
 */
export interface ModelWithMetadata {
  setUserDefinedMetadata(metadata: {}): void;
  getUserDefinedMetadata(): {} | undefined;
}

/** The key under which {@link LabelEncoder.attachTo} stores the classes in a model's user-defined metadata. */
export const LABEL_ENCODER_METADATA_KEY = 'labelEncoder';

/** The JSON form of a {@link LabelEncoder}. */
export interface LabelEncoderJson {
  classes: string[];
}

/**
 * Maps class names to indices and back, like scikit-learn's `LabelEncoder`, and travels with a trained model so that
 * its predictions can be named: `encoder.attachTo(model)` before `model.save(...)`, `LabelEncoder.fromModel(model)`
 * after `tf.loadLayersModel(...)`.
 */
export class LabelEncoder {
  readonly #classes: string[];
  readonly #index: Map<string, number>;

  /**
   * @param classes Class names in index order; default none (call {@link LabelEncoder.fit}).
   * @throws Error when a name repeats.
   */
  constructor(classes: readonly string[] = []) {
    this.#classes = [];
    this.#index = new Map();
    this.#set(classes);
  }

  #set(classes: readonly string[]): void {
    const index = new Map<string, number>();
    for (const [i, name] of classes.entries()) {
      if (typeof name !== 'string') throw new TypeError(`LabelEncoder: class ${i} is ${JSON.stringify(name)}, not a string.`);
      if (index.has(name)) throw new Error(`LabelEncoder: class ${JSON.stringify(name)} appears twice (at ${index.get(name)} and ${i}); class names must be unique.`);
      index.set(name, i);
    }
    this.#classes.splice(0, this.#classes.length, ...classes);
    this.#index.clear();
    for (const [name, i] of index) this.#index.set(name, i);
  }

  /** The class names, indexed by label (a copy). */
  get classes(): string[] {
    return [...this.#classes];
  }

  /** Number of classes. */
  get size(): number {
    return this.#classes.length;
  }

  /** Learns the classes from example labels: their distinct values, sorted by code point (as scikit-learn sorts them). Returns `this`. */
  fit(values: Iterable<string>): this {
    this.#set([...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    return this;
  }

  /** {@link LabelEncoder.fit}, then {@link LabelEncoder.encode}. */
  fitTransform(values: readonly string[]): Int32Array {
    return this.fit(values).encode(values);
  }

  /** The index of each name. @throws Error naming the first unknown name and the known classes. */
  encode(values: readonly string[]): Int32Array {
    const out = new Int32Array(values.length);
    for (const [i, value] of values.entries()) {
      const index = this.#index.get(value);
      if (index === undefined) throw new Error(`LabelEncoder: unknown class ${JSON.stringify(value)} at position ${i}; known classes: ${this.#classes.map((c) => JSON.stringify(c)).join(', ') || 'none (call fit first)'}.`);
      out[i] = index;
    }
    return out;
  }

  /** The name of each index. @throws RangeError naming the first index that is not a class. */
  decode(indices: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < indices.length; i++) {
      const name = this.#classes[indices[i] as number];
      if (name === undefined) throw new RangeError(`LabelEncoder: index ${indices[i]} at position ${i} is not a class; there are ${this.#classes.length} (0..${this.#classes.length - 1}).`);
      out.push(name);
    }
    return out;
  }

  /** `{ classes }`, for `JSON.stringify`. */
  toJSON(): LabelEncoderJson {
    return { classes: this.classes };
  }

  /** Rebuilds an encoder from {@link LabelEncoder.toJSON}'s output. @throws Error when `json` has no string array `classes`. */
  static fromJSON(json: unknown): LabelEncoder {
    const classes = (json as Partial<LabelEncoderJson> | null)?.classes;
    if (!Array.isArray(classes) || classes.some((name) => typeof name !== 'string')) {
      throw new Error(`LabelEncoder.fromJSON: expected { classes: string[] }, got ${JSON.stringify(json)?.slice(0, 200)}.`);
    }
    return new LabelEncoder(classes);
  }

  /**
   * Stores the classes in `model`'s user-defined metadata (under {@link LABEL_ENCODER_METADATA_KEY}, keeping other
   * keys), which `model.save(...)` writes to `model.json` and `tf.loadLayersModel` reads back.
   */
  attachTo(model: ModelWithMetadata): void {
    model.setUserDefinedMetadata({ ...(model.getUserDefinedMetadata() ?? {}), [LABEL_ENCODER_METADATA_KEY]: this.toJSON() });
  }

  /** The encoder stored in `model` by {@link LabelEncoder.attachTo}. @throws Error when the model has none. */
  static fromModel(model: ModelWithMetadata): LabelEncoder {
    const metadata = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
    const stored = metadata?.[LABEL_ENCODER_METADATA_KEY];
    if (stored === undefined) throw new Error(`LabelEncoder.fromModel: the model has no "${LABEL_ENCODER_METADATA_KEY}" in its user-defined metadata; call encoder.attachTo(model) before saving it.`);
    return LabelEncoder.fromJSON(stored);
  }
}
