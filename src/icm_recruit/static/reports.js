// Draw the report charts from the JSON data next to each canvas; the tables carry the numbers.
document.querySelectorAll("canvas.report-chart").forEach(function (canvas) {
  var source = document.getElementById(canvas.dataset.source);
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: canvas.dataset.chart || "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "#16325c" }] },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
});
