"""Classification metrics over (truth, prediction) pairs: per-class precision/recall/F1, macro and
micro averages, and the confusion matrix. Pure Python: validation sets are collected to the driver."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def _score(label: str, tp: int, fp: int, fn: int) -> ClassScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return ClassScore(label, round(precision, 4), round(recall, 4), round(f1, 4), tp + fn)


def single_label(labels: Sequence[str], pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Metrics for one label per row (sentiment): per class, macro-F1, accuracy, confusion matrix."""
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for truth, predicted in pairs:
        confusion[index[truth]][index[predicted]] += 1
    classes = []
    for i, label in enumerate(labels):
        tp = confusion[i][i]
        fp = sum(confusion[r][i] for r in range(len(labels))) - tp
        fn = sum(confusion[i]) - tp
        classes.append(_score(label, tp, fp, fn))
    total = sum(map(sum, confusion))
    correct = sum(confusion[i][i] for i in range(len(labels)))
    return {
        "rows": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "macro_f1": round(sum(c.f1 for c in classes) / len(classes), 4),
        "classes": [c.__dict__ for c in classes],
        "confusion": {"labels": list(labels), "rows_truth_columns_predicted": confusion},
    }


def multi_label(
    labels: Sequence[str], pairs: Iterable[tuple[Iterable[str], Iterable[str]]]
) -> dict[str, Any]:
    """Metrics for label sets (categories): per class, micro- and macro-F1, exact-match ratio.

    The confusion matrix has one row per true label and a `none` column for a label the model missed;
    a row with no true label that received a prediction counts in the `none` row.
    """
    counts = {label: [0, 0, 0] for label in labels}  # tp, fp, fn
    columns = [*labels, "none"]
    confusion = {label: dict.fromkeys(columns, 0) for label in columns}
    rows = exact = 0
    for truth_iter, predicted_iter in pairs:
        truth, predicted = set(truth_iter), set(predicted_iter)
        rows += 1
        exact += truth == predicted
        for label in labels:
            counts[label][0] += label in truth and label in predicted
            counts[label][1] += label not in truth and label in predicted
            counts[label][2] += label in truth and label not in predicted
        for label in truth:
            hits = predicted & truth
            confusion[label][label if label in hits else "none"] += 1
            for other in predicted - truth:
                confusion[label][other] += 1
        if not truth:
            for other in predicted or {"none"}:
                confusion["none"][other] += 1
    classes = [_score(label, *counts[label]) for label in labels]
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    micro = _score("micro", tp, fp, fn)
    supported = [c for c in classes if c.support]
    return {
        "rows": rows,
        "exact_match": round(exact / rows, 4) if rows else 0.0,
        "micro_f1": micro.f1,
        "micro_precision": micro.precision,
        "micro_recall": micro.recall,
        "macro_f1": round(sum(c.f1 for c in supported) / len(supported), 4) if supported else 0.0,
        "min_class_f1": min((c.f1 for c in supported), default=0.0),
        "classes": [c.__dict__ for c in classes],
        "confusion": {
            "labels": columns,
            "rows_truth_columns_predicted": [[confusion[r][c] for c in columns] for r in columns],
        },
    }


def best_threshold(scored: Sequence[tuple[float, bool]], default: float = 0.5) -> float:
    """The score threshold that maximises F1 for one label over (score, is_true) pairs.

    Candidates are midpoints between consecutive distinct scores; ties prefer the threshold closest
    to `default` so that a label with little validation data keeps a sane cut-off.
    """
    positives = sum(1 for _, truth in scored if truth)
    if not positives:
        return default
    ordered = sorted(scored, key=lambda pair: -pair[0])
    best, best_f1, tp, fp = default, -1.0, 0, 0
    for i, (score, truth) in enumerate(ordered):
        tp += truth
        fp += not truth
        next_score = ordered[i + 1][0] if i + 1 < len(ordered) else 0.0
        if next_score == score:
            continue
        cut = (score + next_score) / 2
        f1 = 2 * tp / (tp + fp + positives)
        if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) <= 1e-9 and abs(cut - default) < abs(best - default)):
            best, best_f1 = cut, f1
    return round(best, 4)
