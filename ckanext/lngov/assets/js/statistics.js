/* The statistics page's charts (Apache ECharts). Each table[data-lngov-chart] holds one
   chart's numbers: the first column names the categories, every further column is a
   series titled by its heading. The chart is drawn above the table, which stays for
   screen readers and as the figures' text. No CKAN module is needed. */
(function () {
  "use strict";
  var PALETTE = ["#1a5fb4", "#c01c28", "#2ec27e", "#e5a50a", "#813d9c", "#1c71d8",
                 "#986a44", "#26a269", "#f66151", "#5e5c64"];

  function read(table) {
    var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) {
      return c.textContent.trim();
    });
    var categories = [], series = heads.slice(1).map(function (h) { return {name: h, data: []}; });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      categories.push(row.cells[0].textContent.trim());
      series.forEach(function (s, i) { s.data.push(Number(row.cells[i + 1].textContent) || 0); });
    });
    return {categories: categories, series: series};
  }

  function option(kind, data, width) {
    if (kind === "pie") {
      return {
        color: PALETTE, tooltip: {trigger: "item"}, legend: {bottom: 0, type: "scroll"},
        series: [{type: "pie", radius: ["35%", "65%"], label: {show: width > 420},
                  data: data.categories.map(function (c, i) {
          return {name: c, value: data.series[0].data[i]};
        })}]
      };
    }
    var horizontal = kind === "bar" && data.categories.length > 6;
    var categoryAxis = {type: "category", data: data.categories,
                        axisLabel: {interval: 0, width: 130, overflow: "truncate"}};
    var valueAxis = {type: "value", minInterval: 1};
    if (horizontal) { categoryAxis.inverse = true; }
    return {
      color: PALETTE, tooltip: {trigger: "axis"},
      legend: data.series.length > 1 ? {top: 0} : undefined,
      grid: {left: 8, right: 16, top: data.series.length > 1 ? 28 : 8, bottom: 8, containLabel: true},
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: data.series.map(function (s) {
        return {name: s.name, type: kind === "line" ? "line" : "bar", data: s.data,
                areaStyle: kind === "line" ? {opacity: 0.15} : undefined};
      })
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("table[data-lngov-chart]").forEach(function (table) {
      var data = read(table);
      if (!data.categories.length) { return; }
      var kind = table.getAttribute("data-lngov-chart");
      var box = document.createElement("div");
      box.className = "lngov-chart";
      box.setAttribute("aria-hidden", "true");   // the table below says the same
      var rows = data.categories.length;
      if (kind === "bar" && rows > 6) { box.style.height = Math.max(240, rows * 26 + 40) + "px"; }
      var figure = table.closest("figure");
      figure.insertBefore(box, figure.querySelector(".table-responsive"));
      var chart = window.echarts.init(box, null, {renderer: "svg"});
      chart.setOption(option(kind, data, box.clientWidth));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    document.documentElement.setAttribute("data-lngov-charts", String(charts.length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
