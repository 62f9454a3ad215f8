/** The behavioural suite of telemetry (`docs/telemetry.md`), on the Effect 4 line. */
import * as Telemetry from "@effect-oauth2/suites/Telemetry"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Telemetry.suite({ assert, describe, it }, line)
