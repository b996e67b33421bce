"""The other half of test_import_order.py's modules (the suite spreads files over workers)."""

from __future__ import annotations

import pytest
from test_import_order import MODULES, check_first_import, forker  # noqa: F401 - the fixture


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES[1::2])
def test_a_module_imported_first_changes_nothing(forker, module):  # noqa: F811
    check_first_import(forker, module)
