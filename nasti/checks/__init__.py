"""The checks `nasti doctor` runs, one module per job; nasti.checks.registry says how a check is written."""
