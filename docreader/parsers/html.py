"""HTML (files and fetched pages): main content as Markdown; navigation and boilerplate removed."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from docreader.models import ImageAsset, ParsedDocument, image_placeholder

from .base import ParseOptions
from .limits import scan_html
from .text import decode_text

__all__ = ["HtmlParser", "html_to_document"]

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "input",
    "select",
    "textarea",
    "template",
    "link",
    "meta",
    "object",
    "embed",
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
_BOILERPLATE_WORDS = frozenset(
    "nav navbar navbox navigation menu footer sidebar breadcrumb breadcrumbs cookie cookies banner advert ads "
    "promo share social toc catlinks printfooter editsection jump-link noprint skip-link related".split()
)
_NEVER_DROP = frozenset({"html", "body", "main", "article"})
_MAIN_SELECTORS = ("main", "article", "[role=main]", "#mw-content-text", "#content", "#main", ".content")


class _Converter(MarkdownConverter):
    """markdownify with ATX headings and '-' bullets."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False)


def _is_boilerplate(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.get("role") in _DROP_ROLES or tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    style = str(tag.get("style", "")).replace(" ", "").lower()
    if "display:none" in style:
        return True
    if tag.name in _NEVER_DROP:
        return False
    classes = tag.get("class")
    names = [
        *(classes if isinstance(classes, list) else str(classes or "").split()),
        str(tag.get("id") or ""),
    ]
    return any(_boilerplate_name(name.lower()) for name in names if name)


def _boilerplate_name(name: str) -> bool:
    """``nav``, ``site-footer``, ``mw-navigation`` are boilerplate; ``vector-toc-available`` is not."""
    if name in _BOILERPLATE_WORDS:
        return True
    for sep in ("-", "_"):
        head, _, tail = name.partition(sep)
        if tail and (head in _BOILERPLATE_WORDS or name.rsplit(sep, 1)[-1] in _BOILERPLATE_WORDS):
            return True
    return False


def _main_content(soup: BeautifulSoup) -> Tag:
    for selector in _MAIN_SELECTORS:
        found = soup.select_one(selector)
        if isinstance(found, Tag) and len(found.get_text(strip=True)) > 200:
            return found
    return soup.body or soup


def _images(root: Tag, document: ParsedDocument, base_url: str) -> None:
    for img in root.find_all("img"):
        src = str(img.get("src", "")).strip()
        alt = str(img.get("alt", "")) or "image"
        if src.startswith("data:image/") and ";base64," in src:
            header, _, payload = src.partition(";base64,")
            try:
                data = base64.b64decode(payload, validate=False)
            except (binascii.Error, ValueError):
                document.warnings.append(f"inline image {alt!r} has invalid base64 data")
                img.decompose()
                continue
            asset = document.add_image(ImageAsset.from_bytes(data, header.removeprefix("data:")))
            img.replace_with(image_placeholder(asset, alt))
        elif src:
            img.attrs = {"src": urljoin(base_url, src) if base_url else src, "alt": alt}
        else:
            img.decompose()


def _links(root: Tag, base_url: str) -> None:
    for anchor in root.find_all("a"):
        href = str(anchor.get("href", "")).strip()
        if base_url:
            href = urljoin(base_url, href)
        if not href.startswith(("http://", "https://")):
            anchor.unwrap()  # in-page anchors and relative links without a base: keep the text only
            continue
        anchor.attrs = {"href": href}


def html_to_document(html: str, options: ParseOptions) -> ParsedDocument:
    scan_html(html, options)
    soup = BeautifulSoup(html, "lxml")
    title = options.title
    if not title and soup.title and soup.title.string:
        title = soup.title.string.strip()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_boilerplate):
        tag.decompose()
    root = _main_content(soup)
    if not title:
        heading = root.find("h1")
        title = heading.get_text(" ", strip=True) if heading else ""
    document = ParsedDocument(pages=[], paged=False, title=title)
    _images(root, document, options.base_url)
    _links(root, options.base_url)
    markdown = _Converter().convert_soup(root)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    if title and not markdown.startswith("# "):
        markdown = f"# {title}\n\n{markdown}"
    document.pages.append(markdown)
    return document


class HtmlParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        return html_to_document(decode_text(data, options.name), options)
