/**
 * The bench's charts, built from what the scenarios recorded once their timed sections are over, and written as
 * plain SVG (`svgChart.ts`) to `bench/out/<name>.svg`: the expiry boundary's timeline (token requests and the slowest
 * call per 100 ms, the library next to the classic snippet) and the cold stampede's (when the token request left,
 * when its answer came, when the callers had their token). Plain TypeScript, no Effect: both lines' bench processes
 * use it.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Svg from "./svgChart.js"

/** Where the charts go (gitignored; `docs/images/` holds the copies the docs show). */
export const outDir = Path.join(Path.dirname(Url.fileURLToPath(import.meta.url)), "out")

/** Writes `svg` to `bench/out/<name>.svg`; returns that path, relative to the working directory. */
export const write = (name: string, svg: string): string => {
  Fs.mkdirSync(outDir, { recursive: true })
  const file = Path.join(outDir, `${name}.svg`)
  Fs.writeFileSync(file, svg)
  return Path.relative(process.cwd(), file)
}

const ours = "#1f63b4"
const snippet = "#e8590c"
const floor = "#8c8c8c"
const leftColor = "#222"
const answerColor = "#2b8a3e"

const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`

/** One side of the expiry boundary: per bucket, the slowest call and the token requests. */
export interface ExpirySide {
  readonly slowestPerBucket: ReadonlyArray<number>
  readonly requestsPerBucket: ReadonlyArray<number>
  readonly requests: number
  readonly slowestMs: number
  readonly calls: number
}

/**
 * The expiry boundary's timeline: token requests per bucket (bars, the library's next to the snippet's), and the
 * slowest call per bucket (a step line each, on a log scale, with the goal).
 */
export const expiryBoundary = (data: {
  readonly bucketMs: number
  readonly runMillis: number
  readonly callers: number
  readonly endpointDelayMs: number
  readonly lifetimeSeconds: number
  readonly goalMs: number
  readonly library: ExpirySide
  readonly baseline: ExpirySide
}): string => {
  const width = 1000
  const buckets = Math.max(data.library.requestsPerBucket.length, data.baseline.requestsPerBucket.length)
  const endSeconds = buckets * data.bucketMs / 1000
  const left = 80
  const plotWidth = width - left - 30
  const top: Svg.Frame = { left, top: 125, width: plotWidth, height: 170 }
  const bottom: Svg.Frame = { left, top: 365, width: plotWidth, height: 200 }
  const x = (range: readonly [number, number]) => Svg.linearScale([0, endSeconds], range, 10)
  const maxRequests = Math.max(...data.library.requestsPerBucket, ...data.baseline.requestsPerBucket, 1)
  const topScales = Svg.frameScales(top, x, (range) => Svg.linearScale([0, Svg.niceMax(maxRequests * 1.1)], range, 5))
  const bottomScales = Svg.frameScales(bottom, x, (range) => Svg.logScale([0.01, 1000], range))
  const bucketSeconds = data.bucketMs / 1000
  const barsOf = (side: ExpirySide, offset: number) =>
    side.requestsPerBucket.map((value, i) => ({
      start: i * bucketSeconds + offset * bucketSeconds,
      end: i * bucketSeconds + (offset + 0.45) * bucketSeconds,
      value
    }))
  const countLabels = (side: ExpirySide, offset: number, color: string) =>
    side.requestsPerBucket.flatMap((value, i) =>
      value === 0 ? [] : [
        Svg.text(
          topScales.x.map((i + offset + 0.22) * bucketSeconds),
          topScales.y.map(value) - 4,
          String(value),
          { "text-anchor": "middle", class: "tick", fill: color }
        )
      ]
    )
  const stepsOf = (side: ExpirySide) => {
    const points: Array<readonly [number, number]> = []
    side.slowestPerBucket.forEach((value, i) => {
      if (value > 0) points.push([i * bucketSeconds, value])
    })
    const last = points[points.length - 1]
    if (last !== undefined) points.push([last[0] + bucketSeconds, last[1]])
    return points
  }
  const goalY = bottomScales.y.map(data.goalMs)
  return Svg.document({
    width,
    height: 610,
    title:
      `Expiry boundary: ${data.callers} callers, tokens live ${data.lifetimeSeconds} s, the endpoint takes ${data.endpointDelayMs} ms`,
    subtitle: [
      `TokenService (refresh ahead, single flight): ${data.library.requests} token requests, slowest call ${
        ms(data.library.slowestMs)
      } in ${data.library.calls.toLocaleString("en-US")} calls`,
      `classic snippet (renews when stale, no single flight): ${data.baseline.requests} token requests, slowest call ${
        ms(data.baseline.slowestMs)
      } in ${data.baseline.calls.toLocaleString("en-US")} calls`
    ],
    body: [
      Svg.legend(
        [
          { label: "TokenService", color: ours, kind: "bar" },
          { label: "classic snippet", color: snippet, kind: "bar" },
          { label: `goal for the slowest call (< ${data.goalMs} ms)`, color: "#555", kind: "dash" }
        ],
        left,
        82
      ),
      Svg.text(left, top.top - 6, `token requests per ${data.bucketMs} ms`, { class: "panel" }),
      Svg.axes(top, topScales.x, topScales.y, { grid: true, yLabel: "requests" }),
      Svg.bars(barsOf(data.library, 0.05), topScales.x, topScales.y, ours),
      Svg.bars(barsOf(data.baseline, 0.5), topScales.x, topScales.y, snippet),
      ...countLabels(data.library, 0.05, ours),
      ...countLabels(data.baseline, 0.5, snippet),
      Svg.text(
        left,
        bottom.top - 6,
        `slowest call per ${data.bucketMs} ms, by when the call started (log scale; below 0.01 ms drawn at 0.01)`,
        {
          class: "panel"
        }
      ),
      Svg.axes(bottom, bottomScales.x, bottomScales.y, {
        grid: true,
        yLabel: "ms",
        xLabel: "seconds from the start of the run"
      }),
      Svg.element("line", {
        x1: bottom.left,
        y1: goalY,
        x2: bottom.left + bottom.width,
        y2: goalY,
        stroke: "#555",
        "stroke-dasharray": "5 4"
      }),
      Svg.line(stepsOf(data.baseline), bottomScales.x, bottomScales.y, snippet, { step: true, width: 2 }),
      Svg.line(stepsOf(data.library), bottomScales.x, bottomScales.y, ours, { step: true, width: 2 })
    ]
  })
}

/** One stampede, in ms from the first call: when each token request reached the server, each answer, each caller. */
export interface StampedeTrace {
  readonly requestsLeft: ReadonlyArray<number>
  readonly answers: ReadonlyArray<number>
  readonly callersServed: ReadonlyArray<number>
}

/** How many of `values` fall in each `binMs` bin from 0 to `endMs`. */
export const histogram = (values: ReadonlyArray<number>, binMs: number, endMs: number): Array<number> => {
  const counts = Array.from({ length: Math.max(Math.ceil(endMs / binMs), 1) }, () => 0)
  for (const value of values) {
    const bin = Math.min(Math.max(Math.floor(value / binMs), 0), counts.length - 1)
    counts[bin] = counts[bin]! + 1
  }
  return counts
}

const laneHeight = 88

/** A y scale over `frame` with no ticks: lanes that carry their own scale. */
const noTicks = (frame: Svg.Frame): Svg.Scale => ({
  ...Svg.linearScale([0, 1], [frame.top + frame.height, frame.top]),
  ticks: []
})

/**
 * One lane of the stampede chart: its name, the callers served per bin (bars, scaled to `peak`), a marker for each
 * token request and each answer (one per pixel), and its figures.
 */
const lane = (
  name: string,
  trace: StampedeTrace,
  color: string,
  top: number,
  x: Svg.Scale,
  binMs: number,
  peak: number
): string => {
  const base = top + laneHeight - 8
  const y = Svg.linearScale([0, peak], [base, top + 38])
  const end = x.domain[1]
  const bins = histogram(trace.callersServed, binMs, end).map((value, i) => ({
    start: i * binMs,
    end: (i + 1) * binMs,
    value
  }))
  const markers = (times: ReadonlyArray<number>, shape: Svg.MarkerShape, fill: string, at: number) => {
    const pixels = new Set(times.map((time) => Math.round(x.map(time))))
    return [...pixels].map((pixel) => Svg.marker(shape, pixel, at, fill, 9))
  }
  const last = Math.max(...trace.callersServed)
  const first = Math.min(...trace.callersServed)
  const left = trace.requestsLeft[0] ?? NaN
  const answered = trace.answers[0] ?? NaN
  const figures = `${trace.requestsLeft.length} request(s); first left ${ms(left)}, first answer ${
    ms(answered)
  }; callers served from ${ms(first)} to ${ms(last)}`
  return Svg.element(
    "g",
    {},
    Svg.text(x.range[0], top + 10, name, { class: "panel", fill: color }),
    Svg.text(x.range[1], top + 10, figures, { "text-anchor": "end", class: "tick" }),
    Svg.element("line", { x1: x.range[0], y1: base, x2: x.range[1], y2: base, stroke: "#ccc" }),
    Svg.bars(bins, x, y, color, { title: (value) => `${value} caller(s)` }),
    ...markers(trace.requestsLeft, "triangle", leftColor, top + 21),
    ...markers(trace.answers, "diamond", answerColor, top + 32),
    Svg.element("line", {
      x1: x.map(last),
      y1: top + 14,
      x2: x.map(last),
      y2: base,
      stroke: color,
      "stroke-dasharray": "3 3"
    })
  )
}

/**
 * The cold stampede's timeline for one line: a lane per variant (the library's calls next to their floors), and, when
 * given, the classic snippet's lane on its own time axis (its 1,000 requests take an order of magnitude longer).
 */
export const coldStampede = (data: {
  readonly lineName: string
  readonly callers: number
  readonly delayMs: number
  readonly variants: ReadonlyArray<
    { readonly name: string; readonly trace: StampedeTrace; readonly ours?: boolean | undefined }
  >
  readonly baseline?: StampedeTrace | undefined
}): string => {
  const width = 1000
  const left = 30
  const plotWidth = width - left - 30
  const binMs = 1
  const lastOf = (trace: StampedeTrace) => Math.max(...trace.callersServed)
  const end = Svg.niceMax(Math.max(...data.variants.map((variant) => lastOf(variant.trace))) * 1.05, 10)
  const x = Svg.linearScale([0, end], [left, left + plotWidth], 10)
  const peak = Svg.niceMax(
    Math.max(...data.variants.map((variant) => Math.max(...histogram(variant.trace.callersServed, binMs, end)))),
    4
  )
  const lanesTop = 112
  const body: Array<string> = [
    Svg.legend(
      [
        { label: "token request reached the server", color: leftColor, kind: "triangle" },
        { label: "its answer was sent", color: answerColor, kind: "diamond" },
        { label: `callers served per ${binMs} ms: the library`, color: ours, kind: "bar" },
        { label: "its floor", color: floor, kind: "bar" },
        { label: "last caller", color: "#555", kind: "dash" }
      ],
      left,
      88
    )
  ]
  data.variants.forEach((variant, i) => {
    body.push(
      lane(variant.name, variant.trace, variant.ours === true ? ours : floor, lanesTop + i * laneHeight, x, binMs, peak)
    )
  })
  const axisFrame: Svg.Frame = { left, top: lanesTop, width: plotWidth, height: data.variants.length * laneHeight }
  body.push(
    Svg.axes(axisFrame, x, noTicks(axisFrame), {
      xLabel: `ms from the first call (bars: callers served per ${binMs} ms, up to ${peak} per bar)`
    })
  )
  let height = axisFrame.top + axisFrame.height + 50
  if (data.baseline !== undefined) {
    const baseline = data.baseline
    const snippetEnd = Svg.niceMax(lastOf(baseline) * 1.02, 20)
    const snippetX = Svg.linearScale([0, snippetEnd], [left, left + plotWidth], 10)
    const snippetBin = 5
    const snippetPeak = Svg.niceMax(Math.max(...histogram(baseline.callersServed, snippetBin, snippetEnd)), 4)
    const snippetTop = height + 24
    body.push(
      Svg.text(left, snippetTop, `The classic snippet, on its own time axis: one request per caller`, {
        class: "panel"
      }),
      lane(
        "classic snippet (axios, no single flight)",
        baseline,
        snippet,
        snippetTop + 16,
        snippetX,
        snippetBin,
        snippetPeak
      ),
      Svg.axes(
        { left, top: snippetTop + 16, width: plotWidth, height: laneHeight },
        snippetX,
        noTicks({ left, top: snippetTop + 16, width: plotWidth, height: laneHeight }),
        { xLabel: `ms from the first call (bars: callers served per ${snippetBin} ms, up to ${snippetPeak} per bar)` }
      )
    )
    height = snippetTop + 16 + laneHeight + 50
  }
  return Svg.document({
    width,
    height,
    title: `Cold stampede (${data.lineName}): ${
      data.callers.toLocaleString("en-US")
    } callers at once, no token cached, the endpoint takes ${data.delayMs} ms`,
    subtitle: [
      `Each lane is one round: for the library and its floors, the median one of the measured rounds${
        data.baseline === undefined ? "" : "; the snippet runs once"
      }.`,
      "Floors: the same callers awaiting one shared plain fetch, without the library (from Promise code, and from 1,000 runPromise)."
    ],
    body
  })
}
