"""krm-wasm's runner: KRM functions compiled to WebAssembly, run in-process, kpt's way."""

__all__: list[str] = []
