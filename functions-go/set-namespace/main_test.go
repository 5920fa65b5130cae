package main

import (
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/golden"
)

func TestGolden(t *testing.T) {
	golden.Check(t, golden.KRM(fn.ResourceListProcessorFunc(setNamespace)))
}
