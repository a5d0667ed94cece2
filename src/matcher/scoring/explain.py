"""Plain-text explanation of a scored pair: the weights that add up to its score.

The same decomposition is shown on the review pages as a bar chart; here it
is a table for the command line and the README.
"""

from __future__ import annotations

from matcher.scoring.comparisons import NULL
from matcher.scoring.score import ScoredPair

_BAR_BITS_PER_CHAR = 1.0
_BAR_MAX = 14


def _bar(weight: float) -> str:
    n = min(_BAR_MAX, round(abs(weight) / _BAR_BITS_PER_CHAR))
    return ("+" * n).ljust(_BAR_MAX) if weight >= 0 else ("-" * n).rjust(_BAR_MAX)


def _level_text(level: str) -> str:
    return "unknown" if level == NULL else level.replace("_", " ")


def explain(pair: ScoredPair) -> str:
    """A table of every comparison's level, weight and detail, ending with the total."""
    # Columns as wide as their longest entry ("other_candidates", "one to four years").
    field_width = max([len("prior"), *(len(w.field) for w in pair.weights)])
    level_width = max([0, *(len(_level_text(w.level)) for w in pair.weights)])
    lines = [
        f"found {pair.found_id}  ~  missing {pair.missing_id}: "
        f"match probability {pair.match_probability:.3f} (match weight {pair.match_weight:+.1f})",
        f"  {'prior':<{field_width}} {'':<{level_width}} {pair.prior_weight:+6.1f}  "
        f"{'':{_BAR_MAX}}{'':{_BAR_MAX}}  one report among all searched",
    ]
    for w in pair.weights:
        neg, pos = (_bar(w.weight), "") if w.weight < 0 else ("", _bar(w.weight))
        tf = f" (name frequency {w.tf_adjustment:+.1f})" if w.tf_adjustment else ""
        lines.append(
            f"  {w.field:<{field_width}} {_level_text(w.level):<{level_width}} {w.weight:+6.1f}  "
            f"{neg:>{_BAR_MAX}}|{pos:<{_BAR_MAX}} {w.detail}{tf}"
        )
    return "\n".join(lines)
