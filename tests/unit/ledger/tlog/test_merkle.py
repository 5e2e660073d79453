"""Tests for ledger.tlog.merkle: RFC 6962 known answers, transparency-dev probes, properties.

The recursive reference implementation below is written straight from RFC 6962 §2.1 with
its own hashing, so the optimised module is cross-checked against something independent.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.tlog.merkle import (
    EMPTY_ROOT,
    MemoryNodes,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    nodes_to_append,
    root_at,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

# --------------------------------------------------------------------------------------
# Reference implementation (RFC 6962 §2.1, recursive, deliberately naive)
# --------------------------------------------------------------------------------------


def _ref_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _ref_k(n: int) -> int:
    """Largest power of two strictly smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = _ref_k(n)
    return _ref_node(ref_mth(hashes[:k]), ref_mth(hashes[k:]))


def ref_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    n = len(hashes)
    if n == 1:
        return []
    k = _ref_k(n)
    if m < k:
        return [*ref_path(m, hashes[:k]), ref_mth(hashes[k:])]
    return [*ref_path(m - k, hashes[k:]), ref_mth(hashes[:k])]


def _ref_subproof(m: int, hashes: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if b else [ref_mth(hashes)]
    k = _ref_k(n)
    if m <= k:
        return [*_ref_subproof(m, hashes[:k], b), ref_mth(hashes[k:])]
    return [*_ref_subproof(m - k, hashes[k:], False), ref_mth(hashes[:k])]


def ref_proof(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n])."""
    return _ref_subproof(m, hashes, True)


# --------------------------------------------------------------------------------------
# Known answers (transparency-dev/merkle testonly/constants.go and cmd/proofgen), embedded
# so that they run on a fresh clone without the probe folder.
# --------------------------------------------------------------------------------------

LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    bytes.fromhex(h)
    for h in [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
LEAF_L123456 = "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
NODE_N123_N456 = "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"

_H = {
    "6e34": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a2": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f08": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "bc1a": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca85": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37e": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "fac5": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "0ebc": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "b086": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
}


def _hashes(*prefixes: str) -> list[bytes]:
    return [bytes.fromhex(_H[p]) for p in prefixes]


# (index, size, proof), 0-based
INCLUSION_VECTORS = [
    (0, 8, _hashes("96a2", "5f08", "6b47")),
    (5, 8, _hashes("bc1a", "ca85", "d37e")),
    (2, 3, _hashes("fac5")),
    (1, 5, _hashes("6e34", "5f08", "bc1a")),
]
# (size1, size2, proof)
CONSISTENCY_VECTORS = [
    (1, 8, _hashes("96a2", "5f08", "6b47")),
    (6, 8, _hashes("0ebc", "ca85", "d37e")),
    (2, 5, _hashes("5f08", "bc1a")),
    (6, 7, _hashes("0ebc", "b086", "d37e")),
]

LEAF_HASHES = [_ref_leaf(d) for d in LEAVES]


def _eight() -> MemoryNodes:
    return MemoryNodes(LEAF_HASHES)


def test_embedded_constants_single_hashes() -> None:
    assert leaf_hash(b"L123456").hex() == LEAF_L123456
    assert node_hash(b"N123", b"N456").hex() == NODE_N123_N456
    assert ROOTS[0] == EMPTY_ROOT
    assert leaf_hash(b"") == ROOTS[1]


def test_embedded_constants_roots_for_sizes_0_to_8() -> None:
    store = MemoryNodes()
    assert store.root() == ROOTS[0]
    for size in range(1, 9):
        store.append(leaf_hash(LEAVES[size - 1]))
        assert store.size == size
        assert store.root() == ROOTS[size], size
        assert root_from_leaf_hashes(LEAF_HASHES[:size]) == ROOTS[size], size
        assert ref_mth(LEAF_HASHES[:size]) == ROOTS[size], size
    # Every smaller tree is readable from the one store, since complete subtrees never change.
    assert [root_at(s, store) for s in range(9)] == ROOTS


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_inclusion_vectors(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(index, size, _eight()) == proof
    assert ref_path(index, LEAF_HASHES[:size]) == proof
    verify_inclusion(LEAF_HASHES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_VECTORS)
def test_consistency_vectors(size1: int, size2: int, proof: list[bytes]) -> None:
    assert consistency_proof(size1, size2, _eight()) == proof
    assert ref_proof(size1, LEAF_HASHES[:size2]) == proof
    verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])


# --------------------------------------------------------------------------------------
# transparency-dev probes (beside the project, absent on a fresh clone)
# --------------------------------------------------------------------------------------

PROBES_DIR = Path(__file__).parents[4].parent / "shared/testdata/rfc6962-probes"
PROBE_COUNT = 196


def _probe_params() -> list[Any]:
    if not PROBES_DIR.is_dir():
        return [pytest.param(None, id="probes-absent")]
    files = sorted(PROBES_DIR.rglob("*.json"))
    return [pytest.param(f, id=f.relative_to(PROBES_DIR).as_posix()) for f in files]


def _skip_if_absent() -> None:
    if not PROBES_DIR.is_dir():
        pytest.skip(
            f"RFC 6962 probe folder absent: {PROBES_DIR} (it lives beside the development "
            "checkout, not in the repository; the embedded constants still run)"
        )


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def test_probe_folder_is_complete() -> None:
    _skip_if_absent()
    files = list(PROBES_DIR.rglob("*.json"))
    assert len(files) == PROBE_COUNT
    assert sum(f.name == "happy-path.json" for f in files) == 10


@pytest.mark.parametrize("path", _probe_params())
def test_rfc6962_probe(path: Path | None) -> None:
    _skip_if_absent()
    assert path is not None
    case = json.loads(path.read_text(encoding="utf-8"))
    proof = [_b64(p) for p in case["proof"] or []]
    if "leafIdx" in case:
        args: tuple[Any, ...] = (
            _b64(case["leafHash"]),
            case["leafIdx"],
            case["treeSize"],
            proof,
            _b64(case["root"]),
        )
        verify: Any = verify_inclusion
    else:
        args = (case["size1"], case["size2"], proof, _b64(case["root1"]), _b64(case["root2"]))
        verify = verify_consistency
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify(*args)
        return
    verify(*args)
    # Happy paths over the 8-leaf reference tree must also be what we would generate.
    if "leafIdx" in case:
        size, root = case["treeSize"], args[4]
        if size <= 8 and root == ROOTS[size]:
            assert inclusion_proof(case["leafIdx"], size, _eight()) == proof
    else:
        size, root = case["size2"], args[4]
        if size <= 8 and root == ROOTS[size]:
            assert consistency_proof(case["size1"], size, _eight()) == proof


# --------------------------------------------------------------------------------------
# Edge cases of the verifiers (also covered by the probes, kept here for a fresh clone)
# --------------------------------------------------------------------------------------


def test_verify_inclusion_edge_cases() -> None:
    proof = INCLUSION_VECTORS[0][2]
    with pytest.raises(ProofError, match="beyond"):
        verify_inclusion(LEAF_HASHES[0], 8, 8, proof, ROOTS[8])
    with pytest.raises(ProofError, match="beyond"):
        verify_inclusion(LEAF_HASHES[0], 0, 0, [], ROOTS[0])
    with pytest.raises(ProofError, match=">= 0"):
        verify_inclusion(LEAF_HASHES[0], -1, 8, proof, ROOTS[8])
    with pytest.raises(ProofError, match="31 bytes"):
        verify_inclusion(LEAF_HASHES[0], 0, 8, [proof[0][:31], *proof[1:]], ROOTS[8])
    with pytest.raises(ProofError, match="root is 0 bytes"):
        verify_inclusion(LEAF_HASHES[0], 0, 8, proof, b"")
    with pytest.raises(ProofError, match="must be bytes"):
        verify_inclusion(LEAF_HASHES[0].hex(), 0, 8, proof, ROOTS[8])  # type: ignore[arg-type]
    with pytest.raises(ProofError, match="has 4 hashes, want 3"):
        verify_inclusion(LEAF_HASHES[0], 0, 8, [*proof, ROOTS[8]], ROOTS[8])
    with pytest.raises(ProofError, match="does not match"):
        verify_inclusion(LEAF_HASHES[1], 0, 8, proof, ROOTS[8])
    verify_inclusion(LEAF_HASHES[0], 0, 1, [], ROOTS[1])


def test_verify_consistency_edge_cases() -> None:
    with pytest.raises(ProofError, match="size1 is 0"):
        verify_consistency(0, 8, [], ROOTS[0], ROOTS[8])
    with pytest.raises(ProofError, match="size1 is 0"):
        verify_consistency(0, 0, [], ROOTS[0], ROOTS[0])
    with pytest.raises(ProofError, match="greater"):
        verify_consistency(8, 7, [], ROOTS[8], ROOTS[7])
    verify_consistency(5, 5, [], ROOTS[5], ROOTS[5])
    with pytest.raises(ProofError, match="roots differ"):
        verify_consistency(5, 5, [], ROOTS[5], ROOTS[6])
    with pytest.raises(ProofError, match="want 0"):
        verify_consistency(5, 5, [ROOTS[5]], ROOTS[5], ROOTS[5])
    with pytest.raises(ProofError, match="empty consistency proof"):
        verify_consistency(5, 8, [], ROOTS[5], ROOTS[8])
    with pytest.raises(ProofError, match="root2 is 12 bytes"):
        verify_consistency(2, 5, CONSISTENCY_VECTORS[2][2], ROOTS[2], b"don't care 2")
    with pytest.raises(ProofError, match=r"proof\[1\] is 31 bytes"):
        verify_consistency(2, 5, [ROOTS[1], ROOTS[2][:31]], ROOTS[2], ROOTS[5])
    # Equal sizes only compare the roots, as transparency-dev's probe suite requires.
    verify_consistency(1, 1, [], b"don't care 2", b"don't care 2")
    proof = CONSISTENCY_VECTORS[1][2]
    with pytest.raises(ProofError, match="root1"):
        verify_consistency(6, 8, proof, ROOTS[5], ROOTS[8])
    with pytest.raises(ProofError, match="root2"):
        verify_consistency(6, 8, proof, ROOTS[6], ROOTS[7])


# --------------------------------------------------------------------------------------
# Generators: argument checking, stored rows, O(log n) reads
# --------------------------------------------------------------------------------------


class CountingReader:
    """Wraps a reader and counts node reads, to check the O(log n) claim."""

    def __init__(self, inner: MemoryNodes) -> None:
        self.inner = inner
        self.reads = 0

    def node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.inner.node(level, index)


def test_generators_reject_impossible_arguments() -> None:
    store = _eight()
    for index, size in [(8, 8), (0, 0), (-1, 8), (9, 8)]:
        with pytest.raises(ValueError, match="index"):
            inclusion_proof(index, size, store)
    for size1, size2 in [(0, 8), (0, 0), (9, 8), (-1, 8)]:
        with pytest.raises(ValueError, match="size1"):
            consistency_proof(size1, size2, store)
    assert consistency_proof(8, 8, store) == []
    with pytest.raises(ValueError, match="size"):
        root_at(-1, store)
    with pytest.raises(ValueError, match="32 bytes"):
        store.append(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        root_from_leaf_hashes([LEAF_HASHES[0], b"short"])
    # Sizes beyond the stored tree are the reader's problem: MemoryNodes says so.
    with pytest.raises(LookupError, match="not stored"):
        root_at(9, store)
    with pytest.raises(LookupError, match="not stored"):
        inclusion_proof(0, 9, store)


def test_nodes_to_append_rows() -> None:
    store = MemoryNodes(LEAF_HASHES[:7])
    rows = nodes_to_append(7, LEAF_HASHES[7], store)
    assert [(level, index) for level, index, _ in rows] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert rows[-1][2] == ROOTS[8]
    assert [(lv, ix) for lv, ix, _ in nodes_to_append(4, LEAF_HASHES[4], store)] == [(0, 4)]


@functools.cache
def _big_tree() -> tuple[list[bytes], MemoryNodes]:
    """5,000 leaves; every smaller tree is a prefix, so one store serves all sizes."""
    leaves = [_ref_leaf(i.to_bytes(4, "big")) for i in range(5000)]
    return leaves, MemoryNodes(leaves)


@given(size=st.integers(1, 5000), data=st.data())
@settings(max_examples=60, deadline=None)
def test_reads_are_logarithmic(size: int, data: st.DataObject) -> None:
    _, store = _big_tree()
    index = data.draw(st.integers(0, size - 1), label="index")
    size1 = data.draw(st.integers(1, size), label="size1")
    bound = 2 * size.bit_length() + 2
    for call in (
        lambda r: root_at(size, r),
        lambda r: inclusion_proof(index, size, r),
        lambda r: consistency_proof(size1, size, r),
    ):
        reader = CountingReader(store)
        call(reader)
        assert reader.reads <= bound


# --------------------------------------------------------------------------------------
# Cross-checks against the reference
# --------------------------------------------------------------------------------------


def test_all_proofs_up_to_64_leaves_match_reference_and_verify() -> None:
    leaves, store = _big_tree()
    for size in range(1, 65):
        root = ref_mth(leaves[:size])
        assert root_at(size, store) == root
        for index in range(size):
            proof = inclusion_proof(index, size, store)
            assert proof == ref_path(index, leaves[:size])
            verify_inclusion(leaves[index], index, size, proof, root)
        for size1 in range(1, size + 1):
            proof = consistency_proof(size1, size, store)
            assert proof == ref_proof(size1, leaves[:size])
            verify_consistency(size1, size, proof, root_at(size1, store), root)


@given(size=st.integers(0, 5000))
@settings(max_examples=40, deadline=None)
def test_incremental_root_equals_reference(size: int) -> None:
    leaves, store = _big_tree()
    expected = ref_mth(leaves[:size])
    assert root_at(size, store) == expected
    assert root_from_leaf_hashes(leaves[:size]) == expected


@given(st.lists(st.binary(max_size=40), max_size=150))
@settings(max_examples=60, deadline=None)
def test_roots_equal_reference_for_arbitrary_leaves(leaf_data: list[bytes]) -> None:
    hashes = [_ref_leaf(d) for d in leaf_data]
    store = MemoryNodes()
    for position, h in enumerate(hashes):
        assert store.append(h) == position
    expected = ref_mth(hashes)
    assert store.root() == expected
    assert root_from_leaf_hashes(hashes) == expected
    assert root_from_leaf_hashes(tuple(hashes)) == expected


# --------------------------------------------------------------------------------------
# Every proof verifies; every mutation is rejected
# --------------------------------------------------------------------------------------


def _bit_flips(proof: list[bytes]) -> list[list[bytes]]:
    mutated = []
    for position, element in enumerate(proof):
        for bit in range(len(element) * 8):
            flipped = bytearray(element)
            flipped[bit // 8] ^= 1 << (bit % 8)
            mutated.append([*proof[:position], bytes(flipped), *proof[position + 1 :]])
    return mutated


def _length_changes(proof: list[bytes], extra: bytes) -> list[list[bytes]]:
    added = [[*proof[:i], extra, *proof[i:]] for i in range(len(proof) + 1)]
    removed = [[*proof[:i], *proof[i + 1 :]] for i in range(len(proof))]
    return added + removed


def _rejected(call: Any, *args: Any) -> bool:
    try:
        call(*args)
    except ProofError:
        return True
    return False


MUTATION_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(size=st.integers(1, 5000), data=st.data())
@MUTATION_SETTINGS
def test_inclusion_proofs_verify_and_mutations_fail(size: int, data: st.DataObject) -> None:
    leaves, store = _big_tree()
    index = data.draw(st.integers(0, size - 1), label="index")
    root = root_at(size, store)
    leaf = leaves[index]
    proof = inclusion_proof(index, size, store)
    assert proof == ref_path(index, leaves[:size])
    verify_inclusion(leaf, index, size, proof, root)

    for mutated in _bit_flips(proof):
        assert _rejected(verify_inclusion, leaf, index, size, mutated, root)
    for mutated in _length_changes(proof, leaves[(index + 1) % 5000]):
        assert _rejected(verify_inclusion, leaf, index, size, mutated, root)
    for other_index in (index - 1, index + 1):
        assert _rejected(verify_inclusion, leaf, other_index, size, proof, root)
    for other_size in (size * 2, size // 2):
        assert _rejected(verify_inclusion, leaf, index, other_size, proof, root)
    assert _rejected(verify_inclusion, leaves[(index + 1) % 5000], index, size, proof, root)


@given(size2=st.integers(2, 5000), data=st.data())
@MUTATION_SETTINGS
def test_consistency_proofs_verify_and_mutations_fail(size2: int, data: st.DataObject) -> None:
    leaves, store = _big_tree()
    size1 = data.draw(st.integers(1, size2 - 1), label="size1")
    root1, root2 = root_at(size1, store), root_at(size2, store)
    proof = consistency_proof(size1, size2, store)
    assert proof == ref_proof(size1, leaves[:size2])
    verify_consistency(size1, size2, proof, root1, root2)

    for mutated in _bit_flips(proof):
        assert _rejected(verify_consistency, size1, size2, mutated, root1, root2)
    for mutated in _length_changes(proof, leaves[0]):
        assert _rejected(verify_consistency, size1, size2, mutated, root1, root2)
    for other1 in (size1 - 1, size1 + 1, size1 * 2, size1 // 2):
        assert _rejected(verify_consistency, other1, size2, proof, root1, root2)
    for other2 in (size2 * 2, size2 // 2):
        assert _rejected(verify_consistency, size1, other2, proof, root1, root2)
    assert _rejected(verify_consistency, size1, size2, proof, root2, root1)


def test_proofs_do_not_bind_the_tree_size_on_their_own() -> None:
    """Characterisation, not a wish: RFC 9162 verification accepts some size +-1 claims.

    The proof for leaf 0 of a 3-leaf tree also "verifies" as leaf 0 of a 4-leaf tree with
    the same root (and the 1->3 consistency proof as 1->4): the proof elements are opaque
    hashes and both shapes take the same steps. No honest 4-leaf tree has that root, so it
    is harmless as long as the size and root both come from one signed checkpoint, which is
    why the mutation tests above use size x2 and /2 but not +-1.
    """
    leaves, store = _big_tree()
    root3 = root_at(3, store)
    verify_inclusion(leaves[0], 0, 4, inclusion_proof(0, 3, store), root3)
    verify_consistency(1, 4, consistency_proof(1, 3, store), leaves[0], root3)
