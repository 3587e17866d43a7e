"""Open-vhs (DVV, XML 1.2) and its Berlin JSON dialect → import records, streamed.

Both forms are read into the same plain structure, one `veranstaltung` at a time (XML elements
become dicts keyed by local name, repeated elements lists, attributes `@name`, text beside
attributes `#text` — the shape the Berlin open data uses), and one mapping (openvhs_mapping)
turns that into an offer. A file is an organisation's whole current programme: a full delivery.
"""

import re
from collections.abc import Iterator
from typing import IO, Any

import ijson

from app.services.interop import openvhs_codes as codes
from app.services.interop.openvhs_mapping import course_records, line_of
from app.services.interop.report import (
    DeliveryRecord,
    FailedRecord,
    FileRejected,
    Record,
    WarningRecord,
)
from app.services.interop.xml_safety import (
    DeclaredEncodingCheck,
    PrefixedStream,
    SafeEvents,
    open_checked,
)

_HEAD = 64 * 1024

# --- XML ----------------------------------------------------------------------------------------

_XML_EVENTS = ("{*}veranstaltungen", "{*}veranstaltung", "{*}export")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_LOCAL: dict[str, str] = {}


# Attributes are read only where Open-vhs gives them meaning; asking lxml for the attributes
# of every element was a tenth of the XML import's time.
_ATTRIBUTED = frozenset({"dvv_kategorie"})


def _element_dict(el: Any, *, attributes: bool = False) -> Any:
    """An element as plain data: text for leaves, dicts keyed by local name, lists for repeats.

    The hot loop of the XML import (~70 elements per course): tag names are looked up in a
    cache, and leaves are read without building anything.
    """
    out: dict[str, Any] = {}
    if attributes:
        out = {f"@{_local(k)}": v for k, v in el.attrib.items() if not k.startswith("{")}
        if not len(el):
            return {**out, "#text": el.text} if out else el.text
    for child in el:
        tag = child.tag
        key = _LOCAL.get(tag) if type(tag) is str else None
        if key is None:
            if type(tag) is not str:
                continue  # an entity reference or the like: not an element
            key = _LOCAL.setdefault(tag, _local(tag)) if len(_LOCAL) < 10_000 else _local(tag)
        if key in _ATTRIBUTED:
            value = _element_dict(child, attributes=True)
        elif len(child):
            value = _element_dict(child)
        else:
            value = child.text
        existing = out.get(key, _MISSING)
        if existing is _MISSING:
            out[key] = value
        elif type(existing) is list:
            existing.append(value)
        else:
            out[key] = [existing, value]
    return out


_MISSING = object()


def _check_root(el: Any) -> list[str]:
    """Refuse what is not Open-vhs; return warnings about a looser root."""
    tag = el.tag if isinstance(el.tag, str) else ""
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else None
    line = el.sourceline
    if _local(tag) != "veranstaltungen":
        raise FileRejected(
            f"not an Open-vhs file: the root element is <{_local(tag)}>, not <veranstaltungen>",
            line=line,
        )
    warnings = []
    if namespace is None:
        warnings.append(f"the root element has no namespace; read as {codes.OPENVHS_NAMESPACE}")
    elif namespace.rstrip("/") != codes.OPENVHS_NAMESPACE:
        raise FileRejected(
            f"wrong namespace {namespace!r}: Open-vhs files use {codes.OPENVHS_NAMESPACE}",
            line=line,
        )
    version = (el.get("version") or "").strip()
    if not version:
        warnings.append(f"no version attribute; read as Open-vhs {codes.CURRENT_VERSION}")
    elif version not in codes.KNOWN_VERSIONS:
        raise FileRejected(
            f"unknown Open-vhs version {version[:20]!r}; this importer reads versions "
            f"{', '.join(codes.KNOWN_VERSIONS)}",
            line=line,
        )
    elif version != codes.CURRENT_VERSION:
        warnings.append(f"Open-vhs version {version}; read as {codes.CURRENT_VERSION}")
    return warnings


def _parse_xml(stream: Any) -> Iterator[Record]:
    checked, encoding = open_checked(stream)
    # As for open-Qcat: a file saved as UTF-8 under a Latin declaration is refused whole.
    declared = DeclaredEncodingCheck(checked, encoding)
    position = 0
    root_seen = False
    events = SafeEvents(declared, tag=_XML_EVENTS)
    for event, el in events:
        name = _local(el.tag)
        if not root_seen:
            root_seen = True
            root = el if event == "start" else el.getroottree().getroot()
            for message in _check_root(root):
                yield WarningRecord(None, root.sourceline, message)
            yield DeliveryRecord(full=True)
        if event == "start":
            continue
        parent = el.getparent()
        if name == "export" and parent is not None and parent.getparent() is None:
            creator = _element_dict(el)
            supplier = None
            if isinstance(creator, dict) and isinstance(creator.get("ersteller"), dict):
                supplier = line_of(creator["ersteller"].get("name"))
            yield DeliveryRecord(full=True, supplier=supplier[:200] if supplier else None)
        elif name == "veranstaltung" and parent is not None and parent.getparent() is None:
            position += 1
            raw = _element_dict(el)
            yield from course_records(
                raw if isinstance(raw, dict) else {}, line=el.sourceline, position=position
            )
        else:
            continue
        # Free what is parsed so far: memory stays flat however long the file is.
        el.clear()
        if parent is not None:
            while el.getprevious() is not None:
                del parent[0]
    if not root_seen:
        if events.root is not None:
            _check_root(events.root)  # a root none of _XML_EVENTS names: refused here
        raise FileRejected("the file is empty")
    if position == 0:
        raise FileRejected(_EMPTY_PROGRAMME)
    # Only the whole file shows a mislabelled encoding; the importer undoes what came before.
    declared.check()


_EMPTY_PROGRAMME = (
    "the file holds no veranstaltung: an Open-vhs file is the whole programme, and an empty one "
    "would archive every course; nothing was imported"
)

# --- JSON (Berlin open data) --------------------------------------------------------------------

# Where the courses are: {"veranstaltungen": {"veranstaltung": [...]}} (Berlin), a bare list,
# or {"veranstaltung": [...]}. Other shapes are searched for a list named "veranstaltung".
_JSON_SHAPES = (
    (
        re.compile(rb'^\s*\{\s*"veranstaltungen"\s*:\s*\{\s*"veranstaltung"\s*:\s*\['),
        "veranstaltungen.veranstaltung.item",
    ),
    (re.compile(rb'^\s*\{\s*"veranstaltung"\s*:\s*\['), "veranstaltung.item"),
    (re.compile(rb"^\s*\["), "item"),
)


def _json_courses(stream: Any, head: bytes) -> Iterator[Any]:
    for pattern, prefix in _JSON_SHAPES:
        if pattern.match(head):
            yield from ijson.items(stream, prefix, use_float=True)
            return
    # Any other shape: the courses are the items of the first array called "veranstaltung".
    events = ijson.parse(stream, use_float=True)
    target: str | None = None
    for prefix, event, _value in events:
        if event == "start_array" and (
            prefix == "veranstaltung" or prefix.endswith(".veranstaltung")
        ):
            target = f"{prefix}.item"
            break
    if target is None:
        raise FileRejected("no list of veranstaltung in the JSON file: nothing to import")
    builder: Any = None
    depth = 0
    for prefix, event, value in events:
        if builder is None:
            if prefix == target and event == "start_map":
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
                depth = 1
            elif event == "end_array" and prefix == target[: -len(".item")]:
                return
            continue
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                yield builder.value
                builder = None


def _parse_json(stream: Any, head: bytes) -> Iterator[Record]:
    yield DeliveryRecord(full=True)
    position = 0
    try:
        for raw in _json_courses(PrefixedStream(head, stream), head):
            position += 1
            if not isinstance(raw, dict):
                yield FailedRecord(f"veranstaltung #{position}", None, "not a JSON object")
                continue
            yield from course_records(raw, line=None, position=position)
    except ijson.JSONError as exc:
        message = str(exc).splitlines()[0][:300] if str(exc) else exc.__class__.__name__
        raise FileRejected(f"malformed JSON after {position} veranstaltungen: {message}") from None
    except UnicodeDecodeError:
        raise FileRejected("the JSON file is not UTF-8 encoded; save it as UTF-8") from None
    if position == 0:
        raise FileRejected(_EMPTY_PROGRAMME)


# --- entry --------------------------------------------------------------------------------------


def is_json(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[")


def parse_openvhs(stream: IO[bytes]) -> Iterator[Record]:
    """Yield import records for an Open-vhs XML or Berlin JSON file; FileRejected for files
    that cannot be read (nothing of them is imported, also with --partial)."""
    head = stream.read(_HEAD)
    if is_json(head):
        body = head.lstrip(b"\xef\xbb\xbf")
        yield from _parse_json(stream, body)
        return
    yield from _parse_xml(PrefixedStream(head, stream))
