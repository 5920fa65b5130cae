"""`nox -s bench`: the runner against process chains (chain.py is the entry point)."""
