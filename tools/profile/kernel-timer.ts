/**
 * Times every kernel a backend runs by wrapping its registered kernel functions: each call's wall time is charged to
 * the kernel (inclusive) and, minus the time of kernels it ran inside itself (composed kernels call other kernels),
 * to the kernel itself (self). On WASM and CPU kernels run synchronously, so wall time is the kernel's time; on
 * asynchronous backends (WebGPU) it would only measure the dispatch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Accumulated time of one kernel, or of one kernel on one input shape. */
export interface KernelTiming {
  /** Kernel name (`Conv2D`), or kernel name and input shapes (`Conv2D x[32,32,32,64] filter[3,3,64,64]`). */
  key: string;
  /** Kernel name alone. */
  kernelName: string;
  /** Calls counted. */
  calls: number;
  /** Wall time in milliseconds, kernels called from inside this one excluded. */
  selfMs: number;
  /** Wall time in milliseconds including kernels called from inside this one. */
  totalMs: number;
}

/** A running kernel timer; {@link KernelTimer.stop} puts the original kernels back. */
export interface KernelTimer {
  /** Forgets everything counted so far (e.g. after warm-up steps). */
  reset(): void;
  /** Timings by kernel name, or by kernel name and input shapes when `byShape` is true; largest self time first. */
  timings(byShape: boolean): KernelTiming[];
  /** Restores the original kernel registrations. */
  stop(): void;
}

function shapeKey(kernelName: string, inputs: NamedTensorInfoMap): string {
  const parts = Object.entries(inputs)
    .filter((entry): entry is [string, TensorInfo] => entry[1] != null && Array.isArray(entry[1].shape))
    .map(([name, info]) => `${name}[${info.shape.join(',')}]`);
  return `${kernelName} ${parts.join(' ')}`;
}

/**
 * Wraps every kernel registered for `backendName` (the backend must already be initialised, so that the kernels'
 * setup functions have run) with a timer. Call `stop()` before registering other kernels for that backend.
 */
export function startKernelTimer(backendName: string): KernelTimer {
  const originals = tf.getKernelsForBackend(backendName);
  const byShape = new Map<string, KernelTiming>();
  // Time spent in kernels called from the kernel at each depth of the current call stack.
  const childTime: number[] = [];

  const wrap = (config: KernelConfig): KernelConfig => {
    const inner = config.kernelFunc;
    const kernelFunc: KernelFunc = (args) => {
      childTime.push(0);
      const start = performance.now();
      try {
        return inner(args);
      } finally {
        const elapsed = performance.now() - start;
        const children = childTime.pop() ?? 0;
        if (childTime.length > 0) childTime[childTime.length - 1]! += elapsed;
        const key = shapeKey(config.kernelName, args.inputs);
        let timing = byShape.get(key);
        if (timing === undefined) {
          timing = { key, kernelName: config.kernelName, calls: 0, selfMs: 0, totalMs: 0 };
          byShape.set(key, timing);
        }
        timing.calls += 1;
        timing.selfMs += elapsed - children;
        timing.totalMs += elapsed;
      }
    };
    return { ...config, kernelFunc };
  };

  const replace = (configs: readonly KernelConfig[]): void => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  };
  replace(originals.map(wrap));

  return {
    reset: () => byShape.clear(),
    timings(perShape) {
      const rows = [...byShape.values()];
      if (perShape) return rows.sort((a, b) => b.selfMs - a.selfMs);
      const byName = new Map<string, KernelTiming>();
      for (const row of rows) {
        const sum = byName.get(row.kernelName) ?? { key: row.kernelName, kernelName: row.kernelName, calls: 0, selfMs: 0, totalMs: 0 };
        sum.calls += row.calls;
        sum.selfMs += row.selfMs;
        sum.totalMs += row.totalMs;
        byName.set(row.kernelName, sum);
      }
      return [...byName.values()].sort((a, b) => b.selfMs - a.selfMs);
    },
    stop: () => replace(originals),
  };
}
