"""`socialbeat gold-summary`: rows per gold table, open alerts and campaigns, from the Delta logs and
small reads through delta-rs (no Spark session)."""

from __future__ import annotations

from socialbeat.gold.frames import read_frame
from socialbeat.gold.job import ALERTS, CAMPAIGNS, GOLD_TABLES
from socialbeat.settings import Settings
from socialbeat.tables import table, table_state


def summary_text(settings: Settings, limit: int = 8) -> str:
    lines = ["gold tables:"]
    for name in GOLD_TABLES:
        state = table_state(table(name), settings)
        rows = f"{state.rows:>9} rows, version {state.version}" if state.exists else "(not built yet)"
        lines.append(f"  {name:<24} {rows}")
    alerts = read_frame(settings, ALERTS)
    lines.append(f"alerts: {len(alerts)} ({int((alerts['status'] == 'open').sum())} open)")
    for row in alerts.sort_values(["start_hour_vn", "p_value"]).head(limit).itertuples():
        lines.append(
            f"  {row.start_hour_vn:%Y-%m-%d %H}h  {row.severity:<8} {row.status:<6} {row.category:<15} "
            f"{row.district:<20} {row.peak_volume} vs {row.expected:.1f} expected ({row.method})  "
            f"{', '.join(row.driving_terms[:3])}"
        )
    campaigns = read_frame(settings, CAMPAIGNS)
    lines.append(f"campaigns: {len(campaigns)}")
    for row in campaigns.sort_values("peak_window_authors", ascending=False).head(limit).itertuples():
        lines.append(
            f"  {row.first_seen:%Y-%m-%d %H:%M}  {row.kind:<17} {row.category or '-':<15} "
            f"{row.authors} authors ({row.peak_window_authors} within the window)"
        )
    return "\n".join(lines)
