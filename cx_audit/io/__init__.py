"""Input and output files: YAML read with positions, journeys loaded and written, paths and
safe writes, and XML read safely (models and event logs)."""
