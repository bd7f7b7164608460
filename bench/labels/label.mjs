// Labels every <a href> of each page as content or not by Mozilla Readability's extraction,
// the way tests/data/readability-dev/labels.json was made (see tests/data/README.md).
//
//   cd bench/labels && npm ci && node label.mjs ../../tests/data/docs-heldout
//   node label.mjs --content ".entry-content, .wp-block-post-content" ../../tests/data/wp-dev
//
// With --content SELECTOR, the page itself says where its content is: a link is content when
// it is inside an element the CSS selector matches (pages whose generator writes that element
// around the article, such as WordPress's post content), and expected.html holds those elements.
//
//   node label.mjs --marked data-ls-content ../../tests/data/blogs-dev
//
// With --marked ATTR, each link of the article carries the attribute ATTR (put there before
// a site generator made the page): a link is content when it has it. The attribute is then
// taken out of source.html (which must leave every link as it was: checked), and
// expected.html holds the marked links.
//
// For each DIR/NAME/source.html: expected.html (Readability's article content) and, in
// DIR/labels.json, NAME -> [[resolved_href, anchor_text, is_content], ...] in document order.
// Hrefs are resolved against http://fakehost/test/page.html (honouring <base href>) by the
// WHATWG URL parser, fragment removed; javascript:, mailto:, tel:, data:, other non-http(s)
// and fragment-only hrefs are left out; anchor text is whitespace-collapsed. is_content is
// true when the same (href, text) pair is in Readability's content, matched as a multiset.
import fs from "node:fs";
import path from "node:path";
import { JSDOM, VirtualConsole } from "jsdom";
import { Readability } from "@mozilla/readability";

const BASE = "http://fakehost/test/page.html";
const collapse = (text) => (text || "").replace(/\s+/g, " ").trim();

function dom(html) {
  // no scripts, no subresources, no network: a parse and nothing else
  return new JSDOM(html, { url: BASE, virtualConsole: new VirtualConsole() });
}

function links(document, contentAt = null) {
  // [href, text] of each link, and [href, text, is_content] when contentAt is a selector
  const out = [];
  for (const a of document.querySelectorAll("a[href]")) {
    const raw = a.getAttribute("href").trim();
    if (!raw || raw.startsWith("#")) continue;
    let url;
    try {
      url = new URL(raw, document.baseURI);
    } catch {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    url.hash = "";
    const link = [url.href, collapse(a.textContent)];
    if (contentAt) link.push(a.closest(contentAt) !== null);
    out.push(link);
  }
  return out;
}

function selected(document, selector) {
  // the outermost elements the selector matches, as one fragment
  const tops = [...document.querySelectorAll(selector)].filter(
    (el) => !el.parentElement || !el.parentElement.closest(selector),
  );
  return tops.map((el) => el.outerHTML).join("\n");
}

const args = process.argv.slice(2);
let contentAt = args[0] === "--content" ? args.splice(0, 2)[1] : null;
const marker = args[0] === "--marked" ? args.splice(0, 2)[1] : null;
if (marker) contentAt = `a[${marker}]`;
const dir = args[0];
const labels = {};
for (const name of fs.readdirSync(dir).sort()) {
  const source = path.join(dir, name, "source.html");
  if (!fs.existsSync(source)) continue;
  const html = fs.readFileSync(source, "utf8");
  if (contentAt) {
    const document = dom(html).window.document;
    labels[name] = links(document, contentAt);
    let expected = selected(document, contentAt);
    if (marker) {
      const unmark = (text) => text.replace(new RegExp(`\\s${marker}(="")?(?=[\\s/>])`, "g"), "");
      const clean = unmark(html);
      const same = JSON.stringify(links(dom(clean).window.document));
      if (clean.includes(marker) || same !== JSON.stringify(labels[name].map((l) => l.slice(0, 2)))) {
        throw new Error(`${name}: taking ${marker} out changed the page's links`);
      }
      fs.writeFileSync(source, clean);
      expected = unmark(expected);
    }
    fs.writeFileSync(path.join(dir, name, "expected.html"), expected);
    continue;
  }
  const page = links(dom(html).window.document);
  const article = new Readability(dom(html).window.document).parse();
  const content = article ? article.content : "";
  fs.writeFileSync(path.join(dir, name, "expected.html"), content);
  const kept = new Map();
  for (const [href, text] of links(dom(content).window.document)) {
    const key = href + "\u0000" + text;
    kept.set(key, (kept.get(key) || 0) + 1);
  }
  labels[name] = page.map(([href, text]) => {
    const key = href + "\u0000" + text;
    const left = kept.get(key) || 0;
    if (left) kept.set(key, left - 1);
    return [href, text, left > 0];
  });
}
fs.writeFileSync(path.join(dir, "labels.json"), JSON.stringify(labels, null, 0) + "\n");
const all = Object.values(labels).flat();
console.log(`${Object.keys(labels).length} pages, ${all.length} links, ${all.filter((l) => l[2]).length} content links`);
