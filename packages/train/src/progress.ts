/** A progress bar for training (cli-progress): epoch, batch, loss, accuracy, learning rate, images/s and time left. */
import cliProgress from 'cli-progress';
import { Callback, type TrainContext } from './callback.js';
import type { Logs } from './types.js';

/** How progress is shown: a live bar, one line per epoch (for logs and non-terminals), or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'silent';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Text before the bar, e.g. the model name. Default ''. */
  label?: string;
  /** `auto` (default) draws a bar on a terminal and prints epoch lines otherwise. */
  mode?: ProgressMode;
  /** Where to write. Default `process.stderr`. */
  stream?: NodeJS.WriteStream;
}

function formatNumber(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** Shows training progress over the whole run (all epochs), updated after every step. */
export class ProgressBar extends Callback {
  private readonly label: string;
  private readonly mode: Exclude<ProgressMode, 'auto'>;
  private readonly stream: NodeJS.WriteStream;
  private bar: cliProgress.SingleBar | undefined;
  private epochImages = 0;
  private epochSeconds = 0;
  private epochLossSum = 0;
  private epochBatches = 0;
  private accuracy: number | undefined;
  private learningRate: number | undefined;

  constructor(options: ProgressBarOptions = {}) {
    super();
    this.label = options.label ?? '';
    this.stream = options.stream ?? process.stderr;
    const mode = options.mode ?? 'auto';
    if (!['auto', 'bar', 'lines', 'silent'].includes(mode)) {
      throw new Error(`ProgressBar: mode must be auto, bar, lines or silent, got '${String(mode)}'`);
    }
    this.mode = mode === 'auto' ? (this.stream.isTTY ? 'bar' : 'lines') : mode;
  }

  override onTrainBegin(context: TrainContext): void {
    if (this.mode !== 'bar') return;
    const total = (context.batchesPerEpoch ?? 0) * context.epochs;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${this.label ? `${this.label} ` : ''}epoch {epoch} |{bar}| batch {batch} | loss {loss} | acc {acc} | lr {lr} | {ips} img/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, this.payload(context));
  }

  override onEpochBegin(): void {
    this.epochImages = 0;
    this.epochSeconds = 0;
    this.epochLossSum = 0;
    this.epochBatches = 0;
  }

  override onBatchEnd(context: TrainContext, logs: Logs): void {
    this.epochImages += logs.batchSize ?? 0;
    this.epochSeconds += logs.seconds ?? 0;
    this.epochLossSum += logs.loss ?? 0;
    this.epochBatches += 1;
    if (logs.lr !== undefined) this.learningRate = logs.lr;
    this.bar?.update(context.step, { ...this.payload(context), loss: formatNumber(logs.loss, 4) });
  }

  override onEvaluate(_context: TrainContext, logs: Logs): void {
    const accuracy = Object.entries(logs).find(([k]) => k.endsWith('accuracy'))?.[1];
    if (accuracy !== undefined) this.accuracy = accuracy;
  }

  override onEpochEnd(context: TrainContext): void {
    if (this.mode !== 'lines') return;
    const loss = this.epochBatches > 0 ? this.epochLossSum / this.epochBatches : undefined;
    const p = this.payload(context);
    this.stream.write(
      `${this.label ? `${this.label} ` : ''}epoch ${p.epoch}: steps ${context.step}, mean loss ${formatNumber(loss, 4)}, acc ${p.acc}` +
        `${this.learningRate === undefined ? '' : `, lr ${p.lr}`}, ${p.ips} img/s\n`,
    );
  }

  override onTrainEnd(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private payload(context: TrainContext): Record<string, string> {
    const batches = context.batchesPerEpoch === undefined ? '?' : String(context.batchesPerEpoch);
    return {
      epoch: `${context.epoch + 1}/${context.epochs}`,
      batch: `${Math.min(context.batch + 1, context.batchesPerEpoch ?? Infinity)}/${batches}`,
      loss: '-',
      acc: formatNumber(this.accuracy, 4),
      lr: this.learningRate === undefined ? '-' : this.learningRate.toPrecision(3),
      ips: this.epochSeconds > 0 ? (this.epochImages / this.epochSeconds).toFixed(0) : '-',
    };
  }
}
