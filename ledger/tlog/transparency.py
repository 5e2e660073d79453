"""The ledger as a transparency log: the Merkle frontier, checkpoints and receipts.

Every entry is a leaf of an RFC 9162 tree in ledger order. The ledger keeps in memory
only the frontier — the complete subtrees that decompose the current tree, O(log n)
hashes — which is all an append needs: the hashes to store, the new root and the new
leaf's inclusion proof. After every append it signs a C2SP checkpoint with the log key,
in the same transaction, and hands the author a receipt: a ``c2sp.org/tlog-proof@v1``
whose (unauthenticated) ``extra`` line carries the leaf bytes, so it verifies offline
with nothing but the log's verifier key.

Standard library, `cryptography` and the stdlib-only project modules only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ledger.tlog.merkle import EMPTY_ROOT, inclusion_proof, nodes_to_append, root_at
from ledger.tlog.notes import Checkpoint, NoteSigner, sign_note

DEFAULT_ORIGIN = "hungyen.gov.vn/par-ledger"
"""The log's origin line (and its key's name) unless an instance chose another."""


def subtree_keys(size: int) -> list[tuple[int, int]]:
    """(level, index) of the complete subtrees that decompose a tree of `size` leaves, left first."""
    keys = []
    position = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


class NodesByKey:
    """A NodeReader over a mapping of (level, index) → hash."""

    def __init__(self, nodes: Mapping[tuple[int, int], bytes]) -> None:
        self._nodes = nodes

    def node(self, level: int, index: int) -> bytes:
        try:
            return self._nodes[(level, index)]
        except KeyError:
            raise LookupError(f"Merkle node ({level}, {index}) is not available") from None


@dataclass(frozen=True)
class Growth:
    """What appending one leaf to a frontier produces; the root and proof only when asked for
    (a ledger without a log key signs no checkpoint and hands out no proof)."""

    frontier: Frontier
    #: The hashes of the subtrees the new leaf completes above itself, lowest first: what
    #: its log row keeps of the tree (`ledger.tlog.log.completing_seq`).
    subtrees: bytes
    #: The frontier before, and the new leaf's completed subtrees: the nodes its proof reads.
    nodes: NodesByKey

    def root(self) -> bytes:
        """The root hash of the grown tree."""
        return self.frontier.root()

    def proof(self) -> tuple[bytes, ...]:
        """The inclusion proof of the new leaf in the grown tree."""
        size = self.frontier.size
        return tuple(inclusion_proof(size - 1, size, self.nodes))


class Frontier:
    """The right edge of the tree: enough to append, compute the root and prove the last leaf."""

    def __init__(self, size: int, nodes: Mapping[tuple[int, int], bytes]) -> None:
        missing = [key for key in subtree_keys(size) if key not in nodes]
        if missing:
            msg = f"the stored Merkle tree of {size} entries lacks node {missing[0]}"
            raise LookupError(msg)
        self.size = size
        self._nodes = {key: nodes[key] for key in subtree_keys(size)}

    def root(self) -> bytes:
        """The tree's root hash (SHA-256 of nothing for the empty tree)."""
        return root_at(self.size, NodesByKey(self._nodes)) if self.size else EMPTY_ROOT

    def grow(self, leaf_hash: bytes) -> Growth:
        """The frontier after appending `leaf_hash`, without changing this one."""
        rows = nodes_to_append(self.size, leaf_hash, NodesByKey(self._nodes))
        nodes = NodesByKey({**self._nodes, **{(level, index): digest for level, index, digest in rows}})
        size = self.size + 1
        grown = Frontier(size, {key: nodes.node(*key) for key in subtree_keys(size)})
        return Growth(grown, b"".join(digest for _, _, digest in rows[1:]), nodes)


def sign_checkpoint(signer: NoteSigner, size: int, root: bytes) -> bytes:
    """A C2SP checkpoint note for the tree, signed by the log key; the key name is the origin."""
    return sign_note(Checkpoint(signer.name, size, root).text(), signer).serialize()
