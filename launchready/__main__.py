"""`python -m launchready`: the same entry point as the console script."""
from launchready.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
