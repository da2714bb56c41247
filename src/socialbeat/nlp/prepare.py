"""The text path every model input takes, in training, enrichment and `socialbeat score` alike:
PII masking on the raw text, then the silver normaliser (`text_norm`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialbeat.settings import Settings, pii_secret
from socialbeat.silver.normalize import load_teencode, normalize_text
from socialbeat.silver.pii import mask_pii

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def prepare_texts(frame: DataFrame, settings: Settings, text_col: str = "text") -> DataFrame:
    """Mask `text_col` in place, then add text_display, text_norm and the normaliser's other columns."""
    masked = mask_pii(frame, [text_col], pii_secret(settings))
    return normalize_text(masked, text_col, load_teencode(settings.datasets_path))
