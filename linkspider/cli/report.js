// linkspider report: draws the charts from the figures embedded in #linkspider-data.
// Every chart is drawn at once (no animation), so a printed or captured page is complete.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('linkspider-data').textContent);
  const BLUE = '#2f6fdf', TEAL = '#19a3a3', GREEN = '#1e9e6a', RED = '#d24b4b';
  const ORANGE = '#e08a1e', PURPLE = '#8a5cd0', GREY = '#9aa3b5';
  const PALETTE = [BLUE, TEAL, ORANGE, PURPLE, GREEN, RED, GREY, '#c05fa0'];
  const charts = [];

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 11;
  Chart.defaults.color = '#5b6478';
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  const short = (text, n) => (text.length > n ? text.slice(0, n - 1) + '\u2026' : text);
  const integer = { ticks: { precision: 0 }, beginAtZero: true };

  function draw(id, config) {
    const canvas = document.getElementById('chart-' + id);
    if (canvas) charts.push(new Chart(canvas, config));
  }

  function bars(id, labels, values, color, options = {}) {
    draw(id, {
      type: 'bar',
      data: { labels, datasets: [{ data: values, backgroundColor: color, label: options.label || 'backlinks' }] },
      options: {
        indexAxis: options.horizontal ? 'y' : 'x',
        plugins: { legend: { display: false }, tooltip: options.tooltip || {} },
        scales: options.horizontal ? { x: integer } : { y: integer },
      },
    });
  }

  const crawls = data.crawls;
  draw('trend', {
    type: crawls.length > 1 ? 'line' : 'bar',
    data: {
      labels: crawls.map((c) => c.crawl_id),
      datasets: [
        { label: 'backlinks', data: crawls.map((c) => c.backlinks), borderColor: BLUE, backgroundColor: BLUE },
        { label: 'referring domains', data: crawls.map((c) => c.referring_domains), borderColor: ORANGE, backgroundColor: ORANGE },
      ],
    },
    options: { scales: { y: integer } },
  });

  if (crawls.length > 1) {
    const later = crawls.slice(1);
    draw('changes', {
      type: 'bar',
      data: {
        labels: later.map((c) => c.crawl_id),
        datasets: [
          { label: 'new', data: later.map((c) => c.new), backgroundColor: GREEN },
          { label: 'lost', data: later.map((c) => -c.lost), backgroundColor: RED },
        ],
      },
      options: {
        scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0, callback: (v) => Math.abs(v) } } },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${Math.abs(c.raw)}` } } },
      },
    });
  }

  const anchors = data.anchors.slice(0, 12);
  bars('anchors', anchors.map((a) => (a.anchor === '' ? '(no text)' : short(a.anchor, 40))),
       anchors.map((a) => a.links), TEAL, {
         horizontal: true,
         tooltip: { callbacks: { afterLabel: (c) => `${anchors[c.dataIndex].refdomains} referring domains` } },
       });

  const kinds = ['dofollow', 'nofollow', 'sponsored', 'ugc'];
  draw('attributes', {
    type: 'doughnut',
    data: {
      labels: kinds,
      datasets: [{ data: kinds.map((k) => data.attributes[k]), backgroundColor: [GREEN, GREY, ORANGE, PURPLE] }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  });

  const domains = data.referring_domains.slice(0, 12);
  bars('refdomains',
       domains.map((d) => (d.authority === null ? d.source_domain : `${d.source_domain} (${d.authority.toFixed(2)})`)),
       domains.map((d) => d.links), BLUE, {
         horizontal: true, label: 'links',
         tooltip: { callbacks: { afterLabel: (c) => `${domains[c.dataIndex].pages} pages, ${domains[c.dataIndex].dofollow_links} dofollow` } },
       });

  bars('values', data.link_values.map((b) => `${b.from.toFixed(1)}\u2013${b.to.toFixed(1)}`),
       data.link_values.map((b) => b.links), PURPLE);

  bars('regions', data.regions.map((r) => r.region), data.regions.map((r) => r.links), PALETTE);
  bars('link_types', data.link_types.map((r) => r.link_type), data.link_types.map((r) => r.links), PALETTE);

  // print: the page is narrower; draw again at the printed size, and back after
  const resize = () => charts.forEach((c) => c.resize());
  window.addEventListener('beforeprint', resize);
  window.addEventListener('afterprint', resize);
  window.linkspiderCharts = charts;
})();
