/**
 * Plain SVG charts, written as text: scales that map data to pixels, axes with ticks, bars, step lines, markers, a
 * legend and a title. Pure functions of their arguments (no DOM, no I/O, no charting service, no Effect), so that a
 * bench scenario can build its chart from what it recorded, after its timed sections, and the soak its timeline
 * panels (`soak/charts.ts`). Every text is escaped.
 */

/** A map from a data interval to a pixel interval, and the data values its axis marks. */
export interface Scale {
  readonly domain: readonly [number, number]
  readonly range: readonly [number, number]
  /** The pixel position of `value`; values outside the domain are clamped to it. */
  readonly map: (value: number) => number
  readonly ticks: ReadonlyArray<number>
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high)

/** The 1, 2 or 5 times a power of 10 nearest above `rough`: a step a reader can add up. */
export const niceStep = (rough: number): number => {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1
  const power = 10 ** Math.floor(Math.log10(rough))
  // rounded, so that a float's noise (0.2 / 0.1 = 2.0000000000000004) does not take the next step up
  const fraction = Number((rough / power).toPrecision(12))
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
}

/** `max` rounded up to a multiple of the step that gives about `count` ticks from 0. */
export const niceMax = (max: number, count = 5): number => {
  if (!(max > 0)) return 1
  const step = niceStep(max / count)
  return Math.ceil(max / step - 1e-9) * step
}

/** A linear scale; its ticks are multiples of a nice step, about `count` of them. */
export const linearScale = (
  domain: readonly [number, number],
  range: readonly [number, number],
  count = 5
): Scale => {
  const [d0, d1] = domain
  const [r0, r1] = range
  const span = d1 - d0 === 0 ? 1 : d1 - d0
  const step = niceStep(Math.abs(span) / count)
  const ticks: Array<number> = []
  for (let tick = Math.ceil(Math.min(d0, d1) / step) * step; tick <= Math.max(d0, d1) + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toPrecision(12)))
  }
  return {
    domain,
    range,
    map: (value) => r0 + (clamp(value, Math.min(d0, d1), Math.max(d0, d1)) - d0) / span * (r1 - r0),
    ticks
  }
}

/** A base-10 logarithmic scale over a positive domain; its ticks are the powers of 10 in it. */
export const logScale = (domain: readonly [number, number], range: readonly [number, number]): Scale => {
  const [d0, d1] = domain
  if (!(d0 > 0 && d1 > 0)) throw new RangeError("a log scale's domain must be positive")
  const [r0, r1] = range
  const l0 = Math.log10(d0)
  const l1 = Math.log10(d1)
  const span = l1 - l0 === 0 ? 1 : l1 - l0
  const ticks: Array<number> = []
  for (let power = Math.ceil(Math.min(l0, l1) - 1e-9); power <= Math.max(l0, l1) + 1e-9; power++) {
    ticks.push(Number((10 ** power).toPrecision(12)))
  }
  return {
    domain,
    range,
    map: (value) => r0 + (Math.log10(clamp(value, Math.min(d0, d1), Math.max(d0, d1))) - l0) / span * (r1 - r0),
    ticks
  }
}

/** `text` safe inside an element or a double-quoted attribute. */
export const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&#39;"
  )

/** A number as an attribute: at most 2 decimals, no trailing zeros. */
const px = (value: number): string => String(Math.round(value * 100) / 100)

type Attributes = Readonly<Record<string, string | number | undefined>>

/** An element: its attributes escaped (those `undefined` left out), its children as given (already SVG). */
export const element = (name: string, attributes: Attributes, ...children: ReadonlyArray<string>): string => {
  const attrs = Object.entries(attributes).filter(([, value]) => value !== undefined).map(([key, value]) =>
    ` ${key}="${typeof value === "number" ? px(value) : escape(value!)}"`
  ).join("")
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join("")}</${name}>`
}

/** A text element; `content` is escaped. */
export const text = (x: number, y: number, content: string, attributes: Attributes = {}): string =>
  element("text", { x, y, ...attributes }, escape(content))

/** A rectangle of the plot: where a panel draws, in pixels. */
export interface Frame {
  readonly left: number
  readonly top: number
  readonly width: number
  readonly height: number
}

/** The scales of a panel: x from the frame's left to its right, y from its bottom to its top. */
export const frameScales = (
  frame: Frame,
  x: (range: readonly [number, number]) => Scale,
  y: (range: readonly [number, number]) => Scale
): { readonly x: Scale; readonly y: Scale } => ({
  x: x([frame.left, frame.left + frame.width]),
  y: y([frame.top + frame.height, frame.top])
})

/** What an axis prints. */
export interface AxesOptions {
  readonly xLabel?: string | undefined
  readonly yLabel?: string | undefined
  readonly xFormat?: ((value: number) => string) | undefined
  readonly yFormat?: ((value: number) => string) | undefined
  /** Faint lines across the frame at each y tick. */
  readonly grid?: boolean | undefined
  /** Faint lines up the frame at each x tick. */
  readonly xGrid?: boolean | undefined
  /** Labels under the x ticks (default true); panels stacked over one time axis label only the lowest. */
  readonly xTickLabels?: boolean | undefined
}

/** A number as a tick label: at most 6 significant digits, no trailing zeros. */
export const formatNumber = (value: number): string => String(Number(value.toPrecision(6)))

/** The axes of a panel: the frame's bottom and left lines, their ticks and tick labels, their titles. */
export const axes = (frame: Frame, x: Scale, y: Scale, options: AxesOptions = {}): string => {
  const bottom = frame.top + frame.height
  const xFormat = options.xFormat ?? formatNumber
  const yFormat = options.yFormat ?? formatNumber
  const parts: Array<string> = []
  for (const tick of y.ticks) {
    const at = y.map(tick)
    if (options.grid === true) {
      parts.push(element("line", { x1: frame.left, y1: at, x2: frame.left + frame.width, y2: at, class: "grid" }))
    }
    parts.push(element("line", { x1: frame.left - 4, y1: at, x2: frame.left, y2: at, class: "axis" }))
    parts.push(text(frame.left - 7, at + 4, yFormat(tick), { "text-anchor": "end", class: "tick" }))
  }
  for (const tick of x.ticks) {
    const at = x.map(tick)
    if (options.xGrid === true) {
      parts.push(element("line", { x1: at, y1: frame.top, x2: at, y2: bottom, class: "grid" }))
    }
    parts.push(element("line", { x1: at, y1: bottom, x2: at, y2: bottom + 4, class: "axis" }))
    if (options.xTickLabels !== false) {
      parts.push(text(at, bottom + 16, xFormat(tick), { "text-anchor": "middle", class: "tick" }))
    }
  }
  parts.push(element("line", { x1: frame.left, y1: bottom, x2: frame.left + frame.width, y2: bottom, class: "axis" }))
  parts.push(element("line", { x1: frame.left, y1: frame.top, x2: frame.left, y2: bottom, class: "axis" }))
  if (options.xLabel !== undefined) {
    parts.push(text(frame.left + frame.width / 2, bottom + 34, options.xLabel, { "text-anchor": "middle" }))
  }
  if (options.yLabel !== undefined) {
    const cx = frame.left - 48
    const cy = frame.top + frame.height / 2
    parts.push(text(cx, cy, options.yLabel, { "text-anchor": "middle", transform: `rotate(-90 ${px(cx)} ${px(cy)})` }))
  }
  return element("g", {}, ...parts)
}

/** A line through `points` (data), in `color`; `step`: horizontal then vertical, for values that hold over a span. */
export const line = (
  points: ReadonlyArray<readonly [number, number]>,
  x: Scale,
  y: Scale,
  color: string,
  options: { readonly step?: boolean | undefined; readonly dash?: string | undefined; readonly width?: number } = {}
): string => {
  const pixels: Array<string> = []
  points.forEach(([px0, py0], i) => {
    if (options.step === true && i > 0) pixels.push(`${px(x.map(px0))},${px(y.map(points[i - 1]![1]))}`)
    pixels.push(`${px(x.map(px0))},${px(y.map(py0))}`)
  })
  return element("polyline", {
    points: pixels.join(" "),
    fill: "none",
    stroke: color,
    "stroke-width": options.width ?? 1.5,
    "stroke-dasharray": options.dash
  })
}

/** Vertical bars from the baseline up to `value`, each `[start, end)` in x data units, in `color`. */
export const bars = (
  values: ReadonlyArray<{ readonly start: number; readonly end: number; readonly value: number }>,
  x: Scale,
  y: Scale,
  color: string,
  options: { readonly baseline?: number | undefined; readonly title?: ((value: number) => string) | undefined } = {}
): string => {
  const base = y.map(options.baseline ?? y.domain[0])
  return element(
    "g",
    { fill: color },
    ...values.filter((bar) => bar.value !== 0).map((bar) => {
      const left = x.map(bar.start)
      const top = y.map(bar.value)
      const rect = {
        x: left,
        y: Math.min(top, base),
        width: Math.max(x.map(bar.end) - left, 0.5),
        height: Math.abs(base - top)
      }
      return options.title === undefined
        ? element("rect", rect)
        : element("rect", rect, element("title", {}, escape(options.title(bar.value))))
    }),
    ""
  )
}

/** The shapes a marker can take. */
export type MarkerShape = "triangle" | "diamond" | "circle"

/** A marker of `shape` centred on the pixel `(cx, cy)`. */
export const marker = (shape: MarkerShape, cx: number, cy: number, color: string, size = 6): string => {
  switch (shape) {
    case "circle":
      return element("circle", { cx, cy, r: size / 2, fill: color })
    case "triangle":
      return element("polygon", {
        points: `${px(cx - size / 2)},${px(cy + size / 2)} ${px(cx + size / 2)},${px(cy + size / 2)} ${px(cx)},${
          px(cy - size / 2)
        }`,
        fill: color
      })
    case "diamond":
      return element("polygon", {
        points: `${px(cx)},${px(cy - size / 2)} ${px(cx + size / 2)},${px(cy)} ${px(cx)},${px(cy + size / 2)} ${
          px(cx - size / 2)
        },${px(cy)}`,
        fill: color
      })
  }
}

/** One entry of a legend: a swatch (a bar, a line, a dashed line or a marker) and its label. */
export interface LegendItem {
  readonly label: string
  readonly color: string
  readonly kind: "bar" | "line" | "dash" | MarkerShape
}

/**
 * A legend from `(left, top)`: one row of entries, each as wide as its label needs (about 6.5 px a character), or,
 * with `layout: "column"`, one entry a line, 16 px apart.
 */
export const legend = (
  items: ReadonlyArray<LegendItem>,
  left: number,
  top: number,
  options: { readonly layout?: "row" | "column" | undefined } = {}
): string => {
  let x = left
  let y = top
  const parts = items.map((item) => {
    const swatch = item.kind === "bar"
      ? element("rect", { x, y: y - 8, width: 12, height: 10, fill: item.color })
      : item.kind === "line" || item.kind === "dash"
      ? element("line", {
        x1: x,
        y1: y - 3,
        x2: x + 14,
        y2: y - 3,
        stroke: item.color,
        "stroke-width": 2,
        "stroke-dasharray": item.kind === "dash" ? "4 3" : undefined
      })
      : marker(item.kind, x + 6, y - 3, item.color, 9)
    const label = text(x + 19, y + 1, item.label)
    if (options.layout === "column") y += 16
    else x += 19 + item.label.length * 6.5 + 18
    return swatch + label
  })
  return element("g", { class: "legend" }, ...parts)
}

/**
 * A whole SVG document, `width` by `height` pixels, on a white background: a title, a subtitle (a line each of
 * `subtitle`), then `body`. Its `<title>` is the chart's title, for screen readers and browsers' tabs.
 */
export const document = (options: {
  readonly width: number
  readonly height: number
  readonly title: string
  readonly subtitle?: ReadonlyArray<string> | undefined
  readonly body: ReadonlyArray<string>
}): string => {
  const style = "text { font-family: sans-serif; font-size: 12px; fill: #222 } .title { font-size: 16px; " +
    "font-weight: bold } .subtitle { fill: #555 } .tick { font-size: 11px; fill: #444 } .axis { stroke: #333 } " +
    ".grid { stroke: #e4e4e4 } .panel { font-size: 13px; font-weight: bold }"
  return `<?xml version="1.0" encoding="UTF-8"?>\n${
    element(
      "svg",
      {
        xmlns: "http://www.w3.org/2000/svg",
        width: options.width,
        height: options.height,
        viewBox: `0 0 ${options.width} ${options.height}`
      },
      element("title", {}, escape(options.title)),
      element("style", {}, escape(style)),
      element("rect", { x: 0, y: 0, width: options.width, height: options.height, fill: "#fff" }),
      text(20, 26, options.title, { class: "title" }),
      ...(options.subtitle ?? []).map((line, i) => text(20, 46 + i * 16, line, { class: "subtitle" })),
      ...options.body
    )
  }\n`
}
