/** Validation of transform options: each check names the transform, the option and the bad value. */

/** Throws unless `value` is a finite number in `[min, max]`. */
export function checkNumber(who: string, name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${who}: ${name} must be a finite number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws unless `value` is a probability in `[0, 1]`. */
export function checkProbability(who: string, name: string, value: unknown): number {
  return checkNumber(who, name, value, 0, 1);
}

/** Throws unless `value` is an integer `>= min`. */
export function checkInteger(who: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${who}: ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws unless `value` is `[low, high]` with finite `min <= low <= high <= max`. */
export function checkRange(who: string, name: string, value: unknown, min = -Infinity, max = Infinity): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) || value[0] > value[1]) {
    throw new RangeError(`${who}: ${name} must be [low, high] with ${min} <= low <= high <= ${max}, got ${JSON.stringify(value)}`);
  }
  return [value[0] as number, value[1] as number];
}

/** A size option: an integer `n` → `[n, n]` (or kept as a number when `keepInt`), `[height, width]` as is. */
export function checkSize(who: string, name: string, value: unknown): [number, number] {
  if (typeof value === 'number') return [checkInteger(who, name, value), value];
  if (!Array.isArray(value) || value.length !== 2) {
    throw new RangeError(`${who}: ${name} must be a positive integer or [height, width], got ${JSON.stringify(value)}`);
  }
  return [checkInteger(who, `${name}[0] (height)`, value[0]), checkInteger(who, `${name}[1] (width)`, value[1])];
}

/** Throws unless `value` is one of `choices`. */
export function checkChoice<T extends string>(who: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new RangeError(`${who}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Throws unless `value` is a number or a non-empty array of numbers. */
export function checkFill(who: string, name: string, value: unknown): number | number[] {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) return [...value] as number[];
  throw new RangeError(`${who}: ${name} must be a number or a non-empty array of numbers (one per channel), got ${JSON.stringify(value)}`);
}
