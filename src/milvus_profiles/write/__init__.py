"""Changing files: the comment-preserving profile editor, and storing or deleting a secret."""
