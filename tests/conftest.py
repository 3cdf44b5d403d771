import pytest


@pytest.fixture
def env(tmp_path):
    """A minimal environment for in-process CLI runs: private data dir, no .env, fast timeouts."""
    return {"VETCANDIDATE_DATA_DIR": str(tmp_path / "data"), "CHECK_TIMEOUT_S": "5",
            "VETTING_DEADLINE_S": "8", "LOG_LEVEL": "WARNING"}
