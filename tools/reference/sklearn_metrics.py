"""scikit-learn reference values for @cnn/metrics' classification metrics.

Writes packages/metrics/src/__fixtures__/sklearn-metrics.json: precision_recall_fscore_support,
precision_score, recall_score, f1_score and fbeta_score for every average and zero_division on
fixed label vectors (with the UndefinedMetricWarning texts they raise), top_k_accuracy_score on
fixed scores with ties, classification_report as dict and string, and numpy/pandas-style mean and
standard deviations of repeated runs. NaN is written as the string "NaN".

Run from this directory: python3 sklearn_metrics.py
"""
import json
import math
import os
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (
    classification_report,
    f1_score,
    fbeta_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    top_k_accuracy_score,
)

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'metrics', 'src', '__fixtures__', 'sklearn-metrics.json')


def clean(value):
    """JSON-safe copy: numpy to Python, NaN to "NaN"."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean(v) for v in value]
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return 'NaN' if math.isnan(value) else value
    return value


def call(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = fn(*args, **kwargs)
    return result, [f'{w.category.__name__}: {w.message}' for w in caught]


def label_cases():
    rng = np.random.RandomState(0)
    cases = {}
    # Imbalanced 4 classes: 30/15/10/5 examples, 70 % correct, errors spread at random.
    y_true = np.repeat([0, 1, 2, 3], [30, 15, 10, 5])
    y_pred = np.where(rng.rand(60) < 0.7, y_true, rng.randint(0, 4, 60))
    cases['imbalanced'] = (y_true, y_pred)
    # Class 2 occurs in y_true but is never predicted.
    y_true = np.array([0, 1, 2, 2, 1, 0, 2, 1, 0, 0, 1, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1])
    cases['neverPredicted'] = (y_true, y_pred)
    # Class 3 is predicted but never occurs in y_true; labels are not contiguous (0, 1, 3, 5).
    y_true = np.array([0, 1, 5, 5, 1, 0, 5, 1, 0, 0])
    y_pred = np.array([0, 3, 5, 1, 1, 3, 5, 1, 0, 5])
    cases['absentFromTrue'] = (y_true, y_pred)
    # Binary.
    y_true = np.array([0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1])
    y_pred = np.array([0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1])
    cases['binary'] = (y_true, y_pred)
    # Binary, nothing predicted positive and nothing positive: every binary score is 0/0.
    cases['binaryAllNegative'] = (np.array([0, 0, 0, 0]), np.array([0, 0, 0, 0]))
    # 102 classes as IP102, 400 examples: many classes absent from one or both vectors.
    y_true = rng.randint(0, 102, 400)
    y_pred = np.where(rng.rand(400) < 0.4, y_true, rng.randint(0, 102, 400))
    cases['ip102'] = (y_true, y_pred)
    return cases


def label_options(name):
    """The labels arguments tried for a case (None = sklearn's default)."""
    options = [None]
    if name == 'imbalanced':
        options += [[2, 0], [0, 1, 2, 3, 4]]
    if name == 'absentFromTrue':
        options += [[3], [5, 0, 1]]
    if name == 'ip102':
        options += [list(range(102))]
    return options


def prf_entries(cases):
    entries = []
    for name, (y_true, y_pred) in cases.items():
        binary = len(set(y_true) | set(y_pred)) <= 2
        averages = [None, 'micro', 'macro', 'weighted'] + (['binary'] if binary else [])
        for average in averages:
            for labels in (label_options(name) if average != 'binary' else [None]):
                pos_labels = [1, 0] if average == 'binary' and name == 'binary' else [1]
                for pos_label in pos_labels:
                    for zero_division in (['warn', np.nan] if name == 'ip102' else ['warn', 0, 1, np.nan]):
                        kwargs = dict(average=average, labels=labels, pos_label=pos_label, zero_division=zero_division)
                        entry = {
                            'case': name,
                            'average': average,
                            'labels': labels,
                            'posLabel': pos_label,
                            'zeroDivision': 'NaN' if zero_division is np.nan else zero_division,
                        }
                        (p, r, f, s), w = call(precision_recall_fscore_support, y_true, y_pred, **kwargs)
                        entry['prfs'] = {'precision': p, 'recall': r, 'fScore': f, 'support': s, 'warnings': w}
                        for key, fn, extra in [
                            ('precisionScore', precision_score, {}),
                            ('recallScore', recall_score, {}),
                            ('f1Score', f1_score, {}),
                            ('fbetaScore05', fbeta_score, {'beta': 0.5}),
                            ('fbetaScore2', fbeta_score, {'beta': 2.0}),
                        ]:
                            value, w = call(fn, y_true, y_pred, **kwargs, **extra)
                            entry[key] = {'value': value, 'warnings': w}
                        entries.append(entry)
    return entries


def report_entries(cases):
    entries = []
    for name, (y_true, y_pred) in cases.items():
        if name == 'ip102':
            continue
        for labels in label_options(name):
            for digits in [2, 4]:
                for zero_division in ['warn', 0, 1, np.nan]:
                    target_names = None
                    if name == 'imbalanced' and labels is None:
                        target_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress']
                    kwargs = dict(labels=labels, digits=digits, zero_division=zero_division, target_names=target_names)
                    text, _ = call(classification_report, y_true, y_pred, **kwargs)
                    as_dict, _ = call(classification_report, y_true, y_pred, output_dict=True, **kwargs)
                    entries.append({
                        'case': name,
                        'labels': labels,
                        'digits': digits,
                        'targetNames': target_names,
                        'zeroDivision': 'NaN' if zero_division is np.nan else zero_division,
                        'text': text,
                        'dict': as_dict,
                    })
    return entries


def top_k_entries():
    rng = np.random.RandomState(1)
    entries = []
    # 6 classes, scores rounded to one decimal so ties are common; class 5 never true.
    scores = np.round(rng.rand(40, 6), 1)
    y_true = rng.randint(0, 5, 40)
    # Only classes 0 and 2 true out of 3 columns (sklearn treats it as multiclass given labels).
    scores3 = np.round(rng.rand(20, 3), 1)
    y_true3 = rng.choice([0, 2], 20)
    # 102 classes as IP102, scores with ties.
    scores102 = np.round(rng.rand(100, 102), 2)
    y_true102 = rng.randint(0, 102, 100)
    for name, y, s, ks in [
        ('ties6', y_true, scores, [1, 2, 3, 4, 5, 6]),
        ('twoOfThree', y_true3, scores3, [1, 2]),
        ('ip102', y_true102, scores102, [1, 5, 10]),
    ]:
        for k in ks:
            for normalize in [True, False]:
                value, w = call(top_k_accuracy_score, y, s, k=k, normalize=normalize, labels=list(range(s.shape[1])))
                entries.append({'case': name, 'k': k, 'normalize': normalize, 'value': value, 'warnings': w})
    return {'cases': {
        'ties6': {'yTrue': y_true, 'scores': scores},
        'twoOfThree': {'yTrue': y_true3, 'scores': scores3},
        'ip102': {'yTrue': y_true102, 'scores': scores102},
    }, 'entries': entries}


def run_entries():
    values = [
        [0.8123, 0.8164, 0.8097],
        [0.91],
        [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4],
        [0.5, 0.5, 0.5],
        list(np.random.RandomState(2).rand(25)),
    ]
    out = []
    for v in values:
        a = np.array(v, dtype=np.float64)
        out.append({
            'values': a,
            'mean': a.mean(),
            'std': a.std(ddof=1) if len(a) > 1 else np.nan,
            'populationStd': a.std(ddof=0),
            'min': a.min(),
            'max': a.max(),
        })
    return out


def main():
    cases = label_cases()
    fixture = {
        'generator': f'tools/reference/sklearn_metrics.py (scikit-learn {sklearn.__version__}, numpy {np.__version__})',
        'labelCases': {name: {'yTrue': t, 'yPred': p} for name, (t, p) in cases.items()},
        'prf': prf_entries(cases),
        'report': report_entries(cases),
        'topK': top_k_entries(),
        'runs': run_entries(),
    }
    with open(OUT, 'w') as f:
        json.dump(clean(fixture), f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
