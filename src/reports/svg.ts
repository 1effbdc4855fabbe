import { visible } from './escape.js';
// Inline SVG charts, rendered on the server: the HTML report needs no chart library, no CDN and no script to draw.
export function esc(value: unknown): string {
  return visible(String(value ?? '')).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface Bar { label: string; value: number; color: string }

/** Horizontal bars with their values; empty data says so instead of drawing nothing. */
export function barChart(title: string, bars: Bar[], width = 420): string {
  const rowH = 22;
  const labelW = 170;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const h = Math.max(1, bars.length) * rowH + 8;
  const body = bars.length ? bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.round(((width - labelW - 50) * b.value) / max);
    return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" class="lbl">${esc(b.label)}</text>`
      + `<rect x="${labelW}" y="${y + 3}" width="${Math.max(w, b.value ? 2 : 0)}" height="${rowH - 8}" rx="3" fill="${esc(b.color)}"><title>${esc(b.label)}: ${b.value}</title></rect>`
      + `<text x="${labelW + w + 6}" y="${y + 15}" class="val">${b.value}</text>`;
  }).join('') : `<text x="10" y="18" class="lbl">none</text>`;
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${h}" width="100%" preserveAspectRatio="xMinYMin meet">${body}</svg></figure>`;
}

export interface Series { name: string; color: string; values: (number | null)[] }

/** A line chart over runs (x = run, y = value); null values leave a gap. */
export function lineChart(title: string, xLabels: string[], series: Series[], unit = '', width = 640, height = 220): string {
  const pad = { l: 44, r: 12, t: 12, b: 34 };
  const n = xLabels.length;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...all);
  const x = (i: number) => pad.l + (n <= 1 ? (width - pad.l - pad.r) / 2 : (i * (width - pad.l - pad.r)) / (n - 1));
  const y = (v: number) => pad.t + (height - pad.t - pad.b) * (1 - v / max);
  let out = '';
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    out += `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`
      + `<text x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="val">${Math.round(v * 10) / 10}</text>`;
  }
  const step = Math.max(1, Math.ceil(n / 8));
  xLabels.forEach((l, i) => {
    if (i % step === 0 || i === n - 1) out += `<text x="${x(i).toFixed(1)}" y="${height - 12}" text-anchor="middle" class="val">${esc(l)}</text>`;
  });
  for (const s of series) {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    if (d) out += `<path d="${d.trim()}" fill="none" stroke="${esc(s.color)}" stroke-width="2.5"/>`;
    s.values.forEach((v, i) => {
      if (v !== null) out += `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${esc(s.color)}"><title>${esc(s.name)} — ${esc(xLabels[i])}: ${v}${esc(unit)}</title></circle>`;
    });
  }
  const legend = series.map((s) => `<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${esc(s.color)}"/></svg> ${esc(s.name)}</span>`).join('');
  return `<figure class="chart wide"><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${out}</svg><div class="legend">${legend}</div></figure>`;
}
