"""Qt-free core: the corpus database, its operations, offsets and import/export logic."""
