"""Where the real data snapshots live: ``../shared/data`` beside the repository (CI lays a copy
there), or ``VETCANDIDATE_SHARED_DATA``. Tests that need them skip with a clear reason if absent."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("VETCANDIDATE_SHARED_DATA") or ROOT.parent / "shared" / "data")


def shared_file(relative: str) -> Path:
    """Path of a file in the shared data; skips the calling test when it is missing."""
    path = SHARED_DATA / relative
    if not path.is_file():
        import pytest

        pytest.skip(f"shared data not available: {path} is missing "
                    "(set VETCANDIDATE_SHARED_DATA to the shared/data folder)")
    return path
