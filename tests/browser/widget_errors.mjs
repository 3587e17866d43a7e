// Drives Chromium through the widget's answers to requests the API refuses (422): a query
// longer than the API takes is cut and searched, never reported as the service being down.
// Usage: node widget_errors.mjs '<json config>'  → prints one JSON report on stdout.
import { chromium } from "playwright-core";

const cfg = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { longQuery: null, consoleErrors: [], errors: [] };
try {
  const page = await browser.newPage();
  const statuses = [];
  page.on("response", (r) => { if (r.url().includes("/search?")) statuses.push(r.status()); });
  page.on("pageerror", (e) => report.consoleErrors.push(e.message));
  await page.goto(cfg.widgetPage);
  const field = "section[aria-label] input[type=search]";
  await page.waitForSelector(field, { timeout: 10000 });
  // Pasted text may pass a field's maxlength (set by script, as a page's own code might):
  // the value is set directly, as such code does.
  await page.evaluate(([sel, text]) => { document.querySelector(sel).value = text; },
                      [field, cfg.longQuery]);
  await page.press(field, "Enter");
  await page.waitForFunction(() => {
    const s = document.querySelector("section[aria-label] [role=status]").textContent;
    return s && !/…|\.\.\./.test(s);
  }, null, { timeout: 10000 });
  report.longQuery = await page.evaluate((sel) => {
    const root = document.querySelector("section[aria-label]");
    return {
      status: root.querySelector("[role=status]").textContent,
      problem: root.querySelector(".br-problem").textContent,
      value: document.querySelector(sel).value,
      maxLength: document.querySelector(sel).maxLength,
      titles: [...root.querySelectorAll("ol li h3")].map((h) => h.textContent),
    };
  }, field);
  report.longQuery.statuses = statuses;
  await page.close();
} catch (e) {
  report.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
