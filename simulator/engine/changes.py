"""What changed since `--state` last saved, so that a save rewrites those rows only.

A mark says "this may have changed". The saver (snapshot.py) serialises each marked row and
writes only those whose text differs from what it wrote last, so a mark too many costs one
serialisation and never a write, while a mark too few would lose a change: a test walks every
operation comparing the saved rows with the whole export (tests/test_state_rows.py).

Who marks:
- the lifecycles: every placement and move (a creation, the clock's steps as it settles, GONE),
  and a counted read on a clock that counts reads (state.py);
- a write operation: what it looks up (AccountRegion.find) and what it returns (the Simulator
  wraps every write operation's handler: `writing` is set while one runs);
- a family, for what it changes through a reference (a pool's members):
  `region.changed(resource)`, called before the resource leaves its family's dict.
A mark is resolved to its row (family, part, key) at once when it can be, so a resource
deleted later in the request still names its row; one not yet in its family's dict (created
after its lifecycle placed it) is resolved when the save takes the marks. Nothing is marked
while no `--state` file is open, so without one marking costs a flag test.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

# (the family instance, the part of its export, the resource's key in that part)
RowRef = tuple[object, str, Hashable]
# (marked object, the account-region it was marked in, or None: any) -> the rows holding it
Resolver = Callable[[object, object], list[RowRef]]


class Changes:
    def __init__(self) -> None:
        self.enabled = False  # a --state file is open
        self.writing = False  # a write operation's handler is running
        self.everything = True  # the next save compares every row (after a load, a reset...)
        self.resolve: Resolver = lambda obj, region: []
        self._rows: set[RowRef] = set()
        self._later: dict[int, tuple[object, object]] = {}  # id -> (object, region)

    def mark(self, obj, region=None) -> None:
        """`obj` (a resource, or a part of one) may have changed."""
        if not self.enabled or obj is None:
            return
        rows = self.resolve(obj, region)
        if rows:
            self._rows.update(rows)
        else:
            self._later[id(obj)] = (obj, region)

    def mark_found(self, obj, region) -> None:
        """A lookup found `obj`: marked while a write operation runs (a read changes nothing)."""
        if self.writing:
            self.mark(obj, region)

    def mark_result(self, result, region=None) -> None:
        """What a write operation returned: its resources, alone or in a tuple, list or dict."""
        if not self.enabled:
            return
        items = result.values() if isinstance(result, dict) else (
            result if isinstance(result, tuple | list) else (result,))
        for item in items:
            if not isinstance(item, str | int | float | bool | dict | list | type(None)):
                self.mark(item, region)

    def mark_everything(self) -> None:
        self.everything = True

    def take(self) -> tuple[set[RowRef], bool]:
        """The rows marked since the last take, and whether every row must be compared."""
        rows, self._rows = self._rows, set()
        later, self._later = self._later, {}
        for obj, region in later.values():
            rows.update(self.resolve(obj, region))
        everything, self.everything = self.everything, False
        return rows, everything
