import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, type StudySettings } from './settings.js';
import { runStudy } from './study.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'fashion-mnist-study-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function settings(overrides: Partial<StudySettings>): StudySettings {
  return { ...defaultSettings(), backend: 'wasm', progress: 'silent', download: false, ...overrides };
}

describe('runStudy', () => {
  it('trains both models on real data and writes a complete run directory', async () => {
    const out = path.join(tmp, 'run');
    const result = await runStudy(settings({ epochs: 1, limit: 2000, testLimit: 500, evalEvery: 5, out }));
    expect(result.dir).toBe(out);
    const files = (await fs.readdir(out)).sort();
    expect(files).toEqual(
      [
        'accuracy.png', 'accuracy.svg', 'confusion-lenet-bn.png', 'confusion-lenet-bn.svg', 'confusion-lenet.png',
        'confusion-lenet.svg', 'history.csv', 'loss.png', 'loss.svg', 'metrics.json', 'report.md',
      ].sort(),
    );
    await expect(fs.access(`${out}.incomplete`)).rejects.toThrow();

    const metrics = JSON.parse(await fs.readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ backend: 'wasm', epochs: 1, batchSize: 100, learningRate: 1, trainImages: 2000, testImages: 500 });
    expect(metrics.models.map((m: { model: string }) => m.model)).toEqual(['lenet', 'lenet-bn']);
    for (const m of metrics.models) {
      expect(m.steps).toBe(20);
      expect(m.tensorsLeaked).toBe(0);
      expect(m.imagesPerSecond).toBeGreaterThan(0);
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0);
    }
    // 20 BatchNorm steps already lift LeNet-BN far above chance (10%); plain LeNet is still on its plateau.
    expect(metrics.models[1].testAccuracy).toBeGreaterThan(0.3);

    const csv = (await fs.readFile(path.join(out, 'history.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('model,epoch,step,loss,batchSize,seconds,test_loss,test_accuracy');
    expect(csv).toHaveLength(1 + 2 * 20);
    expect(csv.filter((l) => l.split(',')[7] !== '')).toHaveLength(1 + 2 * 4); // header + evaluations at steps 5..20

    const png = await fs.readFile(path.join(out, 'accuracy.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const report = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| lenet-bn \| \d+\.\d\d% \| 89\.98% \| 20 \|/);
    expect(report).toMatch(/did \*\*not\*\* use the seed's full settings/);
  }, 300_000);

  it('refuses to overwrite an existing run directory', async () => {
    const out = path.join(tmp, 'exists');
    await fs.mkdir(out);
    await expect(runStudy(settings({ out }))).rejects.toThrow(/already exists; choose another --out/);
  });

  it('fails with the data problem and leaves nothing that looks like a run', async () => {
    const data = path.join(tmp, 'data');
    await fs.mkdir(data);
    await fs.writeFile(path.join(data, 'train-images-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2]));
    await fs.writeFile(path.join(data, 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 5]));
    const out = path.join(tmp, 'bad-data');
    await expect(runStudy(settings({ data, out }))).rejects.toThrow(/train-images-idx3-ubyte.*truncated|truncated.*train-images-idx3-ubyte/s);
    await expect(fs.access(out)).rejects.toThrow();
    await expect(fs.access(`${out}.incomplete`)).rejects.toThrow();

    const empty = path.join(tmp, 'empty');
    await fs.mkdir(empty);
    await expect(runStudy(settings({ data: empty, out }))).rejects.toThrow(new RegExp(`${empty}`));
    await expect(fs.access(`${out}.incomplete`)).rejects.toThrow();
  });
});
