/** The soak's panels: stacked over one time axis, a line per series or a lane of marks per event series, a legend. */
import { assert, describe, it } from "vitest"
import * as Xml from "../bench/test/utils/xml.js"
import * as Charts from "./charts.js"

const chart: Charts.Chart = {
  title: "calls & <faults>",
  xLabel: "seconds",
  xRange: [0, 10],
  width: 400,
  panelHeight: 100,
  panels: [
    {
      title: "calls <per> second & more",
      yLabel: "calls/s",
      series: [{ label: "a \"b\"", points: [[0, 0], [10, 100]] }, { label: "c", points: [[0, 5], [10, 5]] }]
    },
    {
      title: "faults",
      yLabel: "kind",
      series: [{ label: "hang", style: "marks", points: [[5, 1]] }, {
        label: "reset",
        style: "marks",
        points: [[2, 1], [4, 1]],
        color: "#123456"
      }]
    }
  ]
}

const root = Xml.parse(Charts.render(chart))
const panels = root.children.filter((node) => node.name === "g")

describe("the soak's chart", () => {
  it("is one well-formed SVG document, its texts as given", () => {
    assert.strictEqual(root.name, "svg")
    assert.strictEqual(root.attributes.width, "400")
    assert.strictEqual(Xml.all(root, "title")[0]!.text, "calls & <faults>")
    assert.includeMembers(Xml.texts(root), [
      "calls & <faults>",
      "calls <per> second & more",
      "a \"b\"",
      "seconds",
      "calls/s",
      "kind"
    ])
  })

  it("stacks the panels, a line per line series, on the frame the axes mark", () => {
    assert.strictEqual(panels.length, 2)
    const lines = Xml.all(panels[0]!, "polyline")
    assert.strictEqual(lines.length, 2)
    // x: 0 at the frame's left, 10 at its right; y: 0 at the panel's bottom, and the axis runs up to 120, the nice
    // maximum above 100 and a 5 % margin, at the panel's top
    assert.strictEqual(lines[0]!.attributes.points, "80,164 240,80.67")
    const yTicks = Xml.all(panels[0]!, "text").filter((text) => text.attributes["text-anchor"] === "end")
    assert.deepStrictEqual(yTicks.map((text) => text.text), ["0", "20", "40", "60", "80", "100", "120"])
    assert.strictEqual(yTicks[6]!.attributes.y, String(64 + 4))
    assert.isEmpty(Xml.all(panels[1]!, "polyline"))
    const secondTop = 64 + 100 + 40
    assert.isTrue(Xml.all(panels[1]!, "line").every((line) => Number(line.attributes.y1) >= secondTop - 4))
  })

  it("draws a mark per event, each series in its own lane, and no y ticks for lanes", () => {
    const marks = Xml.all(panels[1]!, "g").filter((g) => g.attributes.stroke !== undefined)
    assert.deepStrictEqual(marks.map((g) => g.attributes.stroke), [Charts.palette[0], "#123456"])
    assert.deepStrictEqual(marks.map((g) => g.children.map((line) => line.attributes.x1)), [["160"], ["112", "144"]])
    const [hang, reset] = marks.map((g) => Number(g.children[0]!.attributes.y1))
    assert.isTrue(reset! > hang!)
    assert.isEmpty(Xml.all(panels[1]!, "text").filter((text) => text.attributes["text-anchor"] === "end"))
  })

  it("leaves the legends room for their longest label", () => {
    const label = "full (maxmemory, noeviction), then freed"
    const wide = Xml.parse(Charts.render({
      title: "t",
      xLabel: "s",
      width: 960,
      panels: [{ title: "p", yLabel: "y", series: [{ label, points: [[0, 0], [1, 1]] }] }]
    }))
    const legend = Xml.all(wide, "text").find((text) => text.text === label)!
    assert.isAtMost(Number(legend.attributes.x) + label.length * 6.5, 960)
    assert.isAbove(Number(legend.attributes.x) + label.length * 6.5, 960 - 24)
  })

  it("writes thousands on the y axis as k", () => {
    const big = Xml.parse(Charts.render({
      title: "t",
      xLabel: "s",
      panels: [{ title: "p", yLabel: "y", series: [{ label: "l", points: [[0, 0], [1, 9500]] }] }]
    }))
    const yTicks = Xml.all(big, "text").filter((text) => text.attributes["text-anchor"] === "end")
    assert.deepStrictEqual(yTicks.map((text) => text.text), ["0", "2k", "4k", "6k", "8k", "10k"])
  })

  it("labels the time axis under the lowest panel only", () => {
    assert.notInclude(Xml.texts(panels[0]!), "seconds")
    assert.notInclude(Xml.texts(panels[0]!), "10")
    assert.includeMembers(Xml.texts(panels[1]!), ["0", "10", "seconds"])
  })

  it("colours each panel's series from the palette's start, and says them in its legend", () => {
    assert.deepStrictEqual(Xml.all(panels[0]!, "polyline").map((line) => line.attributes.stroke), [
      Charts.palette[0],
      Charts.palette[1]
    ])
    const legends = panels.map((panel) => Xml.all(panel, "g").find((g) => g.attributes.class === "legend")!)
    assert.deepStrictEqual(legends.map(Xml.texts), [["a \"b\"", "c"], ["hang", "reset"]])
    // a column right of the frame, from its top down
    assert.deepStrictEqual(
      Xml.all(legends[0]!, "text").map((text) => [text.attributes.x, text.attributes.y]),
      [["275", "75"], ["275", "91"]]
    )
    assert.deepStrictEqual(Xml.all(legends[1]!, "line").map((line) => line.attributes.stroke), [
      Charts.palette[0],
      "#123456"
    ])
  })
})
