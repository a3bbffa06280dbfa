"""One error base, rendered as RFC 9457 problem details with a stable code, in Chinese and English."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://jobmatch.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class AppError(Exception):
    """A failure a client can act on. Subclasses fix the status and the stable code."""

    status: int = 400
    code: str = "bad_request"
    title_zh: str = "请求有误"
    title_en: str = "Bad request"

    def __init__(
        self,
        detail_zh: str | None = None,
        detail_en: str | None = None,
        *,
        field: str | None = None,
        rule: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail_en or self.title_en)
        self.detail_zh = detail_zh or self.title_zh
        self.detail_en = detail_en or self.title_en
        self.field = field
        self.rule = rule
        self.extra = extra or {}

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title_en,
            "status": self.status,
            "code": self.code,
            "detail": self.detail_en,
            "detail_zh": self.detail_zh,
            "title_zh": self.title_zh,
        }
        if instance:
            body["instance"] = instance
        if self.field or self.rule:
            body["errors"] = [
                {"field": self.field, "rule": self.rule, "message": self.detail_en, "message_zh": self.detail_zh}
            ]
        body.update(self.extra)
        return body


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"
    title_zh = "输入不符合规则"
    title_en = "The input breaks a rule"


class NotFound(AppError):
    status = 404
    code = "not_found"
    title_zh = "未找到"
    title_en = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title_zh = "与现有数据冲突"
    title_en = "Conflicts with existing data"


class DuplicatePerson(Conflict):
    code = "duplicate_person"
    title_zh = "此人已登记"
    title_en = "This person is already registered"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title_zh = "未登录或凭证无效"
    title_en = "Missing or invalid credentials"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title_zh = "无权执行此操作"
    title_en = "Not allowed for this caller"


class NotReady(AppError):
    status = 503
    code = "not_ready"
    title_zh = "服务尚未就绪"
    title_en = "Service not ready"


_STATUS_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求有误", "Bad request"),
    401: ("unauthorized", "未登录或凭证无效", "Missing or invalid credentials"),
    403: ("forbidden", "无权执行此操作", "Not allowed for this caller"),
    404: ("not_found", "未找到", "Not found"),
    405: ("method_not_allowed", "不支持此请求方法", "Method not allowed"),
    413: ("payload_too_large", "请求内容过大", "Payload too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    429: ("too_many_requests", "请求过于频繁", "Too many requests"),
}

_RULE_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段（未知字段或只读字段）",
    "string_too_short": "内容太短",
    "string_too_long": "内容太长",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "greater_than": "数值太小",
    "less_than": "数值太大",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "应为日期",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "JSON 格式错误",
    "value_error": "取值不符合规则",
    "too_short": "条目太少",
    "too_long": "条目太多",
}


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "")


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return describe_errors(exc.errors())


def describe_errors(raw: Iterable[Any]) -> list[dict[str, Any]]:
    """Pydantic error dicts as {field, rule, message, message_zh}; the bulk import reports rows with it too."""
    errors = []
    for err in raw:
        rule = err.get("type", "value_error")
        if rule == "json_invalid" and tuple(err.get("loc", ()))[:1] == ("body",):
            errors.append(_json_error(err))
            continue
        ctx = err.get("ctx") or {}
        # Custom validators raise with their own stable rule and Chinese message.
        original = ctx.get("error")
        message_zh = getattr(original, "message_zh", None) or _RULE_ZH.get(rule, "取值不符合规则")
        rule = getattr(original, "rule", None) or rule
        message_en = getattr(original, "message_en", None) or err.get("msg", "")
        errors.append(
            {
                "field": _field_path(tuple(err.get("loc", ()))),
                "rule": rule,
                "message": message_en,
                "message_zh": message_zh,
            }
        )
    return errors


def _json_error(err: dict[str, Any]) -> dict[str, Any]:
    """A body that is not JSON: the loc is ("body", character offset), and an offset is not a field name."""
    loc = tuple(err.get("loc", ()))
    position = loc[1] if len(loc) == 2 and isinstance(loc[1], int) else None
    # The decoder's reason ("Expecting ',' delimiter") names syntax only, never the body's content.
    reason = str((err.get("ctx") or {}).get("error") or err.get("msg") or "JSON decode error")
    if position is None:
        return {"field": "body", "rule": "json_invalid", "message": f"The body is not valid JSON: {reason}",
                "message_zh": "请求体不是有效的 JSON"}
    return {
        "field": "body",
        "rule": "json_invalid",
        "message": f"The body is not valid JSON at character {position + 1} (offset {position}): {reason}",
        "message_zh": f"请求体 JSON 格式错误：第 {position + 1} 个字符处（偏移 {position}）",
        "position": position,
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(exc.problem(request.url.path), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"field": None, "message": "", "message_zh": ""}
        err = ValidationFailed(
            f"{first['field']}：{first['message_zh']}",
            f"{first['field']}: {first['message']}",
        )
        body = err.problem(request.url.path)
        body["errors"] = errors
        return problem_response(body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _STATUS_CODES.get(exc.status_code, ("http_error", "请求失败", "Request failed"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail else en
        body = {
            "type": PROBLEM_TYPE_BASE + code,
            "title": en,
            "title_zh": zh,
            "status": exc.status_code,
            "code": code,
            "detail": detail,
            "detail_zh": zh,
            "instance": request.url.path,
        }
        return problem_response(body, headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The exception text may quote stored values, so only its type is logged.
        logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        body = {
            "type": PROBLEM_TYPE_BASE + "internal_error",
            "title": "Internal error",
            "title_zh": "服务器内部错误",
            "status": 500,
            "code": "internal_error",
            "detail": "Internal error",
            "detail_zh": "服务器内部错误",
            "instance": request.url.path,
        }
        return problem_response(body)


# Documented in every route's OpenAPI so clients know the shape of failures.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": title, "content": {PROBLEM_MEDIA_TYPE: {}}}
    for status, title in (
        (401, "Missing or invalid credentials"),
        (403, "Not allowed for this caller"),
        (404, "Not found (or not yours)"),
        (409, "Conflicts with existing data"),
        (422, "The input breaks a rule"),
    )
}
