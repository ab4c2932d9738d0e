// Renders Adaptive Card JSON files to PNG with Microsoft's Adaptive Cards JavaScript renderer
// (`adaptivecards` on npm) in headless Chromium, with a Teams-like host config (light theme,
// Segoe-like font, Teams' font sizes) at the width of a Teams message.
//
//   node render.mjs OUT_DIR CARD.json [CARD.json ...]   (CHROMIUM=/usr/bin/chromium by default)
//
// A developer tool, not part of the tests: `scripts/render_cards.py` writes the cards and calls it.
// Teams-only pieces the JS renderer does not know are drawn by look-alikes: `CodeBlock` (Teams'
// code element: monospace on grey, language label, no wrapping) and `msteams` imBack buttons
// (plain Action.Submit buttons). Markdown goes through markdown-it without soft line breaks, as
// CommonMark does: a single "\n" in a TextBlock is not a reliable line break in Teams either.
import { readFileSync } from "node:fs";
import { basename, join, dirname } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));
const { chromium } = require("playwright-core");

const WIDTH = Number(process.env.CARD_WIDTH || 500);

const hostConfig = {
  fontFamily: "'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif",
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 20, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#E0E0E0" },
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
  imageSizes: { small: 32, medium: 52, large: 100 },
  containerStyles: {
    default: {
      backgroundColor: "#FFFFFF",
      foregroundColors: {
        default: { default: "#242424", subtle: "#616161" },
        accent: { default: "#5B5FC7", subtle: "#5B5FC7" },
        good: { default: "#237B4B", subtle: "#237B4B" },
        warning: { default: "#835C00", subtle: "#835C00" },
        attention: { default: "#C4314B", subtle: "#C4314B" },
        dark: { default: "#252424", subtle: "#616161" },
        light: { default: "#FFFFFF", subtle: "#FFFFFF" },
      },
    },
    emphasis: {
      backgroundColor: "#F5F5F5",
      foregroundColors: {
        default: { default: "#242424", subtle: "#616161" },
        accent: { default: "#5B5FC7", subtle: "#5B5FC7" },
        good: { default: "#237B4B", subtle: "#237B4B" },
        warning: { default: "#835C00", subtle: "#835C00" },
        attention: { default: "#C4314B", subtle: "#C4314B" },
      },
    },
  },
  actions: {
    maxActions: 6,
    spacing: "default",
    buttonSpacing: 8,
    showCard: { actionMode: "inline", inlineTopMargin: 8 },
    actionsOrientation: "horizontal",
    actionAlignment: "left",
  },
  adaptiveCard: { allowCustomStyle: true },
  factSet: {
    title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 150 },
    value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true },
    spacing: 8,
  },
  table: { cellSpacing: 6 },
};

const page_js = `
const AC = window.AdaptiveCards;
const md = window.markdownit({ html: false, linkify: false, breaks: false });
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = md.render(text);
  result.didProcess = true;
};
class CodeBlock extends AC.CardElement {
  getJsonTypeName() { return "CodeBlock"; }
  internalRender() {
    const box = document.createElement("div");
    box.style.cssText = "background:#F5F5F5;border:1px solid #E0E0E0;border-radius:4px;overflow:hidden;";
    const head = document.createElement("div");
    head.style.cssText = "font:12px sans-serif;color:#616161;padding:4px 8px;border-bottom:1px solid #E0E0E0;";
    head.textContent = this.getValue(CodeBlock.languageProperty) || "PlainText";
    const pre = document.createElement("pre");
    pre.style.cssText = "margin:0;padding:8px;font:12px 'DejaVu Sans Mono',monospace;white-space:pre;overflow-x:auto;";
    const first = this.getValue(CodeBlock.startLineNumberProperty) || 1;
    const lines = (this.getValue(CodeBlock.codeSnippetProperty) || "").split("\\n");
    const w = String(first + lines.length - 1).length;
    pre.textContent = lines.map((l, i) => String(first + i).padStart(w) + "  " + l).join("\\n");
    box.append(head, pre);
    return box;
  }
}
CodeBlock.codeSnippetProperty = new AC.StringProperty(AC.Versions.v1_0, "codeSnippet");
CodeBlock.languageProperty = new AC.StringProperty(AC.Versions.v1_0, "language");
CodeBlock.startLineNumberProperty = new AC.NumProperty(AC.Versions.v1_0, "startLineNumber");
AC.GlobalRegistry.elements.register("CodeBlock", CodeBlock);
window.renderCard = (json, hostConfig) => {
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(hostConfig);
  const errors = [];
  const context = new AC.SerializationContext();
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) errors.push(context.getEventAt(i).message);
  const slot = document.getElementById("slot");
  slot.innerHTML = "";
  const el = card.render();
  if (!el) return ["nothing rendered"];
  slot.appendChild(el);
  return errors;
};
`;

async function main() {
  const [outDir, ...files] = process.argv.slice(2);
  if (!outDir || files.length === 0) {
    console.error("usage: node render.mjs OUT_DIR CARD.json [CARD.json ...]");
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--font-render-hinting=none"],
  });
  const page = await browser.newPage({ viewport: { width: WIDTH + 40, height: 800 }, deviceScaleFactor: 1 });
  await page.setContent(
    `<html><body style="margin:0;padding:20px;background:#F5F5F5">` +
      `<div id="slot" style="width:${WIDTH}px;background:#FFF;border-radius:6px;` +
      `box-shadow:0 1px 3px rgba(0,0,0,.2);overflow:hidden"></div></body></html>`,
  );
  await page.addStyleTag({ path: require.resolve("adaptivecards/dist/adaptivecards.css") });
  await page.addScriptTag({ path: require.resolve("markdown-it/dist/markdown-it.min.js") });
  await page.addScriptTag({ path: require.resolve("adaptivecards/dist/adaptivecards.min.js") });
  await page.addScriptTag({ content: page_js });
  let failed = 0;
  for (const file of files) {
    const json = JSON.parse(readFileSync(file, "utf8"));
    const errors = await page.evaluate(([j, h]) => window.renderCard(j, h), [json, hostConfig]);
    const png = join(outDir, basename(file).replace(/\.json$/, ".png"));
    await page.locator("#slot").screenshot({ path: png });
    console.log(png + (errors.length ? "  warnings: " + errors.join("; ") : ""));
    if (errors.length) failed += 1;
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
