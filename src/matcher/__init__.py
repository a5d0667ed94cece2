"""matcher: reunite rescued children with the families who reported them missing.

The library normalizes found-child records and missing-child reports written in
the exchange format (``records.py``), finds candidate pairs by blocking, scores
them with an explainable Fellegi-Sunter model and decides which go to a human
review queue.  The web service in ``api/`` is a thin layer over it.
"""

__version__ = "0.1.0"
