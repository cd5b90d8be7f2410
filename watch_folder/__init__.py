"""watch_folder."""
