"""The other half of the pages with runnable blocks, each run as a reader would (tests/docs_blocks.py);
test_docs_pages_a.py runs the first half."""

from __future__ import annotations

import pytest
from docs_blocks import ROOT, group, run_page

GROUPS = 2
PAGES = group(1, GROUPS)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_runs(page, pytester):
    ran = run_page(page, pytester)
    assert sum(ran.values()) > 0
