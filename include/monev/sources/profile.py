"""What the quality gate needs to know about a big batch, gathered while its rows stream.

A participant month is 5–10 million rows; scanning the staged batch again for the gate's
row rules and grouping it by its grain took longer than parsing it. But every row rule
reads only low-cardinality columns (codes, flags, the tariff), and duplicates of the
grain can be found from a 64-bit hash of it. So the parser hands each typed block here:

* **groups** — the rows counted by the distinct combinations of the rule columns, with
  the first `MAX_ROWS_CITED` source rows of each combination in each block. Every row of
  a combination breaks the same rules, so a rule's count and its first cited rows are
  exact when computed from the groups (the gate does, in SQL).
* **grain candidates** — source rows whose grain hash collides with another row's. True
  duplicates are always among them; the gate confirms them exactly on the staged batch,
  looking only at these rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from monev.records import MAX_ROWS_CITED
from monev.sources.pseudonym import PSEUDONYM_COLUMN

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it permutes uint64


def _hex_words(col: pa.Array) -> np.ndarray | None:
    """The 64-character values of a string array as n × 8 uint64 words (no copy), or
    None when a value is null or of another length."""
    if col.type != pa.string() or col.null_count:
        return None
    n = len(col)
    offsets = np.frombuffer(col.buffers()[1], dtype=np.int32, count=n + 1, offset=col.offset * 4)
    if n == 0 or not (np.diff(offsets) == 64).all():
        return None
    data = np.frombuffer(col.buffers()[2], dtype=np.uint8)
    return data[offsets[0]:offsets[0] + 64 * n].view(np.uint64).reshape(n, 8)


class BatchProfile:
    def __init__(self, columns: tuple[str, ...], grain: tuple[str, ...]):
        self.columns = columns
        self.grain = grain
        self._groups: list[pa.Table] = []
        self._keys: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []

    def add(self, block: pa.Table) -> None:
        """One typed block (columns include the rule columns, the grain and source_row)."""
        if block.num_rows == 0:
            return
        grouped = block.select([*self.columns, "source_row"]).group_by(
            list(self.columns), use_threads=False).aggregate(
            [("source_row", "count"), ("source_row", "list")])
        # group_by keeps input order within a group without threads: ascending rows
        self._groups.append(grouped.set_column(
            grouped.schema.get_field_index("source_row_list"), "source_row_list",
            pc.list_slice(grouped["source_row_list"], 0, MAX_ROWS_CITED)))
        self._keys.append(self._grain_key(block))
        self._rows.append(block["source_row"].to_numpy())

    def _grain_key(self, block: pa.Table) -> np.ndarray:
        key = np.zeros(block.num_rows, dtype=np.uint64)
        for name in self.grain:
            col = block[name].combine_chunks()
            words = _hex_words(col) if name == PSEUDONYM_COLUMN else None
            if words is not None:
                # 64 hex digits of an HMAC are a good hash already: the first 16 (64
                # bits, as two words of ASCII), mixed, without decoding them
                part = (words[:, 0] * _MIX) ^ words[:, 1]
            else:  # few distinct values: hash each once
                encoded = pc.dictionary_encode(col)
                hashes = [hash(v) for v in encoded.dictionary.to_pylist()]
                values = np.array([*hashes, hash(None)], dtype=np.int64).view(np.uint64)
                indices = encoded.indices.fill_null(len(hashes))  # null: a value of its own
                part = values[indices.to_numpy(zero_copy_only=False)]
            key = (key * _MIX) ^ part
        return key

    def groups(self) -> pa.Table:
        """The groups of every block, rows as PostgreSQL array text (`{1,5,9}`)."""
        table = pa.concat_tables(self._groups)
        rows = pc.binary_join(pc.cast(table["source_row_list"], pa.list_(pa.string())), ",")
        return pa.table([*(table[c] for c in self.columns), table["source_row_count"],
                         pc.binary_join_element_wise("{", rows, "}", "")],
                        names=[*self.columns, "n", "rows_"])

    def grain_candidates(self) -> list[int]:
        """Source rows sharing their grain hash with another row, ascending."""
        if not self._keys:
            return []
        keys, rows = np.concatenate(self._keys), np.concatenate(self._rows)
        ordered = np.sort(keys)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if not len(repeated):
            return []
        return rows[np.isin(keys, repeated)].tolist()  # blocks came in row order
