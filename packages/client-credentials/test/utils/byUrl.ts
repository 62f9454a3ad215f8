/**
 * Answers by URL, for a `ScriptedEndpoint`'s `otherwise`: a server with several documents (a discovery test asks
 * two well-known URLs) whose answers do not depend on the order the requests arrive in.
 */
import type { Answer } from "./ScriptedEndpoint.js"
import { respond } from "./ScriptedEndpoint.js"

/**
 * Each URL's answers in order, its last one for good; `otherwise` (a 404) for any URL not listed. URLs are compared
 * as the client sends them (`URL.href`).
 */
export const byUrl = (
  routes: Readonly<Record<string, Answer | ReadonlyArray<Answer>>>,
  otherwise: Answer = respond(404)
): Answer => {
  const queues = new Map<string, Array<Answer>>(
    Object.entries(routes).map(([url, answers]) => [url, typeof answers === "function" ? [answers] : [...answers]])
  )
  return (request) => {
    const queue = queues.get(request.url)
    if (queue === undefined || queue.length === 0) return otherwise(request)
    const answer = queue.length > 1 ? queue.shift()! : queue[0]!
    return answer(request)
  }
}
