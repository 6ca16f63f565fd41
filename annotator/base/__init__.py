"""The bottom layer: errors, offsets, text rules and the vocabulary, with no dependencies."""
