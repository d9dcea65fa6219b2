"""The reliability and security suite: every test here runs under the `hardening` marker too."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hardening/" in str(item.fspath):
            item.add_marker(pytest.mark.hardening)
