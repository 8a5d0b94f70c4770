"""Percentiles without numpy's interpolation surprises: nearest-rank, in the units given."""

import math


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def percentiles(values: list[float]) -> dict:
    return {'count': len(values), 'p50': _r(percentile(values, 50)), 'p95': _r(percentile(values, 95)),
            'p99': _r(percentile(values, 99)), 'max': _r(max(values) if values else None),
            'mean': _r(sum(values) / len(values) if values else None)}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
