/**
 * `pnpm browser-check`: trains models in headless Chromium on browser backends with the toolkit's packages and
 * prints each run's losses, speed and leaked tensors. See `browser-training.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { integer, list } from '../cli-parsers.js';
import { BROWSER_MODEL_SHAPES, trainInBrowser } from './browser-training.js';

const program = new Command('browser-check')
  .description('Train models in headless Chromium on browser backends (WASM, WebGPU, CPU) with the toolkit; WebGPU runs on SwiftShader where there is no GPU')
  .option('--backends <list>', 'backends to try, comma-separated', list, ['wasm', 'webgpu', 'cpu'])
  .option('--models <list>', `models, comma-separated: ${Object.keys(BROWSER_MODEL_SHAPES).join(', ')}`, list, ['lenet_bn', 'convnext_test'])
  .option('--steps <n>', 'SGD steps per run; the first is a warm-up', integer(2), 3)
  .option('--chromium <path>', 'Chromium executable', 'chromium')
  .option('--timeout <seconds>', 'give up after this many seconds', integer(1), 600)
  .option('--json <file>', 'also write the results as JSON')
  .parse();

const options = program.opts<{ backends: string[]; models: string[]; steps: number; chromium: string; timeout: number; json?: string }>();
try {
  const results = await trainInBrowser({
    ...options,
    timeoutSeconds: options.timeout,
    onResult: (r) =>
      console.log(
        r.ok
          ? `${r.backend.padEnd(7)} ${r.model.padEnd(14)} ${r.imagesPerSecond!.toFixed(1).padStart(8)} img/s  losses ${r.losses!.map((l) => l.toFixed(4)).join(' ')}  leaked ${r.tensorsLeaked}`
          : `${r.backend.padEnd(7)} ${r.model.padEnd(14)} FAILED: ${r.error}`,
      ),
  });
  if (options.json) await writeFile(options.json, `${JSON.stringify(results, null, 2)}\n`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
