/** Parameter groups: per-variable learning rate and weight decay, as PyTorch's `param_groups`. */

/**
 * A group of variables with its own settings, as one entry of PyTorch's `param_groups`. A variable belongs to the
 * first group whose `filter` accepts its name; variables that no filter accepts form the default group, which takes
 * the optimiser's own settings. Learning-rate index 0 is the default group, index `i + 1` is `paramGroups[i]`.
 */
export interface ParamGroup {
  /** Whether the variable with this name (tfjs names it `layerName/weightName`, e.g. `conv2d_Conv2D1/bias`) belongs here. */
  filter: (variableName: string) => boolean;
  /** This group's weight decay; default: the optimiser's `weightDecay`. */
  weightDecay?: number;
  /** This group's learning rate; default: the optimiser's `lr`. */
  lr?: number;
}

/** The last path segment of tfjs BatchNorm/LayerNorm scales and shifts and of every layer's bias (`_1` suffixes included). */
const NORM_AND_BIAS = /(?:^|\/)(?:gamma|beta|bias)(?:_\d+)?$/;

/** Whether a tfjs variable name is a normalisation scale (`gamma`), shift (`beta`) or a bias. */
export function isNormOrBias(variableName: string): boolean {
  return NORM_AND_BIAS.test(variableName);
}

/**
 * The usual "no weight decay on BatchNorm and bias" group: variables whose name ends in `gamma`, `beta` or `bias`
 * get weight decay 0 (and the optimiser's learning rate unless `lr` is given).
 *
 * @example new SGD({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4, paramGroups: [noWeightDecayOnNormAndBias()] })
 */
export function noWeightDecayOnNormAndBias(options: { lr?: number } = {}): ParamGroup {
  return { filter: isNormOrBias, weightDecay: 0, ...(options.lr === undefined ? {} : { lr: options.lr }) };
}
