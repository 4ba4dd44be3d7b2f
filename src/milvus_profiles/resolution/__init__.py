"""From files, environment and arguments to one resolved profile: the sources, their precedence, ``${}``
expansion and the cache of results."""
