"""Write-audit-publish quality gate over Great Expectations 1.x.

Every table lists its expectations in `schemas/tables/<name>.yaml` (`expectations:`), in the small
vocabulary documented in `docs/quality.md`. `run_gate` compiles that list into a real GX
`ExpectationSuite`, validates the batch DataFrame through an ephemeral GX context (a Spark data
source over the frame, one `ValidationDefinition` run for the whole suite) and splits the batch
into the rows that passed every row-level expectation and the rows that failed (with the ids of the
expectations they failed). `enforce` turns a verdict over the allowed failure rate into
`GateBreach`, so that a job publishes nothing.

Failing rows are identified by GX's own unexpected index output (`unexpected_index_column_names` =
the batch's key columns; GX returns the checked values beside them) and marked with a broadcast,
null-safe join on key + checked values, so duplicates of a key are judged by their own values.
Where GX returns no index output, the same condition is evaluated in Spark. Either way each
expectation's marked row count is cross-checked against GX's `unexpected_count`; a mismatch raises
`GateError` instead of publishing a wrong split.

GX is imported lazily (importing it costs seconds) and never writes a file or phones home: the
context is ephemeral and analytics are disabled before the import.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from socialbeat.tables import TableDef

# Must be set before great_expectations is imported (it is imported lazily, in _gx()).
os.environ["GX_ANALYTICS_ENABLED"] = "false"

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

log = logging.getLogger(__name__)

FAILED_COLUMN = "failed_expectations"
_BROADCAST_MAX_ROWS = 500_000  # failing (key + values) rows of one expectation broadcast to the join
_DERIVED_PREFIX = "__gate_"
_GATE_ID = "gate_id"
# GX keeps its current context in a module-level project manager, so two gates validating at once in
# one process (two jobs in threads) would use each other's context: one validation at a time.
_GX_LOCK = threading.Lock()

VOCABULARY: dict[str, str] = {
    "not_null": "ExpectColumnValuesToNotBeNull (one per column)",
    "unique": "ExpectColumnValuesToBeUnique (one column) / ExpectCompoundColumnsToBeUnique",
    "in_set": "ExpectColumnValuesToBeInSet",
    "length_between": "ExpectColumnValueLengthsToBeBetween",
    "between": "ExpectColumnValuesToBeBetween",
    "not_match_regex": "ExpectColumnValuesToNotMatchRegexList",
    "column_pair_sum_equal": "ExpectColumnPairValuesToBeEqual (derived sum column vs `equals`)",
    "schema": "ExpectTableColumnsToMatchOrderedList + column type check",
}

# Keys each vocabulary item accepts besides `expectation` and `id`.
_ALLOWED_KEYS: dict[str, set[str]] = {
    "not_null": {"column", "columns"},
    "unique": {"column", "columns"},
    "in_set": {"column", "value_set", "value_set_from"},
    "length_between": {"column", "min", "max"},
    "between": {"column", "min", "max", "min_param", "max_param", "strict_min", "strict_max"},
    "not_match_regex": {"column", "regex", "regex_from"},
    "column_pair_sum_equal": {"columns", "equals"},
    "schema": set(),
}


class QualityConfigError(ValueError):
    """A table's `expectations:` list does not fit the vocabulary."""


class GateError(RuntimeError):
    """The gate itself could not produce a trustworthy verdict (not a data-quality breach)."""


class GateBreach(RuntimeError):
    """A batch failed its quality gate: nothing of it may be published."""

    def __init__(self, message: str, result: GateResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Rule:
    """One compiled expectation of a table, before it is bound to a batch."""

    id: str
    expectation: str
    columns: tuple[str, ...]
    row_level: bool
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> list[str]:
        """Run-time parameter names this rule needs."""
        return [self.options[k] for k in ("min_param", "max_param") if self.options.get(k)]


@dataclass
class GateResult:
    table: str
    rows: int
    failed_rows: int
    failure_rate: float
    by_expectation: dict[str, int]
    table_failures: list[str]
    passed: DataFrame
    failed: DataFrame
    max_failure_rate: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)  # expectation id -> detail, for failures
    _batch: DataFrame | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.table_failures and self.failure_rate <= self.max_failure_rate

    def release(self) -> None:
        """Unpersist the gated batch; call once `passed` and `failed` are written."""
        if self._batch is not None:
            self._batch.unpersist()

    def summary(self) -> str:
        top = sorted(self.by_expectation.items(), key=lambda kv: (-kv[1], kv[0]))
        worst = ", ".join(f"{k}={v}" for k, v in top if v) or "none"
        text = (
            f"{self.table}: {self.failed_rows}/{self.rows} rows failed ({self.failure_rate:.2%}, "
            f"max {self.max_failure_rate:.2%}); top failing expectations: {worst}"
        )
        if self.table_failures:
            details = "; ".join(f"{t} ({self.notes.get(t, 'failed')})" for t in self.table_failures)
            text += f"; table-level failures: {details}"
        return text


# --------------------------------------------------------------------------------------------------
# Vocabulary: YAML dicts -> rules (pure Python, no Spark or GX needed)


def parse_expectations(table: TableDef) -> list[Rule]:
    """Compile a table's `expectations:` list into rules; raise QualityConfigError when it is wrong."""
    rules: list[Rule] = []
    for index, spec in enumerate(table.expectations):
        where = f"{table.name} expectations[{index}]"
        if not isinstance(spec, Mapping) or "expectation" not in spec:
            raise QualityConfigError(f"{where}: each item needs an `expectation:` key, got {spec!r}")
        name = spec["expectation"]
        if name not in _ALLOWED_KEYS:
            raise QualityConfigError(f"{where}: unknown expectation {name!r}; known: {sorted(VOCABULARY)}")
        unknown = set(spec) - _ALLOWED_KEYS[name] - {"expectation", "id"}
        if unknown:
            raise QualityConfigError(f"{where}: {name} does not take {sorted(unknown)}")
        try:
            rules.extend(_PARSERS[name](table, dict(spec)))
        except QualityConfigError as exc:
            raise QualityConfigError(f"{where}: {exc}") from None
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise QualityConfigError(f"{table.name}: duplicate expectation ids {duplicates} (set `id:`)")
    types = {c.name: c.type.strip().lower() for c in table.columns}
    for rule in rules:
        missing = [c for c in rule.columns if c not in types]
        if missing:
            raise QualityConfigError(f"{table.name}: {rule.id} names unknown columns {missing}")
        wanted = _COLUMN_TYPES.get(rule.expectation)
        if wanted and not types[rule.columns[0]].startswith(wanted):
            # GX on Spark would not complain: `between` on a string column silently passes.
            raise QualityConfigError(
                f"{table.name}: {rule.id} needs a column of type {'/'.join(wanted)}, "
                f"{rule.columns[0]} is {types[rule.columns[0]]}"
            )
    return rules


_NUMERIC = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal", "date", "timestamp")
_COLUMN_TYPES: dict[str, tuple[str, ...]] = {
    "between": _NUMERIC,
    "length_between": ("string",),
    "not_match_regex": ("string",),
}


def _columns(spec: dict[str, Any], *, single: bool = False) -> list[str]:
    if "column" in spec and "columns" in spec:
        raise QualityConfigError("give `column` or `columns`, not both")
    value = spec.get("column", spec.get("columns"))
    cols = [value] if isinstance(value, str) else list(value or [])
    if not cols or not all(isinstance(c, str) for c in cols):
        raise QualityConfigError(f"{spec['expectation']} needs `column` (or `columns`)")
    if single and len(cols) != 1:
        raise QualityConfigError(f"{spec['expectation']} takes exactly one `column`")
    return cols


def _parse_not_null(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    if "id" in spec:
        raise QualityConfigError("not_null makes one expectation per column: ids are not_null:<column>")
    return [Rule(f"not_null:{c}", "not_null", (c,), True) for c in _columns(spec)]


def _parse_unique(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    cols = tuple(_columns(spec))
    return [Rule(spec.get("id") or f"unique:{','.join(cols)}", "unique", cols, True)]


def _parse_in_set(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    (col,) = _columns(spec, single=True)
    if ("value_set" in spec) == ("value_set_from" in spec):
        raise QualityConfigError("in_set needs exactly one of `value_set` and `value_set_from`")
    values = spec["value_set"] if "value_set" in spec else _value_set_from(table, spec["value_set_from"])
    if not isinstance(values, list) or not values:
        raise QualityConfigError("in_set needs a non-empty list of values")
    return [Rule(spec.get("id") or f"in_set:{col}", "in_set", (col,), True, {"value_set": list(values)})]


def _value_set_from(table: TableDef, source: str) -> list[Any]:
    if source == "contracts.sources":
        from socialbeat.contracts import load_contracts

        return list(load_contracts().source_names)
    if source in table.extra:
        value = table.extra[source]
        return list(value) if isinstance(value, Mapping | list) else [value]
    raise QualityConfigError(
        f"value_set_from: {source!r} is neither `contracts.sources` nor a key of the table YAML "
        f"(keys: {sorted(table.extra)})"
    )


def _parse_length_between(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    (col,) = _columns(spec, single=True)
    bounds = {k: spec[k] for k in ("min", "max") if spec.get(k) is not None}
    if not bounds or not all(isinstance(v, int) for v in bounds.values()):
        raise QualityConfigError("length_between needs integer `min` and/or `max`")
    return [Rule(spec.get("id") or f"length_between:{col}", "length_between", (col,), True, bounds)]


def _parse_between(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    (col,) = _columns(spec, single=True)
    for side in ("min", "max"):
        if spec.get(side) is not None and spec.get(f"{side}_param"):
            raise QualityConfigError(f"between takes `{side}` or `{side}_param`, not both")
    options = {k: spec[k] for k in _ALLOWED_KEYS["between"] - {"column"} if spec.get(k) is not None}
    if not {"min", "max", "min_param", "max_param"} & set(options):
        raise QualityConfigError("between needs a bound: `min`, `max`, `min_param` or `max_param`")
    return [Rule(spec.get("id") or f"between:{col}", "between", (col,), True, options)]


def _parse_not_match_regex(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    (col,) = _columns(spec, single=True)
    if ("regex" in spec) == ("regex_from" in spec):
        raise QualityConfigError("not_match_regex needs exactly one of `regex` and `regex_from`")
    if "regex" in spec:
        patterns = [spec["regex"]] if isinstance(spec["regex"], str) else list(spec["regex"])
    elif spec["regex_from"] == "pii":
        patterns = pii_patterns()
    else:
        raise QualityConfigError(f"regex_from: {spec['regex_from']!r} is unknown (only `pii`)")
    if not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise QualityConfigError("not_match_regex needs non-empty regex strings")
    rule_id = spec.get("id") or f"not_match_regex:{col}"
    return [Rule(rule_id, "not_match_regex", (col,), True, {"regex": patterns})]


def pii_patterns() -> list[str]:
    """The silver PII regexes, imported on first use from `socialbeat.silver.pii`.

    Reads `PII_PATTERNS` (name -> regex) when the module has it, else its `PATTERNS` tuple (objects
    with a `.regex`). The patterns are written to mean the same in Python and Java (Spark `rlike`).
    """
    try:
        from socialbeat.silver import pii
    except ImportError as exc:
        raise QualityConfigError(f"regex_from: pii needs socialbeat.silver.pii ({exc})") from None
    named = getattr(pii, "PII_PATTERNS", None)
    if isinstance(named, Mapping) and named:
        return [str(p) for p in named.values()]
    listed = getattr(pii, "PATTERNS", None)
    if listed and all(isinstance(getattr(p, "regex", None), str) for p in listed):
        return [p.regex for p in listed]
    raise QualityConfigError("socialbeat.silver.pii exposes neither PII_PATTERNS nor PATTERNS")


def _parse_column_pair_sum_equal(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    cols = _columns(spec)
    equals = spec.get("equals")
    if len(cols) < 2 or not isinstance(equals, str):
        raise QualityConfigError("column_pair_sum_equal needs two or more `columns` and `equals: <column>`")
    rule_id = spec.get("id") or f"column_pair_sum_equal:{'+'.join(cols)}={equals}"
    options = {"summands": cols, "equals": equals}
    return [Rule(rule_id, "column_pair_sum_equal", (*cols, equals), True, options)]


def _parse_schema(table: TableDef, spec: dict[str, Any]) -> list[Rule]:
    return [Rule(spec.get("id") or "schema", "schema", (), False)]


_PARSERS: dict[str, Callable[[TableDef, dict[str, Any]], list[Rule]]] = {
    "not_null": _parse_not_null,
    "unique": _parse_unique,
    "in_set": _parse_in_set,
    "length_between": _parse_length_between,
    "between": _parse_between,
    "not_match_regex": _parse_not_match_regex,
    "column_pair_sum_equal": _parse_column_pair_sum_equal,
    "schema": _parse_schema,
}


# --------------------------------------------------------------------------------------------------
# Rules -> GX expectations, and the same conditions in Spark (fallback marking / cross-checks)


def _derived_name(rule: Rule) -> str:
    return f"{_DERIVED_PREFIX}sum_{rule.options['equals']}"


def _derived_columns(rules: Sequence[Rule]) -> dict[str, Column]:
    from pyspark.sql import functions as F

    derived: dict[str, Column] = {}
    for rule in rules:
        if rule.expectation == "column_pair_sum_equal":
            total = F.col(rule.options["summands"][0])
            for name in rule.options["summands"][1:]:
                total = total + F.col(name)
            derived[_derived_name(rule)] = total
    return derived


def _bound(rule: Rule, side: str, params: Mapping[str, Any], *, gx: bool) -> Any:
    name = rule.options.get(f"{side}_param")
    if name:
        return {"$PARAMETER": name} if gx else params[name]
    return rule.options.get(side)


def _to_gx(rule: Rule, table_columns: list[str], derived: list[str]) -> Any:
    import great_expectations.expectations as gxe

    meta = {_GATE_ID: rule.id}
    kind = rule.expectation
    if kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=rule.columns[0], meta=meta)
    if kind == "unique":
        if len(rule.columns) == 1:
            return gxe.ExpectColumnValuesToBeUnique(column=rule.columns[0], meta=meta)
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(rule.columns), meta=meta)
    if kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(
            column=rule.columns[0], value_set=rule.options["value_set"], meta=meta
        )
    if kind == "length_between":
        return gxe.ExpectColumnValueLengthsToBeBetween(
            column=rule.columns[0],
            min_value=rule.options.get("min"),
            max_value=rule.options.get("max"),
            meta=meta,
        )
    if kind == "between":
        return gxe.ExpectColumnValuesToBeBetween(
            column=rule.columns[0],
            min_value=_bound(rule, "min", {}, gx=True),
            max_value=_bound(rule, "max", {}, gx=True),
            strict_min=bool(rule.options.get("strict_min", False)),
            strict_max=bool(rule.options.get("strict_max", False)),
            meta=meta,
        )
    if kind == "not_match_regex":
        return gxe.ExpectColumnValuesToNotMatchRegexList(
            column=rule.columns[0], regex_list=rule.options["regex"], meta=meta
        )
    if kind == "column_pair_sum_equal":
        return gxe.ExpectColumnPairValuesToBeEqual(
            column_A=_derived_name(rule),
            column_B=rule.options["equals"],
            ignore_row_if="neither",
            meta=meta,
        )
    if kind == "schema":
        return gxe.ExpectTableColumnsToMatchOrderedList(column_list=table_columns + derived, meta=meta)
    raise QualityConfigError(f"no GX mapping for {kind}")  # pragma: no cover - parse_expectations guards


def _unexpected_condition(rule: Rule, params: Mapping[str, Any]) -> Column:
    """The rows a row-level rule rejects, as a Spark condition (GX semantics: nulls are not checked
    except by not_null, and column_pair_sum_equal compares null-safely)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    kind = rule.expectation
    col = F.col(rule.columns[0])
    if kind == "not_null":
        return col.isNull()
    if kind == "unique":
        cols = [F.col(c) for c in rule.columns]
        any_present = cols[0].isNotNull()
        for c in cols[1:]:
            any_present = any_present | c.isNotNull()
        key = cols[0] if len(cols) == 1 else F.struct(*cols)
        dup = F.count(F.lit(1)).over(Window.partitionBy(key)) > 1
        return (col.isNotNull() if len(cols) == 1 else any_present) & dup
    if kind == "in_set":
        return col.isNotNull() & ~col.isin(rule.options["value_set"])
    if kind in ("length_between", "between"):
        value = F.length(col) if kind == "length_between" else col
        bad = F.lit(False)
        low, high = _bound(rule, "min", params, gx=False), _bound(rule, "max", params, gx=False)
        if low is not None:
            bad = bad | (value <= F.lit(low) if rule.options.get("strict_min") else value < F.lit(low))
        if high is not None:
            bad = bad | (value >= F.lit(high) if rule.options.get("strict_max") else value > F.lit(high))
        return col.isNotNull() & bad
    if kind == "not_match_regex":
        hit = F.lit(False)
        for pattern in rule.options["regex"]:
            hit = hit | col.rlike(pattern)
        return col.isNotNull() & hit
    if kind == "column_pair_sum_equal":
        return ~F.col(_derived_name(rule)).eqNullSafe(F.col(rule.options["equals"]))
    raise QualityConfigError(f"{rule.id} is not row-level")


# --------------------------------------------------------------------------------------------------
# The gate


def _gx() -> Any:
    import great_expectations as gx

    # GX logs every expectation's defaults at INFO: thousands of lines per batch.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return gx


def _schema_mismatch(frame: DataFrame, table: TableDef) -> str | None:
    """What differs between the frame's columns/types and the table definition (None: nothing)."""
    from pyspark.sql.types import _parse_datatype_string

    names = list(frame.columns)
    problems = []
    missing = [c for c in table.column_names if c not in names]
    extra = [c for c in names if c not in table.column_names]
    if missing:
        problems.append(f"missing {missing}")
    if extra:
        problems.append(f"unexpected {extra}")
    if not missing and not extra and names != table.column_names:
        problems.append("columns in another order")
    for col in table.columns:
        if col.name in names:
            want = _parse_datatype_string(col.type).simpleString()
            got = frame.schema[col.name].dataType.simpleString()
            if want != got:
                problems.append(f"{col.name} is {got}, expected {want}")
    return "; ".join(problems) or None


def _index_keys(result: Any, columns: Sequence[str]) -> list[tuple[Any, ...]] | None:
    """The `columns` values of every failing row in a GX result's `unexpected_index_list`
    (index columns + the expectation's domain columns); None when GX gave no index list."""
    index = (result.result or {}).get("unexpected_index_list")
    if index is None:
        return None
    if not index:
        return []
    missing = [c for c in columns if c not in index[0]]
    if missing:
        raise GateError(f"GX's unexpected index rows lack {missing}: {sorted(index[0])}")
    return [tuple(row[c] for c in columns) for row in index]


def _raised(result: Any) -> str | None:
    """The exception message of a GX result that could not be computed, else None."""
    info = result.exception_info or {}
    found = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, Mapping)]
    for item in found:
        if item.get("raised_exception"):
            return str(item.get("exception_message") or "unknown error")
    return None


def _domain_columns(rule: Rule) -> list[str]:
    """The batch columns GX checks for a row-level rule (and returns beside the index columns)."""
    if rule.expectation == "column_pair_sum_equal":
        return [_derived_name(rule), rule.options["equals"]]
    return list(rule.columns)


def _mark(
    batch: DataFrame,
    marks: Mapping[tuple[str, ...], list[tuple[Any, ...]]],
    fallback: Sequence[Rule],
    params: Mapping[str, Any],
) -> DataFrame:
    """The batch plus `__marks` (array of failed expectation ids, possibly empty).

    GX's failing (key + domain value) rows are joined back null-safely on those columns: a row is
    marked only when its key and its checked values equal a failing row's, so rows that merely share
    a key (e.g. duplicates of one item) are judged by their own values. Rules without index output
    are marked with the same condition evaluated in Spark.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    spark = batch.sparkSession
    empty_array = F.array().cast(ArrayType(StringType()))
    marked = batch
    arrays = []
    for group, (columns, entries) in enumerate(marks.items()):
        if not entries:
            continue
        # Collapse to one row per failing (key + values) with its rule ids: a small frame, broadcast.
        by_values: dict[tuple[Any, ...], set[str]] = {}
        for entry in entries:
            by_values.setdefault(entry[:-1], set()).add(entry[-1])
        names = [f"__g{group}k{i}" for i in range(len(columns))]
        schema = StructType(
            [StructField(n, batch.schema[c].dataType) for n, c in zip(names, columns, strict=True)]
            + [StructField(f"__g{group}", ArrayType(StringType()))]
        )
        bad = spark.createDataFrame([(*k, sorted(v)) for k, v in by_values.items()], schema)
        if len(by_values) <= _BROADCAST_MAX_ROWS:
            bad = F.broadcast(bad)
        condition = None
        for name, column in zip(names, columns, strict=True):
            term = marked[column].eqNullSafe(bad[name])
            condition = term if condition is None else condition & term
        marked = marked.join(bad, condition, "left").drop(*names)
        arrays.append(F.coalesce(F.col(f"__g{group}"), empty_array))
    if fallback:
        log.info("marking %s with Spark conditions (no GX index output)", [r.id for r in fallback])
    arrays += [
        F.when(_unexpected_condition(r, params), F.array(F.lit(r.id))).otherwise(empty_array)
        for r in fallback
    ]
    combined = F.concat(*arrays) if arrays else empty_array
    return marked.withColumn("__marks", F.array_sort(F.array_distinct(combined)))


def _validate(
    batch: DataFrame,
    table: TableDef,
    rules: Sequence[Rule],
    derived: list[str],
    key_columns: Sequence[str],
    params: Mapping[str, Any],
    detailed: bool = True,
) -> Any:
    """One GX suite run over the batch: ephemeral context, Spark data source, whole-frame batch.

    `detailed=False` asks for verdicts only (BOOLEAN_ONLY: GX folds the unexpected counts of all
    row-level expectations into one aggregation); `detailed=True` also returns each failing row's key
    and values, at the price of a few scans per expectation.
    """
    with _GX_LOCK:
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = context.data_sources.add_spark(name="socialbeat", persist=False)  # the gate persists
        asset = source.add_dataframe_asset(name=table.name)
        batch_definition = asset.add_batch_definition_whole_dataframe("batch")
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=f"{table.name}.gate",
                expectations=[_to_gx(r, table.column_names, derived) for r in rules],
            )
        )
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{table.name}.gate", data=batch_definition, suite=suite)
        )
        return validation.run(
            batch_parameters={"dataframe": batch},
            expectation_parameters=dict(params),
            result_format={"result_format": "BOOLEAN_ONLY"}
            if not detailed
            else {
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(key_columns),
                # exclude_unexpected_values would cost GX one more Spark job per expectation (isEmpty).
                "return_unexpected_index_query": False,
            },
        )


@dataclass
class _Verdicts:
    """What the GX results say, per rule."""

    rows: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # row-level rule id -> GX unexpected_count
    marks: dict[tuple[str, ...], list[tuple[Any, ...]]] = field(default_factory=dict)
    fallback: list[Rule] = field(default_factory=list)  # row-level rules without index output


def _comparable(data_type: Any) -> bool:
    """Whether Spark can join on a column of this type (maps cannot be compared)."""
    from pyspark.sql.types import ArrayType, MapType, StructType

    if isinstance(data_type, MapType):
        return False
    if isinstance(data_type, ArrayType):
        return _comparable(data_type.elementType)
    if isinstance(data_type, StructType):
        return all(_comparable(f.dataType) for f in data_type.fields)
    return True


def _read_results(
    outcome: _Outcome,
    rules: Sequence[Rule],
    batch: DataFrame,
    key_columns: Sequence[str],
    table_failures: list[str],
    notes: dict[str, str],
) -> _Verdicts:
    verdicts = _Verdicts()
    by_id = outcome.results
    for rule in rules:
        result = by_id.get(rule.id)
        if result is None:
            raise GateError(f"GX returned no result for {rule.id} (suite {outcome.suite_name})")
        error = _raised(result)
        if error is not None:
            table_failures.append(rule.id)
            notes[rule.id] = f"GX could not evaluate it: {error}"
        elif not rule.row_level:
            if not result.success and rule.id not in table_failures:
                table_failures.append(rule.id)
                notes.setdefault(rule.id, f"observed {result.result.get('observed_value')}")
        elif rule.id not in outcome.detailed:
            if not result.success:
                raise GateError(f"{rule.id} failed but GX returned no detail for it")
            verdicts.counts[rule.id] = 0
        else:
            verdicts.rows = result.result.get("element_count", verdicts.rows)
            verdicts.counts[rule.id] = int(result.result.get("unexpected_count") or 0)
            # Join back on key + checked values (a map value cannot be joined on: key only).
            domain = [c for c in _domain_columns(rule) if c not in key_columns]
            columns = (*key_columns, *(c for c in domain if _comparable(batch.schema[c].dataType)))
            found = _index_keys(result, columns)
            if found is None:
                verdicts.fallback.append(rule)
            else:
                verdicts.marks.setdefault(columns, []).extend((*values, rule.id) for values in found)
    return verdicts


def _split(
    batch: DataFrame, columns: list[str], verdicts: _Verdicts, params: Mapping[str, Any], table: str
) -> tuple[DataFrame, int]:
    """The batch's `columns` + FAILED_COLUMN (null when the row passed), persisted, and the number of
    failing rows; each rule's marked rows are counted against GX's unexpected_count."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    marked = (
        _mark(batch, verdicts.marks, verdicts.fallback, params)
        .select(
            *columns,
            F.when(F.size("__marks") > 0, F.col("__marks")).otherwise(F.lit(None)).alias(FAILED_COLUMN),
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    ids = list(verdicts.counts)
    counted = marked.agg(
        F.count(F.when(F.col(FAILED_COLUMN).isNotNull(), 1)).alias("__failed"),
        *[F.count(F.when(F.array_contains(FAILED_COLUMN, i), 1)).alias(f"__n{n}") for n, i in enumerate(ids)],
    ).first()
    assert counted is not None
    mismatched = {
        rule_id: (verdicts.counts[rule_id], int(counted[f"__n{n}"]))
        for n, rule_id in enumerate(ids)
        if int(counted[f"__n{n}"]) != verdicts.counts[rule_id]
    }
    if mismatched:
        marked.unpersist()
        detail = ", ".join(f"{k}: GX {g}, marked {m}" for k, (g, m) in mismatched.items())
        raise GateError(
            f"{table}: failing rows marked from GX's unexpected index output disagree with GX's "
            f"unexpected counts ({detail}); nothing is split"
        )
    return marked, int(counted["__failed"])


@dataclass
class _Outcome:
    """GX results by gate id: detailed for the row-level rules that failed, verdicts for the rest."""

    suite_name: str
    results: dict[str, Any]
    detailed: set[str]


def _two_pass(
    batch: DataFrame,
    table: TableDef,
    rules: Sequence[Rule],
    derived: list[str],
    key_columns: Sequence[str],
    params: Mapping[str, Any],
) -> _Outcome:
    """Verdicts for the whole suite first (one aggregation over the batch), then the failing rows of
    the row-level rules that failed. A clean batch, the usual case, costs one pass."""
    outcome = _Outcome(f"{table.name}.gate", {}, set())
    if not rules:
        return outcome

    def collect(run: Any) -> None:
        outcome.results.update({r.expectation_config.meta.get(_GATE_ID): r for r in run.results})

    collect(_validate(batch, table, rules, derived, key_columns, params, detailed=False))
    failing = [
        rule
        for rule in rules
        if rule.row_level and rule.id in outcome.results and not outcome.results[rule.id].success
    ]
    if failing:
        collect(_validate(batch, table, failing, derived, key_columns, params, detailed=True))
        outcome.detailed = {rule.id for rule in failing}
    return outcome


def run_gate(
    frame: DataFrame,
    table: TableDef,
    key_columns: list[str],
    max_failure_rate: float,
    params: dict[str, Any] | None = None,
) -> GateResult:
    """Validate `frame` against `table`'s expectations with GX and split it into passed/failed rows.

    `key_columns` are GX's unexpected index columns; failing rows are found again by their key and
    their checked values, so a key that repeats (duplicates) is fine. `params` binds the
    `min_param`/`max_param` bounds of `between`. The gated batch stays persisted until
    `GateResult.release()`.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StringType

    params = dict(params or {})
    rules = parse_expectations(table)
    missing_keys = [k for k in key_columns if k not in frame.columns]
    if not key_columns or missing_keys:
        raise ValueError(f"{table.name}: key columns {key_columns} are not all in the frame")
    needed = sorted({p for r in rules for p in r.params} - set(params))
    if needed:
        raise ValueError(f"{table.name}: expectations need run-time params {needed}")

    table_failures: list[str] = []
    notes: dict[str, str] = {}
    for rule in rules:
        if rule.expectation == "schema":
            mismatch = _schema_mismatch(frame, table)
            if mismatch:
                table_failures.append(rule.id)
                notes[rule.id] = mismatch
    # A rule over a column the frame lacks cannot run: a table-level failure, not a GX error.
    runnable: list[Rule] = []
    for rule in rules:
        absent = [c for c in rule.columns if c not in frame.columns]
        if absent:
            table_failures.append(rule.id)
            notes[rule.id] = f"frame lacks columns {absent}"
        else:
            runnable.append(rule)

    columns = list(frame.columns)
    derived = _derived_columns(runnable)
    batch = (frame.withColumns(derived) if derived else frame).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        outcome = _two_pass(batch, table, runnable, list(derived), key_columns, params)
        verdicts = _read_results(outcome, runnable, batch, key_columns, table_failures, notes)
        rows = verdicts.rows if verdicts.rows is not None else batch.count()
        if any(verdicts.counts.values()) or verdicts.fallback:
            marked, failed_rows = _split(batch, columns, verdicts, params, table.name)
            batch.unpersist()  # `marked`, materialised by the count, holds the batch from here on
            passed = marked.filter(F.col(FAILED_COLUMN).isNull()).drop(FAILED_COLUMN)
            failed = marked.filter(F.col(FAILED_COLUMN).isNotNull())
            cached = marked
        else:
            failed_rows, cached = 0, batch
            passed = batch.select(*columns)
            empty = F.array().cast(ArrayType(StringType()))
            failed = batch.select(*columns).limit(0).withColumn(FAILED_COLUMN, empty)
    except BaseException:
        batch.unpersist()
        raise

    result = GateResult(
        table=table.name,
        rows=rows,
        failed_rows=failed_rows,
        failure_rate=failed_rows / rows if rows else 0.0,
        by_expectation=verdicts.counts,
        table_failures=table_failures,
        passed=passed,
        failed=failed,
        max_failure_rate=max_failure_rate,
        notes=notes,
        _batch=cached,
    )
    log.info("quality gate %s: %s", "passed" if result.ok else "BREACHED", result.summary())
    return result


def enforce(result: GateResult) -> GateResult:
    """Return `result` when the batch may be published; raise GateBreach otherwise."""
    if not result.ok:
        raise GateBreach(f"quality gate breached for {result.summary()}", result)
    return result
