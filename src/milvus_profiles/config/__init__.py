"""Profile files: finding them, reading them with the line of every key, their model, the catalog of
profiles they define, their permissions, whether they are trusted, and every write (atomic, locked)."""
