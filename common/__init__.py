"""Below every other package, importing none of them: the configuration (config) and the text rules (text)."""
