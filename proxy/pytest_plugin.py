"""pytest plugin, registered by the package's entry point.

Fixtures:
- `smsvoice_sim`: a fresh Simulator on a manual clock, per test.
"""

from __future__ import annotations

import pytest

from simulator import Simulator


@pytest.fixture
def smsvoice_sim() -> Simulator:
    return Simulator(clock="manual")
