import * as vega from 'vega';
import { describe, expect, it } from 'vitest';
import { measureText, useDejaVuTextWidths } from './text-width.js';

describe('measureText', () => {
  it('uses DejaVu Sans advance widths', () => {
    expect(measureText('0', 10)).toBeCloseTo(6.36, 6);
    expect(measureText('Ankle boot', 10)).toBeCloseTo(10 * (0.684 + 0.634 + 0.579 + 0.278 + 0.615 + 0.318 + 0.635 + 0.612 + 0.612 + 0.392), 6);
    expect(measureText('Ankle boot', 10, true)).toBeGreaterThan(measureText('Ankle boot', 10));
    expect(measureText('', 10)).toBe(0);
    expect(measureText('猫', 10)).toBe(10);
  });
});

describe('useDejaVuTextWidths', () => {
  it("replaces Vega's guess, respecting the item's size, weight and limit", () => {
    useDejaVuTextWidths();
    const { width } = (vega as unknown as { textMetrics: { width: (item: object, text: string) => number } }).textMetrics;
    expect(width({ fontSize: 10 }, ' 0 ')).toBeCloseTo(6.36, 6);
    expect(width({}, '0')).toBeCloseTo(11 * 0.636, 6);
    expect(width({ fontSize: 10, fontWeight: 'bold' }, '0')).toBeCloseTo(6.96, 6);
    expect(width({ fontSize: 10, limit: 20 }, 'a long piece of text')).toBe(20);
  });
});
