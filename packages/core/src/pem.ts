/**
 * PEM text (RFC 7468): its blocks, and the parts of a key's PEM text that must never show in an error.
 *
 * @since 0.1.0
 */

/**
 * One PEM block: its label (`?` for one that is not plain capitals) and its body without whitespace (`undefined` when
 * the block has no matching END line).
 *
 * @since 0.1.0
 * @category models
 */
export interface Block {
  readonly label: string
  readonly body: string | undefined
}

/**
 * Each PEM block of `text`, in order; text around them (as OpenSSL writes it) is left out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const blocks = (text: string): ReadonlyArray<Block> =>
  text.split("-----BEGIN").slice(1).map((rest) => {
    const block = /^ ([A-Z0-9 ]{1,40})-----([^-]*)-----END \1-----/.exec(rest)
    if (block === null) return { label: /^ ([A-Z0-9 ]{1,40})-----/.exec(rest)?.[1] ?? "?", body: undefined }
    return { label: block[1]!, body: block[2]!.replace(/\s+/g, "") }
  })

/**
 * The base64 of a key's PEM text, as a redactor must know it: every block's body on its own (a key file may hold
 * its certificate too) and all of the text between the BEGIN and END lines joined, without whitespace.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretBodies = (text: string): ReadonlyArray<string> => {
  const joined = text.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")
  const each = blocks(text).flatMap((block) => block.body === undefined || block.body === "" ? [] : [block.body])
  return [...new Set([joined, ...each])].filter((body) => body !== "")
}
