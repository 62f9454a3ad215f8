import { describe, expect, it } from "vitest"
import * as Charts from "../charts.js"
import * as Svg from "../svgChart.js"
import * as Xml from "./utils/xml.js"

describe("the tests' XML reader", () => {
  it("refuses what is not well-formed", () => {
    expect(() => Xml.parse("<a><b></a></b>")).toThrow()
    expect(() => Xml.parse("<a>x < y</a>")).toThrow()
    expect(() => Xml.parse("<a>R&D</a>")).toThrow()
    expect(() => Xml.parse("<a x=\"1\" x=\"2\"/>")).toThrow()
    expect(() => Xml.parse("<a></a><b></b>")).toThrow()
    expect(() => Xml.parse("<a>")).toThrow()
    expect(Xml.parse("<a t=\"&quot;&amp;\">&lt;b&gt;</a>")).toMatchObject({ attributes: { t: "\"&" }, text: "<b>" })
  })
})

describe("scales", () => {
  it("a linear scale maps its domain onto its range, clamps outside it, and ticks nice steps", () => {
    const scale = Svg.linearScale([0, 4], [100, 900], 8)
    expect(scale.map(0)).toBe(100)
    expect(scale.map(4)).toBe(900)
    expect(scale.map(1)).toBe(300)
    expect(scale.map(-1)).toBe(100)
    expect(scale.map(9)).toBe(900)
    expect(scale.ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4])
  })

  it("a y scale runs downwards: the domain's bottom at the frame's bottom", () => {
    const { x, y } = Svg.frameScales(
      { left: 50, top: 20, width: 500, height: 200 },
      (range) => Svg.linearScale([0, 10], range),
      (range) => Svg.linearScale([0, 50], range)
    )
    expect([x.map(0), x.map(10)]).toEqual([50, 550])
    expect([y.map(0), y.map(50), y.map(25)]).toEqual([220, 20, 120])
  })

  it("a log scale puts each power of 10 the same distance apart, and ticks them", () => {
    const scale = Svg.logScale([0.01, 1000], [500, 0])
    expect(scale.ticks).toEqual([0.01, 0.1, 1, 10, 100, 1000])
    expect(scale.map(0.01)).toBe(500)
    expect(scale.map(1000)).toBe(0)
    expect(scale.map(1)).toBeCloseTo(300, 9)
    expect(scale.map(10) - scale.map(100)).toBeCloseTo(100, 9)
    expect(scale.map(0)).toBe(500)
    expect(() => Svg.logScale([0, 10], [0, 1])).toThrow(RangeError)
  })

  it("nice steps and maxima are 1, 2 or 5 times a power of 10", () => {
    expect([Svg.niceStep(0.7), Svg.niceStep(1.5), Svg.niceStep(3), Svg.niceStep(7), Svg.niceStep(140)]).toEqual([
      1,
      2,
      5,
      10,
      200
    ])
    expect(Svg.niceMax(50)).toBe(50)
    expect(Svg.niceMax(55)).toBe(60)
    expect(Svg.niceMax(997.9, 20)).toBe(1000)
    expect(Svg.niceMax(0)).toBe(1)
    expect([Svg.niceStep(0), Svg.niceStep(-3), Svg.niceStep(Number.NaN), Svg.niceStep(Infinity)]).toEqual([1, 1, 1, 1])
    // a float's noise: niceMax(1.05, 6) is 1.2000000000000002, a sixth of it 0.20000000000000004
    expect(Svg.niceStep(0.20000000000000004)).toBe(0.2)
    expect(Svg.linearScale([0, Svg.niceMax(1.05, 6)], [0, 1], 6).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2])
    expect(Svg.linearScale([0, 10], [0, 1], 5).ticks).toEqual([0, 2, 4, 6, 8, 10])
    expect(Svg.linearScale([0, Svg.niceMax(9500, 4)], [0, 1], 4).ticks).toEqual([0, 5000, 10000])
  })

  it("tick labels have no needless digits", () => {
    expect([Svg.formatNumber(0.1 + 0.2), Svg.formatNumber(2500), Svg.formatNumber(1.5)]).toEqual(["0.3", "2500", "1.5"])
  })
})

describe("text", () => {
  const hostile = "a <b> & \"c\" 'd' </svg>"

  it("is escaped in elements and attributes", () => {
    expect(Svg.escape(hostile)).toBe("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; &lt;/svg&gt;")
    const node = Xml.parse(Svg.text(1, 2, hostile, { "data-x": hostile }))
    expect(node.text).toBe(hostile)
    expect(node.attributes["data-x"]).toBe(hostile)
  })

  it("a document with hostile titles, labels and legend is well-formed and says them as given", () => {
    const x = Svg.linearScale([0, 10], [50, 450])
    const y = Svg.linearScale([0, 5], [250, 50])
    const svg = Svg.document({
      width: 500,
      height: 300,
      title: hostile,
      subtitle: [hostile],
      body: [
        Svg.legend(
          [{ label: hostile, color: "#000", kind: "bar" }, { label: "m", color: "#111", kind: "diamond" }],
          0,
          0
        ),
        Svg.axes({ left: 50, top: 50, width: 400, height: 200 }, x, y, { xLabel: hostile, yLabel: hostile }),
        Svg.line([[0, 1], [5, 2], [10, 3]], x, y, "#f00", { step: true }),
        Svg.bars([{ start: 0, end: 1, value: 2 }], x, y, "#0f0", { title: () => hostile })
      ]
    })
    const root = Xml.parse(svg)
    expect(root.name).toBe("svg")
    expect(root.attributes).toMatchObject({ xmlns: "http://www.w3.org/2000/svg", viewBox: "0 0 500 300" })
    expect(Xml.all(root, "title")[0]!.text).toBe(hostile)
    expect(Xml.texts(root).filter((text) => text === hostile)).toHaveLength(5)
  })
})

describe("shapes", () => {
  const x = Svg.linearScale([0, 10], [0, 100])
  const y = Svg.linearScale([0, 100], [200, 0])

  it("bars stand on the baseline, as high as their value, as wide as their span; a zero draws nothing", () => {
    const rects = Xml.all(
      Xml.parse(Svg.bars(
        [{ start: 1, end: 2, value: 50 }, { start: 2, end: 3, value: 0 }, {
          start: 3,
          end: 5,
          value: 100
        }],
        x,
        y,
        "#123"
      )),
      "rect"
    )
    expect(rects.map((rect) => rect.attributes)).toEqual([
      { x: "10", y: "100", width: "10", height: "100" },
      { x: "30", y: "0", width: "20", height: "200" }
    ])
  })

  it("a step line holds each value until the next point", () => {
    const node = Xml.parse(Svg.line([[0, 10], [5, 50], [10, 50]], x, y, "#000", { step: true }))
    expect(node.attributes.points).toBe("0,180 50,180 50,100 100,100 100,100")
    const plain = Xml.parse(Svg.line([[0, 10], [5, 50]], x, y, "#000"))
    expect(plain.attributes.points).toBe("0,180 50,100")
    expect(plain.attributes["stroke-dasharray"]).toBeUndefined()
  })

  it("axes tick and label each tick", () => {
    const root = Xml.parse(Svg.axes({ left: 0, top: 0, width: 100, height: 200 }, x, y, { yFormat: (v) => `${v}%` }))
    expect(Xml.texts(root)).toEqual([...y.ticks.map((v) => `${v}%`), ...x.ticks.map(String)])
    expect(Xml.all(root, "line").filter((line) => line.attributes.class === "grid")).toHaveLength(0)
  })

  it("axes draw a grid line at each tick asked for, and may leave the x ticks unlabelled", () => {
    const frame = { left: 0, top: 0, width: 100, height: 200 }
    const root = Xml.parse(Svg.axes(frame, x, y, { grid: true, xGrid: true, xTickLabels: false }))
    const grid = Xml.all(root, "line").filter((line) => line.attributes.class === "grid")
    expect(grid.filter((line) => line.attributes.y1 === line.attributes.y2)).toHaveLength(y.ticks.length)
    expect(grid.filter((line) => line.attributes.x1 === line.attributes.x2).map((line) => line.attributes)).toEqual(
      x.ticks.map((tick) => ({ x1: String(x.map(tick)), y1: "0", x2: String(x.map(tick)), y2: "200", class: "grid" }))
    )
    expect(Xml.texts(root)).toEqual(y.ticks.map(String))
  })

  it("a legend runs along a row, or down a column 16 px a line", () => {
    const items: ReadonlyArray<Svg.LegendItem> = [
      { label: "one", color: "#000", kind: "line" },
      { label: "two", color: "#111", kind: "line" }
    ]
    const at = (layout: "row" | "column") =>
      Xml.all(Xml.parse(Svg.legend(items, 10, 20, { layout })), "text").map((text) => [
        text.attributes.x,
        text.attributes.y,
        text.text
      ])
    expect(at("column")).toEqual([["29", "21", "one"], ["29", "37", "two"]])
    const row = at("row")
    expect(row.map(([, y]) => y)).toEqual(["21", "21"])
    expect(Number(row[1]![0])).toBeGreaterThan(29 + 3 * 6.5)
  })
})

describe("the bench's charts", () => {
  const trace = (left: number, answered: number, from: number): Charts.StampedeTrace => ({
    requestsLeft: [left],
    answers: [answered],
    callersServed: Array.from({ length: 1000 }, (_, i) => from + i / 200)
  })

  it("the cold stampede: a lane per variant, a marker per request and answer, the snippet on its own axis", () => {
    const svg = Charts.coldStampede({
      lineName: "effect3",
      callers: 1000,
      delayMs: 50,
      variants: [{ name: "floor <&>", trace: trace(2, 52, 53) }, { name: "ours", trace: trace(4, 55, 60), ours: true }],
      baseline: {
        requestsLeft: Array.from({ length: 1000 }, (_, i) => 600 + i / 10),
        answers: Array.from({ length: 1000 }, (_, i) => 650 + i / 3),
        callersServed: Array.from({ length: 1000 }, (_, i) => 660 + i / 3)
      }
    })
    const root = Xml.parse(svg)
    expect(Xml.texts(root)).toContain("floor <&>")
    expect(Xml.texts(root)).toContain(
      "1 request(s); first left 4.0 ms, first answer 55.0 ms; callers served from 60.0 ms to 65.0 ms"
    )
    // the two lanes' one request each, and the snippet's, one marker per pixel
    expect(Xml.all(root, "polygon").length).toBeGreaterThan(4)
    expect(root.attributes.height).toBe(String(Number(root.attributes.height)))
  })

  it("the histogram counts each value in its bin, the last bin taking what lies beyond", () => {
    expect(Charts.histogram([0, 0.5, 1, 2.9, 3, 99], 1, 4)).toEqual([2, 1, 1, 2])
  })

  it("the expiry boundary: bars of requests and a step line of the slowest call per bucket, each side", () => {
    const side = (requests: number, slowest: number): Charts.ExpirySide => ({
      requestsPerBucket: Array.from({ length: 42 }, (_, i) => i === 18 ? requests : 0),
      slowestPerBucket: Array.from({ length: 42 }, (_, i) => i < 40 ? (i === 18 ? slowest : 0.05) : 0),
      requests,
      slowestMs: slowest,
      calls: 1000
    })
    const root = Xml.parse(Charts.expiryBoundary({
      bucketMs: 100,
      runMillis: 4000,
      callers: 50,
      endpointDelayMs: 100,
      lifetimeSeconds: 2,
      goalMs: 25,
      library: side(1, 3),
      baseline: side(50, 145)
    }))
    expect(Xml.all(root, "rect").filter((rect) => rect.attributes.width !== "1000")).toHaveLength(2 + 2)
    expect(Xml.all(root, "polyline")).toHaveLength(2)
    expect(Xml.texts(root)).toEqual(expect.arrayContaining(["1", "50"]))
  })
})
