"""cx-audit: audit customer journeys as graphs and absorbing Markov chains."""

__version__ = "0.1.0"

__all__ = ["__version__"]
