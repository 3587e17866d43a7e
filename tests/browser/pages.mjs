// Drives Debian's Chromium through the portal page's second round: axe-core at 1280 and
// 390 px on search, results with filters open, zero results, offer, Leichte Sprache and the
// accessibility statement, in German and English; counselling cards that never overflow;
// filters by keyboard alone (applied as they change); every filter without JavaScript;
// hostile provider text inert; nothing scrolls sideways at phone widths.
// Usage: node pages.mjs '<json config>'  → prints one JSON report on stdout.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const cfg = JSON.parse(process.argv[2]);
const TAGS = ["wcag2a", "wcag2aa", "wcag21aa"];
const base = `${cfg.base}/p/${cfg.slug}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { axe: {}, overflow: {}, sideways: {}, keyboard: null, nojs: null, hostile: null,
                 errors: [] };

async function axe(page) {
  // Evaluated through the DevTools protocol: the pages' CSP allows no inline script.
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  }, TAGS);
}

async function accessibility() {
  const q = encodeURIComponent(cfg.query);
  const pages = [
    ["search", `${base}/`],
    ["results_filters", `${base}/?q=${q}&schedule=evening&free=1`],
    ["zero", `${base}/?q=${encodeURIComponent(cfg.nothing)}&postcode=44787&radius_km=5`],
    ["offer", `${base}/angebote/${cfg.offerId}`],
    ["easy", `${base}/leichte-sprache`],
    ["statement", `${base}/barrierefreiheit`],
  ];
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (const lang of ["de", "en"]) {
    for (const [name, url] of pages) {
      const full = lang === "de" ? url : url + (url.includes("?") ? "&" : "?") + "lang=en";
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        const response = await page.goto(full);
        if (response.status() !== 200) report.errors.push(`${name} ${lang}: HTTP ${response.status()}`);
        if (name === "results_filters") {
          await page.evaluate(() => { for (const d of document.querySelectorAll("details")) d.open = true; });
        }
        report.axe[`${name}_${lang}_${width}`] = await axe(page);
        if (name === "search") {
          report.overflow[`${lang}_${width}`] = await page.evaluate(() =>
            [...document.querySelectorAll(".counselling .card, .card")]
              .filter((c) => c.scrollWidth > c.clientWidth + 1)
              .map((c) => c.textContent.trim().slice(0, 40)));
        }
      }
    }
  }
  await page.close();
}

async function keyboard() {
  // Keyboard alone: Tab to the "kostenlos" box, Space; the filter applies by itself, the
  // page comes back with focus on that box; Tab on to its chip and remove it with Enter.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/?q=${encodeURIComponent(cfg.query)}`);
  const steps = [];
  let onBox = false;
  for (let i = 0; i < 40 && !onBox; i++) {
    await page.keyboard.press("Tab");
    onBox = await page.evaluate(() => document.activeElement.id === "flag-free");
  }
  if (!onBox) throw new Error("the 'kostenlos' filter is not reachable by Tab");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Space")]);
  await page.waitForLoadState("load");
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "flag-free", null, { timeout: 5000 }).catch(() => {});
  const applied = page.url();
  const focused = await page.evaluate(() => document.activeElement.id);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  const heading = await page.evaluate(() => document.getElementById("results-h").textContent);
  steps.push(`applied: ${applied}`);
  let chip = null;
  for (let i = 0; i < 80 && !chip; i++) {
    await page.keyboard.press("Tab");
    chip = await page.evaluate(() => {
      const a = document.activeElement;
      return a && a.tagName === "A" && a.closest(".chips") && !a.classList.contains("all") ? a.getAttribute("href") : null;
    });
  }
  if (!chip) throw new Error("no chip reachable by Tab");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const removed = page.url();
  // The sort list by keyboard: arrow keys choose without loading a page; Enter applies.
  await page.focus("#sort");
  const sortBefore = page.url();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.waitForTimeout(700);
  const sortChosen = await page.evaluate(() => document.getElementById("sort").value);
  const stayed = page.url() === sortBefore;
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const sorted = page.url();
  report.keyboard = { applied, focused, outline, heading, chip, removed, steps, sortChosen, stayed, sorted };
  await page.close();
}

async function noJavaScript() {
  // Without JavaScript: open "Suche eingrenzen", set every kind of filter, press the one
  // button; then remove one filter by its chip.
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/?q=${encodeURIComponent(cfg.query)}`);
  await page.click("details.filters > summary");
  await page.fill("#start_from", cfg.startFrom);
  await page.fill("#start_to", cfg.startTo);
  await page.fill("#price_max", "950");
  for (const id of ["#flag-azav", "#flag-barrier_free", "#flag-childcare", "#flag-online"]) {
    await page.check(id);
  }
  for (const name of ["schedule", "format", "funding"]) {
    const box = await page.$(`input[name=${name}]`);
    if (!box) throw new Error(`no ${name} filter on the page`);
    await box.check();
  }
  await Promise.all([page.waitForNavigation(), page.click("details.filters button[type=submit]")]);
  const url = page.url();
  const chips = await page.$$eval(".chips li a:not(.all)", (as) => as.map((a) => a.textContent.trim()));
  const found = await page.$eval("#results-h", (h) => h.textContent);
  const ways = await page.$$eval(".ways li a", (as) => as.map((a) => a.textContent.trim()));
  await Promise.all([page.waitForNavigation(), page.click(".chips li:first-child a")]);
  const afterRemove = page.url();
  const freeOnly = await context.newPage();
  await freeOnly.goto(`${base}/?q=${encodeURIComponent(cfg.query)}`);
  await freeOnly.click("details.filters > summary");
  await freeOnly.check("#flag-free");
  await Promise.all([freeOnly.waitForNavigation(), freeOnly.click("details.filters button[type=submit]")]);
  const freeTitles = await freeOnly.$$eval(".hit h3 a", (as) => as.map((a) => a.textContent));
  report.nojs = { url, chips, found, ways, afterRemove, freeTitles };
  await context.close();
}

async function hostile() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  const seen = {};
  for (const [name, url] of [["results", `${base}/?q=${encodeURIComponent(cfg.evilQuery)}`],
                             ["offer", `${base}/angebote/${cfg.evilOfferId}`]]) {
    await page.goto(url);
    seen[name] = await page.evaluate(() => ({
      pwned: window.__pwned === true,
      injected: document.querySelectorAll("main img, main iframe, main object, main script").length,
      jsLinks: [...document.querySelectorAll("a[href]")].filter((a) => a.href.trim().toLowerCase().startsWith("javascript:")).length,
      text: document.querySelector("main h1, main h3") ? document.body.textContent.includes("<img src=x") : false,
    }));
  }
  report.hostile = { ...seen, dialogs };
  await page.close();
}

async function sideways() {
  // At 320 and 390 px the page never scrolls sideways: not the search form, not results
  // whose titles, provider names and chips hold words longer than the screen is wide, not
  // the offer page of such a title.
  const q = encodeURIComponent(cfg.longQuery);
  const pages = [
    ["search", `${base}/`],
    ["results", `${base}/?q=${q}&category=${cfg.longCategory}`],
    ["offer", `${base}/angebote/${cfg.longOfferId}`],
  ];
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  for (const [name, url] of pages) {
    for (const width of [320, 390]) {
      await page.setViewportSize({ width, height: 844 });
      const response = await page.goto(url);
      if (response.status() !== 200) report.errors.push(`${name} ${width}: HTTP ${response.status()}`);
      report.sideways[`${name}_${width}`] = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        hits: document.querySelectorAll(".hit").length,
        h1: document.querySelector("h1").textContent,
      }));
    }
  }
  await page.close();
}

async function screenshot() {
  // For the documentation: results with filters, chips and ways out, at desktop width.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/?q=${encodeURIComponent(cfg.query)}&schedule=evening&postcode=44787`);
  await page.screenshot({ path: cfg.screenshot, fullPage: false });
  await page.close();
}

try {
  if (cfg.screenshot) await screenshot();
  await sideways();
  await accessibility();
  await keyboard();
  await noJavaScript();
  await hostile();
} catch (err) {
  report.errors.push(String(err && err.stack || err));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
