"""Backend code deployed with functions/ (importable as `backend` both there and in the repo's venv)."""
