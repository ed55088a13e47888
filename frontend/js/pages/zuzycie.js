// Consumption: water used per month or billing period against the same period a year
// before, as a hand-made SVG bar chart (drawn at the figure's own width, so its text stays
// readable on a phone) and the same numbers in a table. The range and the split are a
// form; the choice is kept in the address (?zakres=2025&podzial=billing).
import { api } from '../api.js';
import { bindForm, showStatus } from '../forms.js';
import { date, plural, volume } from '../format.js';
import { customerLayout } from '../layout.js';

customerLayout();

const SVG = 'http://www.w3.org/2000/svg';
const MONTHS = ['styczeń', 'luty', 'marzec', 'kwiecień', 'maj', 'czerwiec', 'lipiec', 'sierpień',
  'wrzesień', 'październik', 'listopad', 'grudzień'];
const LABEL_HEIGHT = 22;
const BAR_HEIGHT = 18;
const BAR_GAP = 4;
const ROW_GAP = 18;
const VALUE_SPACE = 104; // room for "1 234,567 m³" after the longest bar

const status = document.getElementById('status');
const form = document.getElementById('range-form');
const rangeSelect = document.getElementById('range');
const figure = document.getElementById('chart');
let shown = null; // the last answer, redrawn when the figure's width changes

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** The API's "12.345" (m³) as integer litres: arithmetic on volumes never uses floats. */
function litres(text) {
  const [whole, fraction = ''] = String(text).replace('-', '').split('.');
  const value = Number(whole) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
  return String(text).startsWith('-') ? -value : value;
}

function m3(litresValue) {
  const sign = litresValue < 0 ? '-' : '';
  const absolute = Math.abs(litresValue);
  return `${sign}${Math.floor(absolute / 1000)}.${String(absolute % 1000).padStart(3, '0')}`;
}

function isoDay(day) {
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

function todayInWarsaw() {
  const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' })
    .format(new Date()).split('-').map(Number);
  return new Date(year, month - 1, day);
}

/** The ranges to choose from: the last twelve months, then this year and the two before. */
function ranges() {
  const today = todayInWarsaw();
  const start = new Date(today.getFullYear(), today.getMonth() - 11, 1);
  const list = [['12m', 'Ostatnie 12 miesięcy', isoDay(start), isoDay(today)]];
  for (let back = 0; back < 3; back += 1) {
    const year = today.getFullYear() - back;
    const end = back === 0 ? isoDay(today) : `${year}-12-31`;
    list.push([String(year), `Rok ${year}`, `${year}-01-01`, end]);
  }
  return list;
}

/** "styczeń 2026" for a calendar month, "01.12.2025–31.01.2026" for any other period. */
function periodLabel(period) {
  const [year, month, day] = period.start.split('-').map(Number);
  const monthEnd = isoDay(new Date(year, month, 0));
  if (day === 1 && period.end === monthEnd) return `${MONTHS[month - 1]} ${year}`;
  return `${date(period.start)}–${date(period.end)}`;
}

function difference(period) {
  if (!period.year_before) return '—';
  const change = litres(period.water_m3) - litres(period.year_before.water_m3);
  return `${change > 0 ? '+' : ''}${volume(m3(change))}`;
}

function tableRow(period) {
  const mark = period.complete ? '' : ' *';
  const before = period.year_before;
  return element('tr', {},
    element('th', { scope: 'row' }, `${periodLabel(period)}${mark}`),
    element('td', { class: 'amount' }, volume(period.water_m3)),
    element('td', { class: 'amount' }, volume(period.daily_average_m3)),
    element('td', { class: 'amount' }, before ? volume(before.water_m3) : 'brak danych'),
    element('td', { class: 'amount' }, difference(period)));
}

function hatch(id) {
  return svg('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    svg('rect', { class: 'hatch-ground', width: 6, height: 6 }),
    svg('line', { class: 'hatch-line', x1: 0, y1: 0, x2: 0, y2: 6 }));
}

function legend() {
  const swatch = (kind, defs) => svg('svg', { viewBox: '0 0 24 16', 'aria-hidden': 'true', focusable: 'false' },
    ...(defs ? [svg('defs', {}, defs)] : []),
    svg('rect', { class: kind, x: 1, y: 1, width: 22, height: 14 }));
  document.getElementById('legend').replaceChildren(
    element('li', {}, swatch('bar-now'), 'Wybrany okres (pełny kolor)'),
    element('li', {}, swatch('bar-before', hatch('hatch-legend')), 'Ten sam okres rok wcześniej (kreskowanie)'));
}

/** The chart at the figure's current width: per period its label, then this period's bar
 *  and the year before's, each with its value written after it. */
function drawChart(result) {
  const width = Math.max(260, Math.floor(figure.clientWidth));
  const periods = result.periods;
  const top = Math.max(1, ...periods.flatMap((p) => [
    litres(p.water_m3), p.year_before ? litres(p.year_before.water_m3) : 0]));
  const barSpace = width - VALUE_SPACE;
  const rowHeight = LABEL_HEIGHT + 2 * BAR_HEIGHT + BAR_GAP + ROW_GAP;
  const height = periods.length * rowHeight;
  const titleId = 'chart-svg-title';
  const descId = 'chart-svg-desc';
  const total = volume(result.total_water_m3);
  const chart = svg('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-labelledby': `${titleId} ${descId}`,
  },
  svg('title', { id: titleId }, 'Wykres zużycia wody: rok do roku'),
  svg('desc', { id: descId },
    `${plural(periods.length, 'okres', 'okresy', 'okresów')} od ${date(result.date_from)} do `
    + `${date(result.date_to)}, razem ${total}. Te same dane są w tabeli poniżej.`),
  svg('defs', {}, hatch('hatch')),
  svg('line', { class: 'axis', x1: 0.5, y1: 0, x2: 0.5, y2: height }));

  periods.forEach((period, index) => {
    const y = index * rowHeight;
    const label = `${periodLabel(period)}${period.complete ? '' : ' *'}`;
    const group = svg('g', { class: 'period' },
      svg('text', { x: 6, y: y + 15, class: 'period-label' }, label));
    const bar = (kind, text, value, at) => {
      const length = value === null ? 0 : Math.round((value / top) * barSpace);
      const title = `${label}, ${kind === 'bar-now' ? 'wybrany okres' : 'rok wcześniej'}: ${text}`;
      group.append(
        svg('rect', { class: kind, x: 1, y: at, width: Math.max(length, value ? 2 : 0), height: BAR_HEIGHT },
          svg('title', {}, title)),
        svg('text', { x: length + 8, y: at + 14, class: `value ${kind}-value` }, text));
    };
    const before = period.year_before;
    bar('bar-now', volume(period.water_m3), litres(period.water_m3), y + LABEL_HEIGHT);
    bar('bar-before', before ? volume(before.water_m3) : 'brak danych',
      before ? litres(before.water_m3) : null, y + LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP);
    chart.append(group);
  });
  figure.replaceChildren(chart);
}

function render(result) {
  shown = result;
  const periods = result.periods;
  const any = periods.length > 0;
  document.getElementById('chart-section').hidden = !any;
  document.getElementById('table-section').hidden = !any;
  document.getElementById('empty').hidden = any;
  const leak = document.getElementById('leak');
  leak.hidden = !result.leak_suspected;
  leak.textContent = result.leak_suspected
    ? 'Uwaga: ostatnio zużywasz znacznie więcej wody niż zwykle. Sprawdź, czy nic nie cieknie '
      + '(kran, spłuczka, instalacja), albo zgłoś to nam.'
    : '';
  if (!any) return;
  const average = result.average_daily_m3
    ? ` Twoja średnia z całej historii: ${volume(result.average_daily_m3)} na dobę.` : '';
  const garden = litres(result.total_garden_m3) > 0
    ? ` W tym podlicznik ogrodowy: ${volume(result.total_garden_m3)}.` : '';
  document.getElementById('totals').textContent = `Razem od ${date(result.date_from)} do `
    + `${date(result.date_to)}: ${volume(result.total_water_m3)}.${garden}${average}`;
  document.getElementById('incomplete-note').hidden = periods.every((p) => p.complete);
  const split = result.period === 'billing' ? 'okresy rozliczeniowe' : 'miesiące';
  document.getElementById('table-caption').textContent = `Zużycie wody od ${date(result.date_from)} `
    + `do ${date(result.date_to)} (${split}) i w tych samych okresach rok wcześniej`;
  document.querySelector('#consumption-table tbody').replaceChildren(...periods.map(tableRow));
  drawChart(result);
}

async function show(rangeKey, period) {
  const range = ranges().find(([key]) => key === rangeKey) || ranges()[0];
  const query = new URLSearchParams({ from: range[2], to: range[3], period });
  const result = await api(`/consumption?${query}`);
  render(result);
  const address = new URLSearchParams({ zakres: range[0], podzial: period });
  history.replaceState(null, '', `${location.pathname}?${address}`);
  return range;
}

rangeSelect.replaceChildren(...ranges().map(([key, label]) => element('option', { value: key }, label)));
legend();
const params = new URLSearchParams(location.search);
if (ranges().some(([key]) => key === params.get('zakres'))) rangeSelect.value = params.get('zakres');
if (params.get('podzial') === 'billing') form.elements.period.value = 'billing';

bindForm(form, async ({ range }) => {
  const period = form.elements.period.value;
  const chosen = await show(range, period);
  const split = period === 'billing' ? 'okresy rozliczeniowe' : 'miesiące';
  showStatus(status, `Pokazano zużycie: ${chosen[1].toLowerCase()}, ${split}.`);
});

let pending = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => {
    if (shown && shown.periods.length) drawChart(shown);
  });
}).observe(figure);

try {
  await show(rangeSelect.value, form.elements.period.value);
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message);
}
