/** The behavioural suite of a fleet on Redis (`docs/fleet.md`), on the Effect 4 line. */
import * as Fleet from "@effect-oauth2/suites/Fleet"
import { assert, describe, it } from "vitest"
import { line } from "../../../client-credentials/test/line.js"

Fleet.suite({ assert, describe, it }, line)
