"""Admin pages: users, team settings, progress and agreement, pay report, corpus statistics, exports."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from signkit.annotate import reports, security
from signkit.annotate.deps import Id, admin_user, corpus_of, render
from signkit.annotate.models import User
from signkit.annotate.services import ROLES, TEAM_DEFAULTS, Conflict, NotFound


def _download(content: bytes | str, filename: str, media_type: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _period(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    """Default: this month so far. ``end`` is inclusive for people, exclusive inside."""
    today = date.today()
    start = start or today.replace(day=1)
    end = end or today
    if end < start:
        raise security.InvalidInput("the period ends before it starts")
    if end >= date.max:
        raise security.InvalidInput(f"the period ends on {date.max} at the latest")
    return datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1),
                                                                          datetime.min.time())


Admin = Annotated[User, Depends(admin_user)]  # module level: FastAPI resolves it by name


router = APIRouter()


@router.get("/admin")
def progress_page(request: Request, admin: Admin):
    corpus = corpus_of(request)
    return render(request, "admin_progress.html", p=reports.progress(corpus), team=corpus.settings(),
                  s=reports.suggestion_stats(corpus))

def _users_result(request: Request, error: str = "", done: str = "", status: int = 200):
    return render(request, "admin_users.html", status_code=status, users=corpus_of(request).users(),
                  roles=ROLES, error=error, done=done, team=corpus_of(request).settings())

@router.get("/admin/users")
def users_page(request: Request, admin: Admin):
    return _users_result(request)

@router.post("/admin/users")
def create_user(request: Request, admin: Admin, name: Annotated[str, Form(max_length=64)],
                password: Annotated[str, Form(max_length=256)],
                role: Annotated[str, Form(max_length=16)] = "annotator"):
    try:
        corpus_of(request).create_user(name, password, role)
    except (security.InvalidInput, Conflict) as e:
        return _users_result(request, error=str(e), status=422)
    return _users_result(request, done=f"user {name} created")

@router.post("/admin/users/{user_id}/active")
def set_active(request: Request, admin: Admin, user_id: Id, active: Annotated[bool, Form()]):
    if user_id == admin.id and not active:
        return _users_result(request, error="you cannot deactivate yourself", status=422)
    corpus_of(request).set_active(user_id, active)
    return RedirectResponse("/admin/users", status_code=303)

@router.post("/admin/users/{user_id}/password")
def reset_password(request: Request, admin: Admin, user_id: Id,
                   password: Annotated[str, Form(max_length=256)]):
    try:
        corpus_of(request).reset_password(user_id, password)
    except security.InvalidInput as e:
        return _users_result(request, error=str(e), status=422)
    return _users_result(request, done="password reset; that user was logged out")

@router.post("/admin/settings")
async def settings(request: Request, admin: Admin):
    form = await request.form()
    corpus = corpus_of(request)
    try:
        for key in TEAM_DEFAULTS:
            if key in form:
                corpus.set_setting(key, str(form[key]))
    except security.InvalidInput as e:
        return _users_result(request, error=str(e), status=422)
    return _users_result(request, done="settings saved")

@router.get("/admin/pay")
def pay_page(request: Request, admin: Admin, start: date | None = None, end: date | None = None):
    lo, hi = _period(start, end)
    rows = reports.pay_report(corpus_of(request), lo, hi)
    return render(request, "admin_pay.html", rows=rows, start=lo.date(), end=(hi - timedelta(days=1)),
                  total=sum(float(r["amount"]) for r in rows), team=corpus_of(request).settings())

@router.get("/admin/pay.csv")
def pay_csv(request: Request, admin: Admin, start: date | None = None, end: date | None = None):
    lo, hi = _period(start, end)
    rows = reports.pay_report(corpus_of(request), lo, hi)
    name = f"pay_{lo.date()}_{(hi - timedelta(days=1)).date()}.csv"
    return _download(reports.to_csv(rows, reports.PAY_FIELDS, for_spreadsheets=True), name, "text/csv")

@router.get("/admin/stats")
def stats_page(request: Request, admin: Admin, n: Annotated[int, Query(ge=1, le=1000)] = 5):
    glosses, words = reports.corpus_stats(corpus_of(request))
    return render(request, "admin_stats.html", glosses=glosses, words=words, n=n,
                  thresholds=sorted({1, 2, 5, 10, n}))

@router.get("/admin/stats/{what}/{kind}.png")
def stats_png(request: Request, admin: Admin, what: str, kind: str):
    if what not in ("glosses", "words") or kind not in reports.PLOTS:
        raise NotFound("no such figure")
    glosses, words = reports.corpus_stats(corpus_of(request))
    png = reports.plot(glosses if what == "glosses" else words, kind,
                       "glosses" if what == "glosses" else "transcript words")
    return Response(png, media_type="image/png")

@router.get("/admin/export/{name}")
def export(request: Request, admin: Admin, name: str):
    corpus = corpus_of(request)
    if name == "annotations.csv":
        return _download(reports.to_csv(reports.annotation_rows(corpus), reports.ANNOTATION_FIELDS,
                                        for_spreadsheets=True), name, "text/csv")
    if name == "annotations.json":
        return _download(reports.export_json(corpus), name, "application/json")
    if name == "manifest.csv":
        return _download(reports.to_csv(reports.manifest_rows(corpus), reports.MANIFEST_FIELDS),
                         name, "text/csv")
    if name == "eaf.zip":
        buf = io.BytesIO()
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buf, "w") as zf:
            for path in reports.write_eaf(corpus, Path(tmp)):
                zf.write(path, path.name)
        return _download(buf.getvalue(), name, "application/zip")
    raise NotFound(f"no export {name!r}")
