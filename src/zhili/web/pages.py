"""The console's pages. Each gathers what the service says and hands it to a template."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..api.auth import Principal, authenticate
from ..api.service import NotFound
from ..errors import InputError
from ..i18n import install_jinja
from ..timekit import fmt, parse_instant
from . import HERE, views
from .session import COOKIE, SignInRequired, governance, viewer

router = APIRouter()
templates = Jinja2Templates(directory=HERE / "templates")
install_jinja(templates.env)
templates.env.filters["local"] = lambda t: fmt(parse_instant(t)) if t else ""
templates.env.filters["money"] = lambda v: f"¥{float(v):,.0f}" if v is not None else "whole account"
Viewer = Annotated[Principal, Depends(viewer)]


def page(request: Request, name: str, who: Principal | None, status: int = 200,
         **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context},
                                      status_code=status)


def _as_of(request: Request, value: str | None) -> dt.datetime:
    if value:
        try:
            return parse_instant(value)
        except InputError:
            pass
    return governance(request).clock()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: Viewer) -> Response:
    if who.role == "merchant":
        return RedirectResponse(f"/subjects/{who.subject}", status_code=303)
    return RedirectResponse("/subjects", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, key: str | None = None) -> Response:
    # ``?key=`` lets `zhili demo` print one link that signs in; the form is the normal way.
    if key:
        return _sign_in(request, key)
    return page(request, "login.html", None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, key: Annotated[str, Form()]) -> Response:
    return _sign_in(request, key)


def _sign_in(request: Request, key: str) -> Response:
    if authenticate(governance(request).store, key.strip()) is None:
        return page(request, "login.html", None, status=401, error="That key is not valid.")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict")
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/subjects", response_class=HTMLResponse)
def subjects(request: Request, who: Viewer, as_of: str | None = None) -> Response:
    at = _as_of(request, as_of)
    rows = views.subject_rows(governance(request), who, at)
    return page(request, "subjects.html", who, rows=rows, as_of=at)


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject(request: Request, who: Viewer, subject_id: str, as_of: str | None = None) -> Response:
    at = _as_of(request, as_of)
    data = views.subject_page(governance(request), who, subject_id, at)
    return page(request, "subject.html", who, as_of=at, **data)


@router.post("/subjects/{subject_id}/appeals")
def appeal(request: Request, who: Viewer, subject_id: str,
           violation: Annotated[str, Form()], complex: Annotated[bool, Form()] = False,
           materials: Annotated[str, Form()] = "") -> Response:
    items = [m.strip() for m in materials.split(",") if m.strip()]
    governance(request).file_appeal(who, subject_id, violation, complex=complex, materials=items)
    return RedirectResponse(f"/subjects/{subject_id}#appeals", status_code=303)


@router.get("/appeals", response_class=HTMLResponse)
def appeal_queue(request: Request, who: Viewer) -> Response:
    gov = governance(request)
    now = gov.clock()
    return page(request, "appeals.html", who, rows=views.appeal_rows(gov, who, now), now=now)


@router.post("/appeals/{appeal_id}/{action}")
def appeal_action(request: Request, who: Viewer, appeal_id: str, action: str) -> Response:
    gov = governance(request)
    if action == "grant" or action == "deny":
        gov.decide_appeal(who, appeal_id, "granted" if action == "grant" else "denied")
    elif action == "request-material":
        gov.request_material(who, appeal_id)
    elif action == "submit-material":
        gov.submit_material(who, appeal_id)
    else:
        raise NotFound(action)
    return RedirectResponse("/appeals", status_code=303)


@router.get("/logistics", response_class=HTMLResponse)
def logistics(request: Request, who: Viewer, subject: str | None = None) -> Response:
    data = views.logistics_page(governance(request), who, subject)
    return page(request, "logistics.html", who, **data)


@router.get("/scan", response_class=HTMLResponse)
def scan_form(request: Request, who: Viewer) -> Response:
    return page(request, "scan.html", who, packs=views.pack_codes(), result=None)


@router.post("/scan", response_class=HTMLResponse)
def scan(request: Request, who: Viewer, text: Annotated[str, Form()],
         pack: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "") -> Response:
    result = views.scan_result(text, pack or None, category or None)
    return page(request, "scan.html", who, packs=views.pack_codes(), result=result,
                text=text, pack=pack, category=category)


def install_error_pages(app) -> None:
    """Console requests get pages, not JSON: sign-in redirects and readable refusals."""

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _: SignInRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    def html_error(request: Request, status: int, message: str) -> Response:
        who = authenticate(governance(request).store, request.cookies.get(COOKIE))
        return page(request, "error.html", who, status=status, message=message)

    app.state.html_error = html_error
