/**
 * A short description of an error's cause that names no credential: the first `code` (e.g. `ECONNREFUSED`)
 * found down its `cause` chain, or the deepest message, cut to 200 characters.
 */
export const describeCause = (cause: unknown): string => {
  let current = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    if (current.cause === undefined) return current.message.slice(0, 200)
    current = current.cause
  }
  return "unknown cause"
}
