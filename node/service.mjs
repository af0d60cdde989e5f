// assetpipe's esbuild service: esbuild's JS API behind newline-delimited JSON on stdin/stdout.
//
// Driven only by assetpipe/esbuild/service.py (the one seam to esbuild). One request per
// line, one response per line, answered in order:
//
//   {"id": 1, "op": "hello"}
//       -> {"id": 1, "ok": true, "esbuild": "0.28.2", "node": "v20..."}
//   {"id": 2, "op": "build", "options": {...}, "urls": {...}}         one-shot build
//   {"id": 3, "op": "context", "name": "scripts", "options": {...}, "urls": {...}}
//   {"id": 4, "op": "rebuild", "name": "scripts", "urls": {...}?}     long-lived context (watch)
//   {"id": 5, "op": "dispose", "name": "scripts"}
//       -> {"id": n, "ok": true|false, "errors": [...], "warnings": [...],
//           "outputFiles": [{"path": abs, "contents": base64}], "metafile": {...}}
//
// `write` is always false: esbuild hands the files back and Python writes them, so esbuild never
// deletes or overwrites anything the current manifest names. `metafile` is always on: it is the
// truth about what esbuild read and wrote.
//
// `urls` configures the one plugin, for CSS `url()`s and `@import`s:
//   {"sourceRoot": abs, "publicPath": "/static/", "external": {absSourcePath: finalURL}}
// - `url(publicPath + K)` resolves to sourceRoot/K (the URL the page will use for source file K);
// - a target listed in `external` (an image the images stage processed) becomes an external
//   reference to its final URL, so the stylesheet's content, and so esbuild's hash, changes when
//   the image does, and no raw copy is emitted.
// A rebuild may pass new `urls` (an image changed in watch); the plugin reads them on each resolve.

import * as esbuild from "esbuild";
import { existsSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";

const contexts = new Map();

function splitSuffix(spec) {
  const i = spec.search(/[?#]/);
  return i < 0 ? [spec, ""] : [spec.slice(0, i), spec.slice(i)];
}

// A relative reference with more `../` than its stylesheet's URL has folders
// (MoinMoin's `url("../../../static/img/search.png")` in /static/css/common.css): a browser
// stops at the site's root and fetches /static/img/search.png, while the file system path leaves
// the source folder and esbuild fails. When the path leaves `sourceRoot`, resolve the reference
// as the browser does, against the stylesheet's URL (`publicPath` + its path in the source
// folder); a URL under `publicPath` naming a source file is that file.
function clampedAtRoot(urls, importer, spec, abs) {
  const pub = urls.publicPath || "";
  if (!pub.startsWith("/") || !importer) return undefined;
  const outside = path.relative(urls.sourceRoot, abs);
  if (!(outside.startsWith("..") || path.isAbsolute(outside))) return undefined;
  const own = path.relative(urls.sourceRoot, importer);
  if (own.startsWith("..") || path.isAbsolute(own)) return undefined;
  const base = "http://h" + pub + own.split(path.sep).map(encodeURIComponent).join("/");
  const resolved = new URL(spec, base).pathname;
  if (!resolved.startsWith(pub) || resolved.length <= pub.length) return undefined;
  const target = path.join(urls.sourceRoot, decodeURIComponent(resolved.slice(pub.length)));
  const inside = path.relative(urls.sourceRoot, target);
  if (inside.startsWith("..") || path.isAbsolute(inside) || !existsSync(target)) return undefined;
  return target;
}

function urlPlugin(state) {
  return {
    name: "assetpipe-urls",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const urls = state.urls;
        if (!urls || (args.kind !== "url-token" && args.kind !== "import-rule")) return undefined;
        const [spec, suffix] = splitSuffix(args.path);
        const pub = urls.publicPath || "";
        let abs;
        if (pub && spec.startsWith(pub) && spec.length > pub.length) {
          abs = path.join(urls.sourceRoot, decodeURIComponent(spec.slice(pub.length)));
          const inside = path.relative(urls.sourceRoot, abs);
          if (inside.startsWith("..") || path.isAbsolute(inside) || !existsSync(abs)) {
            return { errors: [{ text: `Could not resolve "${args.path}": no file "${spec.slice(pub.length)}" in the source folder` }] };
          }
        } else if (/^(\/|[a-z][a-z0-9+.-]*:)/i.test(spec)) {
          return undefined; // absolute paths, data: and external URLs: esbuild's own rules
        } else {
          abs = path.resolve(args.resolveDir, decodeURIComponent(spec));
          const clamped = clampedAtRoot(urls, args.importer, spec, abs);
          if (clamped) abs = clamped;
          else if (!(urls.external && urls.external[abs] !== undefined)) return undefined;
        }
        const external = urls.external && urls.external[abs];
        if (external !== undefined) return { path: external + suffix, external: true };
        return { path: abs, suffix };
      });
    },
  };
}

function encode(result) {
  return {
    ok: true,
    errors: result.errors,
    warnings: result.warnings,
    outputFiles: (result.outputFiles || []).map((f) => ({
      path: f.path,
      contents: Buffer.from(f.contents.buffer, f.contents.byteOffset, f.contents.byteLength).toString("base64"),
    })),
    metafile: result.metafile,
  };
}

function failure(err) {
  if (err && Array.isArray(err.errors)) {
    return { ok: false, errors: err.errors, warnings: err.warnings || [] };
  }
  return { ok: false, fatal: String((err && err.stack) || err), errors: [], warnings: [] };
}

function options(req, state) {
  const opts = { ...req.options, write: false, metafile: true, logLevel: "silent" };
  opts.plugins = req.urls ? [urlPlugin(state)] : [];
  return opts;
}

async function handle(req) {
  switch (req.op) {
    case "hello":
      return { ok: true, esbuild: esbuild.version, node: process.version };
    case "build": {
      const state = { urls: req.urls };
      return encode(await esbuild.build(options(req, state)));
    }
    case "context": {
      const old = contexts.get(req.name);
      if (old) await old.ctx.dispose();
      const state = { urls: req.urls };
      const ctx = await esbuild.context(options(req, state));
      contexts.set(req.name, { ctx, state });
      return { ok: true };
    }
    case "rebuild": {
      const entry = contexts.get(req.name);
      if (!entry) return { ok: false, fatal: `no context named ${req.name}`, errors: [], warnings: [] };
      if (req.urls) entry.state.urls = req.urls;
      return encode(await entry.ctx.rebuild());
    }
    case "dispose": {
      const entry = contexts.get(req.name);
      if (entry) await entry.ctx.dispose();
      contexts.delete(req.name);
      return { ok: true };
    }
    default:
      return { ok: false, fatal: `unknown op ${req.op}`, errors: [], warnings: [] };
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
rl.on("line", (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let req;
    let res;
    try {
      req = JSON.parse(line);
      res = await handle(req);
    } catch (err) {
      res = failure(err);
    }
    process.stdout.write(JSON.stringify({ id: req ? req.id : null, ...res }) + "\n");
  });
});
rl.on("close", async () => {
  await queue;
  for (const { ctx } of contexts.values()) await ctx.dispose();
  await esbuild.stop();
});
