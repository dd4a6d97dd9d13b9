"""Allow ``python -m cx_audit``."""

from cx_audit.cli import main

if __name__ == "__main__":
    main()
