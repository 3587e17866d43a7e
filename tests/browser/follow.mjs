// Drives Debian's Chromium through what follows and keeps a search: the map view, the watch
// list, the embed (iframe) and the widget with postcode and radius. axe-core at 1280 and
// 390 px in German and English, keyboard only, without JavaScript, network on demand.
// Usage: node follow.mjs '<json config>'  → prints one JSON report on stdout.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const cfg = JSON.parse(process.argv[2]);
const TAGS = ["wcag2a", "wcag2aa", "wcag21aa"];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { axe: {}, keyboardMap: null, keyboardWatch: null, nojs: null, onDemand: null,
                 popup: null, widget: null, embed: null, share: null, consoleErrors: [], errors: [] };
const base = `${cfg.base}/p/${cfg.slug}`;
const q = encodeURIComponent(cfg.query);

async function axe(page, name) {
  // Through the DevTools protocol: the pages' CSP allows no inline script.
  await page.evaluate(axeSource);
  report.axe[name] = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  }, TAGS);
}

function watchConsole(page, name) {
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      report.consoleErrors.push(`${name}: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => report.consoleErrors.push(`${name}: ${e.message}`));
}

async function markersShown(page) {
  await page.waitForSelector(".leaflet-marker-pane .map-marker, .leaflet-marker-pane .map-cluster",
    { timeout: 10000 });
}

async function tabUntil(page, test, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const hit = await page.evaluate(test);
    if (hit) return hit;
  }
  return null;
}

async function widgetSearch(page, postcode, radius) {
  const root = "section[aria-label]";
  await page.waitForSelector(`${root} input[type=search]`, { timeout: 10000 });
  await page.fill(`${root} input[type=search]`, cfg.query);
  await page.fill(`${root} input[name=postcode]`, postcode);
  if (radius) await page.selectOption(`${root} select[name=radius_km]`, radius);
  await page.press(`${root} input[type=search]`, "Enter");
}

async function run() {
  // 1. axe: map view, results (watch list open), offer, embed; both widths, both languages.
  for (const lang of ["de", "en"]) {
    const l = lang === "de" ? "" : "&lang=en";
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      watchConsole(page, `axe ${lang} ${width}`);
      let r = await page.goto(`${base}/karte?q=${q}${l}`);
      if (r.status() !== 200) report.errors.push(`map ${lang}: HTTP ${r.status()}`);
      await markersShown(page);
      await axe(page, `map_${lang}_${width}`);
      r = await page.goto(`${base}/?q=${q}${l}`);
      await page.waitForSelector(".watch-toggle");
      await page.click(".watch-toggle");
      await page.click(".watch-open");
      await page.waitForSelector("#watch-panel:not([hidden]) .watch-list a");
      await axe(page, `results_${lang}_${width}`);
      await page.evaluate(() => localStorage.clear());
      r = await page.goto(`${base}/angebote/${cfg.offerId}?${l.slice(1)}`);
      await page.waitForSelector(".watch-toggle");
      await axe(page, `offer_${lang}_${width}`);
      r = await page.goto(`${base}/embed?q=${q}${l}`);
      if (r.status() !== 200) report.errors.push(`embed ${lang}: HTTP ${r.status()}`);
      await axe(page, `embed_${lang}_${width}`);
      await page.goto(lang === "de" ? cfg.widgetPage : cfg.widgetPageEn);
      await widgetSearch(page, "44787", "10");
      await page.waitForSelector("section[aria-label] ol li", { timeout: 10000 });
      await axe(page, `widget_${lang}_${width}`);
      await page.close();
    }
  }

  // 2. Keyboard only: from the results, Tab to the map toggle, open the map, reach a marker.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watchConsole(page, "keyboard map");
    await page.goto(`${base}/?q=${q}`);
    const toggle = await tabUntil(page, () =>
      document.activeElement.closest(".map-toggle") ? document.activeElement.getAttribute("href") : null);
    if (!toggle) throw new Error("map toggle not reachable by Tab");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    await markersShown(page);
    const steps = [];
    let marker = null;
    for (let round = 0; round < 4 && !marker; round++) {
      const found = await tabUntil(page, () => {
        const a = document.activeElement;
        if (a.classList.contains("map-marker")) return { kind: "marker", href: a.getAttribute("href"), name: a.textContent };
        if (a.classList.contains("map-cluster")) return { kind: "cluster", name: a.textContent };
        return null;
      }, 40);
      if (!found) break;
      steps.push(found.kind);
      if (found.kind === "marker") { marker = found; break; }
      await page.keyboard.press("Enter");
      await page.waitForTimeout(900);
      // Focus moved to the first marker the group revealed.
      const now = await page.evaluate(() => {
        const a = document.activeElement;
        return a.classList.contains("map-marker") ? { kind: "marker", href: a.getAttribute("href"), name: a.textContent } : null;
      });
      if (now) { steps.push("marker"); marker = now; }
    }
    if (!marker) throw new Error(`no marker reachable by keyboard (${steps.join(", ")})`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    await page.keyboard.press("Enter");
    await page.waitForSelector(".leaflet-popup-content a");
    const popup = await page.evaluate(() => ({
      focused: document.activeElement.closest(".leaflet-popup-content") !== null,
      link: document.activeElement.getAttribute("href"),
      text: document.querySelector(".leaflet-popup-content").textContent,
      close: document.querySelector(".leaflet-popup-close-button").getAttribute("aria-label"),
    }));
    report.keyboardMap = { toggle, url: page.url(), steps, marker, outline, popup };
    await page.close();
  }

  // 3. Keyboard only: keep an offer, open the watch list; nothing is sent anywhere.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watchConsole(page, "keyboard watch");
    await page.goto(`${base}/?q=${q}`);
    await page.waitForSelector(".watch-toggle");
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    const kept = await tabUntil(page, () =>
      document.activeElement.classList.contains("watch-toggle") ? document.activeElement.getAttribute("aria-label") : null);
    if (!kept) throw new Error("keep button not reachable by Tab");
    await page.keyboard.press("Enter");
    const pressed = await page.evaluate(() => document.activeElement.getAttribute("aria-pressed"));
    const opener = await tabUntil(page, () => document.activeElement.classList.contains("watch-open") || null);
    if (!opener) throw new Error("watch list button not reachable by Tab");
    await page.keyboard.press("Enter");
    const state = await page.evaluate(() => ({
      expanded: document.querySelector(".watch-open").getAttribute("aria-expanded"),
      focusInPanel: document.activeElement.id === "watch-panel",
      items: [...document.querySelectorAll("#watch-panel .watch-list a")].map((a) => ({ text: a.textContent, href: a.getAttribute("href") })),
      stored: JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith("bildungsraum:merkliste:")) || "[]")),
      status: document.querySelector(".follow-status").textContent,
    }));
    const sent = requests.slice();
    // Tab on into the list and follow the kept offer.
    const link = await tabUntil(page, () =>
      document.activeElement.closest(".watch-list") && document.activeElement.tagName === "A" ? document.activeElement.getAttribute("href") : null, 5);
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    const offerPressed = await page.evaluate(() => document.querySelector(".watch-toggle").getAttribute("aria-pressed"));
    report.keyboardWatch = { kept, pressed, ...state, link, url: page.url(), offerPressed, requests: sent };
    await page.close();
  }

  // 4. Without JavaScript: no map toggle, no watch list, the feed link still there.
  {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/?q=${q}`);
    report.nojs = await page.evaluate(() => ({
      toggles: document.querySelectorAll(".map-toggle, .map-toggle a").length,
      watch: document.querySelectorAll(".watch-toggle, .watch-open").length,
      feed: document.querySelector("a.feed") && document.querySelector("a.feed").getAttribute("href"),
      hits: document.querySelectorAll(".hit").length,
    }));
    await page.goto(`${base}/karte?q=${q}`);
    report.nojs.mapList = await page.evaluate(() => document.querySelectorAll(".places a").length);
    await context.close();
  }

  // 5. Map assets on demand: the search page loads none of them, the map page does.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const loads = [];
    page.on("response", async (r) => {
      let size = 0;
      try { size = (await r.body()).length; } catch (e) { size = 0; }
      loads.push({ url: r.url(), size });
    });
    await page.goto(`${base}/?q=${q}`, { waitUntil: "networkidle" });
    const before = loads.slice();
    await Promise.all([page.waitForNavigation(), page.click(".map-toggle a")]);
    await markersShown(page);
    await page.waitForLoadState("networkidle");
    const after = loads.slice(before.length);
    const hosts = new Set(loads.map((l) => new URL(l.url).origin));
    report.onDemand = {
      before: before.map((l) => new URL(l.url).pathname),
      bytes: before.reduce((n, l) => n + l.size, 0),
      after: after.map((l) => new URL(l.url).pathname),
      tiles: after.filter((l) => l.url.startsWith(cfg.tileOrigin)).length,
      hosts: [...hosts],
    };
    await page.close();
  }

  if (cfg.screenshot) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${base}/karte?q=${q}`);
    await markersShown(page);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: cfg.screenshot });
    await page.close();
  }

  // 6. Hostile text in a map popup stays text.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watchConsole(page, "popup");
    await page.goto(`${base}/karte?q=${q}`);
    await markersShown(page);
    const selector = `a.map-marker[href$="/angebote/${cfg.evilId}"]`;
    for (let i = 0; i < 4 && !(await page.$(selector)); i++) {
      const cluster = await page.$(".map-cluster");
      if (!cluster) break;
      await cluster.focus();
      await page.keyboard.press("Enter");
      await page.waitForTimeout(900);
    }
    await page.click(selector);
    await page.waitForSelector(".leaflet-popup-content a");
    report.popup = await page.evaluate(() => {
      const c = document.querySelector(".leaflet-popup-content");
      return {
        title: c.querySelector("a").textContent,
        injected: c.querySelectorAll("img, script, iframe, object").length,
        pwned: window.__pwned === true,
        links: [...c.querySelectorAll("a")].map((a) => a.getAttribute("href")),
      };
    });
    await page.close();
  }

  // 7. The widget with postcode and radius, and a postcode it does not know.
  {
    const page = await browser.newPage();
    watchConsole(page, "widget");
    const hosts = new Set();
    const asked = [];
    page.on("request", (r) => { hosts.add(new URL(r.url()).origin); asked.push(r.url()); });
    await page.goto(cfg.widgetPage);
    await widgetSearch(page, "44787", "10");
    await page.waitForSelector("section[aria-label] ol li", { timeout: 10000 });
    const found = await page.evaluate(() => ({
      titles: [...document.querySelectorAll("section[aria-label] ol li h3")].map((h) => h.textContent),
      more: document.querySelector("section[aria-label] ol + p a") && document.querySelector("section[aria-label] ol + p a").href,
      injected: document.querySelectorAll("section[aria-label] img, section[aria-label] iframe").length,
      pwned: window.__pwned === true,
    }));
    await widgetSearch(page, "00000", "");
    await page.waitForFunction(() => document.querySelector("section[aria-label] .br-problem").textContent.length > 0);
    await page.waitForTimeout(500);
    const bad = await page.evaluate(() => ({
      problem: document.querySelector("section[aria-label] .br-problem").textContent,
      invalid: document.querySelector("section[aria-label] input[name=postcode]").getAttribute("aria-invalid"),
      status: document.querySelector("section[aria-label] [role=status]").textContent,
    }));
    // Nothing within 5 km of Dortmund: a way out with its count, and it leads to results.
    await widgetSearch(page, "44137", "5");
    await page.waitForSelector("section[aria-label] .br-out button", { timeout: 10000 });
    const wayOut = await page.evaluate(() => ({
      status: document.querySelector("section[aria-label] [role=status]").textContent,
      buttons: [...document.querySelectorAll("section[aria-label] .br-out button")].map((b) => b.textContent),
    }));
    await page.click("section[aria-label] .br-out button");
    await page.waitForSelector("section[aria-label] ol li", { timeout: 10000 });
    wayOut.after = await page.evaluate(() => ({
      status: document.querySelector("section[aria-label] [role=status]").textContent,
      postcode: document.querySelector("section[aria-label] input[name=postcode]").value,
    }));
    const size = (await (await fetch(`${cfg.base}/widget/${cfg.slug}.js`)).arrayBuffer()).byteLength;
    report.widget = { ...found, bad, wayOut, hosts: [...hosts], asked, size };
    await page.close();
  }

  // 9. Share: the system's share sheet where there is one, else the link copied; and print.
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: cfg.base });
    const page = await context.newPage();
    watchConsole(page, "share");
    await page.goto(`${base}/?q=${q}`);
    await page.waitForSelector("button.share");
    const native = await page.evaluate(() => typeof navigator.share === "function");
    // The fallback is what is checked: a browser without the Web Share API.
    await page.evaluate(() => { delete Navigator.prototype.share; });
    await page.click("button.share");
    await page.waitForFunction(() => document.querySelector(".follow-status").textContent.length > 0);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const said = await page.evaluate(() => document.querySelector(".follow-status").textContent);
    await page.emulateMedia({ media: "print" });
    const print = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector("header.site")).display,
      form: getComputedStyle(document.querySelector("form.search")).display,
      follow: getComputedStyle(document.querySelector(".follow")).display,
      keep: getComputedStyle(document.querySelector(".keep")).display,
      hits: [...document.querySelectorAll(".hit")].filter((h) => h.offsetHeight > 0).length,
    }));
    report.share = { native, copied, said, url: page.url(), print };
    await context.close();
  }

  // 8. The iframe embed sizes itself to its content on another site.
  {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    watchConsole(page, "embed host");
    await page.goto(cfg.embedHostPage);
    const frame = await page.waitForSelector("iframe[data-bildungsraum]");
    await page.waitForFunction(() => {
      const f = document.querySelector("iframe[data-bildungsraum]");
      return f.style.height && f.style.height !== "40rem";
    }, null, { timeout: 10000 });
    const inner = await (await frame.contentFrame()).evaluate(
      () => Math.ceil(document.documentElement.getBoundingClientRect().height));
    const outer = await page.evaluate(() => document.querySelector("iframe[data-bildungsraum]").getBoundingClientRect().height);
    report.embed = { inner, outer, styleHeight: await page.evaluate(() => document.querySelector("iframe[data-bildungsraum]").style.height) };
    await page.close();
  }
}

try {
  await run();
} catch (err) {
  report.errors.push(String(err && err.stack || err));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
