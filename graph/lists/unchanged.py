"""A re-import that would change nothing, told before the list is parsed: the same files, options and code
applied to the same data give the same result.

An embedded import records, beside the list's data file (``imports/FORMAT.imported``), the digest
of what it read (:func:`input_digest`: the format, every file's bytes, the edition, ``partial``
and ``skip_bad``, and the source of the package that parses and resolves it), the fingerprint
of the data files its build was made from, and its report. An import whose digest and current
build's fingerprint are the recorded ones would read the same rows into the same graph: it is
answered with the recorded report (``changed`` false) at the cost of hashing the files. Anything
else (another file, edition or option, data edited by hand or by another list's import, a
newer techgraph) runs the import in full.

Example
-------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "sdn.csv").write_text("1,ACME\\n")
7
>>> digest = input_digest("ofac-sdn", {"": folder / "sdn.csv"}, "2024-05-03", partial=False, skip_bad=False)
>>> report = ImportReport("ofac-sdn", "2024-05-03", rows=1, skipped=[BadRow("sdn.csv:2", "empty name")])
>>> record_import(folder / "ofac-sdn.jsonl", digest, "0123456789abcdef", report)
>>> again = recorded_report(folder / "ofac-sdn.jsonl", digest, "0123456789abcdef")
>>> again.rows, again.changed, again.skipped
(1, False, [BadRow(where='sdn.csv:2', reason='empty name')])
>>> recorded_report(folder / "ofac-sdn.jsonl", digest, "fedcba9876543210") is None  # the data changed since
True
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from pathlib import Path

from graph.errors import DatabaseError
from graph.lists.contribution import ImportReport
from graph.lists.formats.base import BadRow
from graph.text import shown

# What an import records beside its list's data file: imports/FORMAT.jsonl -> imports/FORMAT.imported.
IMPORTED_SUFFIX = ".imported"
_PACKAGE = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the package's source (its ``.py`` and ``.yaml`` files): an import's result is a function of it."""
    digest = hashlib.sha256()
    for path in sorted([*_PACKAGE.rglob("*.py"), *_PACKAGE.rglob("*.yaml")]):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def input_digest(fmt: str, files: dict[str, Path], edition: str, partial: bool, skip_bad: bool) -> str:
    """The digest of an import's input: format, files (role -> path, ``""`` the main file) by content, options, code."""
    digest = hashlib.sha256(json.dumps([fmt, edition, partial, skip_bad, code_digest()]).encode())
    for role, path in sorted(files.items()):
        digest.update(role.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def imported_file(data_file: Path) -> Path:
    """Where the record of the last import of the list whose data file is ``data_file`` is kept."""
    return data_file.with_suffix(IMPORTED_SUFFIX)


def recorded_report(data_file: Path, digest: str, fingerprint: str) -> ImportReport | None:
    """The report of the last import when it read ``digest`` into the data whose fingerprint is ``fingerprint``
    (so importing it again changes nothing), else None."""
    try:
        recorded = json.loads(imported_file(data_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: the import runs
        return None
    if not isinstance(recorded, dict) or recorded.get("input") != digest or recorded.get("fingerprint") != fingerprint:
        return None
    fields = dict(recorded["report"])
    fields["skipped"] = [BadRow(where, reason) for where, reason in fields["skipped"]]
    return dataclasses.replace(ImportReport(**fields), changed=False)


def record_import(data_file: Path, digest: str, fingerprint: str, report: ImportReport) -> None:
    """Record that ``digest`` was imported, leaving the data files with ``fingerprint`` (atomically), with the
    report importing it again gives: ``report``'s rows, entities, listings and skipped rows, but no new node,
    merge or delisting (every record is where the import put it)."""
    fields = dataclasses.asdict(report) | {"new_nodes": 0, "merged": 0, "delisted": 0}
    fields["skipped"] = [[row.where, row.reason] for row in report.skipped]
    for transient in ("changed", "target", "skipped_file", "seconds"):
        fields.pop(transient)
    path = imported_file(data_file)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"input": digest, "fingerprint": fingerprint, "report": fields}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise DatabaseError(f"{shown(path)}: cannot record the import ({exc.strerror})") from None
