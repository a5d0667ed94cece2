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


def explain(pair: ScoredPair) -> str:
    """A table of every comparison's level, weight and detail, ending with the total."""
    lines = [
        f"found {pair.found_id}  ~  missing {pair.missing_id}: "
        f"match probability {pair.match_probability:.3f} (match weight {pair.match_weight:+.1f})",
        f"  {'prior':<10} {'':<16} {pair.prior_weight:+6.1f}  {'':{_BAR_MAX}}"
        f"{'':{_BAR_MAX}}  one report among all searched",
    ]
    for w in pair.weights:
        level = "unknown" if w.level == NULL else w.level.replace("_", " ")
        neg, pos = (_bar(w.weight), "") if w.weight < 0 else ("", _bar(w.weight))
        tf = f" (name frequency {w.tf_adjustment:+.1f})" if w.tf_adjustment else ""
        lines.append(
            f"  {w.field:<10} {level:<16} {w.weight:+6.1f}  {neg:>{_BAR_MAX}}|{pos:<{_BAR_MAX}} "
            f"{w.detail}{tf}"
        )
    return "\n".join(lines)
