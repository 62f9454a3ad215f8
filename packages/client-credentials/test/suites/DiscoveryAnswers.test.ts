import * as DiscoveryAnswers from "@effect-oauth2/suites/suites/DiscoveryAnswers"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

DiscoveryAnswers.suite({ assert, describe, it }, line)
