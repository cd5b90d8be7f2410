"""nasti."""
