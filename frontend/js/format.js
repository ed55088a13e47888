// Polish formats of what the API sends, the same as chalicelib/domain/formatting.py:
// dates "dd.mm.rrrr", money "1 234,56 zł", volumes "12,345 m³" (U+00A0 between digit
// groups and before the unit). Amounts stay strings: no floats ever touch money.

export const NBSP = '\u00a0';

const WARSAW_DATE = new Intl.DateTimeFormat('pl-PL', {
  timeZone: 'Europe/Warsaw', day: '2-digit', month: '2-digit', year: 'numeric',
});
const WARSAW_TIME = new Intl.DateTimeFormat('pl-PL', {
  timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit', hour12: false,
});

/** "2026-11-01" → "01.11.2026"; an ISO moment ("2026-11-01T23:30:00+00:00") is shown on its
 *  day in Europe/Warsaw. Empty for a missing value. */
export function date(iso) {
  if (!iso) return '';
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (day) return `${day[3]}.${day[2]}.${day[1]}`;
  return WARSAW_DATE.format(new Date(iso));
}

/** An ISO moment → "01.11.2026, 14:05" in Europe/Warsaw. */
export function dateTime(iso) {
  if (!iso) return '';
  const moment = new Date(iso);
  return `${WARSAW_DATE.format(moment)}, ${WARSAW_TIME.format(moment)}`;
}

function grouped(digits) {
  const groups = [];
  let rest = digits.replace(/^0+(?=\d)/, '');
  while (rest.length > 3) {
    groups.unshift(rest.slice(-3));
    rest = rest.slice(0, -3);
  }
  return [rest, ...groups].join(NBSP);
}

function decimal(text, places) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (!match) return String(text);
  const fraction = (match[3] || '').padEnd(places, '0').slice(0, places);
  return `${match[1]}${grouped(match[2])},${fraction}`;
}

/** The API's "1234.56" → "1 234,56 zł". */
export function money(text) {
  return `${decimal(text, 2)}${NBSP}zł`;
}

/** The API's "12.345" (m³) → "12,345 m³". */
export function volume(text) {
  return `${decimal(text, 3)}${NBSP}m³`;
}

/** A count with its Polish noun form: plural(3, 'faktura', 'faktury', 'faktur') → "3 faktury". */
export function plural(count, one, few, many) {
  const tens = count % 100;
  const units = count % 10;
  let word = many;
  if (count === 1) word = one;
  else if (units >= 2 && units <= 4 && (tens < 12 || tens > 14)) word = few;
  return `${count}${NBSP}${word}`;
}

const WARSAW_CLOCK = new Intl.DateTimeFormat('pl-PL', {
  timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** An ISO moment → its time of day in Europe/Warsaw, "14:05" (midnight is "00:05"). */
export function time(iso) {
  if (!iso) return '';
  return WARSAW_CLOCK.format(new Date(iso));
}
