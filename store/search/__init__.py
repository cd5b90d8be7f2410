"""Search: Hindi-correct tokens, FTS5 MATCH expressions and snippets (pure text, no database)."""
