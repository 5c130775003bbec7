/**
 * Text widths for Vega's layout. Without a canvas, Vega guesses 0.8 em per character, which makes
 * room for text about a third wider than it is and squeezes small charts; these are DejaVu Sans's
 * real advance widths (the font PNGs are drawn with), so layouts fit the text on every machine.
 */
import * as vega from 'vega';

/** Advance widths in em of DejaVu Sans 2.37, characters U+0020–U+007E then U+00A0–U+00FF (from its hmtx table). */
const REGULAR = parseWidths(`
  .318 .401 .46 .838 .636 .95 .78 .275 .39 .39 .5 .838 .318 .361 .318 .337 .636 .636 .636 .636 .636 .636 .636
  .636 .636 .636 .337 .337 .838 .838 .838 .531 1.0 .684 .686 .698 .77 .632 .575 .775 .752 .295 .295 .656 .557
  .863 .748 .787 .603 .787 .695 .635 .611 .732 .684 .989 .685 .611 .685 .39 .337 .39 .838 .5 .5 .613 .635 .55
  .635 .615 .352 .635 .634 .278 .278 .579 .278 .974 .634 .612 .635 .635 .411 .521 .392 .634 .592 .818 .592 .592
  .525 .636 .337 .636 .838 .318 .401 .636 .636 .636 .636 .337 .5 .5 1.0 .471 .612 .838 .361 1.0 .5 .5 .838 .401
  .401 .5 .636 .636 .318 .5 .401 .471 .612 .969 .969 .969 .531 .684 .684 .684 .684 .684 .684 .974 .698 .632 .632
  .632 .632 .295 .295 .295 .295 .775 .748 .787 .787 .787 .787 .787 .838 .787 .732 .732 .732 .732 .611 .605 .63
  .613 .613 .613 .613 .613 .613 .982 .55 .615 .615 .615 .615 .278 .278 .278 .278 .612 .634 .612 .612 .612 .612
  .612 .838 .612 .634 .634 .634 .634 .592 .635 .592
`);

/** The same for DejaVu Sans Bold, which Vega uses for titles. */
const BOLD = parseWidths(`
  .348 .456 .521 .838 .696 1.002 .872 .306 .457 .457 .523 .838 .38 .415 .38 .365 .696 .696 .696 .696 .696 .696
  .696 .696 .696 .696 .4 .4 .838 .838 .838 .58 1.0 .774 .762 .734 .83 .683 .683 .821 .837 .372 .372 .775 .637
  .995 .837 .85 .733 .85 .77 .72 .682 .812 .774 1.103 .771 .724 .725 .457 .365 .457 .838 .5 .5 .675 .716 .593
  .716 .678 .435 .716 .712 .343 .343 .665 .343 1.042 .712 .687 .716 .716 .493 .595 .478 .712 .652 .924 .645 .652
  .582 .712 .365 .712 .838 .348 .456 .696 .696 .636 .696 .365 .5 .5 1.0 .564 .646 .838 .415 1.0 .5 .5 .838 .438
  .438 .5 .736 .636 .38 .5 .438 .564 .646 1.035 1.035 1.035 .58 .774 .774 .774 .774 .774 .774 1.085 .734 .683
  .683 .683 .683 .372 .372 .372 .372 .838 .837 .85 .85 .85 .85 .85 .838 .85 .812 .812 .812 .812 .724 .738 .719
  .675 .675 .675 .675 .675 .675 1.048 .593 .678 .678 .678 .678 .343 .343 .343 .343 .687 .712 .687 .687 .687 .687
  .687 .838 .687 .712 .712 .712 .712 .652 .716 .652
`);

/** The text properties of a Vega scenegraph item that widths depend on. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

/** The part of Vega's (untyped) `textMetrics` object that this module replaces. */
interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
  estimateWidth: (item: TextItem, text: unknown) => number;
}

function parseWidths(text: string): number[] {
  return text.trim().split(/\s+/).map(Number);
}

/** The width in em of one character: from the tables, 1 em for wide (East Asian) scripts, else 0.65 em. */
function characterWidth(code: number, table: readonly number[]): number {
  if (code >= 0x20 && code <= 0x7e) return table[code - 0x20] ?? 0.65;
  if (code >= 0xa0 && code <= 0xff) return table[code - 0xa0 + 95] ?? 0.65;
  return code === 0x2026 || code >= 0x1100 ? 1 : 0.65;
}

/**
 * The width in px of `text` in DejaVu Sans at `fontSize` px.
 * @internal Exported for tests.
 */
export function measureText(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let em = 0;
  for (const character of text) em += characterWidth(character.codePointAt(0) ?? 0, table);
  return em * fontSize;
}

/** Vega's `textMetrics.width` contract: trimmed text at the item's size and weight, never above its `limit`. */
function itemTextWidth(item: TextItem, text: unknown): number {
  const fontSize = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
  const width = measureText(text == null ? '' : String(text).trim(), fontSize, bold);
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}

/**
 * Makes Vega measure text with DejaVu Sans widths, where it would otherwise guess (no canvas);
 * a canvas or another user-defined measure is left alone. Vega supports replacing this function.
 * @internal Called before each render.
 */
export function useDejaVuTextWidths(): void {
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  if (metrics.width === metrics.estimateWidth) metrics.width = itemTextWidth;
}
