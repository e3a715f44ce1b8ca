"""Read and write files: lines, CSV rows, whole directories.

Sources remember their byte offset (`snapshot()`), so a later recovery feature
can resume them without any change here.
"""

from __future__ import annotations

import csv
import io
import os
import zlib
from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, Any

from learnstream.inputs import FixedPartitionedSource, StatefulSourcePartition
from learnstream.outputs import FixedPartitionedSink, StatefulSinkPartition

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CSVSource", "DirSink", "DirSource", "FileSink", "FileSource"]


def _as_path(path: Path | str) -> Path:
    """`path` as a `pathlib.Path`, as Bytewax keeps it.

    pathlib (with the modules it pulls in) is a tenth of what a flow's imports
    cost, so it loads when a file connector is first made, not on import.
    """
    from pathlib import Path

    return Path(path)


def _path_id(path: Path) -> str:
    return str(path)


class _LinePartition(StatefulSourcePartition[str, int]):
    def __init__(self, path: Path, batch_size: int, resume: int | None) -> None:
        self.f = open(path, "rb")
        self.f.seek(resume or 0)
        self.batch_size = batch_size

    def next_batch(self) -> list[str]:
        raw = list(islice(self.f, self.batch_size))
        if not raw:
            raise StopIteration
        # One decode and one split per batch, not per line: this is W1's and W2's input.
        text = b"".join(raw).decode()
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        if "\r" in text:
            lines = [line.removesuffix("\r") for line in lines]
        return lines

    def snapshot(self) -> int:
        return self.f.tell()

    def close(self) -> None:
        self.f.close()


class FileSource(FixedPartitionedSource[str, int]):
    """Each line of a text file (without its line ending), in order.

    >>> import tempfile, os
    >>> from learnstream.dataflow import Dataflow
    >>> import learnstream.operators as op
    >>> from learnstream.testing import run_main
    >>> path = os.path.join(tempfile.mkdtemp(), "two.txt")
    >>> _ = open(path, "w").write("hello\\nworld\\n")
    >>> flow = Dataflow("file_eg")
    >>> _ = op.inspect("show", op.input("inp", flow, FileSource(path)))
    >>> run_main(flow)
    file_eg.show: 'hello'
    file_eg.show: 'world'
    """

    def __init__(
        self, path: Path | str, batch_size: int = 1000, get_fs_id: Callable[[Path], str] = _path_id
    ) -> None:
        self.path = _as_path(path)
        self.batch_size = batch_size
        self.get_fs_id = get_fs_id

    def list_parts(self) -> list[str]:
        if not self.path.is_file():
            raise FileNotFoundError(
                f"FileSource: no file at {self.path.resolve()} (the path is relative to the "
                f"directory you ran from: {os.getcwd()})"
            )
        return [f"{self.get_fs_id(self.path)}::{self.path}"]

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _LinePartition:
        return _LinePartition(self.path, self.batch_size, resume_state)


class DirSource(FixedPartitionedSource[str, int]):
    """Each line of every file in a directory matching `glob_pat`; one partition per file."""

    def __init__(
        self,
        dir_path: Path | str,
        glob_pat: str = "*",
        batch_size: int = 1000,
        get_fs_id: Callable[[Path], str] = _path_id,
    ) -> None:
        self.dir_path = _as_path(dir_path)
        # Bytewax's wording ("input directory `...` does not exist"), with the way out.
        if not self.dir_path.exists():
            raise ValueError(
                f"DirSource: input directory `{self.dir_path}` does not exist "
                f"(looked from {os.getcwd()}); check the path or create the directory"
            )
        if not self.dir_path.is_dir():
            raise ValueError(
                f"DirSource: input directory `{self.dir_path}` is not a directory; "
                "for a single file use FileSource"
            )
        self.glob_pat = glob_pat
        self.batch_size = batch_size
        self.get_fs_id = get_fs_id

    def list_parts(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.dir_path))
            for p in self.dir_path.glob(self.glob_pat)
            if p.is_file()
        )

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _LinePartition:
        return _LinePartition(self.dir_path / for_part, self.batch_size, resume_state)


class _CSVPartition(StatefulSourcePartition[dict[str, str], int]):
    def __init__(
        self, path: Path, batch_size: int, resume: int | None, fmtparams: dict[str, Any]
    ) -> None:
        self.lines = _LinePartition(path, batch_size, None)
        self.fmtparams = fmtparams
        header = self.lines.f.readline().decode()
        self.fields = next(csv.reader([header], **fmtparams))
        if resume:
            self.lines.f.seek(resume)

    def next_batch(self) -> list[dict[str, str]]:
        lines = self.lines.next_batch()
        reader = csv.DictReader(
            io.StringIO("\n".join(lines)), fieldnames=self.fields, **self.fmtparams
        )
        return list(reader)

    def snapshot(self) -> int:
        return self.lines.snapshot()

    def close(self) -> None:
        self.lines.close()


class CSVSource(FixedPartitionedSource[dict[str, str], int]):
    """Each row of a CSV file with a header line, as a dict of strings.

    >>> import tempfile, os
    >>> from learnstream.dataflow import Dataflow
    >>> import learnstream.operators as op
    >>> from learnstream.testing import run_main
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(path, "w").write("sensor,temp\\na,21.5\\nb,19.0\\n")
    >>> flow = Dataflow("csv_eg")
    >>> _ = op.inspect("show", op.input("inp", flow, CSVSource(path)))
    >>> run_main(flow)
    csv_eg.show: {'sensor': 'a', 'temp': '21.5'}
    csv_eg.show: {'sensor': 'b', 'temp': '19.0'}
    """

    def __init__(
        self,
        path: Path | str,
        batch_size: int = 1000,
        get_fs_id: Callable[[Path], str] = _path_id,
        **fmtparams: Any,
    ) -> None:
        self.path = _as_path(path)
        self.batch_size = batch_size
        self.get_fs_id = get_fs_id
        self.fmtparams = fmtparams

    def list_parts(self) -> list[str]:
        if not self.path.is_file():
            raise FileNotFoundError(f"CSVSource: no file at {self.path.resolve()}")
        return [f"{self.get_fs_id(self.path)}::{self.path}"]

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _CSVPartition:
        return _CSVPartition(self.path, self.batch_size, resume_state, self.fmtparams)


class _FileSinkPartition(StatefulSinkPartition[str, int]):
    def __init__(self, path: Path, resume: int | None, end: str) -> None:
        self.f = open(path, "r+b" if resume is not None and path.exists() else "wb")
        self.f.seek(resume or 0)
        self.f.truncate()
        self.end = end

    def write_batch(self, values: list[str]) -> None:
        for value in values:
            if not isinstance(value, str):
                raise TypeError(
                    f"file sinks write str values, got {type(value).__name__} {value!r}: "
                    "format it first, e.g. op.map_value('fmt', s, str)"
                )
        self.f.write("".join(v + self.end for v in values).encode())
        self.f.flush()

    def snapshot(self) -> int:
        return self.f.tell()

    def close(self) -> None:
        self.f.close()


class FileSink(FixedPartitionedSink[str, int]):
    """Write the `str` value of each `(key, value)` item as a line of one file.

    >>> import tempfile, os
    >>> from learnstream.dataflow import Dataflow
    >>> import learnstream.operators as op
    >>> from learnstream.testing import TestingSource, run_main
    >>> path = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> flow = Dataflow("filesink_eg")
    >>> s = op.input("inp", flow, TestingSource([("k", "first"), ("k", "second")]))
    >>> op.output("out", s, FileSink(path))
    >>> run_main(flow)
    >>> open(path).read()
    'first\\nsecond\\n'
    """

    def __init__(self, path: Path | str, end: str = "\n") -> None:
        self.path = _as_path(path)
        self.end = end

    def list_parts(self) -> list[str]:
        return [str(self.path)]

    def part_fn(self, item_key: str) -> int:
        return 0

    def build_part(
        self, step_id: str, for_part: str, resume_state: int | None
    ) -> _FileSinkPartition:
        return _FileSinkPartition(self.path, resume_state, self.end)


class DirSink(FixedPartitionedSink[str, int]):
    """Write `(key, value)` items into `file_count` files, choosing the file by key."""

    def __init__(
        self,
        dir_path: Path | str,
        file_count: int,
        file_namer: Callable[[int, int], str] = lambda i, n: f"part_{i}",
        assign_file: Callable[[str], int] = lambda k: zlib.adler32(k.encode()),
        end: str = "\n",
    ) -> None:
        self.dir_path = _as_path(dir_path)
        self.file_count = file_count
        self.file_namer = file_namer
        self.assign_file = assign_file
        self.end = end

    def list_parts(self) -> list[str]:
        return [self.file_namer(i, self.file_count) for i in range(self.file_count)]

    def part_fn(self, item_key: str) -> int:
        # Parts are handed out in sorted name order; map the file index onto that order.
        names = self.list_parts()
        return sorted(names).index(names[self.assign_file(item_key) % self.file_count])

    def build_part(
        self, step_id: str, for_part: str, resume_state: int | None
    ) -> _FileSinkPartition:
        self.dir_path.mkdir(parents=True, exist_ok=True)
        return _FileSinkPartition(self.dir_path / for_part, resume_state, self.end)
