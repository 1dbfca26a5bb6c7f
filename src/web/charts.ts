import { scaleBand, scaleLinear, scaleTime } from 'd3-scale';
import { line, stack } from 'd3-shape';
import type { ScrapeRunRow } from '../db/index.ts';
import { CALENDAR_CLIENTS, type CalendarClient } from './clients.ts';

/** Charts are SVG strings built here, with d3-scale for scales and d3-shape for paths and stacks. */

const WIDTH = 360;
const HEIGHT = 170;
const MARGIN = { top: 14, right: 8, bottom: 22, left: 30 };

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

function frame(id: string, title: string, description: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeXml(title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(description)}</desc>`,
    body,
    '</svg>',
  ].join('');
}

function legend(items: readonly { className: string; label: string }[]): string {
  return `<ul class="legend">${items
    .map(
      (item) => `<li><span class="swatch ${item.className}"></span>${escapeXml(item.label)}</li>`,
    )
    .join('')}</ul>`;
}

export type RunOutcome = 'ok' | 'failed' | 'other';

export function outcomeOf(status: ScrapeRunRow['status']): RunOutcome | undefined {
  if (status === 'running') return undefined;
  if (status === 'failed') return 'failed';
  return status === 'held' || status === 'skipped' ? 'other' : 'ok';
}

/** One vertical bar per run of the last 7 days: height its duration, colour its outcome. */
export function runsChart(input: {
  id: string;
  runs: readonly ScrapeRunRow[];
  now: Date;
  title: string;
  description: string;
  axisLabel: string;
  dayLabel: (day: Date) => string;
  outcomeLabels: Record<RunOutcome, string>;
}): string {
  const from = new Date(input.now.getTime() - 7 * 86_400_000);
  const runs = input.runs.filter(
    (run) => run.startedAt >= from && outcomeOf(run.status) !== undefined,
  );
  const maxSeconds = Math.max(1, ...runs.map((run) => (run.durationMs ?? 0) / 1000));
  const x = scaleTime()
    .domain([from, input.now])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, maxSeconds])
    .nice(4)
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  // Every bar of one outcome in one path: segments separated by undefined points.
  const segments = line<[number, number] | null>()
    .defined((point) => point !== null)
    .x((point) => point?.[0] ?? 0)
    .y((point) => point?.[1] ?? 0);
  const paths = (['ok', 'failed', 'other'] as const).map((outcome) => {
    const points: ([number, number] | null)[] = [];
    for (const run of runs) {
      if (outcomeOf(run.status) !== outcome) continue;
      const px = x(run.startedAt);
      // A failed run with no duration still shows, as a short bar.
      const top = Math.min(y(Math.max((run.durationMs ?? 0) / 1000, 0)), y(0) - 3);
      points.push([px, y(0)], [px, top], null);
    }
    const d = points.length === 0 ? '' : (segments(points) ?? '');
    return d === ''
      ? ''
      : `<path class="c-${outcome} runs-${outcome}" data-runs="${points.length / 3}" d="${d}" stroke-width="2" fill="none" stroke="currentColor"/>`;
  });
  const ticks = y
    .ticks(4)
    .map(
      (tick) =>
        `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}"/><text x="${MARGIN.left - 4}" y="${y(tick) + 3}" text-anchor="end">${tick}</text>`,
    );
  const days = x
    .ticks(7)
    .map(
      (tick) =>
        `<text x="${x(tick)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(input.dayLabel(tick))}</text>`,
    );
  const axisLabel = `<text x="${MARGIN.left + 4}" y="${MARGIN.top - 2}">${escapeXml(input.axisLabel)}</text>`;
  return (
    frame(
      input.id,
      input.title,
      input.description,
      [...ticks, ...days, axisLabel, ...paths].join(''),
    ) +
    legend(
      (['ok', 'failed', 'other'] as const).map((outcome) => ({
        className: `c-${outcome}`,
        label: input.outcomeLabels[outcome],
      })),
    )
  );
}

export type DayClientCounts = {
  readonly day: string;
  readonly counts: Record<CalendarClient, number>;
};

/** Stacked bars: feed fetches per day, one colour per calendar app. */
export function fetchesChart(input: {
  id: string;
  days: readonly DayClientCounts[];
  title: string;
  description: string;
  dayLabel: (day: string) => string;
  clientLabels: Record<CalendarClient, string>;
}): string {
  const x = scaleBand()
    .domain(input.days.map((day) => day.day))
    .range([MARGIN.left, WIDTH - MARGIN.right])
    .padding(0.2);
  const totals = input.days.map((day) =>
    CALENDAR_CLIENTS.reduce((sum, client) => sum + day.counts[client], 0),
  );
  const y = scaleLinear()
    .domain([0, Math.max(1, ...totals)])
    .nice(4)
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const series = stack<DayClientCounts, CalendarClient>()
    .keys(CALENDAR_CLIENTS)
    .value((day, client) => day.counts[client])([...input.days]);
  const bars = series.flatMap((layer) =>
    layer
      .filter((point) => point[1] > point[0])
      .map((point) => {
        const client = layer.key;
        const className = client === 'other' ? 'c-client-other' : `c-${client}`;
        const top = y(point[1]);
        const height = y(point[0]) - top;
        return `<rect class="${className}" data-client="${client}" data-day="${point.data.day}" data-hits="${point.data.counts[client]}" x="${x(point.data.day) ?? 0}" y="${top}" width="${x.bandwidth()}" height="${height}"><title>${escapeXml(`${input.clientLabels[client]}: ${point.data.counts[client]}`)}</title></rect>`;
      }),
  );
  const ticks = y
    .ticks(4)
    .map(
      (tick) =>
        `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}"/><text x="${MARGIN.left - 4}" y="${y(tick) + 3}" text-anchor="end">${tick}</text>`,
    );
  const days = input.days.map(
    (day) =>
      `<text x="${(x(day.day) ?? 0) + x.bandwidth() / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(input.dayLabel(day.day))}</text>`,
  );
  return (
    frame(input.id, input.title, input.description, [...ticks, ...days, ...bars].join('')) +
    legend(
      CALENDAR_CLIENTS.map((client) => ({
        className: client === 'other' ? 'c-client-other' : `c-${client}`,
        label: input.clientLabels[client],
      })),
    )
  );
}
