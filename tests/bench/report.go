package bench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"sort"
	"strings"

	"github.com/andybalholm/brotli"
)

// The measures, in the order of the table.
const (
	mLoadedFirst  = "page to loaded, first visit (ms)"
	mRegFirst     = "page to registered, first visit (ms)"
	mLoadedRepeat = "page to loaded, repeat visit (ms)"
	mRegRepeat    = "page to registered, repeat visit (ms)"
	mCallCold     = "call to connected, cold (ms)"
	mCallWarm     = "call to connected, warm (ms)"
	mCallSTUNCold = "cold, silent STUN server (ms)"
	mCallSTUNWarm = "warm, silent STUN server (ms)"
	mIdleCPU      = "idle CPU, 3-11 s after registered (% of a core)"
	mIdleSteady   = "idle CPU, 11-19 s after registered (% of a core)"
)

// target is the goal for one measure: our median over JsSIP's at
// most Max, or (Own != "") over our own median of measure Own.
type target struct {
	measure string
	Max     float64
	Own     string
}

var targets = []target{
	{mLoadedFirst, 0, ""},
	{mRegFirst, 1.5, ""},
	{mLoadedRepeat, 0, ""},
	{mRegRepeat, 1.0, ""},
	{mCallCold, 0.5, ""},
	{mCallWarm, 0.3, ""},
	{mCallSTUNCold, 1.2, mCallCold},
	{mCallSTUNWarm, 1.2, mCallWarm},
	{mIdleCPU, 1.0, ""},
	{mIdleSteady, 1.0, ""},
}

// sample is one round of one engine: measure -> value.
type sample map[string]float64

// results collects every round: engine -> measure -> values.
type results map[string]map[string][]float64

func (r results) add(engine string, s sample) {
	if r[engine] == nil {
		r[engine] = map[string][]float64{}
	}
	for k, v := range s {
		r[engine][k] = append(r[engine][k], v)
	}
}

func (r results) median(engine, measure string) float64 {
	v := append([]float64(nil), r[engine][measure]...)
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// sizes are the raw, gzip -9 and brotli 11 sizes of a file.
type sizes struct{ Raw, Gzip, Brotli int }

func measureSize(path string) (sizes, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return sizes{}, err
	}
	var gz, br bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	_, _ = bw.Write(raw)
	_ = bw.Close()
	return sizes{len(raw), gz.Len(), br.Len()}, nil
}

// report is the outcome of a run.
type report struct {
	results results
	ours    string // engine names
	theirs  string
	rounds  int
	wasm    sizes
	jssip   sizes
}

// ratio is the measure's ratio the target judges (0 when the base is 0)
// and, for a target against our own call, that call's short name.
func (rep report) ratio(tg target) (float64, string) {
	ours, base, own := rep.judged(tg)
	if base == 0 {
		return 0, own
	}
	return ours / base, own
}

// judged returns our median, the median it is judged against, and the
// short name of our own measure when the target is against it.
func (rep report) judged(tg target) (ours, base float64, own string) {
	ours = rep.results.median(rep.ours, tg.measure)
	if tg.Own != "" {
		return ours, rep.results.median(rep.ours, tg.Own),
			"own " + strings.TrimPrefix(strings.SplitN(tg.Own, " (", 2)[0], "call to connected, ")
	}
	return ours, rep.results.median(rep.theirs, tg.measure), ""
}

// met reports whether the target is met: ours <= Max x base (so that two
// zero CPU loads meet "no higher than").
func (rep report) met(tg target) bool {
	ours, base, _ := rep.judged(tg)
	return ours <= tg.Max*base
}

// table is the Markdown table of medians, ratios and targets.
func (rep report) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Medians of %d rounds. Ratio: %s over %s (or over its own normal call where the target says so).\n\n",
		rep.rounds, rep.ours, rep.theirs)
	fmt.Fprintf(&b, "| measure | %s | %s | ratio | target | met |\n|---|---:|---:|---:|---|---|\n", rep.ours, rep.theirs)
	for _, tg := range targets {
		ours := rep.results.median(rep.ours, tg.measure)
		theirs := rep.results.median(rep.theirs, tg.measure)
		vsJ := 0.0
		if theirs > 0 {
			vsJ = ours / theirs
		}
		r, own := rep.ratio(tg)
		goal, met := "-", "-"
		if tg.Max > 0 {
			goal = fmt.Sprintf("<= %.1fx", tg.Max)
			if own != "" {
				goal += " of " + own
			}
			met = "no"
			if rep.met(tg) {
				met = "yes"
			}
		}
		ratio := fmt.Sprintf("%.2fx", vsJ)
		if theirs == 0 {
			ratio = "-"
		}
		if own != "" {
			ratio += fmt.Sprintf(" (%.2fx own)", r)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", tg.measure, num(ours), num(theirs), ratio, goal, met)
	}
	fmt.Fprintf(&b, "\n| size (bytes) | raw | gzip -9 | brotli 11 |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| webphone.wasm | %d | %d | %d |\n", rep.wasm.Raw, rep.wasm.Gzip, rep.wasm.Brotli)
	fmt.Fprintf(&b, "| jssip.js (esbuild --minify) | %d | %d | %d |\n", rep.jssip.Raw, rep.jssip.Gzip, rep.jssip.Brotli)
	return b.String()
}

func num(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// Chart colours.
var (
	colOurs   = color.RGBA{0x1f, 0x77, 0xb4, 0xff}
	colTheirs = color.RGBA{0xff, 0x7f, 0x0e, 0xff}
	colText   = color.RGBA{0x20, 0x20, 0x20, 0xff}
	colGrid   = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// chart draws the medians as pairs of horizontal bars, each pair scaled to
// its larger value, and returns the PNG.
func (rep report) chart() []byte {
	const (
		scale   = 2
		labelW  = 480
		barMax  = 420
		rowH    = 64
		top     = 70
		left    = 16
		barH    = 18
		valueW  = 170
		padding = 16
	)
	w := left + labelW + barMax + valueW + padding
	h := top + rowH*len(targets) + padding
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	drawText(img, left, 12, fmt.Sprintf("%s vs %s, medians of %d rounds (shorter is better)", rep.ours, rep.theirs, rep.rounds), scale, colText)
	fill(img, left, 40, 16, 16, colOurs)
	drawText(img, left+24, 42, rep.ours, scale, colText)
	fill(img, left+240, 40, 16, 16, colTheirs)
	drawText(img, left+264, 42, rep.theirs, scale, colText)
	for i, tg := range targets {
		y := top + i*rowH
		fill(img, left, y+rowH-4, w-2*left, 1, colGrid)
		label := strings.Replace(tg.measure, "call to connected, ", "call ", 1)
		drawText(img, left, y+8, label, scale, colText)
		r, own := rep.ratio(tg)
		sub := fmt.Sprintf("ratio %.2f", r)
		if own != "" {
			sub += " of " + own
		}
		if tg.Max > 0 {
			sub += fmt.Sprintf(", target <= %.1f", tg.Max)
		}
		drawText(img, left, y+30, sub, scale, colText)
		ours, theirs := rep.results.median(rep.ours, tg.measure), rep.results.median(rep.theirs, tg.measure)
		max := ours
		if theirs > max {
			max = theirs
		}
		for j, v := range []float64{ours, theirs} {
			c := []color.RGBA{colOurs, colTheirs}[j]
			bw := 1
			if max > 0 {
				bw = int(v / max * barMax)
			}
			if bw < 1 {
				bw = 1
			}
			by := y + 6 + j*(barH+6)
			fill(img, left+labelW, by, bw, barH, c)
			drawText(img, left+labelW+bw+8, by+2, num(v), scale, colText)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func fill(img *image.RGBA, x, y, w, h int, c color.Color) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), &image.Uniform{c}, image.Point{}, draw.Src)
}

// Markers around the generated table in docs/speed.md.
const (
	tableBegin = "<!-- bench:begin (scripts/bench.sh browser) -->"
	tableEnd   = "<!-- bench:end -->"
)

// updateSpeedDoc replaces the table between the markers of the document.
func updateSpeedDoc(path, table string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(doc)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s ... %s block", path, tableBegin, tableEnd)
	}
	s = s[:i+len(tableBegin)] + "\n" + table + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
