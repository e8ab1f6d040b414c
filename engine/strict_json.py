"""JSON text that is always valid (RFC 8259), for every ``--json`` output and card."""

from __future__ import annotations

import json
import math

__all__ = ["dumps_json"]


def _finite(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if hasattr(obj, "dtype") and hasattr(obj, "tolist"):  # numpy scalars and arrays
        return _finite(obj.tolist())
    return obj


def dumps_json(obj, **kwargs) -> str:
    """``json.dumps`` that always writes valid JSON (RFC 8259).

    NaN and infinities, which ``json.dumps`` writes as the invalid bare ``NaN``
    and ``Infinity``, become ``null``; numpy numbers become plain numbers.
    """
    return json.dumps(_finite(obj), allow_nan=False, **kwargs)
