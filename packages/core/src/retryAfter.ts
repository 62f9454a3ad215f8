/**
 * `Retry-After` (RFC 9110 §10.2.3): how long a server asks to be left alone, capped.
 */

/**
 * The longest `Retry-After` honoured, in millis: 60 seconds.
 *
 * @since 0.1.0
 * @category models
 */
export const maxRetryAfterMillis = 60_000

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const month = `(${months.join("|")})`
const time = "(\\d{2}):(\\d{2}):(\\d{2})"

/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const imfFixdate = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${month} (\\d{4}) ${time} GMT$`)
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const rfc850Date = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${month}-(\\d{2}) ${time} GMT$`
)
/** `Sun Nov  6 08:49:37 1994` */
const asctimeDate = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${month} ( \\d|\\d{2}) ${time} (\\d{4})$`)

/** Epoch millis of a UTC date and time, when every field is in range (no 31 April, no 25 o'clock). */
const utcMillis = (year: number, monthIndex: number, day: number, h: number, m: number, s: number) => {
  if (h > 23 || m > 59 || s > 60) return undefined
  const millis = Date.UTC(year, monthIndex, day, h, m, s)
  return new Date(millis).getUTCDate() === day ? millis : undefined
}

/**
 * A two-digit year of an rfc850-date: the year with those last two digits that is not more than 50 years after
 * `now` (RFC 9110 §5.6.7).
 */
const fullYear = (twoDigits: number, now: number): number => {
  const current = new Date(now).getUTCFullYear()
  const year = current - (current % 100) + twoDigits
  return year > current + 50 ? year - 100 : year
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) in epoch millis: the IMF-fixdate, and the obsolete rfc850-date and asctime-date that
 * a recipient must accept too, all in UTC; `undefined` for any other text. `now` dates a two-digit year.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseHttpDate = (text: string, now: number): number | undefined => {
  let match = imfFixdate.exec(text)
  if (match !== null) {
    const [, day, mon, year, h, m, s] = match
    return utcMillis(Number(year), months.indexOf(mon!), Number(day), Number(h), Number(m), Number(s))
  }
  match = rfc850Date.exec(text)
  if (match !== null) {
    const [, day, mon, year, h, m, s] = match
    return utcMillis(fullYear(Number(year), now), months.indexOf(mon!), Number(day), Number(h), Number(m), Number(s))
  }
  match = asctimeDate.exec(text)
  if (match !== null) {
    const [, mon, day, h, m, s, year] = match
    return utcMillis(Number(year), months.indexOf(mon!), Number(day), Number(h), Number(m), Number(s))
  }
  return undefined
}

/**
 * The wait `header` asks for, in millis from `now` (epoch millis of the wall clock, as an HTTP date is): delay-seconds
 * or an HTTP-date (`parseHttpDate`), at least 0 and at most `maxRetryAfterMillis`; `undefined` when absent or
 * unreadable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, maxRetryAfterMillis)
  const date = parseHttpDate(value, now)
  return date === undefined ? undefined : Math.min(Math.max(0, date - now), maxRetryAfterMillis)
}
