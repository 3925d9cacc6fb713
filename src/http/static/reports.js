// Reports view: GET /stats charts (Chart.js, served from node_modules by our own origin) with the export's filters,
// and the CSV of exactly that filter. The credential is the dashboard's: its session (refresh cookie, session.js) or
// its API token (sessionStorage); else an API token asked here.
/* global Chart */
import { authFetch, resume, useApiToken } from './session.js';

const $ = (id) => document.getElementById(id);
const charts = {};
const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#868e96'];
const LABELS = {
  'en cours': 'En cours',
  fermé: 'Fermé',
  facturation: 'Facturation',
  technique: 'Technique',
  commercial: 'Commercial',
  resiliation: 'Résiliation',
  autre: 'Autre',
  basse: 'Basse',
  moyenne: 'Moyenne',
  haute: 'Haute',
  non_analyse: 'Non analysé',
};
const label = (key) => LABELS[key] ?? key;

async function api(path) {
  const response = await authFetch(path);
  if (response.status === 401) {
    $('token-form').hidden = false;
    throw new Error('Jeton refusé : reconnectez-vous.');
  }
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error?.message ?? `Erreur ${response.status}`);
  return response;
}

/** The filter as the export takes it (same parameter names). */
function filterQuery() {
  const params = new URLSearchParams();
  if ($('status').value) params.set('status', $('status').value);
  const channels = [...document.querySelectorAll('#channels input:checked')].map((c) => c.value);
  if (channels.length) params.set('channel', channels.join(','));
  if ($('date_from').value) params.set('date_from', $('date_from').value);
  if ($('date_to').value) params.set('date_to', $('date_to').value);
  return params;
}

const duration = (seconds) =>
  seconds === null ? '–' : seconds < 3600 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1).replace('.', ',')} h`;

function draw(id, config) {
  charts[id]?.destroy();
  charts[id] = new Chart($(id), {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
  });
}

function render(stats) {
  $('kpi-tickets').textContent = String(stats.totals.tickets);
  $('kpi-first').textContent = `${duration(stats.first_response_seconds.p50)} / ${duration(stats.first_response_seconds.p90)}`;
  $('kpi-resolution').textContent = `${duration(stats.resolution_seconds.p50)} / ${duration(stats.resolution_seconds.p90)}`;
  $('kpi-bot').textContent = stats.bot_only_share === null ? '–' : `${Math.round(stats.bot_only_share * 100)} %`;
  document.body.dataset.total = String(stats.totals.tickets);
  const periods = stats.series.map((p) => p.period);
  const channels = Object.keys(stats.totals.by_channel);
  draw('chart-series', {
    type: 'bar',
    data: {
      labels: periods,
      datasets: channels.map((channel, i) => ({
        label: channel,
        backgroundColor: PALETTE[i % PALETTE.length],
        data: stats.series.map((p) => p.by_channel[channel] ?? 0),
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
  for (const [id, counts] of [
    ['chart-category', stats.totals.by_category],
    ['chart-urgency', stats.totals.by_urgency],
  ]) {
    const keys = Object.keys(counts);
    draw(id, {
      type: 'doughnut',
      data: {
        labels: keys.map(label),
        datasets: [{ data: keys.map((k) => counts[k]), backgroundColor: keys.map((_, i) => PALETTE[i % PALETTE.length]) }],
      },
    });
  }
  draw('chart-first', {
    type: 'line',
    data: {
      labels: periods,
      datasets: [
        {
          label: 'Médiane (min)',
          borderColor: PALETTE[0],
          spanGaps: true,
          data: stats.series.map((p) => (p.first_response_seconds.p50 === null ? null : Math.round(p.first_response_seconds.p50 / 60))),
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });
}

let latest = 0;

async function refresh() {
  $('error').hidden = true;
  const mine = ++latest;
  try {
    const params = filterQuery();
    params.set('group_by', $('group_by').value);
    const stats = await (await api(`/stats?${params}`)).json();
    // Filters changed quickly: an older answer arriving last must not replace the newer one.
    if (mine === latest) render(stats);
  } catch (error) {
    $('error').textContent = error.message;
    $('error').hidden = false;
  }
}

async function downloadCsv() {
  try {
    const response = await api(`/export/csv?${filterQuery()}`);
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'freeda-tickets.csv';
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    $('error').textContent = error.message;
    $('error').hidden = false;
  }
}

async function start() {
  const channels = (await (await api('/channels')).json()).items;
  for (const channel of channels) {
    const box = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = channel.name;
    box.append(input, ` ${channel.label}`);
    $('channels').append(box);
  }
  $('filters').addEventListener('change', () => void refresh());
  $('csv').addEventListener('click', () => void downloadCsv());
  await refresh();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  useApiToken($('token').value.trim());
  $('token-form').hidden = true;
  void start();
});
void resume().then((session) => {
  if (session) void start();
  else $('token-form').hidden = false;
});
