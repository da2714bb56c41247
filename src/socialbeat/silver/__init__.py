"""Silver layer: normalised, PII-masked, deduplicated, located mentions."""
