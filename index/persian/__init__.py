"""Persian text tools: word classes and matching (``lexicon``)."""
