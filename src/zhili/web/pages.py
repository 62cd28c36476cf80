"""The console's pages. Each gathers what the service says and hands it to a template."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from ..api.auth import SESSION_LENGTH, Principal, end_session, open_session, session_principal
from ..api.scanning import SOURCES
from ..api.service import NotFound
from ..errors import InputError
from ..i18n import _, current_language, install_jinja
from ..platforms import pack_name
from ..timekit import fmt, parse_as_of, parse_instant
from . import HERE, listing, names, shadow_view, views
from .session import COOKIE, SignInRequired, governance, viewer

router = APIRouter()
templates = Jinja2Templates(directory=HERE / "templates")
install_jinja(templates.env)
templates.env.filters["local"] = lambda t: fmt(parse_instant(t)) if t else ""
templates.env.filters["num"] = lambda v: f"{float(v):g}"
templates.env.globals.update(name=names.name, pack_name=pack_name,
                             role_name=names.role_name, lasts_name=names.lasts_name,
                             current_language=current_language)
Viewer = Annotated[Principal, Depends(viewer)]


def page(request: Request, name: str, who: Principal | None, status: int = 200,
         **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context},
                                      status_code=status)


class BadAddress(Exception):
    """A query parameter of a console page that cannot be read: answered with a page saying
    which one and what was expected, never silently replaced by a default."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _as_of(request: Request, value: str | None) -> dt.datetime:
    if not value:
        return governance(request).clock()
    try:
        return parse_as_of(value)[0]  # a date alone: the end of that day, as in the API
    except InputError:
        raise BadAddress("as_of", _("“%(value)s” is not a time; expected a date such as "
                                    "2026-06-30 or a time such as 2026-06-30 14:00")
                         % {"value": value}) from None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: Viewer) -> Response:
    if who.role == "merchant":
        return RedirectResponse(f"/subjects/{who.subject}", status_code=303)
    return RedirectResponse("/subjects", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    # Sign-in is a form POST only: a key in a URL would end up in histories and logs.
    return page(request, "login.html", None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, key: Annotated[str, Form(max_length=200)]) -> Response:
    gov = governance(request)
    token = open_session(gov.store, key, gov.clock())
    if token is None:
        return page(request, "login.html", None, status=401, error=_("That key is not valid."))
    response = RedirectResponse("/", status_code=303)
    # The cookie holds a session token, never the key; the store keeps only its hash.
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        max_age=int(SESSION_LENGTH.total_seconds()))
    return response


@router.get("/logout")
def logout(request: Request) -> Response:
    end_session(governance(request).store, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _rows_cache(request: Request) -> listing.RowCache:
    state = request.app.state
    if getattr(state, "subject_rows", None) is None:  # one per app: per store
        state.subject_rows = listing.RowCache()
    return state.subject_rows


@router.get("/subjects", response_class=HTMLResponse)
def subjects(request: Request, who: Viewer, as_of: str | None = None) -> Response:
    # "Now" counts to the minute, so that paging and filtering within it reuse one list.
    at = _as_of(request, as_of) if as_of else \
        governance(request).clock().replace(second=0, microsecond=0)
    try:
        query = listing.SubjectQuery.parse(request.query_params)
        found = listing.subjects_listing(governance(request), who, at, query,
                                         _rows_cache(request))
    except InputError as err:
        raise BadAddress(err.path or "", err.message) from None
    return page(request, "subjects.html", who, listing=found, query=query, as_of=at,
                sorts=listing.SORTS, per_page=listing.PER_PAGE, sort_names=names.sort_names())


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
    return page(request, "scan.html", who, packs=views.pack_codes(),
                categories=views.scan_categories(), result=None)


@router.post("/scan", response_class=HTMLResponse)
def scan(request: Request, who: Viewer, text: Annotated[str, Form()],
         pack: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "",
         source: Annotated[str, Form()] = "seller") -> Response:
    categories = views.scan_categories()
    if category and category not in categories:
        raise BadAddress("category", _("unknown product category “%(value)s”")
                         % {"value": category})
    if source not in SOURCES:
        raise BadAddress("source", _("unknown kind of text “%(value)s”") % {"value": source})
    result = views.scan_result(text, pack or None, category or None, source)
    return page(request, "scan.html", who, packs=views.pack_codes(), categories=categories,
                result=result, text=text, pack=pack, category=category, source=source)


@router.get("/shadows", response_class=HTMLResponse)
def shadows(request: Request, who: Viewer) -> Response:
    return page(request, "shadows.html", who, **shadow_view.overview(governance(request), who))


@router.get("/shadows/{shadow_id}", response_class=HTMLResponse)
def shadow(request: Request, who: Viewer, shadow_id: str, as_of: str | None = None) -> Response:
    # "Now" counts to the minute, so that the page viewed again reuses its comparison.
    at = _as_of(request, as_of) if as_of else \
        governance(request).clock().replace(second=0, microsecond=0)
    data = shadow_view.comparison(governance(request), who, shadow_id, at)
    return page(request, "shadow.html", who, **data)


@router.get("/shadows/{shadow_id}/subjects/{subject_id}", response_class=HTMLResponse)
def shadow_subject(request: Request, who: Viewer, shadow_id: str, subject_id: str,
                   as_of: str | None = None) -> Response:
    data = shadow_view.subject_differences(governance(request), who, shadow_id, subject_id,
                                           _as_of(request, as_of))
    return page(request, "shadow_subject.html", who, **data)


def install_error_pages(app) -> None:
    """Console requests get pages, not JSON: sign-in redirects and readable refusals."""

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _: SignInRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    def html_error(request: Request, status: int, message: str, field: str = "") -> Response:
        gov = governance(request)
        who = session_principal(gov.store, request.cookies.get(COOKIE), gov.clock())
        return page(request, "error.html", who, status=status, message=message, field=field)

    @app.exception_handler(BadAddress)
    async def bad_address(request: Request, err: BadAddress) -> Response:
        return html_error(request, 422, err.message, err.field)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        # The API keeps its JSON answers; a person who mistyped an address gets a page.
        if _is_api(request.url.path):
            return await http_exception_handler(request, err)
        message = {404: _("There is no such page."),
                   405: _("This page cannot be used that way.")}.get(
            err.status_code, str(err.detail))
        return html_error(request, err.status_code, message)

    app.state.html_error = html_error


def _is_api(path: str) -> bool:
    return path.startswith(("/v1/", "/openapi.json", "/docs"))
