package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/krm"
)

type format int

const (
	formatJSON format = iota
	formatYAML
)

// benchInput is a ResourceList of n Deployments in JSON or in YAML (as the runner sends it).
func benchInput(n int, format format) []byte {
	var b strings.Builder
	if format == formatJSON {
		b.WriteString(`{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"app-%d",`+
				`"namespace":"shop","labels":{"app":"app-%d"},"annotations":{"config.kubernetes.io/index":"%d",`+
				`"internal.config.kubernetes.io/path":"res-%04d.yaml"}},"spec":{"replicas":2,"template":{"spec":`+
				`{"containers":[{"name":"app","image":"registry.example.com/app:1.%d","args":["--port=8080",`+
				`"--verbose"],"env":[{"name":"MODE","value":"production"}]}]}}}}`, i, i, i%10, i/10, i)
		}
		b.WriteString(`],"functionConfig":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ns"},` +
			`"data":{"namespace":"prod"}}}` + "\n")
		return []byte(b.String())
	}
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `- apiVersion: apps/v1 # stable
  kind: Deployment
  metadata:
    name: app-%d
    namespace: shop
    labels:
      app: app-%d # selector
    annotations:
      config.kubernetes.io/index: '%d'
      internal.config.kubernetes.io/path: 'res-%04d.yaml'
  spec:
    replicas: 2
    template:
      spec:
        containers:
        - name: app
          image: "registry.example.com/app:1.%d"
          args: [--port=8080, --verbose]
          env:
          - name: MODE
            value: production
`, i, i, i%10, i/10, i)
	}
	b.WriteString("functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: ns\n" +
		"  data:\n    namespace: prod\n")
	return []byte(b.String())
}

func benchmarkRun(b *testing.B, n int, format format) {
	input := benchInput(n, format)
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := krm.Run(fn.ResourceListProcessorFunc(setNamespace), input); err != nil {
			b.Fatal(err)
		}
	}
}

// ns/op should grow about as the item count (MB/s about flat) from 1,000 to 5,000 items.
func BenchmarkJSON1000(b *testing.B) { benchmarkRun(b, 1000, formatJSON) }
func BenchmarkJSON5000(b *testing.B) { benchmarkRun(b, 5000, formatJSON) }
func BenchmarkYAML1000(b *testing.B) { benchmarkRun(b, 1000, formatYAML) }
func BenchmarkYAML5000(b *testing.B) { benchmarkRun(b, 5000, formatYAML) }
