"""From files, environment and arguments to one resolved profile: the sources, their precedence and
``${}`` expansion."""
