/** The hand-written SVG chart: well formed, its text escaped, its points where the axes put them. */
import { assert, describe, it } from "vitest"
import * as SvgChart from "./svgChart.js"

const chart: SvgChart.Chart = {
  title: "calls & <faults>",
  xLabel: "seconds",
  xRange: [0, 10],
  width: 400,
  panelHeight: 100,
  panels: [
    { title: "calls", yLabel: "calls/s", series: [{ label: "a \"b\"", points: [[0, 0], [10, 100]], color: "#000" }] },
    { title: "faults", yLabel: "kind", series: [{ label: "hang", style: "marks", points: [[5, 1]] }] }
  ]
}

describe("svgChart", () => {
  it("writes one SVG document with a polyline per line series and a mark per event", () => {
    const svg = SvgChart.render(chart)
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="400" height="\d+"/)
    assert.isTrue(svg.trimEnd().endsWith("</svg>"))
    assert.strictEqual(svg.match(/<polyline /g)?.length, 1)
    // x: 0 → the left margin, 10 → the right end of the plot; y: 0 → the panel's bottom, the maximum below its top
    const [first, last] = /points="([^"]+)"/.exec(svg)![1]!.split(" ")
    assert.strictEqual(first, "64,140")
    const [lastX, lastY] = last!.split(",").map(Number)
    assert.strictEqual(lastX, 400 - 240)
    assert.isTrue(lastY! > 40 && lastY! < 50, `${lastY}`)
    // the mark at x = 5, half way
    assert.include(svg, `<line x1="112" x2="112"`)
  })

  it("escapes the text it writes", () => {
    const svg = SvgChart.render(chart)
    assert.include(svg, "calls &amp; &lt;faults&gt;")
    assert.include(svg, "a &quot;b&quot;")
    assert.notInclude(svg, "<faults>")
  })

  it("ticks at nice steps", () => {
    assert.deepStrictEqual(SvgChart.ticks(0, 10, 5), [0, 2, 4, 6, 8, 10])
    assert.deepStrictEqual(SvgChart.ticks(0, 9500, 4), [0, 2000, 4000, 6000, 8000])
    assert.strictEqual(SvgChart.niceStep(0, 4), 1)
  })
})
