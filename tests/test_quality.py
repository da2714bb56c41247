"""The write-audit-publish gate (socialbeat.quality) on tiny frames, with real GX validations."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from socialbeat import quality
from socialbeat.quality import FAILED_COLUMN, GateBreach, GateError, QualityConfigError
from socialbeat.tables import Column, TableDef, registry, table

START = datetime(2024, 3, 11, 8, tzinfo=UTC)
END = datetime(2024, 3, 11, 9, tzinfo=UTC)
IN_WINDOW = datetime(2024, 3, 11, 8, 30, tzinfo=UTC)
BEFORE = datetime(2024, 3, 11, 6, tzinfo=UTC)

COLUMNS = (
    Column("id", "bigint"),
    Column("src", "string"),
    Column("item", "string"),
    Column("text", "string"),
    Column("n", "int"),
    Column("a", "bigint"),
    Column("b", "bigint"),
    Column("c", "bigint"),
    Column("ts", "timestamp"),
)
DDL = ", ".join(f"{c.name} {c.type}" for c in COLUMNS)
PHONE = r"0[35789][0-9]{8}"

EVERYTHING = (
    {"expectation": "schema"},
    {"expectation": "not_null", "columns": ["text"]},
    {"expectation": "unique", "columns": ["item"]},
    {"expectation": "unique", "columns": ["src", "n"], "id": "unique:src+n"},
    {"expectation": "in_set", "column": "src", "value_set_from": "sources"},
    {"expectation": "length_between", "column": "text", "min": 1, "max": 20},
    {"expectation": "between", "column": "n", "min": 0, "max": 100},
    {"expectation": "between", "column": "ts", "min_param": "window_start", "max_param": "window_end"},
    {"expectation": "not_match_regex", "column": "text", "regex": [PHONE, r"[a-z0-9.]+@[a-z]+\.vn"]},
    {"expectation": "column_pair_sum_equal", "columns": ["a", "b"], "equals": "c"},
)

# id -> (row, the expectation ids it must fail); an empty tuple means the row passes.
ROWS: dict[Any, tuple[tuple[Any, ...], tuple[str, ...]]] = {
    1: ((1, "fb", "i1", "hello", 1, 1, 1, 2, IN_WINDOW), ()),
    2: ((2, "yt", "i2", None, 2, 1, 1, 2, IN_WINDOW), ("not_null:text",)),
    3: ((3, "zalo", "i3", "x", 3, 1, 1, 2, IN_WINDOW), ("in_set:src",)),
    4: ((4, "fb", "i4", "a" * 21, 4, 1, 1, 2, IN_WINDOW), ("length_between:text",)),
    5: ((5, "fb", "i5", "ok", -1, 1, 1, 2, IN_WINDOW), ("between:n",)),
    6: ((6, "fb", "i6", "goi 0909123456", 6, 1, 1, 2, IN_WINDOW), ("not_match_regex:text",)),
    7: ((7, "fb", "i7", "mail an@x.vn", 7, 1, 1, 2, IN_WINDOW), ("not_match_regex:text",)),
    8: ((8, "fb", "i8", "sum", 8, 1, 1, 3, IN_WINDOW), ("column_pair_sum_equal:a+b=c",)),
    9: ((9, "fb", "dup", "d1", 9, 1, 1, 2, IN_WINDOW), ("unique:item",)),
    10: ((10, "yt", "dup", "d2", 10, 1, 1, 2, IN_WINDOW), ("unique:item",)),
    11: ((11, "fb", "i11", "late", 11, 1, 1, 2, BEFORE), ("between:ts",)),
    12: ((12, "yt", "i12", "twin", 50, 1, 1, 2, IN_WINDOW), ("unique:src+n",)),
    13: ((13, "yt", "i13", "twin", 50, 1, 1, 2, IN_WINDOW), ("unique:src+n",)),
    None: ((None, "tiktok", "i14", "null key", 14, 1, 1, 2, IN_WINDOW), ("in_set:src",)),
    15: (
        (15, "other", "i15", "", 500, 1, None, 2, IN_WINDOW),
        ("between:n", "column_pair_sum_equal:a+b=c", "in_set:src", "length_between:text"),
    ),
    16: ((16, "fb", "i16", "fine too", 16, 2, 3, 5, END), ()),
}


def _table(expectations: tuple[dict[str, Any], ...], columns: tuple[Column, ...] = COLUMNS) -> TableDef:
    return TableDef(
        name="test.gate",
        layer="test",
        path="test/gate",
        owner="tests",
        description="",
        grain="one row per test case",
        columns=columns,
        expectations=expectations,
        extra={"sources": {"fb": "Facebook", "yt": "YouTube"}},
    )


def _frame(spark: Any, rows: list[tuple[Any, ...]], ddl: str = DDL) -> Any:
    return spark.createDataFrame(rows, ddl)


def _failed(result: quality.GateResult) -> dict[Any, tuple[str, ...]]:
    return {r["id"]: tuple(r[FAILED_COLUMN]) for r in result.failed.select("id", FAILED_COLUMN).collect()}


@pytest.fixture(scope="module")
def gate(spark: Any) -> quality.GateResult:
    frame = _frame(spark, [row for row, _ in ROWS.values()])
    params = {"window_start": START, "window_end": END}
    return quality.run_gate(frame, _table(EVERYTHING), ["id"], max_failure_rate=0.9, params=params)


# --- vocabulary (pure Python) ------------------------------------------------------------------------


@pytest.mark.fast
def test_every_registry_table_compiles() -> None:
    rules = {name: quality.parse_expectations(t) for name, t in registry().items()}
    assert [r.id for r in rules["bronze.crawl_items"]] == [
        "not_null:source",
        "not_null:platform_item_id",
        "not_null:crawled_at",
        "not_null:raw_line",
        "unique:_source_file,_line_number",
    ]
    (reason_rule,) = [r for r in rules["bronze.quarantine"] if r.expectation == "in_set"]
    assert "truncated_gzip" in reason_rule.options["value_set"]
    assert len(reason_rule.options["value_set"]) == len(table("bronze.quarantine").extra["reasons"])


@pytest.mark.fast
def test_value_sets_and_regexes_come_from_the_project() -> None:
    from socialbeat.contracts import load_contracts

    (rule,) = quality.parse_expectations(
        _table(({"expectation": "in_set", "column": "src", "value_set_from": "contracts.sources"},))
    )
    assert rule.options["value_set"] == load_contracts().source_names
    try:
        patterns = quality.pii_patterns()
    except QualityConfigError:
        pytest.skip("socialbeat.silver.pii is not there yet")
    (rule,) = quality.parse_expectations(
        _table(({"expectation": "not_match_regex", "column": "text", "regex_from": "pii"},))
    )
    assert rule.options["regex"] == patterns and patterns


@pytest.mark.fast
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"expectation": "no_such_thing", "column": "src"}, "unknown expectation"),
        ({"expectation": "not_null", "columns": ["src"], "colums": ["x"]}, "does not take"),
        ({"expectation": "not_null", "columns": ["nope"]}, "unknown columns"),
        ({"expectation": "in_set", "column": "src", "value_set_from": "missing_key"}, "value_set_from"),
        ({"expectation": "in_set", "column": "src"}, "exactly one of"),
        ({"expectation": "between", "column": "text", "min": 0}, "needs a column of type"),
        ({"expectation": "between", "column": "n"}, "needs a bound"),
        ({"expectation": "between", "column": "n", "min": 0, "min_param": "lo"}, "not both"),
        ({"expectation": "length_between", "column": "text", "max": "ten"}, "integer"),
        ({"expectation": "not_match_regex", "column": "text", "regex_from": "secrets"}, "unknown"),
        ({"expectation": "column_pair_sum_equal", "columns": ["a"], "equals": "c"}, "two or more"),
    ],
)
def test_bad_vocabulary_is_refused_with_the_table_name(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(QualityConfigError, match=message) as err:
        quality.parse_expectations(_table((spec,)))
    assert "test.gate" in str(err.value)


# --- the gate on Spark -------------------------------------------------------------------------------


@pytest.mark.spark
def test_each_expectation_catches_its_rows_and_passes_the_good_ones(gate: quality.GateResult) -> None:
    expected = {key: tuple(sorted(ids)) for key, (_, ids) in ROWS.items() if ids}
    assert _failed(gate) == expected
    assert sorted(r["id"] for r in gate.passed.collect()) == [1, 16]
    assert gate.passed.columns == [c.name for c in COLUMNS]
    assert gate.failed.columns == [*(c.name for c in COLUMNS), FAILED_COLUMN]


@pytest.mark.spark
def test_counts_rate_and_verdict(gate: quality.GateResult) -> None:
    assert (gate.rows, gate.failed_rows) == (16, 14)
    assert gate.failure_rate == pytest.approx(14 / 16)
    assert gate.table_failures == []
    assert gate.by_expectation == {
        "not_null:text": 1,
        "unique:item": 2,
        "unique:src+n": 2,
        "in_set:src": 3,
        "length_between:text": 2,
        "between:n": 2,
        "between:ts": 1,
        "not_match_regex:text": 2,
        "column_pair_sum_equal:a+b=c": 2,
    }
    assert gate.ok and quality.enforce(gate) is gate


@pytest.mark.spark
def test_rate_over_threshold_raises_a_clear_breach(gate: quality.GateResult) -> None:
    strict = dataclasses.replace(gate, max_failure_rate=0.05)
    assert not strict.ok
    with pytest.raises(GateBreach) as err:
        quality.enforce(strict)
    message = str(err.value)
    assert "test.gate" in message
    assert "14/16 rows failed (87.50%, max 5.00%)" in message
    assert message.index("in_set:src=3") < message.index("not_null:text=1")
    assert err.value.result is strict


@pytest.mark.spark
def test_schema_mismatch_is_a_table_failure(spark: Any) -> None:
    columns = (Column("id", "bigint"), Column("text", "string"), Column("n", "int"), Column("m", "string"))
    definition = _table(
        ({"expectation": "schema"}, {"expectation": "not_null", "columns": ["text", "m"]}), columns
    )
    frame = _frame(spark, [(1, 7, "x", "a")], "id bigint, n bigint, extra string, text string")
    result = quality.run_gate(frame, definition, ["id"], max_failure_rate=1.0)
    assert result.table_failures == ["schema", "not_null:m"]
    assert (result.rows, result.failed_rows, result.by_expectation) == (1, 0, {"not_null:text": 0})
    assert result.notes["schema"] == "missing ['m']; unexpected ['extra']; n is bigint, expected int"
    assert not result.ok
    with pytest.raises(GateBreach, match=r"table-level failures: schema \(missing \['m'\]"):
        quality.enforce(result)


@pytest.mark.spark
def test_between_bounds_are_bound_from_params(spark: Any) -> None:
    definition = _table(
        (
            {"expectation": "between", "column": "ts", "min_param": "lo", "max_param": "hi"},
            {"expectation": "between", "column": "ts", "min_param": "hi", "id": "after_hi"},
        )
    )
    rows = [(i, "fb", f"i{i}", "t", i, 1, 1, 2, ts) for i, ts in enumerate([BEFORE, IN_WINDOW, END])]
    frame = _frame(spark, rows)
    with pytest.raises(ValueError, match=r"run-time params \['hi'\]"):
        quality.run_gate(frame, definition, ["id"], 0.0, params={"lo": START})
    result = quality.run_gate(frame, definition, ["id"], 0.0, params={"lo": START, "hi": IN_WINDOW})
    assert _failed(result) == {0: ("after_hi", "between:ts"), 2: ("between:ts",)}


@pytest.mark.spark
def test_real_ingest_log_definition(spark: Any) -> None:
    definition = table("bronze.ingest_log")
    day = datetime(2024, 3, 11).date()
    ran = datetime(2024, 3, 11, 9, tzinfo=UTC)
    rows = [
        (day, 8, "fb", "f1.jsonl.gz", 100, 10, 8, 1, 1, 10, True, ran, "b1"),  # one line erased
        (day, 8, "fb", "f2.jsonl.gz", 100, 10, 9, 0, 0, 10, True, ran, "b1"),  # one line lost
        (day, 8, "yt", "f3.jsonl.gz", 100, 0, 0, 0, 0, None, False, ran, "b1"),
    ]
    frame = spark.createDataFrame(rows, definition.spark_schema())
    result = quality.run_gate(frame, definition, ["_source_file"], max_failure_rate=0.0)
    rule_id = "column_pair_sum_equal:bronze_rows+quarantined_rows+erased_rows=lines_read"
    assert result.by_expectation == {rule_id: 1}
    assert [(r["_source_file"], list(r[FAILED_COLUMN])) for r in result.failed.collect()] == [
        ("f2.jsonl.gz", [rule_id])
    ]
    assert sorted(r["_source_file"] for r in result.passed.collect()) == ["f1.jsonl.gz", "f3.jsonl.gz"]
    with pytest.raises(GateBreach, match=r"bronze\.ingest_log: 1/3 rows failed"):
        quality.enforce(result)
    result.release()


@pytest.mark.spark
def test_spark_fallback_marks_the_same_rows_and_is_cross_checked(spark: Any, monkeypatch: Any) -> None:
    """Where GX gives no unexpected index list, the gate marks rows with the same condition in Spark
    and still checks each count against GX's unexpected_count: every vocabulary item agrees."""
    monkeypatch.setattr(quality, "_index_keys", lambda result, columns: None)
    frame = _frame(spark, [row for row, _ in ROWS.values()])
    params = {"window_start": START, "window_end": END}
    result = quality.run_gate(frame, _table(EVERYTHING), ["id"], 1.0, params=params)
    assert _failed(result) == {key: tuple(sorted(ids)) for key, (_, ids) in ROWS.items() if ids}


@pytest.mark.spark
def test_rows_sharing_a_key_are_judged_by_their_own_values(spark: Any) -> None:
    columns = (Column("id", "bigint"), Column("text", "string"), Column("m", "map<string,string>"))
    definition = _table(({"expectation": "not_null", "columns": ["text", "m"]},), columns)
    rows = [(1, "ok", {"k": "v"}), (1, None, {"k": "v"}), (2, "ok", None)]  # id 1 twice
    result = quality.run_gate(
        _frame(spark, rows, "id bigint, text string, m map<string,string>"), definition, ["id"], 1.0
    )
    failed = sorted((r["id"], r["text"], list(r[FAILED_COLUMN])) for r in result.failed.collect())
    assert failed == [(1, None, ["not_null:text"]), (2, "ok", ["not_null:m"])]
    assert [(r["id"], r["text"]) for r in result.passed.collect()] == [(1, "ok")]


@pytest.mark.spark
def test_marks_that_disagree_with_gx_fail_loudly(spark: Any, monkeypatch: Any) -> None:
    real = quality._index_keys
    monkeypatch.setattr(quality, "_index_keys", lambda result, columns: real(result, columns)[:-1])
    rows = [ROWS[key][0] for key in (1, 2, 3, 15)]
    definition = _table(({"expectation": "in_set", "column": "src", "value_set": ["fb", "yt"]},))
    with pytest.raises(GateError, match=r"in_set:src: GX 2, marked 1"):
        quality.run_gate(_frame(spark, rows), definition, ["id"], 1.0)


@pytest.mark.spark
def test_gx_writes_nothing_and_stays_offline(gate: quality.GateResult) -> None:
    root = Path(__file__).resolve().parents[1]
    assert not (root / "gx").exists() and not (root / "great_expectations").exists()
    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"
