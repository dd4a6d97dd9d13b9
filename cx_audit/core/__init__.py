"""The core: the journey model, findings and the errors callers catch.

Everything else builds on these types; this package imports nothing else of cx-audit.
"""
