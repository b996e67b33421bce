"""A third of the pages with runnable blocks (docs_blocks.group), each run as a reader would:
in a folder of its own, block after block (tests/docs_blocks.py). test_docs_pages_a/b/c.py
share the pages between them, so that xdist (--dist loadfile) runs them on several workers."""

from __future__ import annotations

import pytest
from docs_blocks import ROOT, group, run_page

PAGES = group(1, 3)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_runs(page, pytester):
    ran = run_page(page, pytester)
    assert sum(ran.values()) > 0
