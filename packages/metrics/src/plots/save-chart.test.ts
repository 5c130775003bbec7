import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from './__fixtures__/png.js';
import { createChart } from './chart.js';
import { saveChart } from './save-chart.js';

const chart = createChart('<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="navy"/></svg>');
let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'cnn-metrics-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('saveChart', () => {
  it('writes SVG text and PNG bytes, creating parent folders and leaving no temporary files', async () => {
    const svgPath = join(directory, 'a', 'b', 'chart.svg');
    const pngPath = join(directory, 'a', 'b', 'chart.PNG');
    await saveChart(chart, svgPath);
    await saveChart(chart, pngPath);
    expect(await readFile(svgPath, 'utf8')).toBe(chart.svg);
    const png = await readFile(pngPath);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(Buffer.compare(png, Buffer.from(chart.png()))).toBe(0);
    expect((await readdir(join(directory, 'a', 'b'))).sort()).toEqual(['chart.PNG', 'chart.svg']);
  });

  it('replaces an existing file', async () => {
    const path = join(directory, 'replace.svg');
    await saveChart(createChart('<svg/>'), path);
    await saveChart(chart, path);
    expect(await readFile(path, 'utf8')).toBe(chart.svg);
  });

  it('rejects other extensions without writing anything', async () => {
    await expect(saveChart(chart, join(directory, 'chart.jpg'))).rejects.toThrow("extension must be .svg or .png, got '.jpg'");
    await expect(saveChart(chart, join(directory, 'chart'))).rejects.toThrow("got '(none)'");
    expect(await readdir(directory)).not.toContain('chart.jpg');
  });
});
