"""Every list importer, fed malformed files: one DataError line naming file and line, never a traceback.

For each of the seven formats, hypothesis builds files from the valid lines of the
hand-written fixtures (tests/fixtures/imports/) and breaks them: lines truncated at a
random byte, dropped, duplicated or spliced with junk (invalid UTF-8, a BOM, NUL and
escape characters, 1 MB runs), fields given wrong column counts, bad dates, huge or
control-character values, JSON values of the wrong type, references to records the
file does not define, empty, header-only and doubled-header files. Each case runs
:func:`graph.lists.editions.apply_list` on a copy of the shipped graph (loaded once): it
must succeed or raise a :class:`DataError` whose message is one line naming the file
and a line (``name:N``). The OFAC formats also get broken alias and address files.

The default run keeps the counts small (``TECHGRAPH_FUZZ_EXAMPLES`` or 60 per format);
``pytest -m slow tests/test_importers_fuzz.py`` runs 10,000 cases per importer. A
second set of tests runs failing imports (20 per format) through
:func:`graph.lists.editions.import_list` into a real database, where each list was imported
once before, and checks that no file in it changed, appeared or went. The regression
tests pin the defects the fuzzing found, with their minimal inputs.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.backends.ladybug.folder import imports_dir, read_manifest
from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.lists.editions import apply_list, import_list
from tests.fuzzing import examples, malformed_lines

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
EDITION = "2024-01-01"
DEFAULT_EXAMPLES = 60
SLOW_EXAMPLES = 10_000
HUGE = "H" * 1_000_000

# Whole-file errors name the file but no line, and other tests pin their wording:
# a file that is empty (or holds nothing but blank lines), or whose first line or
# JSON document is not UTF-8 at all, or a CSL CSV whose header lacks source and name.
WHOLE_FILE_ERRORS = re.compile(
    r": (?:not a .* file: it is empty|not UTF-8 text \(.*\)|not a Consolidated Screening List CSV \(no source and name columns in the header\))$"
)


@cache
def base_graph():
    """The shipped graph, loaded once; every case applies its list to a copy."""
    return load_graph()


# ---------------------------------------------------------------------------------------------
# Running one case


def check_error(error: DataError, files: dict[str, bytes]) -> str:
    """The message, after checking it is one line naming one of ``files`` and a line of it."""
    message = str(error)
    assert message and "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert "Traceback" not in message, message
    named = [name for name in files if name in message]
    assert named, f"names none of {sorted(files)}: {message!r}"
    if any(re.search(re.escape(name) + r":\d+", message) for name in named):
        return message
    whole_file = any(WHOLE_FILE_ERRORS.search(message) for name in named)
    assert whole_file, f"names no line of {named}: {message!r}"
    return message


def run_case(fmt: str, main: str, files: dict[str, bytes], sides: dict[str, str] | None = None) -> str | None:
    """Write ``files`` (name -> content) to a fresh folder and apply ``main`` (with ``sides``: role -> name).

    Returns the checked error message, or None when the list applied.
    """
    with tempfile.TemporaryDirectory(prefix="techgraph-fuzz-") as folder:
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
        extra = {role: Path(folder) / name for role, name in (sides or {}).items()}
        try:
            apply_list(fmt, Path(folder) / main, base_graph().copy(), edition=EDITION, partial=True, **extra)
        except DataError as error:
            return check_error(error, files)
    return None


# ---------------------------------------------------------------------------------------------
# Valid seeds: the fixture lines that apply cleanly


def _lines(text: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in text.split(b"\n") if line.strip()]


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n" if lines else b""


def clean_lines(fmt: str, name: str, lines: list[bytes], others: dict[str, bytes] | None = None,
                sides: dict[str, str] | None = None, role: str | None = None) -> list[bytes]:
    """``lines`` without those the importer skips as bad (and lines left orphaned by their removal).

    ``name`` is the file being cleaned: the main file, or the side file of ``role``.
    """
    for _ in range(50):
        with tempfile.TemporaryDirectory(prefix="techgraph-seed-") as folder:
            files = {**(others or {}), name: _join(lines)}
            for file, content in files.items():
                (Path(folder) / file).write_bytes(content)
            extra = {r: Path(folder) / n for r, n in (sides or {}).items()}
            main = next(n for n in files if n not in (sides or {}).values()) if role else name
            try:
                report, _ = apply_list(fmt, Path(folder) / main, base_graph().copy(), edition=EDITION, partial=True, skip_bad=True, **extra)
                bad = {int(row.where.rsplit(":", 1)[1]) for row in report.skipped if row.where.startswith(f"{name}:")}
            except DataError as error:
                found = re.match(re.escape(name) + r":(\d+):", str(error))
                assert found, f"seed {name} fails as a whole: {error}"
                bad = {int(found.group(1))}
        if not bad:
            return lines
        lines = [line for number, line in enumerate(lines, 1) if number not in bad]
    raise AssertionError(f"cannot clean the seed {name}")


@dataclass
class Seed:
    """A format's valid files: the main file's lines and, for OFAC, the alias and address files' lines."""

    fmt: str
    main: str
    lines: list[bytes]
    sides: dict[str, tuple[str, list[bytes]]] = field(default_factory=dict)  # role -> (name, lines)
    header: bool = False  # the main file's first line is a header

    def files(self, main: bytes | None = None, **sides: bytes) -> tuple[dict[str, bytes], dict[str, str]]:
        files = {self.main: _join(self.lines) if main is None else main}
        roles = {}
        for role, (name, lines) in self.sides.items():
            files[name] = sides.get(role, _join(lines))
            roles[role] = name
        return files, roles


def _fixture(folder: str, name: str) -> list[bytes]:
    return _lines((FIXTURES / folder / name).read_bytes())


def _ofac_seed(fmt: str, folder: str, main: str, alt: str, add: str) -> Seed:
    """An OFAC seed: side files cleaned against the main file, then the main file against them."""
    main_lines = _fixture(folder, main)
    sides_raw = {"alt": (alt, _fixture(folder, alt)), "add": (add, _fixture(folder, add))}
    cleaned = {}
    # Clean the side files first, with a main file of whatever rows it has (its own bad rows are skipped).
    for role, (name, lines) in sides_raw.items():
        others = {main: _join(main_lines)}
        cleaned[role] = (name, clean_lines(fmt, name, lines, others, {role: name}, role))
    others = {name: _join(lines) for name, lines in cleaned.values()}
    main_lines = clean_lines(fmt, main, main_lines, others, {role: name for role, (name, _) in cleaned.items()})
    return Seed(fmt, main, main_lines, cleaned)


@cache
def seeds(fmt: str) -> tuple[Seed, ...]:
    """The valid seeds of a format (several for the CSL's layouts and FtM's two forms)."""
    if fmt == "ofac-sdn":
        return (_ofac_seed(fmt, "ofac_sdn", "sdn.csv", "alt.csv", "add.csv"),)
    if fmt == "ofac-consolidated":
        return (_ofac_seed(fmt, "ofac_consolidated", "cons_prim.csv", "cons_alt.csv", "cons_add.csv"),)
    if fmt == "csl":
        records = [json.loads(line) for line in _fixture("csl", "csl.jsonl") if line.startswith(b"{") and _is_json(line)]
        records += [r for r in json.loads((FIXTURES / "csl" / "csl.json").read_bytes())["results"] if isinstance(r, dict)]
        records = [r for r in records if run_case("csl", "one.jsonl", {"one.jsonl": json.dumps(r).encode() + b"\n"}) is None]
        jsonl = [json.dumps(r, ensure_ascii=False).encode() for r in records]
        document = json.dumps({"total": len(records), "results": records}, ensure_ascii=False, indent=1).encode()
        bare = json.dumps(records, ensure_ascii=False, indent=1).encode()
        return (
            Seed(fmt, "csl.csv", clean_lines(fmt, "csl.csv", _fixture("csl", "csl.csv")), header=True),
            Seed(fmt, "csl_old.csv", clean_lines(fmt, "csl_old.csv", _fixture("csl", "csl_old.csv")), header=True),
            Seed(fmt, "csl.jsonl", jsonl),
            Seed(fmt, "csl.json", _lines(document)),
            Seed(fmt, "bare.json", _lines(bare)),
        )
    folder, names = {
        "dod-1260h": ("dod_1260h", ["1260h.csv"]),
        "fcc-covered-list": ("fcc_covered_list", ["covered_list.csv"]),
        "cn-countermeasures": ("cn_countermeasures", ["cn_sanctions.csv"]),
        "ftm": ("ftm", ["entities.ftm.json", "targets.nested.json"]),
    }[fmt]
    header = fmt != "ftm"
    return tuple(Seed(fmt, name, clean_lines(fmt, name, _fixture(folder, name)), header=header) for name in names)


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_the_seeds_are_valid():
    for fmt in FORMATS:
        for seed in seeds(fmt):
            files, sides = seed.files()
            assert run_case(fmt, seed.main, files, sides) is None, (fmt, seed.main)
            assert len(seed.lines) >= 3, (fmt, seed.main, seed.lines)


# ---------------------------------------------------------------------------------------------
# Malformations

BAD_DATES = ["2021-02-30", "13.13.20", "Jun 32 2021", "99 Foo 2021", "2021-13-01", "0000-00-00", "31.02.2021",
             "February 30, 2021", "32 Jan 2021", "Foo 2021", "2021-00", "99999", "1e5", "--", "2021/01/01", "\x00"]
# Junk spliced into a line: invalid UTF-8, a BOM, NUL, escape and other control characters, quotes and separators, 1 MB.
JUNK = st.one_of(
    st.binary(max_size=16),
    st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x00", b"\x1b[31m", b"\x1a", b"\x0b\x0c\x1c\x1d\x1e\x85",
                     b'"', b",", b";", b"\r", b"\\", b"{", b"}", b"[", b"]", b'":', b"\xe2\x80\xa8", b"-0-",
                     HUGE.encode(), b'"' + HUGE.encode(), b"[" * 100_000, b'{"a": ' * 50_000]),
)
# Values put into a CSV field or a JSON string.
BAD_TEXT = st.one_of(
    st.sampled_from([*BAD_DATES, "", " ", "-0-", "\x00", "A\x00B", "\x1b[2J", "\ufeff", "a\nb", "a\r\nb", '"', "'", ";", ",",
                     "] [", "[]", "Linked To: NOBODY SUCH HOLDINGS LIMITED", "a.k.a. ''", "Listing Date (CMIC) 99 Foo 2021",
                     "\ud800", "\u2028", "名前", HUGE, "x" * 1000]),
    st.text(max_size=20),
)
# A JSON value of any type, strings included.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | BAD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _encode_text(text: str) -> bytes:
    # surrogatepass: a lone surrogate comes out as the bytes UTF-8 forbids
    return text.encode("utf-8", "surrogatepass")


def _csv_rows(lines: list[bytes]) -> list[list[str]]:
    text = _join(lines).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return _encode_text(out.getvalue())


def _set_field(lines: list[bytes], header: bool, row: int, column: int, value: str, dates: bool) -> bytes:
    """A CSV whose data row ``row`` has ``value`` in column ``column`` (a date column when ``dates``)."""
    rows = _csv_rows(lines)
    first = 1 if header else 0
    data = rows[first:]
    if not data:
        return _csv_bytes(rows)
    target = data[row % len(data)]
    if dates:
        columns = [i for i, name in enumerate(rows[0]) if "date" in name.lower() or name.strip() == "Date"] if header else [11]
        if not header and len(target) == 12:  # OFAC: the dates are remark clauses
            target[11] = f"{target[11].removesuffix('.')}; Listing Date (CMIC) {value}."
            return _csv_bytes(rows)
        if not header:  # an OFAC side file has no dates
            columns = [len(target) - 1]
        column = columns[column % len(columns)] if columns else column
    target[column % len(target)] = value
    return _csv_bytes(rows)


def _columns(lines: list[bytes], header: bool, row: int, change: int, value: str) -> bytes:
    """A CSV with a row (the header included) given ``change`` more or fewer columns."""
    rows = _csv_rows(lines)
    target = rows[row % len(rows)]
    if change < 0:
        del target[change:]
    else:
        target.extend([value] * change)
    return _csv_bytes(rows)


def _shape(lines: list[bytes], header: bool, how: str) -> bytes:
    """An empty, header-only, blank or doubled-header file, or the valid file with a BOM or CRLF."""
    if how == "empty":
        return b""
    if how == "blank":
        return b"\n \r\n\t\n"
    if how == "bom only":
        return b"\xef\xbb\xbf"
    if how == "header only":
        return _join(lines[:1])
    if how == "header twice":
        return _join([lines[0], *lines])
    if how == "header repeated inside":
        return _join([*lines[:2], lines[0], *lines[2:]])
    if how == "bom":
        return b"\xef\xbb\xbf" + _join(lines)
    if how == "double bom":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + _join(lines)
    if how == "no final newline":
        return _join(lines).rstrip(b"\n")
    if how == "CR only":
        return b"\r".join(lines) + b"\r"
    if how == "NUL file":
        return b"\x00" * 100
    raise AssertionError(how)


SHAPES = ["empty", "blank", "bom only", "header only", "header twice", "header repeated inside", "bom", "double bom",
          "no final newline", "CR only", "NUL file"]


def csv_contents(seed: Seed) -> st.SearchStrategy[bytes]:
    """Malformed versions of a CSV seed."""
    lines = seed.lines
    return st.one_of(
        malformed_lines(lines, JUNK),
        st.builds(_set_field, st.just(lines), st.just(seed.header), st.integers(0, 999), st.integers(0, 99), BAD_TEXT, st.booleans()),
        st.builds(_set_field, st.just(lines), st.just(seed.header), st.integers(0, 999), st.integers(0, 99), st.sampled_from(BAD_DATES), st.just(True)),
        st.builds(_columns, st.just(lines), st.just(seed.header), st.integers(0, 999), st.integers(-5, 5).filter(bool), BAD_TEXT),
        st.builds(_shape, st.just(lines), st.just(seed.header), st.sampled_from(SHAPES)),
    )


# JSON: wrong types, bad dates and unknown references put into a record.

CSL_KEYS = ["id", "_id", "source", "name", "entity_number", "type", "programs", "title", "alt_names", "addresses", "ids",
            "nationalities", "citizenships", "places_of_birth", "dates_of_birth", "start_date", "end_date", "remarks",
            "federal_register_notice", "source_list_url", "source_information_url"]
FTM_KEYS = ["id", "schema", "properties", "caption", "referents", "datasets", "target"]
FTM_PROPERTIES = ["name", "alias", "previousName", "abbreviation", "country", "jurisdiction", "nationality", "leiCode",
                  "uscCode", "registrationNumber", "wikidataId", "summary", "description", "position", "sourceUrl",
                  "entity", "authority", "program", "programUrl", "reason", "listingDate", "startDate", "endDate",
                  "date", "owner", "asset", "percentage", "sanctions", "ownershipAsset", "ownershipOwner"]
FTM_DATES = ["listingDate", "startDate", "endDate", "date"]
FTM_REFERENCES = ["entity", "owner", "asset"]


def _records(lines: list[bytes]) -> list:
    return [json.loads(line) for line in lines]


def _dump(records: list, layout: str) -> bytes:
    if layout == "jsonl":
        return b"\n".join(_encode_text(json.dumps(r, ensure_ascii=False)) for r in records) + b"\n"
    document = records if layout == "bare" else {"results": records}
    return _encode_text(json.dumps(document, ensure_ascii=False, indent=1))


def _layout(seed: Seed) -> str:
    return {"csl.jsonl": "jsonl", "csl.json": "document", "bare.json": "bare"}.get(seed.main, "jsonl")


def _seed_records(seed: Seed) -> list:
    if _layout(seed) == "jsonl":
        return _records(seed.lines)
    document = json.loads(_join(seed.lines))
    return document["results"] if isinstance(document, dict) else document


def _walk(value, path: list[int]):
    """The dict or list reached from ``value`` by following ``path`` (indexes into its dict and list children)."""
    node = value
    for step in path:
        children = [v for v in (node.values() if isinstance(node, dict) else node) if isinstance(v, (dict, list))] if isinstance(node, (dict, list)) else []
        if not children:
            break
        node = children[step % len(children)]
    return node


def _set_json(seed: Seed, record: int, path: list[int], key: str, value, properties: bool) -> bytes:
    """The seed with ``key`` of a record (or of a dict nested in it; in ``properties`` for FtM) set to ``value``."""
    records = _seed_records(seed)
    target = records[record % len(records)]
    node = _walk(target, path)
    if isinstance(node, list):
        if node:
            node[path[-1] % len(node) if path else 0] = value
        else:
            node.append(value)
    elif properties and isinstance(node.get("properties"), dict):
        node["properties"][key] = value
    else:
        node[key] = value
    return _dump(records, _layout(seed))


def _replace_record(seed: Seed, record: int, value) -> bytes:
    """The seed with one record replaced by any JSON value (a record that is not an object)."""
    records = _seed_records(seed)
    records[record % len(records)] = value
    return _dump(records, _layout(seed))


def _ftm_reference(seed: Seed, record: int, key: str, unknown: str) -> bytes:
    """The seed with a Sanction's entity or an Ownership's owner or asset pointing to a record the file lacks."""
    records = _seed_records(seed)
    links = [r for r in records if isinstance(r, dict) and r.get("schema") in ("Sanction", "Ownership")]
    if not links:  # the nested form: make a top-level Sanction
        links = [{"id": "fuzz-sanction", "schema": "Sanction", "properties": {"authority": ["Office of Foreign Assets Control"], "program": ["SDGT"]}}]
        records.append(links[0])
    target = links[record % len(links)]
    if target["schema"] == "Sanction":
        key = "entity"
    elif key == "entity":
        key = "owner"
    target["properties"][key] = [unknown]
    return _dump(records, _layout(seed))


def json_contents(seed: Seed) -> st.SearchStrategy[bytes]:
    """Malformed versions of a JSON seed (CSL JSON or FtM)."""
    ftm = seed.fmt == "ftm"
    keys = FTM_PROPERTIES if ftm else CSL_KEYS
    paths = st.lists(st.integers(0, 20), max_size=4)
    strategies = [
        malformed_lines(seed.lines, JUNK),
        st.builds(_set_json, st.just(seed), st.integers(0, 999), paths, st.sampled_from(keys), JSON_VALUES, st.just(ftm)),
        st.builds(_set_json, st.just(seed), st.integers(0, 999), paths, st.sampled_from(FTM_KEYS if ftm else CSL_KEYS), JSON_VALUES, st.just(False)),
        st.builds(_set_json, st.just(seed), st.integers(0, 999), paths,
                  st.sampled_from(FTM_DATES if ftm else ["start_date", "end_date"]),
                  st.sampled_from(BAD_DATES).map(lambda d: [d] if ftm else d), st.just(ftm)),
        st.builds(_replace_record, st.just(seed), st.integers(0, 999), JSON_VALUES),
        st.builds(_shape, st.just(seed.lines), st.just(False), st.sampled_from(["empty", "blank", "bom only", "bom", "double bom",
                                                                                   "no final newline", "CR only", "NUL file"])),
    ]
    if ftm:
        strategies.append(st.builds(_ftm_reference, st.just(seed), st.integers(0, 999), st.sampled_from(FTM_REFERENCES),
                                    st.text(min_size=1, max_size=12).map(lambda t: f"unknown-{t}")))
    return st.one_of(strategies)


def contents(seed: Seed) -> st.SearchStrategy[bytes]:
    return json_contents(seed) if seed.main.endswith((".json", ".jsonl")) else csv_contents(seed)


@st.composite
def cases(draw, fmt: str) -> tuple[Seed, dict[str, bytes]]:
    """A seed and the contents of its files, some of them malformed (for OFAC: main, alias or address file)."""
    seed = draw(st.sampled_from(seeds(fmt)))
    if not seed.sides:
        return seed, {"main": draw(contents(seed))}
    broken = draw(st.sets(st.sampled_from(["main", *seed.sides]), min_size=1))
    result = {}
    if "main" in broken:
        result["main"] = draw(contents(seed))
    for role in broken - {"main"}:
        name, lines = seed.sides[role]
        result[role] = draw(contents(Seed(fmt, name, lines)))
    return seed, result


FORMATS = ["ofac-sdn", "ofac-consolidated", "csl", "dod-1260h", "fcc-covered-list", "cn-countermeasures", "ftm"]


def fuzz(fmt: str, count: int) -> None:
    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example])
    @given(case=cases(fmt))
    def one(case):
        seed, broken = case
        files, sides = seed.files(broken.get("main"), **{role: content for role, content in broken.items() if role != "main"})
        run_case(fmt, seed.main, files, sides)

    one()


@pytest.fixture
def slow(request):
    """Skip unless slow tests were asked for (`pytest -m slow`)."""
    expression = request.config.getoption("markexpr") or ""
    if "slow" not in expression or "not slow" in expression:
        pytest.skip("slow: run with `pytest -m slow`")


@pytest.mark.parametrize("fmt", FORMATS)
def test_malformed_files_end_in_one_line(fmt):
    fuzz(fmt, examples(DEFAULT_EXAMPLES))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_malformed_files_end_in_one_line_10k(slow, fmt):
    fuzz(fmt, max(examples(SLOW_EXAMPLES), SLOW_EXAMPLES))


# ---------------------------------------------------------------------------------------------
# Regression tests: the defects the fuzzing found, each with its minimal input.


def apply_file(fmt: str, tmp_path: Path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return apply_list(fmt, path, base_graph().copy(), edition=EDITION, partial=True)


FTM_COMPANY = {"id": "x-1", "schema": "Company", "properties": {"name": ["Example Co."]}}


@pytest.mark.parametrize(
    "change, reason",
    [
        # Were TypeError / AttributeError tracebacks: FtM values of the wrong JSON type.
        ({"properties": {"name": ["Example Co."], "alias": None}}, "x-1: property 'alias' is not a list"),
        ({"properties": {"name": ["Example Co."], "country": "cn"}}, "x-1: property 'country' is not a list"),
        ({"properties": {"name": ["Example Co."], "leiCode": [7]}}, "x-1: property 'leiCode' holds int, not text"),
        ({"properties": {"name": ["Example Co."], "summary": [None]}}, "x-1: property 'summary' holds null, not text"),
        ({"properties": {"name": [{"id": "y"}]}}, "x-1: property 'name' holds dict, not text"),
        ({"referents": None}, "x-1: referents is not a list of strings"),
        ({"referents": [1]}, "x-1: referents is not a list of strings"),
        ({"caption": ["Example"]}, "x-1: caption is not a string"),
        ({"schema": "Sanction", "properties": {"entity": ["x-1"], "authority": None}}, "x-1: property 'authority' is not a list"),
        ({"schema": "Sanction", "properties": {"entity": ["x-1"], "authority": ["OFAC"], "program": [3]}},
         "x-1: property 'program' holds int, not text"),
        ({"schema": "Ownership", "properties": {"owner": ["x-1"], "asset": ["x-1"], "percentage": [50]}},
         "x-1: property 'percentage' holds int, not text"),
        # An id with a line break made a message of two lines.
        ({"id": "x\n1", "schema": None}, "entity id 'x\\n1' holds control characters or line breaks"),
    ],
)
def test_ftm_values_of_the_wrong_type_are_one_line_errors(tmp_path, change, reason):
    line = json.dumps({**FTM_COMPANY, **change}).encode()
    with pytest.raises(DataError) as error:
        apply_file("ftm", tmp_path, "e.ftm.json", json.dumps(FTM_COMPANY).encode() + b"\n" + line + b"\n")
    assert str(error.value) == f"e.ftm.json:2: {reason}"


def test_ftm_embedded_entities_still_read(tmp_path):
    nested = (FIXTURES / "ftm" / "targets.nested.json").read_bytes()
    report, _ = apply_file("ftm", tmp_path, "targets.nested.json", nested)
    assert report.entities >= 4 and report.listings >= 4


DEEP = b"[" * 100_000
CSL_ROW = b'{"id": "1", "source": "Entity List (EL) - Bureau of Industry and Security", "name": "Example Co."}'


@pytest.mark.parametrize(
    "fmt, name, content, message",
    [
        # Were RecursionError tracebacks from the json module.
        ("ftm", "e.ftm.json", json.dumps(FTM_COMPANY).encode() + b"\n" + DEEP + b"\n", "e.ftm.json:2: not JSON: nested too deeply"),
        ("csl", "csl.jsonl", CSL_ROW + b"\n" + DEEP + b"\n", "csl.jsonl:2: invalid JSON: nested too deeply"),
        ("csl", "csl.json", b'{"results": [\n' + DEEP + b"\n", "csl.json:2: invalid JSON: nested too deeply"),
        ("csl", "csl.json", b'{"total": ' + DEEP + b', "results": []}', "csl.json:1: invalid JSON: nested too deeply"),
        ("csl", "csl.json", DEEP, "csl.json:1: invalid JSON: nested too deeply"),
    ],
)
def test_too_deeply_nested_json_is_a_one_line_error(tmp_path, fmt, name, content, message):
    with pytest.raises(DataError) as error:
        apply_file(fmt, tmp_path, name, content)
    assert str(error.value).endswith(message)


DOD_HEADER = b"Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"


@pytest.mark.parametrize(
    "fmt, name, content",
    [
        # Were stored as they came: a NUL, an ESC sequence and line breaks in node names and aliases.
        ("dod-1260h", "1260h.csv", DOD_HEADER + b'Zzexample\x00 Co\x1b[31m,,"Zz\x07 Alias",,"Zzparent\x1b[0m Ltd",,2021-06-03,,\n'),
        ("ftm", "e.ftm.json", json.dumps({"id": "x-1", "schema": "Company", "properties": {
            "name": ["Zzexample\u0000 Co\u001b[31m"], "alias": ["Zz\u0007 Alias", "\u001b"]}}).encode() + b"\n"),
        ("cn-countermeasures", "cn.csv", b"Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,Body,List,Date,End date,Source URL,Address\n"
         b'Company,,Zzexample\x00 Co\x1b[31m,Zz\x07 Alias,,US,,,,Ministry of Commerce,UEL,16.02.23,,,\n'),
    ],
)
def test_control_characters_in_names_are_dropped(tmp_path, fmt, name, content):
    report, contribution = apply_file(fmt, tmp_path, name, content)
    assert report.new_nodes >= 1
    nodes = [data for data in contribution.g.nodes.values() if data["name"].startswith("Zz")]
    assert {n["name"] for n in nodes} >= {"Zzexample Co[31m"}
    for data in nodes:
        for text in [data["name"], *data.get("aliases", [])]:
            assert text.isprintable(), text
    assert "Zz Alias" in nodes[0]["aliases"]


def test_a_name_of_control_characters_only_is_a_one_line_error(tmp_path):
    with pytest.raises(DataError) as error:
        apply_file("dod-1260h", tmp_path, "1260h.csv", DOD_HEADER + b"\x00\x1b,,,,,,2021-06-03,,\n")
    assert str(error.value) == "1260h.csv:2: name '\\x00\\x1b' is empty once control characters are dropped"


# ---------------------------------------------------------------------------------------------
# Through import_list into a real database: a failing import changes nothing in it.


def db_state(db: Path) -> tuple[dict[str, bytes], dict | None]:
    """Every file of the database folder (path -> bytes) and its manifest."""
    files = {str(p.relative_to(db)): p.read_bytes() for p in sorted(db.rglob("*")) if p.is_file()}
    return files, read_manifest(db)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """A database into which every format's valid seed was imported once: each list has a previous state.

    Built once, not once per list: each seed is applied in turn to the graph in memory and its data
    file written, as import_list does, then the database is built from the files; a second
    import_list of a seed then finds nothing to change.
    """
    import graph

    db = tmp_path_factory.mktemp("db")
    g = base_graph().copy()
    paths = {}
    for fmt in FORMATS:
        seed = seeds(fmt)[0]
        folder = tmp_path_factory.mktemp(f"seed-{fmt}")
        files, sides = seed.files()
        for name, content in files.items():
            (folder / name).write_bytes(content)
        paths[fmt] = folder / seed.main, {r: folder / n for r, n in sides.items()}
        _, contribution = apply_list(fmt, paths[fmt][0], g, edition=EDITION, partial=True, **paths[fmt][1])
        target = imports_dir(db) / f"{fmt}.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(line + "\n" for line in contribution.lines()), encoding="utf-8")
    graph.load(db)
    before = db_state(db)
    main, sides = paths[FORMATS[0]]
    assert not import_list(FORMATS[0], main, db=db, edition=EDITION, partial=True, **sides).changed
    after = db_state(db)
    assert after[0].pop(f"imports/{FORMATS[0]}.imported")  # what it read is recorded (graph.lists.unchanged), no more
    assert after == before
    return db


@pytest.fixture(scope="module")
def loaded_graphs() -> dict:
    """The graphs import_list loaded, by arguments and database state: kept for the whole module."""
    return {}


@pytest.fixture
def quick_loads(monkeypatch, database, loaded_graphs):
    """import_list's reads of the database's data files, done once per database state (a YAML parse takes seconds)."""
    import graph.lists.editions

    for name in ("load_graph", "_file_parts"):
        real = getattr(graph.lists.editions, name)

        def once(*args, real=real, **kwargs):
            key = repr((real.__name__, args, kwargs, read_manifest(database)))
            if key not in loaded_graphs:
                loaded_graphs[key] = real(*args, **kwargs)
            return copy.deepcopy(loaded_graphs[key])

        monkeypatch.setattr(graph.lists.editions, name, once)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failing_import_leaves_the_database_unchanged(database, quick_loads, fmt):
    target = imports_dir(database) / f"{fmt}.jsonl"
    assert target.is_file()

    @settings(max_examples=examples(20), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example])
    @given(case=cases(fmt))
    def one(case):
        seed, broken = case
        files, sides = seed.files(broken.get("main"), **{role: content for role, content in broken.items() if role != "main"})
        assume(run_case(fmt, seed.main, files, sides) is not None)  # a malformed file: the import must fail
        before = db_state(database)
        with tempfile.TemporaryDirectory(prefix="techgraph-fuzz-") as folder:
            for name, content in files.items():
                (Path(folder) / name).write_bytes(content)
            extra = {role: Path(folder) / name for role, name in sides.items()}
            with pytest.raises(DataError) as error:
                import_list(fmt, Path(folder) / seed.main, db=database, edition=EDITION, partial=True, **extra)
        check_error(error.value, files)
        after = db_state(database)
        assert sorted(after[0]) == sorted(before[0]), "files appeared or went in the database folder"
        assert after[0][str(target.relative_to(database))] == before[0][str(target.relative_to(database))]
        assert after == before

    one()


# ---------------------------------------------------------------------------------------------
# References: what is an error and what is not.

NULLS = ",-0- " * 6


def test_ofac_linked_to_an_unknown_name_makes_a_linked_node(tmp_path):
    row = '99001,"ZZEXAMPLE TRADING CO., LTD.",-0- ,"SDGT",-0- ' + NULLS + ',"Linked To: ZZNOBODY SUCH HOLDINGS LIMITED."'
    report, contribution = apply_file("ofac-sdn", tmp_path, "sdn.csv", (row + "\r\n").encode())
    linked = [n for n, d in contribution.g.nodes(data=True) if d["name"] == "ZZNOBODY SUCH HOLDINGS LIMITED"]
    assert (report.ownerships, report.links, len(linked)) == (0, 1, 1)


def test_ftm_references_to_records_the_file_lacks_are_errors(tmp_path):
    sanction = {"id": "s-1", "schema": "Sanction", "properties": {"entity": ["nobody"], "authority": ["Office of Foreign Assets Control"], "program": ["SDGT"]}}
    content = json.dumps(FTM_COMPANY).encode() + b"\n" + json.dumps(sanction).encode() + b"\n"
    with pytest.raises(DataError) as error:
        apply_file("ftm", tmp_path, "e.ftm.json", content)
    assert str(error.value) == "e.ftm.json:2: listing of record 'nobody', which the file does not define"
    for key, message in (("owner", "owner record 'nobody' is not in the file"),
                         ("asset", "ownership of record 'nobody', which the file does not define")):
        ownership = {"id": "o-1", "schema": "Ownership", "properties": {"owner": ["x-1"], "asset": ["x-1"], key: ["nobody"]}}
        content = json.dumps(FTM_COMPANY).encode() + b"\n" + json.dumps(ownership).encode() + b"\n"
        with pytest.raises(DataError) as error:
            apply_file("ftm", tmp_path, "e.ftm.json", content)
        assert str(error.value) == f"e.ftm.json:2: {message}"


@pytest.mark.parametrize(
    "change, reason",
    [
        # Were TypeError tracebacks: CSL JSON fields of the wrong type.
        ({"programs": 1}, "field 'programs' is a number, not a list of texts"),
        ({"alt_names": {"a": "b"}}, "field 'alt_names' is an object, not a list of texts"),
        ({"nationalities": [["CN"]]}, "field 'nationalities' is an array, not a list of texts"),
        ({"addresses": 7}, "field 'addresses' is a number, not a list of objects"),
        ({"ids": True}, "field 'ids' is a boolean, not a list of objects"),
        ({"ids": [{"type": "Gender", "number": ["Male"]}]}, "field 'ids' holds an object whose values are not text"),
        # Was accepted with the object's Python repr as the name.
        ({"name": {"first": "X"}}, "field 'name' is an object, not text"),
        ({"source": ["Entity List (EL) - Bureau of Industry and Security"]}, "field 'source' is an array, not text"),
    ],
)
def test_csl_json_fields_of_the_wrong_type_are_one_line_errors(tmp_path, change, reason):
    row = {**json.loads(CSL_ROW), **change}
    with pytest.raises(DataError) as error:
        apply_file("csl", tmp_path, "csl.jsonl", CSL_ROW + b"\n" + json.dumps(row).encode() + b"\n")
    assert str(error.value) == f"csl.jsonl:2: {reason}"
