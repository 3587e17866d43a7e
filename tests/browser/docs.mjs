// Opens /docs and /redoc in Debian's Chromium with every request to another host refused:
// reports what the pages asked for elsewhere, and that they still show the API, with
// "Authorize" taking a key that "Try it out" then sends.
// Usage: node docs.mjs '<json config>'  → prints one JSON report on stdout.
import { chromium } from "playwright-core";

const cfg = JSON.parse(process.argv[2]);
const origin = new URL(cfg.base).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { outside: [], errors: [], swagger: null, redoc: null, tried: null };

async function open(path) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) {
      return route.continue();
    }
    report.outside.push(url);
    return route.abort();
  });
  page.on("pageerror", (e) => report.errors.push(`${path}: ${e.message}`));
  await page.goto(cfg.base + path, { waitUntil: "networkidle" });
  return page;
}

try {
  const docs = await open("/docs");
  await docs.waitForSelector(".swagger-ui .btn.authorize", { timeout: 20000 });
  report.swagger = {
    title: (await docs.locator(".swagger-ui .title").first().textContent()) || "",
    operations: await docs.locator(".opblock").count(),
  };
  // Authorize: the bearer scheme's dialog takes the key.
  await docs.locator(".btn.authorize").first().click();
  const input = docs.locator(".auth-container input").first();
  await input.fill(cfg.key);
  await docs.locator(".auth-btn-wrapper .authorize").first().click();
  await docs.locator(".btn-done").first().click();
  // Try it out on GET /api/v1/offers: the key goes along, the answer is the caller's list.
  const block = docs.locator("#operations-offers-list_offers_api_v1_offers_get");
  await block.locator(".opblock-summary").click();
  await block.locator(".try-out__btn").click();
  await block.locator(".execute").click();
  const status = block.locator(".live-responses-table tbody .response-col_status").first();
  await status.waitFor({ timeout: 20000 });
  report.tried = ((await status.textContent()) || "").trim();
  await docs.close();

  const redoc = await open("/redoc");
  await redoc.waitForSelector("h1", { timeout: 20000 });
  report.redoc = { title: (await redoc.locator("h1").first().textContent()) || "" };
  await redoc.close();
} catch (e) {
  report.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
