"""Qt-free core: the corpus store and its use cases (import, export, review, agreement)."""
