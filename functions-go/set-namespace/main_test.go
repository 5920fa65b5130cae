package main

import (
	"testing"

	"krm-wasm.dev/functions-go/internal/golden"
	"krm-wasm.dev/functions-go/krmfn"
)

func TestGolden(t *testing.T) {
	golden.Check(t, func(in []byte) ([]byte, int, error) { return krmfn.Run(setNamespace, in) })
}
