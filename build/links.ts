/**
 * Part of `npm run docs`: every relative link in the README, CONTRIBUTING and docs/ must name a
 * file that exists, and a heading of it when it has an anchor (`docs/x.md#a-heading`). TypeDoc,
 * which builds the API reference from the same documents, checks the files but not the anchors;
 * sections move between documents, so both are checked. Anchors follow GitHub's rule: the heading
 * in lower case, punctuation dropped, spaces as hyphens.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
const documents = [
  "README.md",
  "CONTRIBUTING.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (heading === null) continue;
    const slug = (heading[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    anchors.add(slug);
  }
  return anchors;
}

const broken: string[] = [];
for (const document of documents) {
  const text = readFileSync(path.join(root, document), "utf8").replace(/```[\s\S]*?```/g, "");
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (target === undefined || /^[a-z]+:/.test(target)) continue;
    const [file = "", anchor] = target.split("#");
    const resolved =
      file === "" ? path.join(root, document) : path.resolve(path.dirname(path.join(root, document)), file);
    if (!existsSync(resolved)) broken.push(`${document}: ${target} (no such file)`);
    else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) {
      broken.push(`${document}: ${target} (no such heading)`);
    }
  }
}
if (broken.length > 0) {
  console.error(`Broken links in the documentation:\n  ${broken.join("\n  ")}`);
  process.exit(1);
}
console.log(`links: ${documents.length} documents, every relative link resolves`);
