"""krm-wasm's runner: runs KRM functions compiled to WebAssembly, in-process, with kpt's conventions."""

__all__: list[str] = []
