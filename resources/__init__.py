"""Files shipped with annotator: sample articles, the default label set, styles and icons."""
