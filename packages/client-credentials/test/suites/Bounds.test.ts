import * as Bounds from "@effect-oauth2/suites/suites/Bounds"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Bounds.suite({ assert, describe, it }, line)
