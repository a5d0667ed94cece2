"""Run one system in a child process and measure its wall time and peak memory.

Two memory figures, because one alone misleads for a multi-process system:

- ``peak_rss_mb``: the largest resident set of any *single* process of the
  run, as the kernel reports it to ``os.wait4`` for that one child
  (``ru_maxrss``, KiB on Linux; it covers grandchildren the child waited
  for, but as a maximum, not a sum). ``wait4`` is used instead of
  ``getrusage(RUSAGE_CHILDREN)`` because the latter is a maximum over *all*
  children the runner ever waited for, so a later, smaller system would
  inherit an earlier system's peak. Exact, no polling.
- ``peak_tree_rss_mb``: the largest *sum* of resident sets over the child and
  all its descendants, sampled with psutil every ``sample_seconds``. This is
  what a machine must hold when a system runs worker processes in parallel.
  Pages shared between forked workers are counted once per process, so it is
  an upper bound; a peak shorter than the sampling interval can be missed.
  ``None`` when psutil is not installed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # psutil is optional: the tree figure is then not measured
    psutil = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one child process did: exit code, wall time and peak memory."""

    returncode: int
    wall_seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float | None
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class _TreeSampler:
    """Samples the summed RSS of a process and its descendants in a background thread."""

    def __init__(self, pid: int, interval: float) -> None:
        self.peak_bytes = 0
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if psutil is not None:
            self._thread.start()

    def stop(self) -> float | None:
        """Stop sampling; the peak in MiB, or None when psutil is missing."""
        if psutil is None:
            return None
        self._stop.set()
        self._thread.join()
        return round(self.peak_bytes / 2**20, 1)

    def _run(self) -> None:
        assert psutil is not None
        try:
            root = psutil.Process(self._pid)
        except psutil.Error:  # the child already exited: nothing to sample
            return
        while not self._stop.is_set():
            total = 0
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:  # the root exited between samples
                return
            for process in processes:
                # A worker may exit between listing and reading: it no longer holds memory.
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(self._interval)


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path,
    stdout_path: Path,
    stderr_path: Path,
    timeout_seconds: float | None = None,
    env: dict[str, str] | None = None,
    sample_seconds: float = 0.25,
) -> Measurement:
    """Run ``command`` to completion (or until the timeout) and measure it.

    Output goes to files, never to pipes, so a chatty child cannot block on a
    full pipe and distort the time. On timeout the child's whole process
    group is killed.
    """
    stdout_path.parent.mkdir(parents=True, exist_ok=True)
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            list(command),
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # own process group, so a timeout kills it all
        )
        sampler = _TreeSampler(child.pid, sample_seconds)
        sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            # The child may finish between the timer firing and the kill.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)

        timer = threading.Timer(timeout_seconds, kill) if timeout_seconds else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            if timer:
                timer.cancel()
            tree_peak = sampler.stop()
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    return Measurement(
        returncode=child.returncode,
        wall_seconds=round(wall, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        peak_tree_rss_mb=tree_peak,
        timed_out=timed_out.is_set(),
    )
