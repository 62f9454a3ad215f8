/**
 * A strict little XML reader for the chart tests, enough for what `bench/svgChart.ts` writes: one root element, every
 * tag closed in order, every attribute `name="value"` once per element, no raw `<` or `&` outside an entity. Throws on
 * anything else.
 */

/** An element as read: its name, its attributes and its text decoded, its child elements. */
export interface Node {
  readonly name: string
  readonly attributes: Record<string, string>
  readonly children: Array<Node>
  text: string
}

/** The root element of `source`; throws when `source` is not well-formed. */
export const parse = (source: string): Node => {
  const body = source.replace(/^<\?xml [^?]*\?>\s*/, "")
  const entity = /&(?:amp|lt|gt|quot|#39);/y
  const decode = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === "<" || text[i] === ">") throw new Error(`raw ${text[i]} in ${JSON.stringify(text)}`)
      if (text[i] === "&") {
        entity.lastIndex = i
        if (!entity.test(text)) throw new Error(`bare & in ${JSON.stringify(text)}`)
      }
    }
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&")
  }
  const root: Node = { name: "#document", attributes: {}, children: [], text: "" }
  const stack: Array<Node> = [root]
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/y
  let at = 0
  while (at < body.length) {
    const next = body.indexOf("<", at)
    const textEnd = next === -1 ? body.length : next
    if (textEnd > at) stack[stack.length - 1]!.text += decode(body.slice(at, textEnd))
    if (next === -1) break
    tag.lastIndex = next
    const match = tag.exec(body)
    if (match === null) throw new Error(`malformed tag at ${next}: ${body.slice(next, next + 40)}`)
    const [, closing, name, attributeText, selfClosing] = match
    if (closing === "/") {
      const open = stack.pop()
      if (open === undefined || open.name !== name) throw new Error(`</${name}> closes <${open?.name}>`)
    } else {
      const attributes: Record<string, string> = {}
      for (const [, key, value] of attributeText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (key! in attributes) throw new Error(`attribute ${key} twice on <${name}>`)
        attributes[key!] = decode(value!)
      }
      const node: Node = { name: name!, attributes, children: [], text: "" }
      stack[stack.length - 1]!.children.push(node)
      if (selfClosing !== "/") stack.push(node)
    }
    at = tag.lastIndex
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`)
  if (root.children.length !== 1 || root.text.trim() !== "") throw new Error("not exactly one root element")
  return root.children[0]!
}

/** `node` and its descendants named `name`, in document order. */
export const all = (
  node: Node,
  name: string
): Array<Node> => [...(node.name === name ? [node] : []), ...node.children.flatMap((child) => all(child, name))]

/** The text of every `<text>` element under `node`, in document order. */
export const texts = (node: Node): Array<string> => all(node, "text").map((text) => text.text)
