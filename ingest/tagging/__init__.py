"""Tagging: file numbers, subject and letter date from paths and page text (pure text, no database)."""
