/**
 * The model graph as an SVG picture, what torchview's `draw_graph(...).visual_graph` draws for the seed 002 study:
 * one box per layer with its name, class and output shape, and arrows along the layers' inbound connections.
 *
 * The layout is a small Sugiyama-style layered layout written here (no layout package is installed, and this one
 * needs no native code and runs in Node and browsers alike): layers are ranked top to bottom by the longest path from
 * the inputs, so branches run side by side and merges (add, concatenate) sit below all their inputs; connections
 * that skip ranks get invisible bend points so that they route between the boxes; the order within each rank is
 * improved by barycentre sweeps to reduce crossings; boxes are then placed near the mean position of their
 * neighbours without overlapping.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { formatShapes, summarizeModel, type LayerSummary } from './summary.js';

/** Options of {@link modelGraphSvg} and {@link modelGraphLayout}. */
export interface ModelGraphOptions {
  /** Show each layer's output shape in its box. Default true. */
  showShapes?: boolean;
  /** Show each layer's parameter count in its box (when it has any). Default false. */
  showParams?: boolean;
  /** Title drawn above the graph. Default: the model's name. Pass `''` for none. */
  title?: string;
  /** Vertical gap between ranks, in pixels. Default 36. */
  rankGap?: number;
  /** Horizontal gap between neighbouring boxes, in pixels. Default 24. */
  nodeGap?: number;
  /** Font size of the box text, in pixels. Default 12. */
  fontSize?: number;
}

/** A placed layer box: centre `x`, top `y`, size, rank (0 for inputs) and the text lines it shows. */
export interface GraphNode {
  name: string;
  className: string;
  rank: number;
  x: number;
  y: number;
  width: number;
  height: number;
  lines: string[];
}

/** A connection from layer `from` to layer `to`, as the points of its polyline (start on `from`, end on `to`). */
export interface GraphEdge {
  from: string;
  to: string;
  points: Array<[number, number]>;
}

/** The result of {@link modelGraphLayout}: boxes, connections and the size of the drawing. */
export interface GraphLayout {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

interface Slot {
  /** Layer name, or the key of a bend point of a long edge. */
  id: string;
  node: GraphNode | undefined;
  width: number;
  rank: number;
  order: number;
  x: number;
  up: Slot[];
  down: Slot[];
}

const MARGIN = 16;
const BEND_WIDTH = 8;

function lineWidth(text: string, fontSize: number, bold = false): number {
  return text.length * fontSize * (bold ? 0.64 : 0.6);
}

function describe(layer: LayerSummary, options: Required<ModelGraphOptions>): string[] {
  const lines = [layer.name, layer.className];
  if (options.showShapes && layer.outputShapes.length > 0) lines.push(formatShapes(layer.outputShapes));
  const params = layer.trainableParams + layer.nonTrainableParams;
  if (options.showParams && params > 0) lines.push(`${params.toLocaleString('en-US')} params`);
  return lines;
}

/** Ranks by the longest path from the inputs; `layers` are in topological order, as `model.layers` is. */
function longestPathRanks(layers: LayerSummary[]): Map<string, number> {
  const rank = new Map<string, number>();
  for (const layer of layers) {
    const from = layer.inbound.map((name) => rank.get(name));
    if (from.some((r) => r === undefined)) {
      throw new Error(`modelGraphLayout: layer '${layer.name}' comes before its inputs (${layer.inbound.join(', ')}) in model.layers`);
    }
    rank.set(layer.name, from.length === 0 ? 0 : Math.max(...(from as number[])) + 1);
  }
  return rank;
}

function barycentre(slot: Slot, neighbours: Slot[]): number {
  return neighbours.length === 0 ? slot.order : neighbours.reduce((s, n) => s + n.order, 0) / neighbours.length;
}

function sortRank(rank: Slot[], towards: 'up' | 'down'): void {
  const keyed = rank.map((slot) => ({ slot, key: barycentre(slot, slot[towards]) }));
  keyed.sort((a, b) => a.key - b.key || a.slot.order - b.slot.order);
  keyed.forEach(({ slot }, i) => {
    slot.order = i;
  });
  rank.sort((a, b) => a.order - b.order);
}

/** Places the slots of one rank at their preferred centres, in order, at least `gap` apart, as close as possible. */
function placeRank(rank: Slot[], preferred: number[], gap: number): void {
  // Push right to remove overlaps, then shift each run of touching boxes to the mean of its preferred offsets.
  const xs = [...preferred];
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 1; i < rank.length; i++) {
      const min = xs[i - 1]! + (rank[i - 1]!.width + rank[i]!.width) / 2 + gap;
      if (xs[i]! < min) xs[i] = min;
    }
    let start = 0;
    while (start < rank.length) {
      let end = start;
      while (end + 1 < rank.length && xs[end + 1]! - xs[end]! <= (rank[end]!.width + rank[end + 1]!.width) / 2 + gap + 1e-6) end++;
      let shift = 0;
      for (let i = start; i <= end; i++) shift += preferred[i]! - xs[i]!;
      shift /= end - start + 1;
      const leftLimit = start === 0 ? -Infinity : xs[start - 1]! + (rank[start - 1]!.width + rank[start]!.width) / 2 + gap;
      shift = Math.max(shift, leftLimit - xs[start]!);
      for (let i = start; i <= end; i++) xs[i]! += shift;
      start = end + 1;
    }
  }
  rank.forEach((slot, i) => {
    slot.x = xs[i]!;
  });
}

/**
 * Lays the model graph out: one box per layer (inputs included) in ranks from top to bottom, and the connections
 * along the layers' inbound nodes as polylines. {@link modelGraphSvg} draws this.
 */
export function modelGraphLayout(model: tfl.LayersModel, options: ModelGraphOptions = {}): GraphLayout {
  const opts: Required<ModelGraphOptions> = {
    showShapes: true,
    showParams: false,
    title: model.name,
    rankGap: 36,
    nodeGap: 24,
    fontSize: 12,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const { fontSize } = opts;
  const layers = summarizeModel(model).layers;
  const ranks = longestPathRanks(layers);
  const lineHeight = Math.round(fontSize * 1.35);

  const slots = new Map<string, Slot>();
  const byRank: Slot[][] = [];
  const add = (slot: Slot): void => {
    slots.set(slot.id, slot);
    (byRank[slot.rank] ??= []).push(slot);
    slot.order = byRank[slot.rank]!.length - 1;
  };
  for (const layer of layers) {
    const lines = describe(layer, opts);
    const width = Math.ceil(Math.max(...lines.map((l, i) => lineWidth(l, fontSize, i === 0))) + 2 * 10);
    const height = lines.length * lineHeight + 12;
    const rank = ranks.get(layer.name)!;
    const node: GraphNode = { name: layer.name, className: layer.className, rank, x: 0, y: 0, width, height, lines };
    add({ id: layer.name, node, width, rank, order: 0, x: 0, up: [], down: [] });
  }
  // Edges, with a bend point on every rank a connection skips.
  const chains: Array<{ from: string; to: string; slots: Slot[] }> = [];
  for (const layer of layers) {
    const target = slots.get(layer.name)!;
    layer.inbound.forEach((name, k) => {
      const source = slots.get(name)!;
      const chain = [source];
      for (let r = source.rank + 1; r < target.rank; r++) {
        const bend: Slot = { id: `${name}->${layer.name}#${k}@${r}`, node: undefined, width: BEND_WIDTH, rank: r, order: 0, x: 0, up: [], down: [] };
        add(bend);
        chain.push(bend);
      }
      chain.push(target);
      for (let i = 1; i < chain.length; i++) {
        chain[i - 1]!.down.push(chain[i]!);
        chain[i]!.up.push(chain[i - 1]!);
      }
      chains.push({ from: name, to: layer.name, slots: chain });
    });
  }
  // Crossing reduction: barycentre sweeps down and up.
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let r = 1; r < byRank.length; r++) sortRank(byRank[r]!, 'up');
    for (let r = byRank.length - 2; r >= 0; r--) sortRank(byRank[r]!, 'down');
  }
  // Horizontal placement: start packed, then pull each box towards its neighbours' mean, down and up.
  for (const rank of byRank) placeRank(rank, packed(rank, opts.nodeGap), opts.nodeGap);
  const mean = (slot: Slot, neighbours: Slot[]): number => (neighbours.length === 0 ? slot.x : neighbours.reduce((s, n) => s + n.x, 0) / neighbours.length);
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let r = 1; r < byRank.length; r++) placeRank(byRank[r]!, byRank[r]!.map((s) => mean(s, s.up)), opts.nodeGap);
    for (let r = byRank.length - 2; r >= 0; r--) placeRank(byRank[r]!, byRank[r]!.map((s) => mean(s, s.down)), opts.nodeGap);
  }
  // Vertical placement: each rank as tall as its tallest box.
  const titleHeight = opts.title === '' ? 0 : Math.round(fontSize * 1.6) + 8;
  let y = MARGIN + titleHeight;
  const rankTop: number[] = [];
  const rankHeight: number[] = [];
  for (const rank of byRank) {
    rankTop.push(y);
    const h = Math.max(lineHeight, ...rank.map((s) => s.node?.height ?? 0));
    rankHeight.push(h);
    y += h + opts.rankGap;
  }
  const minX = Math.min(...[...slots.values()].map((s) => s.x - s.width / 2));
  const maxX = Math.max(...[...slots.values()].map((s) => s.x + s.width / 2));
  const titleWidth = opts.title === '' ? 0 : lineWidth(opts.title, fontSize * 1.2, true);
  const width = Math.ceil(Math.max(maxX - minX, titleWidth) + 2 * MARGIN);
  const offset = MARGIN - minX + (width - 2 * MARGIN - (maxX - minX)) / 2;
  const nodes: GraphNode[] = [];
  for (const slot of slots.values()) {
    slot.x += offset;
    if (slot.node !== undefined) {
      slot.node.x = slot.x;
      slot.node.y = rankTop[slot.rank]! + (rankHeight[slot.rank]! - slot.node.height) / 2;
      nodes.push(slot.node);
    }
  }
  const edges: GraphEdge[] = chains.map(({ from, to, slots: chain }) => {
    const points: Array<[number, number]> = [];
    chain.forEach((slot, i) => {
      if (slot.node !== undefined) {
        points.push([slot.x, i === 0 ? slot.node.y + slot.node.height : slot.node.y]);
      } else {
        points.push([slot.x, rankTop[slot.rank]!], [slot.x, rankTop[slot.rank]! + rankHeight[slot.rank]!]);
      }
    });
    return { from, to, points };
  });
  return { title: opts.title, nodes, edges, width, height: Math.ceil(y - opts.rankGap + MARGIN) };
}

function packed(rank: Slot[], gap: number): number[] {
  let x = 0;
  return rank.map((slot) => {
    const centre = x + slot.width / 2;
    x += slot.width + gap;
    return centre;
  });
}

/** Box colours by kind of layer, in the spirit of torchview's palette. */
function fillOf(className: string): string {
  if (className === 'InputLayer') return '#e8f0d8';
  if (/Conv/.test(className)) return '#dbe8f7';
  if (/Dense/.test(className)) return '#f7e3d0';
  if (/Norm|Scaler/.test(className)) return '#efe1f4';
  if (/Pool|Flatten|Reshape|Dropout|DropBlock|StochasticDepth/.test(className)) return '#eeeeee';
  if (/Add|Concatenate|Multiply|Average|Maximum|Subtract/.test(className)) return '#fbf2c4';
  return '#ffffff';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (n: number): string => String(Math.round(n * 10) / 10);

/**
 * Draws the model's graph as a standalone SVG document: one box per layer (name, class, output shape), arrows along
 * the inbound connections, branches side by side. Write it to a `.svg` file, or render it to PNG with any SVG
 * renderer (e.g. `@resvg/resvg-js`).
 * @example writeFileSync('lenet.svg', modelGraphSvg(createModel('lenet')));
 */
export function modelGraphSvg(model: tfl.LayersModel, options: ModelGraphOptions = {}): string {
  const layout = modelGraphLayout(model, options);
  const fontSize = options.fontSize ?? 12;
  const lineHeight = Math.round(fontSize * 1.35);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="Helvetica, Arial, sans-serif" font-size="${fontSize}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  if (layout.title !== '') {
    out.push(`<text x="${fmt(layout.width / 2)}" y="${MARGIN + fontSize * 1.2}" text-anchor="middle" font-size="${fmt(fontSize * 1.2)}" font-weight="bold">${escapeXml(layout.title)}</text>`);
  }
  out.push('<g class="edges" fill="none" stroke="#444" stroke-width="1.2">');
  for (const edge of layout.edges) {
    const d = edge.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fmt(x)},${fmt(y)}`).join(' ');
    out.push(`<path d="${d}" marker-end="url(#arrow)"><title>${escapeXml(`${edge.from} → ${edge.to}`)}</title></path>`);
  }
  out.push('</g>', '<g class="nodes">');
  for (const node of layout.nodes) {
    const left = node.x - node.width / 2;
    out.push(
      `<g class="node" data-name="${escapeXml(node.name)}">`,
      `<rect x="${fmt(left)}" y="${fmt(node.y)}" width="${node.width}" height="${node.height}" rx="4" fill="${fillOf(node.className)}" stroke="#333"/>`,
    );
    node.lines.forEach((line, i) => {
      const weight = i === 0 ? ' font-weight="bold"' : '';
      out.push(`<text x="${fmt(node.x)}" y="${fmt(node.y + 6 + (i + 0.8) * lineHeight)}" text-anchor="middle"${weight}>${escapeXml(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}
