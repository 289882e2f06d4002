package bench

import (
	"context"
	"testing"
	"time"
)

// BenchmarkFlowRun is flowbench as a Go benchmark: per shape, each
// iteration runs FlowRun and the hand-written workflow once; it reports the
// wall-time ratio and FlowRun's overhead per node.
//
//	go test -run '^$' -bench FlowRun -benchtime 5x ./bench/
func BenchmarkFlowRun(b *testing.B) {
	h, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Stop()
	ctx := context.Background()
	for _, s := range []Shape{Chain(50), FanOutIn(200), Layered(1000, 50, 1)} {
		b.Run(s.Name, func(b *testing.B) {
			if _, _, err := h.RunFlow(ctx, s.Snapshot); err != nil { // warm-up
				b.Fatal(err)
			}
			var flow, hand time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, _, err := h.RunFlow(ctx, s.Snapshot)
				if err != nil {
					b.Fatal(err)
				}
				hw, _, err := h.RunHand(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				flow, hand = flow+f, hand+hw
			}
			b.ReportMetric(float64(flow)/float64(hand), "ratio")
			b.ReportMetric(float64(flow-hand)/float64(time.Millisecond)/float64(b.N*len(s.Snapshot.Jobs)), "overhead-ms/node")
		})
	}
}
