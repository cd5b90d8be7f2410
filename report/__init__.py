"""Progress, readiness, exports and the web dashboard; reads through ``store`` queries."""
