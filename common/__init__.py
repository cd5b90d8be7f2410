"""Rules every package shares and that depend on no project package (text normalisation, file-number keys)."""
