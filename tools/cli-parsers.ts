/** commander argument parsers shared by the repository's command-line tools. */
import { InvalidArgumentError } from 'commander';

/** A comma-separated list of non-empty items. */
export function list(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

/** A parser of whole numbers of at least `min`, written in digits. */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${value}'`);
    return n;
  };
}
