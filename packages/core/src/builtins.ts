/**
 * Node's built-in modules where the runtime has them (Node.js, and the runtimes that offer
 * `process.getBuiltinModule`), without a static import, so that a package still loads elsewhere.
 */

/**
 * The built-in module `name` (e.g. `"node:fs"`), or `undefined` on a runtime without it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const nodeModule = <A>(name: string): A | undefined =>
  (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule?.(name) as
    | A
    | undefined
