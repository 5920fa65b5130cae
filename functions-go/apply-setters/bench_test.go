package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/krm"
)

// benchInput is a ResourceList of n commented Deployments with setter markers, as the runner
// writes it (items as a block sequence, path/index annotations on every item).
func benchInput(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `- # Deployment %d: the app tier.
  apiVersion: apps/v1 # stable
  kind: Deployment
  metadata:
    name: app-%d # kpt-set: ${name}
    namespace: shop
    labels:
      app: app-%d # selector
    annotations:
      config.kubernetes.io/index: '%d'
      internal.config.kubernetes.io/path: 'res-%04d.yaml'
  spec:
    replicas: 2 # kpt-set: ${replicas}
    template:
      spec:
        containers:
        - name: app
          image: "registry.example.com/app:1.%d" # kpt-set: ${image}
          args: [--port=8080, --verbose]
          env:
          - name: MODE
            value: production # kpt-set: ${mode}
`, i, i, i, i%10, i/10, i)
	}
	b.WriteString("functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: setters\n" +
		"  data:\n    name: shop\n    replicas: \"3\"\n    image: nginx:1.25\n    mode: debug\n")
	return []byte(b.String())
}

func benchmarkProcess(b *testing.B, n int) {
	input := benchInput(n)
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := krm.Run(fn.ResourceListProcessorFunc(process), input); err != nil {
			b.Fatal(err)
		}
	}
}

// Time per item should stay flat from 100 to 1,000 items (ns/op grows about 10x, MB/s flat).
func BenchmarkProcess100(b *testing.B)  { benchmarkProcess(b, 100) }
func BenchmarkProcess1000(b *testing.B) { benchmarkProcess(b, 1000) }
