import * as SingleFlight from "@effect-oauth2/suites/suites/SingleFlight"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

SingleFlight.suite({ assert, describe, it }, line)
