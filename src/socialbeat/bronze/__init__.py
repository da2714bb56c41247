"""Bronze layer: landing files -> bronze.crawl_items + bronze.quarantine, reconciled per file."""
