"""Keeping the archive and the database in step: start-up check, fsck, backup/restore, rebuild from the archive."""
