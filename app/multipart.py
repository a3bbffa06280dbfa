"""Uploads read as a stream: a size limit enforced before and while reading, and a small multipart parser.

The file part is spooled to a temporary file (memory up to 1 MiB, then disk) and never held whole in
memory. The parser is fed chunks and calls back per part, so the idempotency middleware can fingerprint
a multipart body by its content (field names, file names, bytes) rather than by its random boundary.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import unquote

from app.errors import AppError

SPOOL_MEMORY = 1 << 20
_MAX_HEADER_BYTES = 16 * 1024
_MAX_FIELD_BYTES = 4096
_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    title_zh = "文件过大"
    title_en = "Payload too large"


class BadUpload(AppError):
    status = 400
    code = "bad_upload"
    title_zh = "上传内容无法解析"
    title_en = "The upload cannot be parsed"


def too_large(limit: int) -> PayloadTooLarge:
    mib = limit / (1 << 20)
    return PayloadTooLarge(f"文件超过 {mib:g} MiB 的上限，请拆分后分批上传",
                           f"The body exceeds the limit of {mib:g} MiB; split the file", rule="size_limit",
                           extra={"limit_bytes": limit})


def check_declared_length(content_length: str | None, limit: int) -> None:
    """Refuse before reading a byte when the client announces more than the limit."""
    if content_length and content_length.strip().isdigit() and int(content_length) > limit:
        raise too_large(limit)


def boundary_of(content_type: str) -> bytes | None:
    media, params = parse_header(content_type)
    if media != "multipart/form-data":
        return None
    boundary = params.get("boundary")
    if not boundary or len(boundary) > 200:
        raise BadUpload("multipart 请求缺少 boundary", "multipart/form-data without a boundary", rule="boundary")
    return boundary.encode("latin-1")


def parse_header(value: str) -> tuple[str, dict[str, str]]:
    """`form-data; name="file"; filename*=UTF-8''%E5%90%8D.xlsx` → ("form-data", {...}), names lower-cased."""
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        name, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"'):
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if name.endswith("*"):
            # RFC 5987: charset'language'percent-encoded
            charset, _, encoded = raw.partition("'")
            _, _, encoded = encoded.partition("'")
            params[name[:-1]] = unquote(encoded, encoding=charset or "utf-8", errors="replace")
        else:
            params.setdefault(name, raw)
    return head.strip().lower(), params


class MultipartParser:
    """Feed it chunks; it calls `on_part(headers)`, `on_data(bytes)` and `on_end()` for each part."""

    def __init__(self, boundary: bytes, on_part: Callable[[dict[str, str]], None],
                 on_data: Callable[[bytes], None], on_end: Callable[[], None]) -> None:
        self._delimiter = b"--" + boundary
        self._marker = b"\r\n--" + boundary
        self._buffer = bytearray()
        self._state = "preamble"
        self._on_part, self._on_data, self._on_end = on_part, on_data, on_end

    @property
    def done(self) -> bool:
        return self._state == "done"

    def feed(self, data: bytes) -> None:
        if self._state == "done":
            return  # the epilogue is ignored
        self._buffer += data
        while self._step():
            pass

    def finish(self) -> None:
        if self._state != "done":
            raise BadUpload("上传内容不完整（连接可能中断），请重新上传", "The multipart body ended early",
                            rule="truncated")

    def _step(self) -> bool:
        buf = self._buffer
        if self._state == "preamble":
            at = buf.find(self._delimiter)
            if at < 0:
                del buf[: max(0, len(buf) - len(self._delimiter))]
                return False
            del buf[: at + len(self._delimiter)]
            self._state = "after_delimiter"
            return True
        if self._state == "after_delimiter":
            if len(buf) < 2:
                return False
            if buf[:2] == b"--":
                self._state = "done"
                buf.clear()
                return False
            end = buf.find(b"\r\n")
            if end < 0:
                return False
            del buf[: end + 2]  # transport padding, then CRLF
            self._state = "headers"
            return True
        if self._state == "headers":
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > _MAX_HEADER_BYTES:
                    raise BadUpload("multipart 头部过长", "multipart part headers too long", rule="headers")
                return False
            headers: dict[str, str] = {}
            for line in bytes(buf[:end]).decode("utf-8", errors="replace").split("\r\n"):
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            del buf[: end + 4]
            self._on_part(headers)
            self._state = "body"
            return True
        # body
        at = buf.find(self._marker)
        if at < 0:
            keep = len(self._marker) - 1
            if len(buf) > keep:
                self._on_data(bytes(buf[: len(buf) - keep]))
                del buf[: len(buf) - keep]
            return False
        if at:
            self._on_data(bytes(buf[:at]))
        del buf[: at + len(self._marker)]
        self._on_end()
        self._state = "after_delimiter"
        return True


@dataclass
class Upload:
    """The uploaded file (positioned at 0) and the small form fields sent beside it."""

    file: IO[bytes]
    filename: str | None
    content_type: str | None
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        self.file.close()


class _Collector:
    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115
        self.filename: str | None = None
        self.content_type: str | None = None
        self.size = 0
        self.fields: dict[str, str] = {}
        self._target: str | None = None
        self._value = bytearray()
        self._file_seen = False

    def on_part(self, headers: dict[str, str]) -> None:
        _, params = parse_header(headers.get("content-disposition", ""))
        if "filename" in params and not self._file_seen:
            self._file_seen, self._target = True, "<file>"
            self.filename = params["filename"] or None
            self.content_type = headers.get("content-type")
        elif "filename" in params:
            self._target = None  # one file per import; further files are ignored
        else:
            self._target, self._value = params.get("name", ""), bytearray()

    def on_data(self, data: bytes) -> None:
        if self._target == "<file>":
            self.file.write(data)
            self.size += len(data)
        elif self._target is not None:
            self._value += data
            if len(self._value) > _MAX_FIELD_BYTES:
                raise BadUpload("表单字段过长", "A form field is too long", rule="field_too_long")

    def on_end(self) -> None:
        if self._target not in (None, "<file>"):
            self.fields[self._target] = self._value.decode("utf-8", errors="replace").strip()
        self._target = None


async def receive_upload(chunks: AsyncIterator[bytes], content_type: str, limit: int,
                         filename: str | None = None) -> Upload:
    """Spool the request body: a multipart form's first file part, or the raw body as the file."""
    boundary = boundary_of(content_type)
    collector = _Collector()
    parser = None
    if boundary is not None:
        parser = MultipartParser(boundary, collector.on_part, collector.on_data, collector.on_end)
    total = 0
    try:
        async for chunk in chunks:
            total += len(chunk)
            if total > limit:
                raise too_large(limit)
            if parser is not None:
                parser.feed(chunk)
            else:
                collector.file.write(chunk)
                collector.size += len(chunk)
        if parser is not None:
            parser.finish()
            if not collector._file_seen:
                raise BadUpload("请在表单字段 file 中上传文件", "Send the file in a form part with a filename",
                                rule="file_missing")
        else:
            collector.filename = filename
            collector.content_type = parse_header(content_type)[0] or None
    except BaseException:
        collector.file.close()
        raise
    collector.file.seek(0)
    return Upload(collector.file, collector.filename, collector.content_type, collector.size, collector.fields)
