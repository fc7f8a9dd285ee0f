package bench

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The table shows medians and ratios, judges each target (against JsSIP or
// our own normal call), and the chart is a PNG.
func TestReportTableAndChart(t *testing.T) {
	res := results{}
	for _, v := range []float64{100, 300, 200} {
		res.add("ours", sample{mRegFirst: v, mCallWarm: 40, mCallCold: 100, mCallSTUNCold: 130, mIdleCPU: 0.5})
	}
	for _, v := range []float64{150, 50, 100} {
		res.add("theirs", sample{mRegFirst: v, mCallWarm: 100, mCallCold: 300, mCallSTUNCold: 40000, mIdleCPU: 1})
	}
	rep := report{results: res, ours: "ours", theirs: "theirs", rounds: 3}
	assert.Equal(t, 200.0, res.median("ours", mRegFirst))
	table := rep.table()
	row := func(measure string) string {
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, "| "+measure+" |") {
				return l
			}
		}
		t.Fatalf("no row %q in\n%s", measure, table)
		return ""
	}
	assert.Equal(t, "| "+mRegFirst+" | 200 | 100 | 2.00x | <= 1.5x | no |", row(mRegFirst))
	assert.Equal(t, "| "+mCallWarm+" | 40 | 100 | 0.40x | <= 0.3x | no |", row(mCallWarm))
	assert.Equal(t, "| "+mCallCold+" | 100 | 300 | 0.33x | <= 0.5x | yes |", row(mCallCold))
	assert.Contains(t, row(mCallSTUNCold), "(1.30x own) | <= 1.2x of own cold | no |")
	assert.Contains(t, row(mIdleCPU), "| 0.50 | 1.00 | 0.50x | <= 1.0x | yes |")

	// Two idle pages at zero CPU: no ratio, and "no higher" is met.
	zero := results{"ours": {mIdleCPU: {0}}, "theirs": {mIdleCPU: {0}}}
	assert.True(t, report{results: zero, ours: "ours", theirs: "theirs"}.met(targets[len(targets)-1]))

	img, err := png.Decode(bytes.NewReader(rep.chart()))
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dx(), 800)

	doc := filepath.Join(t.TempDir(), "speed.md")
	require.NoError(t, os.WriteFile(doc, []byte("intro\n"+tableBegin+"\nold\n"+tableEnd+"\nafter\n"), 0o644))
	require.NoError(t, updateSpeedDoc(doc, "new table\n"))
	b, _ := os.ReadFile(doc)
	assert.Equal(t, "intro\n"+tableBegin+"\nnew table\n"+tableEnd+"\nafter\n", string(b))
}
