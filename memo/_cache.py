"""On-disk stores that make rebuilds quick: one SQLite file per kind of result, each entry
keyed by a hash of everything the result depends on. Safe for concurrent runs (SQLite
locks); a damaged file is one ``CacheError`` naming it and how to recover, whichever
store it is."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from ._errors import CacheError

BATCH = 500  # keys per query, well under SQLite's limit on bound parameters


class BlobStore:
    """Bytes by key, in one SQLite file; ``what`` names the store in errors ("embedding cache")."""

    def __init__(self, path: str | Path, what: str):
        import sqlite3

        self.path = Path(path)
        self.what = what
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"{self.path}: cannot use as {what} ({exc})") from None

    def get(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        import sqlite3

        found: dict[bytes, bytes] = {}
        keys = list(dict.fromkeys(keys))
        try:
            for begin in range(0, len(keys), BATCH):
                block = keys[begin:begin + BATCH]
                found.update(self._db.execute(f"SELECT key, value FROM entries WHERE key IN "
                                              f"({','.join('?' * len(block))})", block).fetchall())
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        return found

    def put(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        import sqlite3

        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", items)
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: Exception) -> CacheError:
        return CacheError(f"{self.path}: {self.what} failed ({exc}); delete the file to rebuild it")

    def close(self) -> None:
        self._db.close()
