"""Changing files: the comment-preserving profile editor, atomic writes and the writers' lock."""
