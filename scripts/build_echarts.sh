#!/bin/sh
# Build the slim ECharts bundle of xieguan/static/vendor/echarts/echarts.min.js: only the chart
# types and components the pages use (docs/performance.md "Charts only where seen"), as ECharts'
# own custom build does. Needs node and npm (packages from the npm registry, at build time only;
# nothing is fetched at run time). Add a chart type or component to ENTRY when a page needs it.
#   sh scripts/build_echarts.sh
set -eu
ECHARTS_VERSION=5.6.0
ESBUILD_VERSION=0.24.2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/xieguan/static/vendor/echarts"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact "echarts@$ECHARTS_VERSION" "esbuild@$ESBUILD_VERSION" >/dev/null
cat > entry.js <<'JS'
// The charts of the indicators dashboard (xieguan/static/xieguan/dashboard.js): line charts with
// a dashed target line and an axis tooltip, drawn as SVG; bar charts for rankings.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
echarts.use([BarChart, LineChart, GridComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);
export { echarts };
JS
{
  printf '/*! ECharts %s custom build (line, bar; grid, markLine, tooltip; SVG renderer), built by\n' "$ECHARTS_VERSION"
  printf ' * scripts/build_echarts.sh with esbuild %s. ECharts: Apache-2.0; ZRender: BSD-3-Clause;\n' "$ESBUILD_VERSION"
  printf ' * tslib: 0BSD (LICENSE, LICENSE-zrender, LICENSE-tslib in this folder). */\n'
  ./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
    --global-name=__xgCharts --footer:js="window.echarts=__xgCharts.echarts;"
} > "$OUT/echarts.min.js"
cp node_modules/echarts/LICENSE "$OUT/LICENSE"
cp node_modules/zrender/LICENSE "$OUT/LICENSE-zrender"
cp node_modules/tslib/LICENSE.txt "$OUT/LICENSE-tslib"
echo "wrote $OUT/echarts.min.js ($(wc -c < "$OUT/echarts.min.js") bytes, $(gzip -9c "$OUT/echarts.min.js" | wc -c) gzipped)"
