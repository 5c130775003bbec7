"""Golden values for `@cnn/train`'s optimisers, gradient clipping and learning-rate schedules, from torch.optim.

Optimisers: three parameters named as tfjs names them (`dense/kernel` [3, 2], `dense/bias` [2], `bn/gamma` [2]) start from
fixed values and receive a fixed, seeded sequence of 10 gradients; each case records the parameters after every step
(torch's single-tensor code path, float32). Clipping: `clip_grad_norm_` on fixed gradients for norm types 2, 1 and inf.
Schedules: an SGD with two parameter groups (lr 0.1 and 0.01) driven by each scheduler for 30 steps; each case records
`get_last_lr()` after construction and after every step (ReduceLROnPlateau with a fixed metric sequence).

Run from this directory: `python3 optim_golden.py` (a second); writes
`packages/train/src/__fixtures__/optim-golden.json` and `schedule-golden.json`.
"""
import json
import math
from pathlib import Path

import numpy as np
import torch
from torch.optim import lr_scheduler as S

OUT = Path(__file__).resolve().parents[2] / 'packages' / 'train' / 'src' / '__fixtures__'
NAMES = ['dense/kernel', 'dense/bias', 'bn/gamma']
STEPS = 10

rng = np.random.default_rng(6)
INITIAL = [rng.normal(size=s).astype(np.float32) for s in ([3, 2], [2], [2])]
INITIAL[2] = (INITIAL[2] * 0.1 + 1).astype(np.float32)
GRADS = [[(rng.normal(size=p.shape) * (1 + 0.5 * math.sin(t))).astype(np.float32) for p in INITIAL] for t in range(STEPS)]


def as_list(array):
    return [float(v) for v in np.asarray(array, dtype=np.float32).reshape(-1)]


def run_optimizer(make, groups=None, max_grad_norm=None, scheduler=None):
    params = [torch.tensor(p.copy(), requires_grad=True) for p in INITIAL]
    if groups is None:
        opt = make(params)
    else:
        opt = make([{'params': [params[i] for i in idx], **extra} for idx, extra in groups(params)])
    sched = scheduler(opt) if scheduler else None
    history = []
    for t in range(STEPS):
        for p, g in zip(params, GRADS[t]):
            p.grad = torch.tensor(g.copy())
        if max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
        opt.step()
        if sched is not None:
            sched.step()
        history.append({n: as_list(p.detach().numpy()) for n, p in zip(NAMES, params)})
    return history


def sgd(**kw):
    return lambda p: torch.optim.SGD(p, foreach=False, **kw)


def adam(**kw):
    return lambda p: torch.optim.Adam(p, foreach=False, **kw)


def adamw(**kw):
    return lambda p: torch.optim.AdamW(p, foreach=False, **kw)


def rmsprop(**kw):
    return lambda p: torch.optim.RMSprop(p, foreach=False, **kw)


# Each case: the options as the TypeScript classes take them, and the torch run.
decay_groups = lambda p: [([0], {}), ([1, 2], {'weight_decay': 0.0, 'lr': 0.05})]
CASES = {
    'sgd': ('SGD', {'lr': 0.1}, run_optimizer(sgd(lr=0.1))),
    'sgd_momentum': ('SGD', {'lr': 0.1, 'momentum': 0.9}, run_optimizer(sgd(lr=0.1, momentum=0.9))),
    'sgd_dampening_weight_decay': ('SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.5, 'weightDecay': 0.01},
                                   run_optimizer(sgd(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.01))),
    'sgd_nesterov': ('SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 0.01},
                     run_optimizer(sgd(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01))),
    'sgd_groups_no_decay_on_norm_and_bias': (
        'SGD', {'lr': 0.1, 'momentum': 0.9, 'weightDecay': 0.1, 'groups': 'noDecayLr0.05'},
        run_optimizer(sgd(lr=0.1, momentum=0.9, weight_decay=0.1), groups=decay_groups)),
    'sgd_momentum_step_lr': ('SGD', {'lr': 0.1, 'momentum': 0.9, 'stepLr': {'stepSize': 3, 'gamma': 0.5}},
                             run_optimizer(sgd(lr=0.1, momentum=0.9), scheduler=lambda o: S.StepLR(o, 3, 0.5))),
    'adam': ('Adam', {'lr': 0.01}, run_optimizer(adam(lr=0.01))),
    'adam_defaults': ('Adam', {}, run_optimizer(adam())),
    'adam_weight_decay': ('Adam', {'lr': 0.01, 'weightDecay': 0.1}, run_optimizer(adam(lr=0.01, weight_decay=0.1))),
    'adam_amsgrad': ('Adam', {'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-6, 'amsgrad': True},
                     run_optimizer(adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6, amsgrad=True))),
    'adamw': ('AdamW', {'lr': 0.01, 'weightDecay': 0.1}, run_optimizer(adamw(lr=0.01, weight_decay=0.1))),
    'adamw_defaults': ('AdamW', {}, run_optimizer(adamw())),
    'adamw_amsgrad': ('AdamW', {'lr': 0.01, 'amsgrad': True}, run_optimizer(adamw(lr=0.01, amsgrad=True))),
    'adamw_max_grad_norm': ('AdamW', {'lr': 0.01, 'maxGradNorm': 0.5}, run_optimizer(adamw(lr=0.01), max_grad_norm=0.5)),
    'rmsprop': ('RMSprop', {'lr': 0.01}, run_optimizer(rmsprop(lr=0.01))),
    'rmsprop_centered_momentum': (
        'RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-6, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.01},
        run_optimizer(rmsprop(lr=0.01, alpha=0.9, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.01))),
    'rmsprop_momentum': ('RMSprop', {'lr': 0.01, 'momentum': 0.9}, run_optimizer(rmsprop(lr=0.01, momentum=0.9))),
}


def clip_case(max_norm, norm_type):
    grads = [torch.tensor(g.copy()) for g in GRADS[0]]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return {'maxNorm': max_norm, 'normType': 'inf' if math.isinf(norm_type) else norm_type, 'totalNorm': float(total),
            'grads': {n: as_list(p.grad.numpy()) for n, p in zip(NAMES, params)}}


optim_fixture = {
    'names': NAMES,
    'shapes': [list(p.shape) for p in INITIAL],
    'initial': {n: as_list(p) for n, p in zip(NAMES, INITIAL)},
    'gradients': [{n: as_list(g) for n, g in zip(NAMES, step)} for step in GRADS],
    'cases': {k: {'optimizer': c[0], 'options': c[1], 'params': c[2]} for k, c in CASES.items()},
    'clip': [clip_case(1.0, 2.0), clip_case(100.0, 2.0), clip_case(0.5, 1.0), clip_case(0.3, math.inf)],
}

# ---------------------------------------------------------------------------------------------------------- schedules
SCHEDULE_STEPS = 30


def optimizer_two_groups():
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    return torch.optim.SGD([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.01}], lr=0.1)


def run_schedule(make, metrics=None):
    opt = optimizer_two_groups()
    sched = make(opt)
    lrs = [list(map(float, sched.get_last_lr()))]
    for t in range(SCHEDULE_STEPS):
        opt.step()
        sched.step(metrics[t]) if metrics is not None else sched.step()
        lrs.append(list(map(float, sched.get_last_lr())))
    return lrs


PLATEAU_MIN = [1.0, 0.9, 0.95, 0.91, 0.92, 0.8, 0.85, 0.85, 0.85, 0.85, 0.7, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75,
               0.75, 0.75, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
PLATEAU_MAX = [0.5, 0.6, 0.6, 0.65, 0.61, 0.62, 0.63, 0.7, 0.7, 0.69, 0.7, 0.7, 0.705, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7,
               0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]

SCHEDULES = {
    'step_lr': ({'name': 'StepLR', 'stepSize': 7, 'gamma': 0.5}, lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    'step_lr_default_gamma': ({'name': 'StepLR', 'stepSize': 4}, lambda o: S.StepLR(o, step_size=4)),
    'multi_step_lr': ({'name': 'MultiStepLR', 'milestones': [5, 12, 12, 20], 'gamma': 0.3},
                      lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3)),
    'exponential_lr': ({'name': 'ExponentialLR', 'gamma': 0.9}, lambda o: S.ExponentialLR(o, gamma=0.9)),
    'cosine_annealing_lr': ({'name': 'CosineAnnealingLR', 'tMax': 30}, lambda o: S.CosineAnnealingLR(o, T_max=30)),
    'cosine_annealing_lr_past_t_max': ({'name': 'CosineAnnealingLR', 'tMax': 10, 'etaMin': 0.001},
                                       lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    'cosine_annealing_warm_restarts': ({'name': 'CosineAnnealingWarmRestarts', 't0': 5, 'tMult': 2, 'etaMin': 1e-4},
                                       lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4)),
    'cosine_annealing_warm_restarts_t_mult_1': ({'name': 'CosineAnnealingWarmRestarts', 't0': 7},
                                                lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7)),
    'linear_lr_warm_up': ({'name': 'LinearLR', 'startFactor': 0.1, 'endFactor': 1.0, 'totalIters': 8},
                          lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=8)),
    'linear_lr_decay': ({'name': 'LinearLR', 'startFactor': 1.0, 'endFactor': 0.2, 'totalIters': 10},
                        lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=10)),
    'one_cycle_lr': ({'name': 'OneCycleLR', 'maxLr': [1.0, 0.1], 'totalSteps': 30},
                     lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.1], total_steps=30, cycle_momentum=False)),
    'one_cycle_lr_linear': (
        {'name': 'OneCycleLR', 'maxLr': 0.5, 'totalSteps': 30, 'pctStart': 0.25, 'annealStrategy': 'linear',
         'divFactor': 10, 'finalDivFactor': 100},
        lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=30, pct_start=0.25, anneal_strategy='linear', div_factor=10,
                               final_div_factor=100, cycle_momentum=False)),
    'one_cycle_lr_three_phase': (
        {'name': 'OneCycleLR', 'maxLr': 0.5, 'totalSteps': 30, 'threePhase': True},
        lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=30, three_phase=True, cycle_momentum=False)),
    'sequential_warm_up_cosine': (
        {'name': 'SequentialLR', 'schedulers': [{'name': 'LinearLR', 'startFactor': 0.1, 'totalIters': 5},
                                                {'name': 'CosineAnnealingLR', 'tMax': 25}], 'milestones': [5]},
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=25)],
                                 milestones=[5])),
    'sequential_three': (
        {'name': 'SequentialLR', 'schedulers': [{'name': 'LinearLR', 'startFactor': 0.25, 'totalIters': 4},
                                                {'name': 'StepLR', 'stepSize': 3, 'gamma': 0.5},
                                                {'name': 'ExponentialLR', 'gamma': 0.8}], 'milestones': [4, 15]},
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=4), S.StepLR(o, 3, 0.5),
                                     S.ExponentialLR(o, 0.8)], milestones=[4, 15])),
    'reduce_lr_on_plateau_min': (
        {'name': 'ReduceLROnPlateau', 'mode': 'min', 'factor': 0.5, 'patience': 2, 'threshold': 0.01, 'cooldown': 2,
         'minLr': [0.01, 0.004]},
        lambda o: S.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=2, threshold=0.01, cooldown=2,
                                      min_lr=[0.01, 0.004]), PLATEAU_MIN),
    'reduce_lr_on_plateau_max_abs': (
        {'name': 'ReduceLROnPlateau', 'mode': 'max', 'factor': 0.2, 'patience': 1, 'threshold': 0.01,
         'thresholdMode': 'abs', 'minLr': 0.0005, 'eps': 1e-3},
        lambda o: S.ReduceLROnPlateau(o, mode='max', factor=0.2, patience=1, threshold=0.01, threshold_mode='abs',
                                      min_lr=0.0005, eps=1e-3), PLATEAU_MAX),
    'reduce_lr_on_plateau_defaults': (
        {'name': 'ReduceLROnPlateau'}, lambda o: S.ReduceLROnPlateau(o), [1.0] * 30),
}

schedule_fixture = {'initialLrs': [0.1, 0.01], 'steps': SCHEDULE_STEPS, 'cases': {}}
for key, case in SCHEDULES.items():
    spec, make = case[0], case[1]
    metrics = case[2] if len(case) > 2 else None
    entry = {'spec': spec, 'lrs': run_schedule(make, metrics)}
    if metrics is not None:
        entry['metrics'] = metrics
    schedule_fixture['cases'][key] = entry

OUT.mkdir(parents=True, exist_ok=True)
(OUT / 'optim-golden.json').write_text(json.dumps(optim_fixture) + '\n')
(OUT / 'schedule-golden.json').write_text(json.dumps(schedule_fixture) + '\n')
print(f'torch {torch.__version__}: wrote {len(CASES)} optimiser cases, {len(SCHEDULES)} schedules to {OUT}')
