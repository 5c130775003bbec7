import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelGraphLayout, modelGraphSvg, type GraphLayout } from './graph-svg.js';
import { createModel } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An inception-like block with a residual shortcut and an auxiliary head: branches, a concatenation, an add. */
function branchyModel(): tfl.LayersModel {
  const conv = (name: string, filters: number, kernelSize: number, x: tfl.SymbolicTensor): tfl.SymbolicTensor =>
    tfl.layers.conv2d({ name, filters, kernelSize, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [16, 16, 3], name: 'image' });
  const stem = conv('stem', 8, 3, input);
  const b1 = conv('branch1x1', 4, 1, stem);
  const b2 = conv('branch3x3', 4, 3, conv('branch3x3_reduce', 4, 1, stem));
  const b3 = tfl.layers.maxPooling2d({ name: 'pool', poolSize: 3, strides: 1, padding: 'same' }).apply(stem) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'concat' }).apply([b1, b2, b3]) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'residual' }).apply([conv('proj', 16, 1, cat), conv('shortcut', 16, 1, stem)]) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ name: 'logits', units: 3 }).apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const aux = tfl.layers.dense({ name: 'aux', units: 3 }).apply(tfl.layers.flatten({ name: 'aux_flat' }).apply(b2) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [logits, aux], name: 'branchy' });
}

function expectWellPlaced(layout: GraphLayout): void {
  const node = (name: string) => layout.nodes.find((n) => n.name === name)!;
  for (const edge of layout.edges) {
    const [from, to] = [node(edge.from), node(edge.to)];
    expect(to.rank).toBeGreaterThan(from.rank);
    // Starts at the bottom of its source, ends at the top of its target, never goes up.
    expect(edge.points[0]).toEqual([from.x, from.y + from.height]);
    expect(edge.points.at(-1)).toEqual([to.x, to.y]);
    for (let i = 1; i < edge.points.length; i++) expect(edge.points[i]![1]).toBeGreaterThanOrEqual(edge.points[i - 1]![1]);
  }
  const ranks = new Map<number, typeof layout.nodes>();
  for (const n of layout.nodes) ranks.set(n.rank, [...(ranks.get(n.rank) ?? []), n]);
  for (const row of ranks.values()) {
    const sorted = [...row].sort((a, b) => a.x - b.x);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]!.x - sorted[i]!.width / 2).toBeGreaterThan(sorted[i - 1]!.x + sorted[i - 1]!.width / 2);
    }
  }
  for (const n of layout.nodes) {
    expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
    expect(n.x + n.width / 2).toBeLessThanOrEqual(layout.width);
    expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
  }
}

describe('modelGraphLayout', () => {
  it('draws LeNet as one column, a box per layer in order', () => {
    const model = createModel('lenet', { seed: 0 });
    const layout = modelGraphLayout(model);
    expect(layout.nodes.map((n) => n.name)).toEqual(model.layers.map((l) => l.name));
    expect(layout.nodes.map((n) => n.rank)).toEqual(model.layers.map((_, i) => i));
    expect(new Set(layout.nodes.map((n) => n.x)).size).toBe(1);
    expect(layout.edges).toHaveLength(model.layers.length - 1);
    expect(layout.nodes[1]!.lines).toEqual([model.layers[1]!.name, 'Conv2D', '[-1, 28, 28, 6]']);
    expectWellPlaced(layout);
    model.dispose();
  });

  it('ranks a branchy model by longest path: branches side by side, merges below all their inputs', () => {
    const model = branchyModel();
    const layout = modelGraphLayout(model);
    const rank = Object.fromEntries(layout.nodes.map((n) => [n.name, n.rank]));
    expect(rank).toMatchObject({ image: 0, stem: 1, branch1x1: 2, branch3x3_reduce: 2, pool: 2, shortcut: 2, branch3x3: 3, concat: 4, proj: 5, residual: 6, gap: 7, logits: 8, aux_flat: 4, aux: 5 });
    expect(layout.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(
      ['image>stem', 'stem>branch1x1', 'stem>branch3x3_reduce', 'branch3x3_reduce>branch3x3', 'stem>pool', 'branch1x1>concat', 'branch3x3>concat', 'pool>concat', 'concat>proj', 'stem>shortcut', 'proj>residual', 'shortcut>residual', 'residual>gap', 'gap>logits', 'branch3x3>aux_flat', 'aux_flat>aux'].sort(),
    );
    // The shortcut skips ranks 3 to 5: its arrow bends around the boxes there.
    const shortcut = layout.edges.find((e) => e.from === 'shortcut')!;
    expect(shortcut.points.length).toBe(2 + 2 * 3);
    expectWellPlaced(layout);
    model.dispose();
  });
});

describe('modelGraphSvg', () => {
  it('writes an SVG document with a box, name, class and shape per layer and an arrow per connection', () => {
    const model = branchyModel();
    const svg = modelGraphSvg(model, { title: 'Inception <block> & shortcut', showParams: true });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Inception &lt;block&gt; &amp; shortcut');
    expect(svg.match(/<g class="node"/g)).toHaveLength(model.layers.length);
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(16);
    expect(svg).toContain('>Concatenate</text>');
    expect(svg).toContain('>[-1, 16, 16, 16]</text>');
    expect(svg).toContain(`>${(8 * 3 * 3 * 3 + 8).toLocaleString('en-US')} params</text>`);
    expect(svg.match(/<g\b/g)!.length).toBe(svg.match(/<\/g>/g)!.length);
    model.dispose();
  });
});
