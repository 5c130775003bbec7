/** Worker-thread side of `worker.test.ts`: rebuilds a transform from its recipe and applies it with a given seed. */
import type { AnyImage, ImageTransform, WorkerRecipe } from '@cnn/data';
import { parentPort, workerData } from 'node:worker_threads';
import { mulberry32 } from '@cnn/data/browser';

const { recipe, image, seed } = workerData as { recipe: WorkerRecipe; image: AnyImage; seed: number };
const module = (await import(recipe.module)) as Record<string, (...args: unknown[]) => ImageTransform | Promise<ImageTransform>>;
const transform = await module[recipe.factory]!(...recipe.args);
parentPort!.postMessage(transform.apply(image, mulberry32(seed)));
