// Drives Debian's Chromium through the citizen pages: axe-core checks, a keyboard-only search,
// the page without JavaScript, and the widget on a page of another origin; with
// `"mode": "monitoring"` through the monitoring dashboard instead (sign-in, pages, print).
// Usage: node run.mjs '<json config>'  → prints one JSON report on stdout.
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
const report = { axe: {}, keyboard: null, nojs: null, widget: null, errors: [] };

async function axe(page, name) {
  // Evaluated through the DevTools protocol, not added as an inline <script>: the pages'
  // Content-Security-Policy allows no inline script, and stays enforced for their own.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  }, TAGS);
  report.axe[name] = result;
}

async function monitoring() {
  const m = { axe: {}, keyboard: null, print: null, charts: {}, consoleErrors: [] };
  report.monitoring = m;
  const base = `${cfg.base}/monitoring`;
  // 1. The sign-in form, wide and narrow.
  for (const [name, width] of [["sign_in", 1280], ["sign_in_mobile", 390]]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(`${base}/`);
    await axe(page, `monitoring_${name}`);
    m.axe[name] = report.axe[`monitoring_${name}`];
    await page.close();
  }
  // 2. Keyboard only: open a page, get sent to sign in, Tab to the key, type it, Enter.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("console", (msg) => { if (msg.type() === "error") m.consoleErrors.push(msg.text()); });
  await page.goto(`${base}/${cfg.slug}`);
  const signInUrl = page.url();
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.className);
  let onKey = false;
  for (let i = 0; i < 10 && !onKey; i++) {
    await page.keyboard.press("Tab");
    onKey = await page.evaluate(() => document.activeElement.id === "key");
  }
  if (!onKey) throw new Error("key field not reachable by Tab");
  await page.keyboard.type(cfg.key);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const landed = page.url();
  // Tab to the "white spots" section link and follow it.
  let link = null;
  for (let i = 0; i < 20 && !link; i++) {
    await page.keyboard.press("Tab");
    link = await page.evaluate(() => {
      const a = document.activeElement;
      return a && a.tagName === "A" && a.closest("nav.sections") &&
        a.getAttribute("href").includes("weisse-flecken") ? a.getAttribute("href") : null;
    });
  }
  if (!link) throw new Error("section link not reachable by Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  m.keyboard = { signInUrl, firstStop: first, landed, link, focusOutline: outline, url: page.url() };
  // 3. axe on every page at 1280 and 390 px, and every chart has a table after it.
  for (const [name, path] of cfg.pages) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const response = await page.goto(`${base}/${cfg.slug}${path}`);
      if (response.status() !== 200) report.errors.push(`${name}: HTTP ${response.status()}`);
      const key = `monitoring_${name}_${width}`;
      await axe(page, key);
      m.axe[`${name}_${width}`] = report.axe[key];
    }
    m.charts[name] = await page.evaluate(() => [...document.querySelectorAll("svg.chart")].map((svg) => {
      let el = svg.nextElementSibling;
      while (el && !el.querySelector("table") && el.tagName !== "TABLE") el = el.nextElementSibling;
      return { id: svg.id, role: svg.getAttribute("role"), table: Boolean(el) };
    }));
  }
  // 4. Print: navigation and forms go, the figures stay.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/${cfg.slug}`);
  await page.emulateMedia({ media: "print" });
  m.print = await page.evaluate(() => ({
    nav: getComputedStyle(document.querySelector("nav.sections")).display,
    picker: getComputedStyle(document.querySelector("form.day-picker")).display,
    tables: [...document.querySelectorAll("table.data")].filter((t) => t.offsetHeight > 0).length,
  }));
  await page.emulateMedia({ media: "screen" });
  if (cfg.screenshot) {
    await page.goto(`${base}/${cfg.slug}${cfg.screenshotPath || ""}`);
    await page.screenshot({ path: cfg.screenshot, fullPage: false });
  }
  await context.close();
}

async function citizenPages() {
  // 1. axe on the search page, a results page (filters open), the offer page, mobile and English.
  for (const [name, url, width] of [
    ["search", `${cfg.base}/p/${cfg.slug}/`, 1024],
    ["results", `${cfg.base}/p/${cfg.slug}/?q=${encodeURIComponent(cfg.query)}&category=accounting_finance`, 1200],
    ["results_mobile", `${cfg.base}/p/${cfg.slug}/?q=${encodeURIComponent(cfg.query)}`, 375],
    ["results_en", `${cfg.base}/p/${cfg.slug}/?q=${encodeURIComponent(cfg.query)}&lang=en`, 1024],
    ["offer", `${cfg.base}/p/${cfg.slug}/angebote/${cfg.offerId}`, 1024],
    ["embed", `${cfg.base}/p/${cfg.slug}/embed?q=${encodeURIComponent(cfg.query)}`, 600],
  ]) {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    const response = await page.goto(url);
    if (response.status() !== 200) report.errors.push(`${name}: HTTP ${response.status()}`);
    if (name === "results") {
      await page.evaluate(() => document.querySelector("details.filters").setAttribute("open", ""));
    }
    await axe(page, name);
    await page.close();
  }

  if (cfg.screenshot) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    await page.goto(`${cfg.base}/p/${cfg.slug}/?q=datev`);
    await page.screenshot({ path: cfg.screenshot });
    await page.close();
  }

  // 2. Keyboard only: Tab to the search box, type, Enter, Tab to the first result, Enter.
  {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    await page.goto(`${cfg.base}/p/${cfg.slug}/`);
    const steps = [];
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => document.activeElement.className);
    steps.push(`first tab stop: ${first}`);
    let found = false;
    for (let i = 0; i < 15 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => document.activeElement.id === "q");
    }
    if (!found) throw new Error("search box not reachable by Tab");
    await page.keyboard.type(cfg.query);
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    steps.push(`results: ${page.url()}`);
    let link = null;
    for (let i = 0; i < 60 && !link; i++) {
      await page.keyboard.press("Tab");
      link = await page.evaluate(() => {
        const a = document.activeElement;
        return a && a.tagName === "A" && a.closest(".hit") ? a.getAttribute("href") : null;
      });
    }
    if (!link) throw new Error("no result link reachable by Tab");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    const h1 = await page.evaluate(() => document.querySelector("h1").textContent);
    report.keyboard = { firstStop: first, link, focusOutline: outline, url: page.url(), h1, steps };
    await page.close();
  }

  // 3. No JavaScript: fill the form and submit it like any browser would.
  {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${cfg.base}/p/${cfg.slug}/`);
    await page.fill("#q", cfg.query);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
    const hits = await page.$$eval(".hit h3 a", (as) => as.map((a) => a.getAttribute("href")));
    report.nojs = { url: page.url(), hits };
    await context.close();
  }

  // 4. The widget on a page of another origin.
  {
    const page = await browser.newPage();
    const hosts = new Set();
    page.on("request", (r) => hosts.add(new URL(r.url()).origin));
    const consoleErrors = [];
    const failed = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text());
    });
    page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    await page.goto(cfg.widgetPage);
    await page.waitForSelector("section[aria-label] input[type=search]", { timeout: 10000 });
    await page.fill("section[aria-label] input[type=search]", cfg.query);
    await page.press("section[aria-label] input[type=search]", "Enter");
    await page.waitForSelector("section[aria-label] ol li", { timeout: 10000 });
    const result = await page.evaluate(() => {
      const root = document.querySelector("section[aria-label]");
      return {
        status: root.querySelector("[role=status]").textContent,
        titles: [...root.querySelectorAll("ol li h3")].map((h) => h.textContent),
        links: [...root.querySelectorAll("ol li h3 a")].map((a) => a.href),
        marks: root.querySelectorAll("mark").length,
        injected: document.querySelectorAll("img, iframe, object").length,
        scripts: document.querySelectorAll("script").length,
        pwned: window.__pwned === true,
      };
    });
    await axe(page, "widget");
    report.widget = { ...result, hosts: [...hosts], consoleErrors, failed };
    await page.close();
  }
}

try {
  if (cfg.mode === "monitoring") {
    await monitoring();
  } else {
    await citizenPages();
  }
} catch (err) {
  report.errors.push(String(err && err.stack || err));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
