"""The JavaScript site generators both labelled-set builders run (``blogs/build.py`` for
blogs, ``docsites/build.py`` for documentation): Astro's Starlight and Docusaurus, from the
npm projects in ``blogs/starlight/`` and ``blogs/docusaurus/`` (``npm ci`` there first).
Each writes a site's files and configuration, builds it, and returns the built site's folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from articles import SITE, SOCIAL, run

HERE = Path(__file__).resolve().parent
STARLIGHT = HERE / "blogs" / "starlight"
DOCUSAURUS = HERE / "blogs" / "docusaurus"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def starlight(work: Path, docs: dict[str, str], options: str, blog: bool = False) -> Path:
    """Build a Starlight site (Astro 5.18.2, Starlight 0.37.7; with the starlight-blog 0.25.3
    plugin when ``blog``) whose ``src/content/docs`` holds ``docs`` (path -> Markdown) and
    whose ``starlight({...})`` takes ``options`` (JavaScript object members) besides the
    site's title and social links; its folder, ``work/dist``.  The site is built inside
    ``blogs/starlight/`` and then moved: Vite loses the plugin's components when the modules
    are a link."""
    site = Path(tempfile.mkdtemp(prefix="site-", dir=STARLIGHT))
    try:
        _write(site / "src" / "content" / "docs", docs)
        extend = "{ extend: (context) => blogSchema(context) }" if blog else ""
        social = ", ".join(
            f"{{ icon: {json.dumps(label.lower())}, label: {json.dumps(label)},"
            f" href: {json.dumps(url)} }}"
            for label, url in SOCIAL
        )
        _write(
            site,
            {
                "src/content.config.ts": "import { defineCollection } from 'astro:content'\n"
                "import { docsLoader } from '@astrojs/starlight/loaders'\n"
                "import { docsSchema } from '@astrojs/starlight/schema'\n"
                + ("import { blogSchema } from 'starlight-blog/schema'\n" if blog else "")
                + "export const collections = { docs: defineCollection({ loader: docsLoader(),"
                f" schema: docsSchema({extend}) }}) }}\n",
                "astro.config.mjs": "import starlight from '@astrojs/starlight'\n"
                "import { defineConfig } from 'astro/config'\n"
                + ("import starlightBlog from 'starlight-blog'\n" if blog else "")
                + "export default defineConfig({ site: 'http://fakehost', integrations: [starlight({\n"
                f"  title: {json.dumps(SITE)},\n  social: [{social}],\n{options}"
                "})] })\n",
            },
        )
        run(
            ["node", "../node_modules/astro/astro.js", "build"],
            site,
            {"ASTRO_TELEMETRY_DISABLED": "1"},
        )
        shutil.move(site / "dist", work / "dist")
    finally:
        shutil.rmtree(site)
    return work / "dist"


def docusaurus(work: Path, files: dict[str, str], preset: str, navbar: str) -> Path:
    """Build a Docusaurus 3.10.2 site from ``files`` (path -> text) with the classic preset's
    ``preset`` options and the navbar's ``navbar`` items (both JavaScript), the site's title
    and a footer of its social links; its folder, ``work/build``."""
    shutil.copy(DOCUSAURUS / "package.json", work / "package.json")
    (work / "node_modules").symlink_to(DOCUSAURUS / "node_modules")
    footer = ", ".join(f"{{ label: {json.dumps(t)}, href: {json.dumps(u)} }}" for t, u in SOCIAL)
    _write(work, files)
    _write(
        work,
        {
            "docusaurus.config.js": "module.exports = {\n"
            f"  title: {json.dumps(SITE)},\n  url: 'http://fakehost',\n  baseUrl: '/',\n"
            "  onBrokenLinks: 'ignore',\n"
            "  markdown: { format: 'detect', hooks: { onBrokenMarkdownLinks: 'ignore' } },\n"
            f"  presets: [['classic', {preset}]],\n"
            "  themeConfig: {\n"
            f"    navbar: {{ title: {json.dumps(SITE)}, items: {navbar} }},\n"
            "    footer: { style: 'dark', links: [{ title: 'Follow', items: ["
            f"{footer}] }}], copyright: {json.dumps(SITE)} }},\n  }},\n}};\n",
        },
    )
    bin_ = DOCUSAURUS / "node_modules" / "@docusaurus" / "core" / "bin" / "docusaurus.mjs"
    run(["node", str(bin_), "build"], work, {"NO_UPDATE_NOTIFIER": "1"})
    return work / "build"
