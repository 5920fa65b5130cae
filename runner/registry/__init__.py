"""Wasm functions in OCI registries: push, pull, a private content-addressed store, resolution."""
