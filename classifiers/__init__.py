"""Text classifiers: normalisation, the baseline and trained models, and their tools."""
