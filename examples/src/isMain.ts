import { pathToFileURL } from "node:url"

/** Whether the module at `moduleUrl` is the program node was asked to run (and not imported by a test). */
export const isMain = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href
