// Indicators dashboard: one small ECharts line chart per indicator, over the last half-years.
// Data comes from the JSON endpoint named in #indicator-charts[data-series-url]. The chart
// bundle (the slim ECharts build named in data-chart-src, scripts/build_echarts.sh) and the data
// are fetched only when the charts come into view: a page whose charts are never scrolled to
// never downloads them.
(function () {
  "use strict";
  const holder = document.getElementById("indicator-charts");
  if (!holder) return;

  function chartFor(indicator, periods, labels) {
    const col = document.createElement("div");
    col.className = "col-12 col-md-6 col-xl-4";
    const card = document.createElement("div");
    card.className = "card shadow-sm";
    const body = document.createElement("div");
    body.className = "card-body p-2";
    const title = document.createElement("div");
    title.className = "small fw-semibold";
    title.textContent = indicator.label + (indicator.target !== null ? "（目标 " + indicator.target + "%）" : "");
    const box = document.createElement("div");
    box.className = "indicator-chart";
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", indicator.label);
    body.append(title, box);
    card.append(body);
    col.append(card);
    holder.append(col);

    const chart = echarts.init(box, null, { renderer: "svg" });
    const markLine = indicator.target === null ? undefined : {
      symbol: "none",
      silent: true,
      lineStyle: { type: "dashed", color: "#dc3545" },
      label: { formatter: "目标 {c}%", position: "insideEndTop" },
      data: [{ yAxis: indicator.target }],
    };
    chart.setOption({
      grid: { left: 40, right: 12, top: 16, bottom: 24 },
      tooltip: {
        trigger: "axis",
        formatter: function (params) {
          const p = params[0];
          const i = p.dataIndex;
          const rate = p.value === null || p.value === undefined ? "—" : p.value + "%";
          return periods[i] + "<br>" + rate + "（" + indicator.numerators[i] + "/" + indicator.denominators[i] + "）";
        },
      },
      xAxis: { type: "category", data: labels, axisLabel: { fontSize: 10, interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", fontSize: 10 } },
      series: [{ type: "line", data: indicator.rates, connectNulls: false, symbolSize: 6, markLine: markLine }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function loadBundle() {
    if (typeof echarts !== "undefined") return Promise.resolve();
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = holder.dataset.chartSrc;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }

  function draw() {
    const data = fetch(holder.dataset.seriesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
    Promise.all([data, loadBundle()])
      .then(function (results) {
        const series = results[0];
        series.indicators.forEach(function (indicator) { chartFor(indicator, series.periods, series.short_periods); });
      })
      .catch(function () {
        holder.textContent = "图表数据加载失败，请刷新页面重试。";
      });
  }

  if (!("IntersectionObserver" in window)) {
    draw();
    return;
  }
  const watcher = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.isIntersecting; })) {
      watcher.disconnect();
      draw();
    }
  }, { rootMargin: "200px" });
  watcher.observe(holder);
})();
