import * as Time from "@effect-oauth2/suites/suites/Time"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Time.suite({ assert, describe, it }, line)
