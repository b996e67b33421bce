"""Regular expressions searched in time linear in the text, for patterns a caller gives
(the protect filters' body patterns).

Python's `re` backtracks: `(a+)+$` takes seconds on 30 characters, and even `.*a.*b` a
second on 1,600 (a message body's length), all of it holding the GIL, so no thread can stop
it and a time limit cannot be put on it. Here the pattern is read by Python's own parser
(same syntax, same errors) and run as a Thompson NFA (Pike's VM: every alternative
advanced together, one character at a time), which never backtracks: a search costs at most
(text length) x (program size), and the program size is bounded. A pattern whose meaning
needs backtracking (backreferences, lookaround, atomic groups, possessive repeats,
conditionals) is refused with a ValueError that says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Python's regular expression parser and compiler (public as sre_parse and sre_compile until
# 3.11, re._parser and re._compiler since; this package needs 3.11).
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the opcodes' names
from re import _parser as sre_parse  # type: ignore[attr-defined]

MAX_PATTERN = 1_000  # characters in a pattern
MAX_PROGRAM = 256  # instructions once repeats are unrolled (`a{200}` is 200 of them): a
# search costs at most (text length) x MAX_PROGRAM steps, ~0.2 s on a 1,600-character body

# Instructions: (CHAR, predicate) consumes one character; (SPLIT, x, y) and (JMP, x) move;
# (ASSERT, at) is a zero-width test (^, $, \b...); (MATCH,) ends a successful search.
CHAR, SPLIT, JMP, ASSERT, MATCH = range(5)
UNSUPPORTED = {C.GROUPREF: "backreferences", C.GROUPREF_EXISTS: "conditional groups",
               C.ASSERT: "lookaround", C.ASSERT_NOT: "lookaround"}
for _name, _what in (("ATOMIC_GROUP", "atomic groups"), ("POSSESSIVE_REPEAT", "possessive repeats")):
    if hasattr(C, _name):
        UNSUPPORTED[getattr(C, _name)] = _what


def _word(c: str, ascii_only: bool) -> bool:
    return c == "_" or (c.isalnum() and (not ascii_only or c.isascii()))


def _one_char(op, av, flags: int) -> Callable[[str], bool]:
    """The test of a node that consumes exactly one character (a literal, a class, `.`):
    Python's own `re` compiled for that one node with the flags in force, so case folding,
    classes and categories answer as `re` does. Matching one character cannot backtrack."""
    state = sre_parse.State()
    state.flags = flags
    matcher = sre_compile.compile(sre_parse.SubPattern(state, [(op, av)]), 0).match
    cache: dict[str, bool] = {}

    def judged(c: str) -> bool:  # a body repeats its characters: each is judged once
        found = cache.get(c)
        if found is None:
            found = cache[c] = matcher(c) is not None
        return found
    return judged


def _too_large() -> ValueError:
    return ValueError(f"the pattern is too large once its repeats are unrolled "
                      f"(over {MAX_PROGRAM} steps)")


class _Compiler:
    def __init__(self):
        self.program: list[tuple] = []

    def emit(self, *instruction) -> int:
        if len(self.program) >= MAX_PROGRAM:
            raise _too_large()
        self.program.append(instruction)
        return len(self.program) - 1

    def sequence(self, nodes, flags: int) -> None:
        for op, av in nodes:
            self.node(op, av, flags)

    def node(self, op, av, flags: int) -> None:
        if op in UNSUPPORTED:
            raise ValueError(f"filter patterns cannot use {UNSUPPORTED[op]}: their meaning "
                             "needs backtracking, which can take exponential time")
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            self.emit(CHAR, _one_char(op, av, flags))
        elif op == C.AT:
            self.emit(ASSERT, (av, flags))
        elif op == C.SUBPATTERN:
            _group, add, remove, body = av
            self.sequence(body, (flags | add) & ~remove)
        elif op == C.BRANCH:
            self.branch(av[1], flags)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):  # lazy or greedy: the same for "is there one"
            low, high, body = av
            self.repeat(low, high, body, flags)
        else:
            raise ValueError(f"{op} is not supported in filter patterns")

    def branch(self, alternatives, flags: int) -> None:
        jumps = []
        for alternative in alternatives[:-1]:
            split = self.emit(SPLIT, None, None)
            self.program[split] = (SPLIT, split + 1, None)
            self.sequence(alternative, flags)
            jumps.append(self.emit(JMP, None))
            self.program[split] = (SPLIT, split + 1, len(self.program))
        self.sequence(alternatives[-1], flags)
        for jump in jumps:
            self.program[jump] = (JMP, len(self.program))

    def repeat(self, low: int, high: int, body, flags: int) -> None:
        """`body` at least `low` and at most `high` times. The body is compiled once before
        any count is looked at: one that compiles to nothing (`(?:)`) matches only the empty
        string, and so does any repeat of it, so nothing is emitted (looping `{4000000000}`
        times over it never ended); a count past MAX_PROGRAM is refused before any loop."""
        if high == 0:
            return
        start = len(self.program)
        if low == 0:  # the first copy compiled is an optional one: behind a split
            self.emit(SPLIT, None, None)
        self.sequence(body, flags)
        if len(self.program) == start + (low == 0):
            del self.program[start:]
            return
        if low > MAX_PROGRAM or (high != C.MAXREPEAT and high > MAX_PROGRAM):
            raise _too_large()  # each copy is at least one instruction
        if low == 0:
            self._then_optional(start, high, body, flags)
            return
        for _ in range(low - 1):
            self.sequence(body, flags)
        self._then_optional(None, high - low if high != C.MAXREPEAT else high, body, flags)

    def _then_optional(self, first: int | None, high: int, body, flags: int) -> None:
        """Close a repeat: `first` is the split before an optional copy already compiled
        (None: none yet); then copies up to `high` in all, or a loop when `high` is
        MAXREPEAT. Every split skips to the end of the repeat."""
        if high == C.MAXREPEAT:
            loop = first if first is not None else self.emit(SPLIT, None, None)
            if first is None:
                self.sequence(body, flags)
            self.emit(JMP, loop)
            self.program[loop] = (SPLIT, loop + 1, len(self.program))
            return
        exits = [] if first is None else [first]
        for _ in range(high - len(exits)):
            exits.append(self.emit(SPLIT, None, None))
            self.sequence(body, flags)
        for split in exits:
            self.program[split] = (SPLIT, split + 1, len(self.program))

def _holds(at, flags: int, text: str, pos: int) -> bool:
    """A zero-width assertion at `pos`, as Python's `re` reads it."""
    multiline = bool(flags & C.SRE_FLAG_MULTILINE)
    end = len(text)
    if at in (C.AT_BEGINNING, C.AT_BEGINNING_LINE):
        return pos == 0 or (multiline and text[pos - 1] == "\n")
    if at == C.AT_BEGINNING_STRING:
        return pos == 0
    if at in (C.AT_END, C.AT_END_LINE):
        return pos == end or (pos == end - 1 and text[pos] == "\n") or (
            multiline and text[pos] == "\n")
    if at == C.AT_END_STRING:
        return pos == end
    ascii_only = bool(flags & C.SRE_FLAG_ASCII)
    before = pos > 0 and _word(text[pos - 1], ascii_only)
    after = pos < end and _word(text[pos], ascii_only)
    if at == C.AT_BOUNDARY:
        return before != after
    if at == C.AT_NON_BOUNDARY:
        return before == after
    raise ValueError(f"the anchor {at} is not supported in filter patterns")


class LinearRegex:
    """A compiled pattern; `search(text)` says whether it matches anywhere in `text`."""

    def __init__(self, pattern: str):
        if len(pattern) > MAX_PATTERN:
            raise ValueError(f"the pattern is longer than {MAX_PATTERN} characters")
        compiler = _Compiler()
        try:
            parsed = sre_parse.parse(pattern)
            compiler.sequence(parsed, parsed.state.flags)
        except re.error as exc:
            raise ValueError(f"bad pattern {pattern!r}: {exc}") from None
        except RecursionError:  # groups nested hundreds deep: both walks recurse
            raise ValueError("the pattern nests its groups too deeply") from None
        compiler.emit(MATCH)
        self.pattern = pattern
        self.program = compiler.program

    def _add(self, threads: list[int], seen: set[int], pc: int, text: str, pos: int) -> bool:
        """Follow moves from `pc` without consuming; True when a MATCH is reached."""
        stack = [pc]
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            instruction = self.program[pc]
            kind = instruction[0]
            if kind == MATCH:
                return True
            if kind == CHAR:
                threads.append(pc)
            elif kind == JMP:
                stack.append(instruction[1])
            elif kind == SPLIT:
                stack.extend((instruction[2], instruction[1]))
            else:  # ASSERT: (what it asserts, the flags in force)
                at, flags = instruction[1]
                if not _holds(at, flags, text, pos):
                    continue
                stack.append(pc + 1)
        return False

    def search(self, text: str) -> bool:
        threads: list[int] = []
        seen: set[int] = set()
        for pos in range(len(text) + 1):
            if self._add(threads, seen, 0, text, pos):  # a match may start anywhere
                return True
            if pos == len(text):
                return False
            char, following, ahead = text[pos], list[int](), set[int]()
            for pc in threads:
                if self.program[pc][1](char) and self._add(following, ahead, pc + 1, text, pos + 1):
                    return True
            threads, seen = following, ahead
        return False
