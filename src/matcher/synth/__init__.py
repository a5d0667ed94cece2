"""Synthetic evaluation data with ground truth: missing reports, found records, true pairs.

The generator is independent of ``matcher.normalize`` on purpose: it has its own
name, nickname, script and place tables (``synth/data``), so an evaluation on
its output does not reward the matcher for sharing the generator's tables.
"""

from matcher.synth.config import SynthConfig
from matcher.synth.generate import SynthData, generate, write_dataset

__all__ = ["SynthConfig", "SynthData", "generate", "write_dataset"]
