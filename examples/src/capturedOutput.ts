/**
 * A test utility: what an example prints (`Console.log`, `Effect.log`) goes into memory instead of the test log,
 * and is printed only when the test fails, so that a passing `npm test` stays quiet and a failing one shows what
 * the example said.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { Console as NodeConsole } from "node:console"
import { Writable } from "node:stream"
import type { TestContext } from "vitest"

/** What one test's example printed, and how to capture it. */
export interface CapturedOutput {
  /** Runs `self` with a `Console` and a logger that write into this capture. */
  readonly capture: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Everything captured so far, as the terminal would have shown it, without colours. */
  readonly text: Effect.Effect<string>
}

/** An Effect `Console` over a Node console (which formats objects, groups, tables and counters as usual). */
const effectConsole = (unsafe: Console.UnsafeConsole): Console.Console => ({
  [Console.TypeId]: Console.TypeId,
  assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
  clear: Effect.sync(() => unsafe.clear()),
  count: (label) => Effect.sync(() => unsafe.count(label)),
  countReset: (label) => Effect.sync(() => unsafe.countReset(label)),
  debug: (...args) => Effect.sync(() => unsafe.debug(...args)),
  dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
  dirxml: (...args) => Effect.sync(() => unsafe.dirxml(...args)),
  error: (...args) => Effect.sync(() => unsafe.error(...args)),
  group: (options) =>
    Effect.sync(() => options?.collapsed ? unsafe.groupCollapsed(options.label) : unsafe.group(options?.label)),
  groupEnd: Effect.sync(() => unsafe.groupEnd()),
  info: (...args) => Effect.sync(() => unsafe.info(...args)),
  log: (...args) => Effect.sync(() => unsafe.log(...args)),
  table: (tabularData, properties) => Effect.sync(() => unsafe.table(tabularData, properties)),
  time: (label) => Effect.sync(() => unsafe.time(label)),
  timeEnd: (label) => Effect.sync(() => unsafe.timeEnd(label)),
  timeLog: (label, ...args) => Effect.sync(() => unsafe.timeLog(label, ...args)),
  trace: (...args) => Effect.sync(() => unsafe.trace(...args)),
  warn: (...args) => Effect.sync(() => unsafe.warn(...args)),
  unsafe
})

/**
 * A capture for the test `ctx`: if the test fails, what was captured is printed with the test's output.
 *
 * @example
 * it.live("the demo's claims hold", (ctx) => {
 *   const output = capturedOutput(ctx)
 *   return demo.fakeServer.pipe(output.capture)
 * })
 */
export const capturedOutput = (ctx: TestContext): CapturedOutput => {
  const chunks: Array<string> = []
  // the callback is called at once, so a write is in `chunks` when the console call returns
  const sink = new Writable({
    decodeStrings: false,
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk))
      callback()
    }
  })
  const unsafe = new NodeConsole({ stdout: sink, stderr: sink, colorMode: false })
  // Effect's default logger is removed in `it.effect`, kept in `it.live`: either way, logs come here
  const logger = Logger.make((options) => {
    chunks.push(`${Logger.stringLogger.log(options)}\n`)
  })
  const layer = Layer.merge(Console.setConsole(effectConsole(unsafe)), Logger.replace(Logger.defaultLogger, logger))
  ctx.onTestFailed(() => {
    if (chunks.length === 0) return
    console.log(`What the example printed before the test failed:\n${chunks.join("")}`)
  })
  return {
    capture: (self) => Effect.provide(self, layer),
    text: Effect.sync(() => chunks.join(""))
  }
}
