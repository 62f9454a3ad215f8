/**
 * The figures of a single-process soak (`single.ts`) as `npm run soak` prints them, on either Effect line: written
 * once, linked into `packages/effect4/soak`.
 */
import type * as Single from "./single.js"

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** The first line of a run: what runs, on which line. */
export const header = (options: Single.Options, line: string): string =>
  `soak (${line}): ${options.callers} callers for ${options.seconds} s, ${
    options.faultRate * 100
  } % faults, seed ${options.seed}`

/** Prints the figures of `result`, then each check, one line each. */
export const print = (result: Single.Result, write: (line: string) => void): void => {
  write("")
  write(`callers            ${result.options.callers}, ${result.seconds.toFixed(1)} s`)
  write(`calls              ${result.calls} (${(result.calls / result.seconds).toFixed(0)}/s)`)
  write(`caller failures    ${result.failures} ${JSON.stringify(result.failureKinds)}`)
  write(`  when             ${result.failureWindows.join(", ") || "never"}`)
  write(
    `token requests     ${result.tokenRequests} (tokens issued ${result.tokensIssued}); bound ${result.bound.formula}`
  )
  write(`faults injected    ${JSON.stringify(result.faultsByKind)}`)
  write(
    `heap               ${
      result.heap === undefined
        ? "not measured"
        : `${mb(result.heap.warmup)} after warm-up, ${mb(result.heap.end)} at the end`
    }`
  )
  write(`after close        ${result.fibersAlive} fiber(s), resources left ${JSON.stringify(result.resourcesLeft)}`)
  write("")
  for (const check of result.checks) write(`${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`)
}
