"""Cell grids to form documents, by what labels mean: the vocabulary, the layouts (templates) and printed values."""
