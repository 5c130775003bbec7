/**
 * The contracts between optimisers, learning-rate schedules, the training loop and checkpoints.
 */

/** An optimiser whose learning rate(s) can be read and set, per parameter group, as PyTorch's `param_groups[i]['lr']`. */
export interface LearningRateControl {
  /** Current learning rate of each parameter group (one entry when there are no groups). */
  getLearningRates(): number[];
  /** Sets the learning rate of each parameter group; the array has one entry per group. */
  setLearningRates(rates: readonly number[]): void;
}

/** A learning-rate schedule, named and behaving as PyTorch's `torch.optim.lr_scheduler` classes. */
export interface LRScheduler {
  /** When the training loop calls {@link step}: after every optimiser step, or after every epoch. */
  readonly interval: 'iteration' | 'epoch';
  /**
   * Advances the schedule by one interval and writes the new rates into the optimiser. `metric` is required by
   * `ReduceLROnPlateau` (the monitored value) and ignored by the others.
   */
  step(metric?: number): void;
  /** The rates set by the last {@link step} (PyTorch's `get_last_lr()`). */
  getLastLr(): number[];
  /** JSON-serialisable state for checkpoints (PyTorch's `state_dict()`). */
  getState(): Record<string, unknown>;
  /** Restores {@link getState}'s result. */
  setState(state: Record<string, unknown>): void;
}
