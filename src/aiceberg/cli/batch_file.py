"""Tables of requests for ``aiceberg estimate inference --batch FILE``: read them, write the per-row results.

A table is CSV (UTF-8, a header row) or Parquet (with the ``[parquet]`` extra, pyarrow). Its columns are named
like the flags of ``estimate inference``: ``parameters_b`` or ``parameters-b`` or ``--parameters-b``, ``intensity``
for ``--intensity``; other columns are refused with the closest names. A numeric cell is a number in the
language of ``--lang`` or a ``LOW:CENTRAL:HIGH`` range (or a column ``NAME_low`` / ``NAME_high`` beside ``NAME``);
an empty cell is an absent value (a row without a latency, a dense model…). Row numbers in errors count the
data rows from 1, the header excluded.
"""

from __future__ import annotations

import csv
import difflib
import os
from pathlib import Path
from typing import Any

from aiceberg.errors import InputError, MissingExtraError
from aiceberg.i18n import Msg
from aiceberg.i18n.parse import parse_number_or_range
from aiceberg.model.batch import NUMERIC_COLUMNS, TEXT_COLUMNS, numpy

#: How a column may be named besides its API name (the flag's own spelling).
ALIASES = {"intensity": "intensity_g_per_kwh", "requests_per_row": "requests"}
FORMATS = (".csv", ".parquet")


def column_name(header: str) -> str:
    """``--Parameters-B `` → ``parameters_b``; a flag's alias → its API name."""
    name = header.strip().lstrip("-").strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(name, name)


def _format(path: str, field: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(field, Msg("engine.batch.format", path=path),
                         Msg("accepted.one_of", values=", ".join(FORMATS)))
    return suffix


def read_table(path: str, lang: str = "en", field: str = "batch") -> dict[str, Any]:
    """The columns of a CSV or Parquet table: numeric ones as an array or a ``(low, central, high)`` triple of
    arrays (NaN where a cell is empty), text ones as arrays of str."""
    np = numpy()
    suffix = _format(path, field)
    if not os.path.isfile(path):
        raise InputError(field, Msg("input.no_such_file", path=path), Msg("engine.batch.accepted_file"))
    raw = _read_parquet(path, field) if suffix == ".parquet" else _read_csv(path, field)
    known = set(NUMERIC_COLUMNS) | set(TEXT_COLUMNS)
    names = {column_name(h): h for h in raw}
    for name, header in names.items():
        base = name.removesuffix("_low").removesuffix("_high")
        if base not in known or (base != name and base not in names):
            close = difflib.get_close_matches(base, sorted(known), n=3, cutoff=0.6)
            raise InputError(field, Msg("engine.batch.unknown_column", column=header, suggestions=", ".join(close)),
                             Msg("accepted.one_of", values=", ".join(sorted(known))))
    if not raw:
        raise InputError(field, Msg("engine.batch.empty", path=path), Msg("engine.batch.accepted_file"))
    out: dict[str, Any] = {}
    for name, header in names.items():
        if name.endswith(("_low", "_high")):
            continue
        values = raw[header]
        if name in TEXT_COLUMNS:
            out[name] = np.asarray([str(v).strip() for v in values], dtype=str)
            continue
        col = _numbers(np, name, values, lang)
        lo_h, hi_h = names.get(name + "_low"), names.get(name + "_high")
        if lo_h or hi_h:
            c = col if not isinstance(col, tuple) else col[1]
            lo = _numbers(np, name + "_low", raw[lo_h], lang) if lo_h else c
            hi = _numbers(np, name + "_high", raw[hi_h], lang) if hi_h else c
            col = (np.where(np.isnan(lo), c, lo), c, np.where(np.isnan(hi), c, hi))
        out[name] = col
    return out


def _read_csv(path: str, field: str) -> dict[str, list[Any]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header:
                return {}
            columns: list[list[str]] = [[] for _ in header]
            for i, row in enumerate(reader, start=1):
                if not row:
                    continue
                if len(row) != len(header):
                    raise InputError(field, Msg("engine.batch.row", row=i, reason=Msg(
                        "engine.batch.cells", cells=len(row), columns=len(header))), Msg("engine.batch.accepted_file"))
                for col, cell in zip(columns, row, strict=True):
                    col.append(cell)
    except UnicodeDecodeError as exc:
        raise InputError(field, Msg("input.cannot_read", path=path, reason=str(exc)),
                         Msg("engine.batch.accepted_file")) from None
    except OSError as exc:
        raise InputError(field, Msg("input.cannot_read", path=path, reason=exc.strerror or str(exc)),
                         Msg("engine.batch.accepted_file")) from None
    return dict(zip(header, columns, strict=True))


def _read_parquet(path: str, field: str) -> dict[str, list[Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError("Parquet tables", "parquet", ["pyarrow"]) from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError for a file it cannot read
        raise InputError(field, Msg("input.cannot_read", path=path, reason=str(exc)),
                         Msg("engine.batch.accepted_file")) from None
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def _numbers(np: Any, name: str, values: Any, lang: str) -> Any:
    """A numeric column: one array, or a triple of arrays when a cell is a ``LOW:CENTRAL:HIGH`` range."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiu":
        return arr.astype(float)
    if arr.dtype.kind == "b":
        raise InputError(name, Msg("engine.batch.row", row=1, reason=Msg("input.not_a_number", value=str(arr[0]))))
    try:  # the fast path: plain numbers, empty cells absent
        text = np.char.strip(arr.astype(str))
        return np.where(text == "", "nan", text).astype(float)
    except ValueError:
        pass
    lo, c, hi = (np.empty(len(arr)) for _ in range(3))
    ranged = False
    for i, cell in enumerate(arr):
        cell = "" if cell is None else str(cell).strip()
        if not cell:
            lo[i] = c[i] = hi[i] = np.nan
            continue
        try:
            v = parse_number_or_range(cell, name, lang)
        except InputError as exc:
            raise InputError(name, Msg("engine.batch.row", row=i + 1, reason=exc.message), exc.accepted_msg) from None
        if isinstance(v, tuple):
            lo[i], c[i], hi[i] = v
            ranged = True
        else:
            lo[i] = c[i] = hi[i] = v
    return (lo, c, hi) if ranged else c


def write_table(path: str, columns: dict[str, Any], field: str = "output") -> None:
    """Write the per-row results (``row`` numbers from 1, then each column) as CSV or Parquet."""
    np = numpy()
    suffix = _format(path, field)
    n = len(next(iter(columns.values())))
    data = {"row": np.arange(1, n + 1), **{k: np.broadcast_to(np.asarray(v), (n,)) for k, v in columns.items()}}
    try:
        if suffix == ".parquet":
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq
            except ImportError:
                raise MissingExtraError("Parquet tables", "parquet", ["pyarrow"]) from None
            pq.write_table(pa.table({k: np.ascontiguousarray(v) for k, v in data.items()}), path)
            return
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(list(data))
            w.writerows(zip(*(v.tolist() for v in data.values()), strict=True))
    except OSError as exc:
        raise InputError(field, Msg("engine.batch.cannot_write", path=path, reason=exc.strerror or str(exc))) from None
