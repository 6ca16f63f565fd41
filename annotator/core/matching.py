"""One span matcher: how the spans of two layers pair up, for agreement and review alike.

Spans are (start, end, label), end exclusive; two spans *overlap* when they share at
least one character. Every pairing here is one to one and is a *maximum* matching of
its candidates: the largest number of pairs, not merely a pairing nobody can add to.
Among the maximum matchings the one chosen is the first in priority order: walking the
candidates from best to worst, a pair is taken when both spans are still free and a
maximum matching that holds it and the pairs taken so far still exists. When greedy
pairing in that order already gives a maximum matching (the usual case), that is it.

Priority between candidates, the same everywhere: the larger overlap, then the smaller
union (the smaller boundary difference), then the two spans in text order, then their
places in the layers (which only tells apart a span repeated within a layer). It never
asks which layer a span came from, so swapping the layers swaps the pairs and nothing
else.

The layers' pairing (`pair_spans`, `tiered_pairs`) runs four tiers, each a maximum
matching of what the tiers before it left:

1. same offsets and label: AGREE;
2. same offsets, another label: LABEL;
3. overlapping, same label: BOUNDARY;
4. overlapping, another label and other offsets: LABEL as well;
5. what is left: ONLY_A or ONLY_B.

Overlap F1 (`overlap_pairs`) is one maximum matching of every overlapping same-label
pair on its own, identical spans preferred; exact F1 (`exact_pairs`) pairs identical
spans, which is tier 1.

What the shared rules guarantee, the review list against the agreement figures:

* AGREE items == exact matches (both are tier 1);
* the confusion matrix is this pairing: its diagonal holds AGREE + BOUNDARY items, its
  other label cells the LABEL items, its O column ONLY_A and its O row ONLY_B;
* overlap matches >= AGREE + BOUNDARY, since those pairs are one matching of the very
  candidates overlap F1 maximises. They are equal when neither layer has two overlapping
  spans of one label and no span meets one with its offsets and another label: then
  every tier 1 pair is a candidate on its own, tier 2 is empty and tier 3 is maximum.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from annotator.base.vocabulary import ItemKind

__all__ = [
    "KINDS", "SpanPair", "best_pairs", "exact_pairs", "expand_ranges", "match_spans",
    "overlap_pairs", "overlapping_pairs", "pair_spans", "priority", "tiered_pairs",
]  # fmt: skip

IntArray = NDArray[np.int64]


class _Orderable(Hashable, Protocol):
    """What a label must be: a name or an id, anything hashable with an order."""

    def __lt__(self, other: Any, /) -> bool: ...


Label = TypeVar("Label", bound=_Orderable)

# Tier codes of `tiered_pairs`, as the review names them.
KINDS = (ItemKind.AGREE, ItemKind.LABEL, ItemKind.BOUNDARY, ItemKind.LABEL)


class SpanPair(NamedTuple):
    """One place of the layers' pairing: indices into A and B, None for a lone span."""

    kind: ItemKind
    a: int | None
    b: int | None


# -- candidates ---------------------------------------------------------------------------


def expand_ranges(low: IntArray, high: IntArray) -> tuple[IntArray, IntArray]:
    """Every (k, i) with low[k] <= i < high[k], without a Python loop."""
    counts = np.maximum(high - low, 0)
    owner = np.repeat(np.arange(len(low), dtype=np.int64), counts)
    firsts = np.cumsum(counts) - counts
    index = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(firsts - low, counts)
    return owner, index


def overlapping_pairs(
    a_start: IntArray, a_end: IntArray, b_start: IntArray, b_end: IntArray
) -> tuple[IntArray, IntArray]:
    """Index pairs (i, j) whose intervals share at least one position.

    B sorted by start with a running maximum of ends bounds each A's candidates to a
    window; nested spans only widen the window, they never make it wrong.
    """
    if len(a_start) == 0 or len(b_start) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(b_start, kind="stable")
    starts, ends = b_start[order], b_end[order]
    reach = np.maximum.accumulate(ends)
    low = np.searchsorted(reach, a_start, side="right")
    high = np.searchsorted(starts, a_end, side="left")
    first, window = expand_ranges(low, high)
    keep = ends[window] > a_start[first]
    return first[keep], order[window[keep]]


def priority(
    a_start: IntArray, a_end: IntArray, a_code: IntArray,
    b_start: IntArray, b_end: IntArray, b_code: IntArray,
) -> list[IntArray]:  # fmt: skip
    """Sort keys of candidate pairs, most significant first, blind to which side is which:
    larger overlap, smaller union, then the earlier and the later span of the two."""
    overlap = np.minimum(a_end, b_end) - np.maximum(a_start, b_start)
    union = np.maximum(a_end, b_end) - np.minimum(a_start, b_start)
    a_first = (a_start < b_start) | (
        (a_start == b_start) & ((a_end < b_end) | ((a_end == b_end) & (a_code <= b_code)))
    )
    spans = ((a_start, b_start), (a_end, b_end), (a_code, b_code))
    early = [np.where(a_first, x, y) for x, y in spans]
    late = [np.where(a_first, y, x) for x, y in spans]
    return [-overlap, union, *early, *late]


# -- maximum matching ---------------------------------------------------------------------


def best_pairs(
    first: IntArray, second: IntArray, keys: Sequence[NDArray[np.generic]], sizes: tuple[int, int]
) -> tuple[IntArray, IntArray]:
    """The maximum matching of the candidates (first[k], second[k]) that comes first in
    `keys` order (most significant first; then the indices), as the module docstring says.

    Greedy pairing in that order runs on arrays; only where augmenting paths show it is
    not maximum is the matching rebuilt, one connected component at a time. That costs
    time quadratic in the component's candidates: nothing for the few overlapping spans
    of real annotation, about a second for a chain of 1,600 spans each overlapping the next.
    """
    if len(first) == 0:
        return first, second
    order = np.lexsort(tuple(reversed([*keys, first, second])))
    first, second = first[order], second[order]
    partners, alone = _greedy(first, second, sizes)
    # An augmenting path joins a free A to a free B, both with candidates; usually
    # greedy leaves no such pair of ends, and then it is maximum already.
    open_first = partners[first] < 0
    taken_b = np.zeros(sizes[1], dtype=bool)
    taken_b[partners[partners >= 0]] = True
    if not open_first.any() or taken_b[second].all():
        return _taken(partners)
    mate_a = partners.tolist()
    taken = np.flatnonzero(partners >= 0)
    partners_b = np.full(sizes[1], -1, dtype=np.int64)
    partners_b[partners[taken]] = taken
    mate_b = partners_b.tolist()
    # A candidate alone (its two spans have no other) is no part of any augmenting path.
    first, second = first[~alone], second[~alone]
    adjacency = _Adjacency(first, second)
    free_a = np.unique(first[partners[first] < 0]).tolist()
    gained = _augment(adjacency, mate_a, mate_b, free_a, None)
    if gained:
        component = _components(gained, adjacency, _Adjacency(second, first), sizes[0])
        inside = component[first] >= 0
        groups: dict[int, list[tuple[int, int]]] = {}
        for a, b in zip(first[inside].tolist(), second[inside].tolist(), strict=True):
            groups.setdefault(int(component[a]), []).append((a, b))
        for a in np.flatnonzero(component >= 0).tolist():
            if mate_a[a] >= 0:
                mate_b[mate_a[a]] = -1
            mate_a[a] = -1
        for candidates in groups.values():
            for a, b in _first_maximum(candidates):
                mate_a[a], mate_b[b] = b, a
    return _taken(np.array(mate_a, dtype=np.int64))


def _taken(partners: IntArray) -> tuple[IntArray, IntArray]:
    """Matched A indices, ascending, and their partners."""
    taken = np.flatnonzero(partners >= 0)
    return taken, partners[taken]


def _greedy(
    first: IntArray, second: IntArray, sizes: tuple[int, int]
) -> tuple[IntArray, NDArray[np.bool_]]:
    """Greedy one-to-one in the given order: each A's partner (-1 for none), and which
    candidates are alone.

    A candidate whose two members have no other candidate is always taken, so only the
    contested ones go through the Python loop.
    """
    alone = (np.bincount(first, minlength=sizes[0])[first] == 1) & (
        np.bincount(second, minlength=sizes[1])[second] == 1
    )
    partners = np.full(sizes[0], -1, dtype=np.int64)
    partners[first[alone]] = second[alone]
    used_a, used_b = bytearray(sizes[0]), bytearray(sizes[1])
    taken_a: list[int] = []
    taken_b: list[int] = []
    for i, j in zip(first[~alone].tolist(), second[~alone].tolist(), strict=True):
        if not (used_a[i] or used_b[j]):
            used_a[i] = used_b[j] = 1
            taken_a.append(i)
            taken_b.append(j)
    partners[np.array(taken_a, dtype=np.int64)] = np.array(taken_b, dtype=np.int64)
    return partners, alone


class _Graph(Protocol):
    """Neighbours by vertex: a list of lists, or `_Adjacency`."""

    def __getitem__(self, vertex: int, /) -> Sequence[int]: ...


class _Adjacency:
    """Each vertex's neighbours in the candidates' (priority) order; none if absent."""

    def __init__(self, first: IntArray, second: IntArray) -> None:
        self._neighbours: dict[int, list[int]] = {}
        for a, b in zip(first.tolist(), second.tolist(), strict=True):
            self._neighbours.setdefault(a, []).append(b)

    def __getitem__(self, vertex: int) -> list[int]:
        return self._neighbours.get(vertex, [])


def _augment(
    adjacency: _Graph,
    mate_a: list[int],
    mate_b: list[int],
    starts: Sequence[int],
    alive_b: bytearray | None,
) -> list[int]:
    """Grow the matching along augmenting paths from the free A vertices in `starts`
    until none is left (Kuhn's algorithm in phases); returns the starts that gained a
    partner. B vertices not `alive_b` (None: all alive) are out of the graph."""
    gained: list[int] = []
    while True:
        # Vertices out of the graph count as seen from the start.
        seen = bytearray(len(mate_b)) if alive_b is None else bytearray(1 - x for x in alive_b)
        progress = False
        for root in starts:
            if mate_a[root] < 0 and _augment_from(root, adjacency, mate_a, mate_b, seen):
                gained.append(root)
                progress = True
        if not progress:
            return gained


def _augment_from(
    root: int,
    adjacency: _Graph,
    mate_a: list[int],
    mate_b: list[int],
    seen: bytearray,
) -> bool:
    """One depth-first search for an augmenting path; flips it when found."""
    stack = [(root, iter(adjacency[root]))]
    path: list[int] = []  # path[k] joins stack[k] to stack[k + 1]
    while stack:
        _vertex, neighbours = stack[-1]
        for b in neighbours:
            if seen[b]:
                continue
            seen[b] = 1
            path.append(b)
            if mate_b[b] < 0:
                for (a, _), partner in zip(stack, path, strict=True):
                    mate_a[a], mate_b[partner] = partner, a
                return True
            stack.append((mate_b[b], iter(adjacency[mate_b[b]])))
            break
        else:
            stack.pop()
            if path:
                path.pop()
    return False


def _components(
    roots: Sequence[int],
    a_side: _Graph,
    b_side: _Graph,
    size: int,
) -> IntArray:
    """Connected component number of every A vertex reachable from `roots`, else -1."""
    component = np.full(size, -1, dtype=np.int64)
    seen_b: set[int] = set()
    for number, root in enumerate(roots):
        if component[root] >= 0:
            continue
        component[root] = number
        queue = [root]
        while queue:
            a = queue.pop()
            for b in a_side[a]:
                if b in seen_b:
                    continue
                seen_b.add(b)
                for other in b_side[b]:
                    if component[other] < 0:
                        component[other] = number
                        queue.append(other)
    return component


def _first_maximum(candidates: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The first maximum matching in candidate order, for one small component.

    A maximum matching of the live graph is kept throughout; a candidate is taken when
    dropping its two spans leaves the rest a matching only one pair smaller.
    """
    a_ids = {a: k for k, a in enumerate(dict.fromkeys(a for a, _ in candidates))}
    b_ids = {b: k for k, b in enumerate(dict.fromkeys(b for _, b in candidates))}
    local = [(a_ids[a], b_ids[b]) for a, b in candidates]
    adjacency: list[list[int]] = [[] for _ in a_ids]
    for a, b in local:
        adjacency[a].append(b)
    mate_a, mate_b = [-1] * len(a_ids), [-1] * len(b_ids)
    alive_a, alive_b = bytearray([1]) * len(a_ids), bytearray([1]) * len(b_ids)
    _augment(adjacency, mate_a, mate_b, range(len(a_ids)), alive_b)
    taken: list[tuple[int, int]] = []
    for a, b in local:
        if not (alive_a[a] and alive_b[b]):
            continue
        if mate_a[a] != b:
            trial_a, trial_b = mate_a.copy(), mate_b.copy()
            lost = 0
            if trial_a[a] >= 0:
                trial_b[trial_a[a]], trial_a[a], lost = -1, -1, lost + 1
            if trial_b[b] >= 0:
                trial_a[trial_b[b]], trial_b[b], lost = -1, -1, lost + 1
            alive_b[b] = 0
            alive_a[a] = 0
            if lost == 2:
                free = [x for x in range(len(a_ids)) if alive_a[x] and trial_a[x] < 0]
                if not _augment(adjacency, trial_a, trial_b, free, alive_b):
                    alive_a[a] = alive_b[b] = 1
                    continue
            mate_a, mate_b = trial_a, trial_b
            mate_a[a], mate_b[b] = b, a
        alive_a[a] = alive_b[b] = 0
        taken.append((a, b))
    a_back, b_back = list(a_ids), list(b_ids)
    return [(a_back[a], b_back[b]) for a, b in taken]


# -- the pairings -------------------------------------------------------------------------


def tiered_pairs(
    a_start: IntArray, a_end: IntArray, a_code: IntArray,
    b_start: IntArray, b_end: IntArray, b_code: IntArray,
    candidates: tuple[IntArray, IntArray] | None = None,
) -> tuple[IntArray, IntArray, IntArray]:  # fmt: skip
    """The layers' pairing: index pairs and their tier (0-3, see `KINDS`), by the tiers
    of the module docstring. Spans left out of every pair are the lone ones.
    `candidates` may pass `overlapping_pairs` already computed."""
    if candidates is None:
        candidates = overlapping_pairs(a_start, a_end, b_start, b_end)
    first, second = candidates
    sizes = (len(a_start), len(b_start))
    same_label = a_code[first] == b_code[second]
    same_offsets = (a_start[first] == b_start[second]) & (a_end[first] == b_end[second])
    keys = priority(a_start[first], a_end[first], a_code[first],
                    b_start[second], b_end[second], b_code[second])  # fmt: skip
    free_a = np.ones(sizes[0], dtype=bool)
    free_b = np.ones(sizes[1], dtype=bool)
    found: list[tuple[IntArray, IntArray, IntArray]] = []
    for tier, wanted in enumerate(
        (same_label & same_offsets, same_offsets, same_label, np.ones_like(same_label))
    ):
        rest = wanted & free_a[first] & free_b[second]
        taken_a, taken_b = best_pairs(first[rest], second[rest], [k[rest] for k in keys], sizes)
        free_a[taken_a] = False
        free_b[taken_b] = False
        found.append((taken_a, taken_b, np.full(len(taken_a), tier, dtype=np.int64)))
    return (
        np.concatenate([f[0] for f in found]),
        np.concatenate([f[1] for f in found]),
        np.concatenate([f[2] for f in found]),
    )


def exact_pairs(
    a_start: IntArray, a_end: IntArray, a_code: IntArray,
    b_start: IntArray, b_end: IntArray, b_code: IntArray,
) -> tuple[IntArray, IntArray]:  # fmt: skip
    """Identical spans paired one to one: tier 1, and exact F1's matches."""
    first, second, tier = tiered_pairs(a_start, a_end, a_code, b_start, b_end, b_code)
    return first[tier == 0], second[tier == 0]


def overlap_pairs(
    a_start: IntArray, a_end: IntArray, a_code: IntArray,
    b_start: IntArray, b_end: IntArray, b_code: IntArray,
    candidates: tuple[IntArray, IntArray] | None = None,
) -> tuple[IntArray, IntArray]:  # fmt: skip
    """Overlap F1's matches: a maximum matching of the overlapping same-label pairs,
    identical spans first. `candidates` may pass `overlapping_pairs` already computed."""
    if candidates is None:
        candidates = overlapping_pairs(a_start, a_end, b_start, b_end)
    first, second = candidates
    same = a_code[first] == b_code[second]
    first, second = first[same], second[same]
    differs = (a_start[first] != b_start[second]) | (a_end[first] != b_end[second])
    keys = priority(a_start[first], a_end[first], a_code[first],
                    b_start[second], b_end[second], b_code[second])  # fmt: skip
    return best_pairs(first, second, [differs, *keys], (len(a_start), len(b_start)))


def _arrays(
    a: Sequence[tuple[int, int, Label]], b: Sequence[tuple[int, int, Label]]
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Starts, ends and label codes of A, then of B."""
    labels = sorted({label for _, _, label in (*a, *b)})
    codes = {label: k for k, label in enumerate(labels)}
    return (
        np.array([start for start, _, _ in a], dtype=np.int64),
        np.array([end for _, end, _ in a], dtype=np.int64),
        np.array([codes[label] for _, _, label in a], dtype=np.int64),
        np.array([start for start, _, _ in b], dtype=np.int64),
        np.array([end for _, end, _ in b], dtype=np.int64),
        np.array([codes[label] for _, _, label in b], dtype=np.int64),
    )


def pair_spans(
    a: Sequence[tuple[int, int, Label]], b: Sequence[tuple[int, int, Label]]
) -> list[SpanPair]:
    """Every span of both layers exactly once: the tiers' pairs in tier order, then A's
    lone spans, then B's, each in index order."""
    first, second, tier = tiered_pairs(*_arrays(a, b))
    pairs = [
        SpanPair(KINDS[t], i, j)
        for i, j, t in sorted(zip(first.tolist(), second.tolist(), tier.tolist(), strict=True),
                              key=lambda p: (p[2], p[0], p[1]))
    ]  # fmt: skip
    used_a, used_b = set(first.tolist()), set(second.tolist())
    pairs += [SpanPair(ItemKind.ONLY_A, i, None) for i in range(len(a)) if i not in used_a]
    pairs += [SpanPair(ItemKind.ONLY_B, None, j) for j in range(len(b)) if j not in used_b]
    return pairs


def match_spans(
    a: Sequence[tuple[int, int, Label]],
    b: Sequence[tuple[int, int, Label]],
    *,
    mode: str = "overlap",
) -> list[tuple[int, int]]:
    """Sorted index pairs of matched spans: mode "exact" (exact F1), "overlap" (overlap
    F1) or "any" (the tiered pairing, whatever the label: the confusion matrix's)."""
    arrays = _arrays(a, b)
    if mode == "any":
        first, second, _tier = tiered_pairs(*arrays)
    elif mode == "exact":
        first, second = exact_pairs(*arrays)
    elif mode == "overlap":
        first, second = overlap_pairs(*arrays)
    else:
        raise ValueError(f"unknown match mode {mode!r}")
    return sorted(zip(first.tolist(), second.tolist(), strict=True))
