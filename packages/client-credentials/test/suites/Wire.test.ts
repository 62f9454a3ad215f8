import * as Wire from "@effect-oauth2/suites/suites/Wire"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Wire.suite({ assert, describe, it }, line)
