/** The behavioural suite of how long a call can wait (`docs/behaviour.md#how-long-a-call-can-wait`), on the Effect 4 line. */
import * as Waiting from "@effect-oauth2/suites/Waiting"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Waiting.suite({ assert, describe, it }, line)
