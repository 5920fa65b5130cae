module krm-wasm.dev/functions-go

go 1.21
