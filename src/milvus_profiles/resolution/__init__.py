"""From files, environment and arguments to one resolved profile: sources, precedence, ``${}`` expansion."""
