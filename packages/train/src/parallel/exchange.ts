/**
 * The shared memory through which data-parallel threads exchange gradients: one slot per thread for its shard's
 * flattened gradients and non-trainable state, each thread's loss, and a generation-counting barrier on `Atomics`.
 * Every thread averages the slots with the same code in the same order, so all of them get bit-identical results.
 *
 * Slots and losses are double-buffered by step parity: a thread may write step n + 1's gradients while a slower one
 * still reads step n's, so no thread has to wait for the others to finish their update. (A thread reaches step n + 2,
 * which reuses step n's buffers, only after every thread has arrived at step n + 1's barrier, i.e. finished step n.)
 */

/** The `SharedArrayBuffer`s of one exchange, passed to each worker in its `workerData`. */
export interface ExchangeBuffers {
  /** Int32 control words: arrivals, generation, abort flag. */
  control: SharedArrayBuffer;
  /** One float64 loss per thread and parity. */
  losses: SharedArrayBuffer;
  /** `2 × threads` slots (parity-major) of float32 values, each holding every exchanged tensor back to back. */
  slots: SharedArrayBuffer;
  /** Elements of each exchanged tensor (trainable gradients first, then non-trainable weights). */
  sizes: number[];
  /** Threads taking part (main thread + workers). */
  threads: number;
}

/** `Atomics.waitAsync` (Node 16+, ES2024), missing from this project's `lib`. */
interface AtomicsWithWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs?: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

const ARRIVALS = 0;
const GENERATION = 1;
const ABORTED = 2;

/** Thrown by the barrier when another thread gave up the step. */
export class ExchangeAbortedError extends Error {
  constructor() {
    super('data-parallel step aborted: another thread failed');
    this.name = 'ExchangeAbortedError';
  }
}

/** A view of {@link ExchangeBuffers} with the operations each thread performs on it. */
export class GradientExchange {
  readonly control: Int32Array;
  readonly losses: Float64Array;
  readonly slots: Float32Array;
  /** Offset of each tensor inside a slot. */
  readonly offsets: number[];
  /** Elements per slot. */
  readonly slotSize: number;

  constructor(readonly buffers: ExchangeBuffers) {
    this.control = new Int32Array(buffers.control);
    this.losses = new Float64Array(buffers.losses);
    this.slots = new Float32Array(buffers.slots);
    let offset = 0;
    this.offsets = buffers.sizes.map((size) => {
      const start = offset;
      offset += size;
      return start;
    });
    this.slotSize = offset;
  }

  /** Allocates the shared memory for `threads` threads exchanging tensors of `sizes` elements. */
  static allocate(threads: number, sizes: number[]): GradientExchange {
    const slotSize = sizes.reduce((a, b) => a + b, 0);
    return new GradientExchange({
      control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
      losses: new SharedArrayBuffer(2 * threads * Float64Array.BYTES_PER_ELEMENT),
      slots: new SharedArrayBuffer(2 * threads * slotSize * Float32Array.BYTES_PER_ELEMENT),
      sizes,
      threads,
    });
  }

  /** Index of `thread`'s slot for a step of `parity` (0 or 1). */
  private slot(parity: number, thread: number): number {
    return parity * this.buffers.threads + thread;
  }

  /** Writes tensor `index`'s values (`values.length` must be its size) into `thread`'s slot of `parity`. */
  write(parity: number, thread: number, index: number, values: ArrayLike<number>): void {
    const size = this.buffers.sizes[index]!;
    if (values.length !== size) throw new Error(`GradientExchange: tensor ${index} has ${values.length} values, expected ${size}`);
    this.slots.set(values, this.slot(parity, thread) * this.slotSize + this.offsets[index]!);
  }

  /** Writes `thread`'s shard loss for a step of `parity`. */
  writeLoss(parity: number, thread: number, loss: number): void {
    this.losses[this.slot(parity, thread)] = loss;
  }

  /**
   * The share-weighted sum of tensor `index` over the threads whose share is not 0, in thread order (identical on
   * every thread).
   */
  average(parity: number, index: number, shares: readonly number[]): Float32Array {
    const size = this.buffers.sizes[index]!;
    const out = new Float32Array(size);
    const slots = this.slots;
    let first = true;
    shares.forEach((share, thread) => {
      if (share === 0) return;
      const base = this.slot(parity, thread) * this.slotSize + this.offsets[index]!;
      if (first) for (let j = 0; j < size; j += 1) out[j] = share * slots[base + j]!;
      else for (let j = 0; j < size; j += 1) out[j] = out[j]! + share * slots[base + j]!;
      first = false;
    });
    return out;
  }

  /** The share-weighted loss over the threads. */
  loss(parity: number, shares: readonly number[]): number {
    let sum = 0;
    shares.forEach((share, thread) => {
      if (share !== 0) sum += share * this.losses[this.slot(parity, thread)]!;
    });
    return sum;
  }

  /** Whether some thread aborted the exchange. */
  get aborted(): boolean {
    return Atomics.load(this.control, ABORTED) !== 0;
  }

  /** Marks the exchange failed and wakes every thread waiting at the barrier (they throw {@link ExchangeAbortedError}). */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, GENERATION);
  }

  /**
   * Arrives at the barrier. Returns `undefined` when this thread was the last to arrive (the barrier is open), or the
   * generation to wait on with {@link waitSync} / {@link waitAsync}.
   */
  arrive(): number | undefined {
    if (this.aborted) throw new ExchangeAbortedError();
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, ARRIVALS, 1) + 1 === this.buffers.threads) {
      Atomics.store(this.control, ARRIVALS, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      return undefined;
    }
    return generation;
  }

  /** Blocks (in a worker) until the barrier of `generation` opens; checks for an abort every `sliceMs`. */
  waitSync(generation: number | undefined, sliceMs = 200): void {
    if (generation === undefined) return;
    while (Atomics.load(this.control, GENERATION) === generation) {
      if (this.aborted) throw new ExchangeAbortedError();
      Atomics.wait(this.control, GENERATION, generation, sliceMs);
    }
  }

  /** Waits without blocking the event loop (the main thread) until the barrier of `generation` opens. */
  async waitAsync(generation: number | undefined, sliceMs = 200): Promise<void> {
    if (generation === undefined) return;
    while (Atomics.load(this.control, GENERATION) === generation) {
      if (this.aborted) throw new ExchangeAbortedError();
      const result = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(this.control, GENERATION, generation, sliceMs);
      if (result.async) await result.value;
    }
  }
}
