"""The daily HTML briefing: one self-contained page (inline CSS, charts as inline PNG) in Vietnamese.

`socialbeat report --date 2024-03-11 [--district "Quận Bình Thạnh"] [--agency sgtvt]` reads the gold
tables of that Vietnam date through delta-rs (no Spark), filters them to the district or the
agency's categories and units, and writes the page. Sections: volume by hour, sentiment by category,
district x category heat table, open alerts with masked example posts, trending terms, campaigns,
top accounts, model versions and data-quality counts (bronze and silver quarantine).
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from socialbeat.gold.aggregates import ALL
from socialbeat.gold.frames import read_frame
from socialbeat.settings import Settings, resolve_location
from socialbeat.taxonomy import CATEGORY_LABELS_VI

SENTIMENT_VI = {"negative": "Tiêu cực", "neutral": "Trung tính", "positive": "Tích cực"}
SENTIMENT_COLOURS = {"negative": "#d64541", "neutral": "#b0b7c3", "positive": "#2e9e5b"}
SEVERITY_VI = {"critical": "Khẩn cấp", "high": "Cao", "medium": "Trung bình", "low": "Thấp"}
REPORTS_DIR = "reports"
STYLE = """
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:24px auto;max-width:1180px;color:#1d2733;
background:#fff}h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #1f5f99;
padding-bottom:4px;margin-top:30px;color:#1f5f99}.muted{color:#5d6b7a;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border:1px solid #d5dbe3;
padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef3f8}td.n{text-align:right}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1;min-width:150px;border:1px solid #d5dbe3;
border-radius:6px;padding:10px;background:#f7f9fc}.card b{display:block;font-size:24px;color:#1f5f99}
.sev-critical{background:#d64541;color:#fff}.sev-high{background:#f08a24;color:#fff}
.sev-medium{background:#f6d155}.sev-low{background:#e3e8ef}.post{font-style:italic;color:#37414d}
table.heat{font-size:11px;table-layout:fixed}table.heat th{font-weight:normal}
img{max-width:100%}
"""


@dataclass(frozen=True)
class Scope:
    """What the briefing covers: the whole city, one district, or an agency's categories and units."""

    title: str
    categories: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()

    def keep_category(self, values: pd.Series) -> pd.Series:
        return values.isin(self.categories) if self.categories else pd.Series(True, index=values.index)

    def keep_district(self, values: pd.Series) -> pd.Series:
        return values.isin(self.districts) if self.districts else pd.Series(True, index=values.index)


def scope_for(settings: Settings, district: str | None, agency: str | None) -> Scope:
    if agency:
        found = settings.gold.agency(agency)
        districts = tuple(found.districts) + ((district,) if district else ())
        return Scope(found.name + (f" — {district}" if district else ""), tuple(found.categories), districts)
    if district:
        return Scope(district, (), (district,))
    return Scope("Toàn thành phố")


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def volume_chart(mentions: pd.DataFrame) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = (
        mentions.groupby(["hour", "sentiment"]).size().unstack(fill_value=0).reindex(range(24), fill_value=0)
    )
    figure, axis = plt.subplots(figsize=(10.5, 3.2))
    bottom = pd.Series(0, index=counts.index)
    for label in ("negative", "neutral", "positive"):
        values = counts[label] if label in counts else pd.Series(0, index=counts.index)
        axis.bar(
            counts.index, values, bottom=bottom, color=SENTIMENT_COLOURS[label], label=SENTIMENT_VI[label]
        )
        bottom = bottom + values
    axis.set_xlabel("Giờ (giờ Việt Nam)")
    axis.set_ylabel("Số bài / bình luận")
    axis.set_xticks(range(24))
    axis.legend(loc="upper left", frameon=False, ncols=3)
    axis.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def sentiment_chart(bridge: pd.DataFrame) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = bridge.groupby(["category", "sentiment"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(SENTIMENT_VI), fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values().index]
    figure, axis = plt.subplots(figsize=(10.5, max(2.0, 0.38 * len(counts) + 0.8)))
    left = pd.Series(0, index=counts.index)
    labels = [CATEGORY_LABELS_VI.get(c, c) for c in counts.index]
    for label in SENTIMENT_VI:
        axis.barh(labels, counts[label], left=left, color=SENTIMENT_COLOURS[label], label=SENTIMENT_VI[label])
        left = left + counts[label]
    axis.set_xlabel("Số đề cập (mentions)")
    axis.legend(loc="lower right", frameon=False, ncols=3)
    axis.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def _table(frame: pd.DataFrame, numeric: tuple[str, ...] = (), raw: tuple[str, ...] = ()) -> str:
    if frame.empty:
        return '<p class="muted">Không có dữ liệu (no rows).</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = str(value) if column in raw else html.escape("" if value is None else str(value))
            cells.append(f'<td class="n">{text}</td>' if column in numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def heat_table(bridge: pd.DataFrame) -> str:
    if bridge.empty:
        return _table(bridge)
    pivot = bridge.groupby(["district", "category"]).size().unstack(fill_value=0)
    pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False).index]
    peak = max(1, int(pivot.to_numpy().max()))
    head = "".join(f"<th>{html.escape(CATEGORY_LABELS_VI.get(c, c))}<br><span class='muted'>{c}</span></th>"
                   for c in pivot.columns)  # fmt: skip
    rows = []
    for district, values in pivot.iterrows():
        cells = []
        for value in values:
            alpha = 0.08 + 0.85 * int(value) / peak if value else 0
            style = f' style="background:rgba(214,69,65,{alpha:.2f})"' if value else ""
            cells.append(f'<td class="n"{style}>{int(value) or ""}</td>')
        rows.append(f"<tr><th>{html.escape(str(district))}</th>{''.join(cells)}</tr>")
    return f"<table class='heat'><tr><th>Quận / huyện (district)</th>{head}</tr>{''.join(rows)}</table>"


def _posts(ids: Any, texts: dict[str, str], limit: int = 3) -> str:
    shown = [
        f'<div class="post">“{html.escape(_short(texts[i]))}”</div>' for i in list(ids)[:limit] if i in texts
    ]
    return "".join(shown) or '<span class="muted">—</span>'


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alerts_section(alerts: pd.DataFrame, texts: dict[str, str]) -> str:
    """The day's alerts, open ones first, strongest first, with masked example posts."""
    open_count = int((alerts["status"] == "open").sum())
    note = f'<p class="muted">{open_count} đang mở, {len(alerts) - open_count} đã đóng (open / closed).</p>'
    if alerts.empty:
        return note + '<p class="muted">Không có cảnh báo.</p>'
    rows = alerts.assign(_closed=alerts["status"] != "open").sort_values(
        ["_closed", "p_value", "start_hour_vn"]
    )
    view = pd.DataFrame(
        {
            "Trạng thái (status)": [
                "Đang mở (open)" if s == "open" else "Đã đóng (closed)" for s in rows["status"]
            ],
            "Mức độ (severity)": [
                f'<span class="sev-{s}" style="padding:1px 6px">{SEVERITY_VI.get(s, s)}</span>'
                for s in rows["severity"]
            ],
            "Lĩnh vực (category)": [CATEGORY_LABELS_VI.get(c, c) for c in rows["category"]],
            "Địa bàn (district)": rows["district"],
            "Bắt đầu (start)": pd.to_datetime(rows["start_hour_vn"]).dt.strftime("%H:%M"),
            "Số đề cập / kỳ vọng": [
                f"{v} / {e:.1f}" for v, e in zip(rows["peak_volume"], rows["expected"], strict=True)
            ],
            "Từ khóa (driving terms)": [", ".join(t) for t in rows["driving_terms"]],
            "Bài ví dụ (masked posts)": [_posts(ids, texts) for ids in rows["example_mention_ids"]],
        }
    )
    return note + _table(view, raw=("Mức độ (severity)", "Bài ví dụ (masked posts)"))


def trending_section(trending: pd.DataFrame, scope: Scope) -> str:
    if trending.empty:
        return _table(trending)
    categories = [c for c in trending["category"].unique() if c != ALL]
    order = ([ALL] if not scope.categories else []) + sorted(
        categories, key=lambda c: -trending.loc[trending["category"] == c, "mentions"].sum()
    )[:6]
    parts = []
    for category in order:
        top = trending[trending["category"] == category].sort_values("rank").head(10)
        label = "Tất cả (all)" if category == ALL else CATEGORY_LABELS_VI.get(str(category), str(category))
        shown = zip(top["term"], top["mentions"], top["growth"], strict=True)
        terms = ", ".join(f"{html.escape(t)} <span class='muted'>({m}, ×{g:.1f})</span>" for t, m, g in shown)
        parts.append(f"<tr><th>{html.escape(label)}</th><td>{terms}</td></tr>")
    return ("<table><tr><th>Lĩnh vực (category)</th><th>Cụm từ nổi bật (term, mentions, growth)</th></tr>"
            + "".join(parts) + "</table>")  # fmt: skip


def campaigns_section(campaigns: pd.DataFrame) -> str:
    if campaigns.empty:
        return '<p class="muted">Không phát hiện chiến dịch nào.</p>'
    rows = campaigns.sort_values("peak_window_authors", ascending=False).head(15)
    view = pd.DataFrame(
        {
            "Loại (kind)": rows["kind"],
            "Lĩnh vực (category)": [CATEGORY_LABELS_VI.get(c, c or "—") for c in rows["category"]],
            "Xuất hiện (first_seen)": pd.to_datetime(rows["first_seen"]).dt.strftime("%d/%m %H:%M"),
            "Tài khoản (authors)": rows["authors"],
            "Tốc độ (authors/h)": rows["spread_rate"].round(1),
            "Dấu vết PII lặp (recurring_pii)": [
                ", ".join(f"{p['type']} …{p['fingerprint'][-8:]} ×{p['mentions']}" for p in list(r)[:3])
                for r in rows["recurring_pii"]
            ],
            "Nội dung (masked)": [_short(t or "") for t in rows["example_text"]],
        }
    )
    return _table(view, numeric=("Tài khoản (authors)", "Tốc độ (authors/h)"))


def quality_section(settings: Settings, day: date, mentions: pd.DataFrame) -> str:
    """Model versions seen that day, and the data-quality counts of its crawl hours (UTC)."""
    start = datetime.combine(day, time()) - timedelta(hours=7)
    hours = [start + timedelta(hours=i) for i in range(24)]
    wanted = {(h.date(), h.hour) for h in hours}
    dates = sorted({h.date() for h in hours})

    def of_day(name: str, columns: list[str]) -> pd.DataFrame:
        frame = read_frame(settings, name, [("crawl_date", "in", dates)], columns)
        if frame.empty:
            return frame
        keys = zip(pd.to_datetime(frame["crawl_date"]).dt.date, frame["crawl_hour"], strict=True)
        return frame[[k in wanted for k in keys]]

    log = of_day(
        "bronze.ingest_log", ["crawl_date", "crawl_hour", "lines_read", "bronze_rows", "quarantined_rows"]
    )
    bronze_q = of_day("bronze.quarantine", ["crawl_date", "crawl_hour", "reason"])
    silver_q = of_day("silver.quarantine", ["crawl_date", "crawl_hour", "failed_expectations"])
    versions = sorted({f"{k}: {v}" for m in mentions["model_versions"] for k, v in dict(m).items()})
    reasons = ", ".join(f"{r} {n}" for r, n in bronze_q["reason"].value_counts().items()) or "—"
    failed = pd.Series([e for row in silver_q["failed_expectations"] for e in row], dtype=object)
    expectations = ", ".join(f"{e} {n}" for e, n in failed.value_counts().items()) or "—"
    rows = pd.DataFrame(
        [
            ("Phiên bản mô hình (model_versions)", "<br>".join(html.escape(v) for v in versions) or "—"),
            ("Dòng thu thập (landing lines read)", int(log["lines_read"].sum()) if not log.empty else 0),
            ("Bronze: dòng hợp lệ (bronze_rows)", int(log["bronze_rows"].sum()) if not log.empty else 0),
            ("Bronze: cách ly (bronze.quarantine)", f"{len(bronze_q)} — {html.escape(reasons)}"),
            ("Silver: cách ly (silver.quarantine)", f"{len(silver_q)} — {html.escape(expectations)}"),
        ],
        columns=["Chỉ số (metric)", "Giá trị (value)"],
    )
    note = f'<p class="muted">Giờ thu thập (UTC) {hours[0]:%d/%m %H}h – {hours[-1]:%d/%m %H}h.</p>'
    return note + _table(rows, raw=("Giá trị (value)",))


def render(settings: Settings, day: date, scope: Scope) -> str:
    """The briefing's HTML for one Vietnam date and scope."""
    on_day = [("created_date", "=", day)]
    mentions = read_frame(settings, "gold.mentions", on_day)
    mentions = mentions[scope.keep_district(mentions["district"])]
    if scope.categories:
        mentions = mentions[[bool(set(c) & set(scope.categories)) for c in mentions["categories"]]]
    bridge = read_frame(settings, "gold.mention_categories", on_day)
    bridge = bridge[scope.keep_category(bridge["category"]) & scope.keep_district(bridge["district"])]
    alerts = read_frame(settings, "gold.alerts", [("alert_date", "=", day)])
    alerts = alerts[scope.keep_category(alerts["category"]) & scope.keep_district(alerts["district"])]
    example_ids = {i for ids in alerts["example_mention_ids"] for i in ids}
    texts = dict(zip(mentions["mention_id"], mentions["text_display"], strict=True))
    if example_ids - set(texts):
        everything = read_frame(settings, "gold.mentions", on_day, ["mention_id", "text_display"])
        texts.update(dict(zip(everything["mention_id"], everything["text_display"], strict=True)))
    trending = read_frame(settings, "gold.trending_terms", on_day)
    trending = trending[scope.keep_category(trending["category"]) | (trending["category"] == ALL)]
    if scope.categories:
        trending = trending[trending["category"] != ALL]
    campaigns = read_frame(settings, "gold.campaigns", [("first_date", "=", day)])
    campaigns = campaigns[scope.keep_category(campaigns["category"])]
    if scope.districts:
        campaigns = campaigns[[bool(set(d) & set(scope.districts)) for d in campaigns["districts"]]]
    civic = int((mentions["categories"].map(len) > 0).sum()) if not mentions.empty else 0
    negative = float((mentions["sentiment"] == "negative").mean()) if not mentions.empty else 0.0
    open_count = int((alerts["status"] == "open").sum())
    cards = [("Đề cập (mentions)", f"{len(mentions):,}"), ("Về vấn đề dân sinh (civic)", f"{civic:,}"),
             ("Tiêu cực (negative)", f"{negative:.0%}"), ("Cảnh báo mở (open alerts)", str(open_count)),
             ("Chiến dịch (campaigns)", str(len(campaigns)))]  # fmt: skip
    sections = [
        ("Khối lượng theo giờ (volume by hour)", volume_chart(mentions)),
        ("Cảm xúc theo lĩnh vực (sentiment by category)",
         sentiment_chart(bridge) if not bridge.empty else _table(bridge)),
        ("Quận / huyện × lĩnh vực (district × category)", heat_table(bridge)),
        ("Cảnh báo đang mở và trong ngày (open alerts first)", alerts_section(alerts, texts)),
        ("Cụm từ nổi bật (trending terms)", trending_section(trending, scope)),
        ("Chiến dịch phối hợp (campaigns)", campaigns_section(campaigns)),
        ("Mô hình, chất lượng dữ liệu (models, data quality)", quality_section(settings, day, mentions)),
    ]  # fmt: skip
    body = "".join(f"<h2>{html.escape(title)}</h2>{content}" for title, content in sections)
    card_html = "".join(f'<div class="card">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in cards)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bản tin {day:%d/%m/%Y}</title>'
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Bản tin dư luận mạng xã hội TP.HCM — {day:%d/%m/%Y}</h1>"
        f'<p class="muted">Phạm vi (scope): {html.escape(scope.title)}. Giờ Việt Nam (Asia/Ho_Chi_Minh). '
        f"Nội dung đã che thông tin cá nhân (masked).</p>"
        f'<div class="cards">{card_html}</div>{body}'
        f'<p class="muted">Socialbeat — tạo từ các bảng gold (gold.*) của lakehouse.</p></body></html>'
    )


def _slug(text: str) -> str:
    from socialbeat.silver.locations import strip_diacritics

    return re.sub(r"[^a-z0-9]+", "-", strip_diacritics(text).lower()).strip("-")


def default_path(day: date, district: str | None, agency: str | None) -> Path:
    suffix = "".join(f"-{_slug(x)}" for x in (agency, district) if x)
    return Path(resolve_location(REPORTS_DIR)) / f"briefing-{day.isoformat()}{suffix}.html"


def write_report(
    settings: Settings,
    day: date,
    district: str | None = None,
    agency: str | None = None,
    output: Path | None = None,
) -> Path:
    """Render and write the briefing; the file's absolute path."""
    path = (output or default_path(day, district, agency)).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(settings, day, scope_for(settings, district, agency)), encoding="utf-8")
    return path
