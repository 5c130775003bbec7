import { describe, expect, it } from 'vitest';
import { trainInBrowser } from './browser-training.js';

/**
 * The same seeded models train in headless Chromium on WASM, WebGPU (SwiftShader's adapter where there is no GPU)
 * and CPU, through @cnn/backend and @cnn/models, with the same losses on every backend. CI installs Debian's chromium.
 */
describe('training in a browser', () => {
  it('trains lenet_bn and convnext_test on wasm, webgpu and cpu with matching losses and no leaks', async () => {
    const results = await trainInBrowser({ backends: ['wasm', 'webgpu', 'cpu'], models: ['lenet_bn', 'convnext_test'], steps: 3, timeoutSeconds: 240 });
    expect(results.map((r) => (r.ok ? 'ok' : `${r.backend}/${r.model}: ${r.error}`))).toEqual(Array(6).fill('ok'));
    for (const model of ['lenet_bn', 'convnext_test']) {
      const runs = results.filter((r) => r.model === model);
      expect(runs.map((r) => r.chosen)).toEqual(['wasm', 'webgpu', 'cpu']);
      const reference = runs[0]!.losses!;
      expect(reference[2]!).toBeLessThan(reference[0]!);
      for (const run of runs) {
        expect(run.tensorsLeaked).toBe(0);
        run.losses!.forEach((loss, i) => expect(Math.abs(loss - reference[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(reference[i]!))));
      }
    }
  }, 300_000);
});
