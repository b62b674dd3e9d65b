"""Pytest set-up shared by the tests and the doctests: a private database folder per run."""

import os
import tempfile


def pytest_configure(config):
    # Never touch the user's ~/.cache/techgraph: every run builds its own database.
    os.environ["TECHGRAPH_DB"] = tempfile.mkdtemp(prefix="techgraph-test-db-")
