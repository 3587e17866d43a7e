"""Streaming XML parsing that refuses entity tricks: no DTD, no network, no entity expansion."""

import codecs
import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from app.services.interop.report import FileRejected

# The prologue (XML declaration, comments, DOCTYPE) must end within this many bytes.
PROLOGUE_LIMIT = 1_000_000
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<(?![?!])")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class PrefixedStream:
    """A read()-able stream that first returns bytes already peeked at."""

    def __init__(
        self, head: bytes, rest: "IO[bytes] | PrefixedStream | DeclaredEncodingCheck"
    ) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def prologue(head: bytes) -> bytes:
    """Bytes before the root element, skipping comments and processing instructions."""
    pos = 0
    while True:
        match = _ROOT_START.search(head, pos)
        if match is None:
            return head
        start = match.start()
        # `<` inside a comment or the DOCTYPE's internal subset does not start the root.
        comment = head.rfind(b"<!--", 0, start)
        if comment != -1 and head.find(b"-->", comment) > start:
            pos = head.find(b"-->", comment) + 3
            continue
        doctype = _DOCTYPE.search(head, 0, start)
        if doctype is not None and head.find(b"]>", doctype.start()) > start:
            pos = head.find(b"]>", doctype.start()) + 2
            continue
        return head[:start]


def check_prologue(head: bytes) -> str | None:
    """Reject DOCTYPEs that declare entities (XXE, billion laughs); return the declared encoding."""
    prologue_bytes = prologue(head)
    if _DOCTYPE.search(prologue_bytes):
        if _ENTITY.search(prologue_bytes):
            raise FileRejected(
                "the file declares XML entities in a DOCTYPE; entity declarations are refused "
                "(they can read server files or expand without limit): remove the DOCTYPE",
                line=prologue_bytes.count(b"\n") + 1,
            )
        if len(prologue_bytes) >= len(head) >= PROLOGUE_LIMIT:
            raise FileRejected("the DOCTYPE is too large")
    match = _ENCODING.match(head)
    return match.group(1).decode("ascii") if match else None


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SINGLE_BYTE = re.compile(r"^(iso-?8859-\d+|latin-?\d|windows-125\d|cp125\d|us-ascii|ascii)$", re.I)


class Utf16AsUtf8:
    """A UTF-16 file (recognised by its byte-order mark) read as UTF-8 with the declaration
    saying so: the checks above look for ASCII bytes like `<!DOCTYPE`, which UTF-16 spells
    differently, so the parser sees only UTF-8."""

    def __init__(self, stream: IO[bytes] | PrefixedStream) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-16")()
        self._stream = stream
        self._buffer = b""
        self._first = True
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size is None or size < 0 or len(self._buffer) < size):
            raw = self._stream.read(65536)
            try:
                text = self._decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                raise FileRejected(f"the file starts as UTF-16 but is not: {exc.reason}") from None
            if self._first and text:
                self._first = False
                text = _ENCODING_TEXT.sub(r"\g<1>UTF-8\g<2>", text, count=1)
            self._buffer += text.encode("utf-8")
            self._done = not raw
        if size is None or size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


_ENCODING_TEXT = re.compile(r"""^(\s*<\?xml[^>]*encoding\s*=\s*["'])[A-Za-z0-9._-]+(["'])""")


_NON_ASCII = re.compile(rb"[\x80-\xff]")


class DeclaredEncodingCheck:
    """Passes a stream through and tells whether a file declared in a single-byte encoding
    (ISO-8859-15, the usual one) is UTF-8 throughout: the parser would read every umlaut as
    two characters (`Ã¼` for `ü`, C1 controls for `Ü`), and no warning undoes that.

    Only the whole file decides: a Latin-1 file may hold a few doubly-encoded umlauts, which
    are valid UTF-8, but then its real umlauts are not. `check()` reads what the parser left
    and raises FileRejected for a mislabelled file.
    """

    def __init__(self, stream: "IO[bytes] | PrefixedStream", declared: str | None) -> None:
        self._stream = stream
        self._declared = declared
        self._maybe_utf8 = declared is not None and bool(_SINGLE_BYTE.match(declared.strip()))
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._lines = 1
        self._first_line: int | None = None  # the first line with a non-ASCII byte

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if self._maybe_utf8:
            self._see(data)
        return data

    def _see(self, data: bytes) -> None:
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            self._maybe_utf8 = False  # not UTF-8: the declaration may well be right
            return
        if self._first_line is not None:
            return
        first = _NON_ASCII.search(data)
        if first is None:
            self._lines += data.count(b"\n")
        else:
            self._first_line = self._lines + data.count(b"\n", 0, first.start())

    def check(self) -> None:
        """FileRejected if the file declares a single-byte encoding but is UTF-8 with
        non-ASCII characters."""
        while self._maybe_utf8 and self.read(65536):
            pass
        if self._maybe_utf8 and self._first_line is not None:
            raise FileRejected(
                f"the file is not encoded as it declares: it declares {self._declared!r} but "
                "its bytes are UTF-8, so its umlauts would read wrongly (from line "
                f'{self._first_line}); declare encoding="UTF-8" or save the file as '
                f"{self._declared}",
                line=self._first_line,
            )


def open_checked(stream: IO[bytes]) -> tuple[PrefixedStream, str | None]:
    """Peek at the start of the stream, check it, and return a stream that starts over."""
    head = stream.read(PROLOGUE_LIMIT)
    if head.startswith(UTF16_BOMS):
        utf8 = Utf16AsUtf8(PrefixedStream(head, stream))
        return open_checked(utf8)  # type: ignore[arg-type]  # a reader: read() is all it needs
    encoding = check_prologue(head)
    return PrefixedStream(head, stream), encoding


class SafeEvents:
    """lxml iterparse with every resolver off; XML errors become FileRejected with a line.

    `tag` limits events to those elements, so the parser skips the rest without calling back
    into Python; `root` is the root element once parsing has ended.
    """

    def __init__(self, stream: Any, *, tag: tuple[str, ...] | None = None) -> None:
        self._parser = etree.iterparse(
            stream,
            events=("start", "end"),
            tag=tag,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )

    @property
    def root(self) -> Any:
        return self._parser.root

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        try:
            yield from self._parser
        except etree.XMLSyntaxError as exc:
            message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
            line = exc.lineno if getattr(exc, "lineno", None) else None
            lowered = message.lower()
            if "encoding" in lowered or "utf-8" in lowered or "bytes" in message:
                message = (
                    f"the file is not encoded as it declares ({message}); save it as UTF-8 "
                    'or declare the real encoding, e.g. encoding="ISO-8859-15"'
                )
            else:
                message = f"malformed XML: {message}"
            raise FileRejected(message, line=line) from None


def iterparse(stream: Any, *, tag: tuple[str, ...] | None = None) -> Iterator[tuple[str, Any]]:
    """Iterate the safe parser's (event, element) pairs."""
    yield from SafeEvents(stream, tag=tag)
