import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.font.size = 11;
Chart.defaults.color = '#6a7386';

export const COLORS = { bn: '#2563eb', plain: '#e8590c' };

// log axes: labels at the powers of ten, grid lines there (and at the 2 and 5 steps for epochs)
const STEPS_125 = /^(0\.0*)?[125]0*$/, DECADES = /^(0\.0*)?10*$/;
const GRID = '#eef0f4';
const logAxis = (lines) => ({
  type: 'logarithmic',
  ticks: { autoSkip: false, maxRotation: 0, callback: (v) => (DECADES.test(String(v)) ? String(v) : '') },
  grid: { color: (c) => (DECADES.test(String(c.tick?.value)) ? '#e3e6ec' : lines.test(String(c.tick?.value)) ? GRID : 'transparent') },
});

function lineChart(canvas, { yTitle, yScale, series }) {
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: series.map(({ key, label }) => ({
        label,
        data: [],
        borderColor: COLORS[key],
        backgroundColor: COLORS[key],
        borderWidth: 2,
        pointRadius: 0,
        tension: 0.25,
      })),
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        legend: { position: 'top', align: 'end', labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true, pointStyle: 'circle' } },
        tooltip: { callbacks: { title: (items) => `epoch ${items[0].parsed.x.toFixed(2)}` } },
      },
      scales: {
        // log time: the first epochs (where the two models differ most) stay visible as training goes on
        x: { ...logAxis(STEPS_125), title: { display: true, text: 'epochs (log scale)' } },
        y: { grid: { color: GRID }, ...yScale, title: { display: true, text: yTitle } },
      },
    },
  });
}

export function createCharts(lossCanvas, accCanvas, series) {
  const loss = lineChart(lossCanvas, {
    yTitle: 'cross-entropy',
    yScale: logAxis(DECADES),
    series,
  });
  const acc = lineChart(accCanvas, {
    yTitle: 'accuracy',
    yScale: { type: 'linear', min: 0, max: 1, ticks: { stepSize: 0.2 } },
    series,
  });
  return {
    update(runs) {
      runs.forEach((r, i) => {
        loss.data.datasets[i].data = r.lossPoints;
        acc.data.datasets[i].data = r.accPoints;
      });
      loss.update('none');
      acc.update('none');
    },
  };
}
