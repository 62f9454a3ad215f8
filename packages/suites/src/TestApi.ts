/**
 * What a suite needs of the test runner, given to it by each line's test file (each line runs its own vitest):
 * `describe`, `it` and chai's `assert`, which vitest 3 and 5 both export. The suites import no test runner.
 *
 * @since 0.1.0
 */
import type { Line } from "./Line.js"

/**
 * The part of chai's `assert` the suites use.
 *
 * @since 0.1.0
 * @category models
 */
export interface Assert {
  (expression: unknown, message?: string): void
  fail(message?: string): never
  isTrue(value: unknown, message?: string): void
  isFalse(value: unknown, message?: string): void
  isDefined(value: unknown, message?: string): void
  isUndefined(value: unknown, message?: string): void
  strictEqual<T>(actual: T, expected: T, message?: string): void
  notStrictEqual<T>(actual: T, expected: T, message?: string): void
  deepStrictEqual<T>(actual: T, expected: T, message?: string): void
  notDeepEqual<T>(actual: T, expected: T, message?: string): void
  deepInclude<T>(haystack: T, needle: Partial<T>, message?: string): void
  include(haystack: string, needle: string, message?: string): void
  notInclude(haystack: string | undefined, needle: string, message?: string): void
  match(value: string, regexp: RegExp, message?: string): void
  notMatch(value: string, regexp: RegExp, message?: string): void
  isAtMost(value: number, bound: number, message?: string): void
  isAtLeast(value: number, bound: number, message?: string): void
  isAbove(value: number, bound: number, message?: string): void
  isBelow(value: number, bound: number, message?: string): void
  instanceOf(
    value: unknown,
    constructor: abstract new(...args: ReadonlyArray<never>) => unknown,
    message?: string
  ): void
}

/**
 * The test runner, as a suite sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestApi {
  readonly describe: (name: string, body: () => void) => void
  /** A test; `timeout` in milliseconds, for the suites that run in real time. */
  readonly it: (name: string, body: () => Promise<void> | void, timeout?: number) => void
  readonly assert: Assert
}

/**
 * A behavioural suite: declares its tests for `line`.
 *
 * @since 0.1.0
 * @category models
 */
export type Suite = (t: TestApi, line: Line) => void
