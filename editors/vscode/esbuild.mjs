// Bundles the extension (dist/extension.js) or the unit tests of its pure parts (out/test/).
import { readdirSync } from "node:fs";
import * as esbuild from "esbuild";

const args = new Set(process.argv.slice(2));
const production = args.has("--production");

if (args.has("--tests")) {
  const tests = readdirSync("test")
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `test/${name}`);
  await esbuild.build({
    entryPoints: tests,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outdir: "out/test",
    external: ["vscode"],
    logLevel: "warning",
  });
} else {
  const context = await esbuild.context({
    entryPoints: ["src/extension.ts"],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: production,
    sourcemap: !production,
    logLevel: "warning",
  });
  if (args.has("--watch")) {
    await context.watch();
  } else {
    await context.rebuild();
    await context.dispose();
  }
}
