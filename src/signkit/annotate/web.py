"""FastAPI app: login, CSRF, the annotator's pages and JSON API, and media with range requests.
Admin pages are in ``admin.py``, what both share in ``deps.py``. Every rule lives in
``services``; this layer checks who asks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signkit.annotate import security
from signkit.annotate.admin import router as admin_router
from signkit.annotate.deps import (
    CSRF_COOKIE,
    HERE,
    MEDIA_SUFFIXES,
    SAFE_METHODS,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    CsrfFailed,
    Id,
    NeedLogin,
    corpus_of,
    current_user,
    render,
)
from signkit.annotate.models import Clip, User
from signkit.annotate.services import SKIP_REASONS, Conflict, Corpus, Forbidden, NotFound, RateLimited


def expected_csrf(request: Request) -> str | None:
    """Logged in: the token bound to the session cookie. Before logging in (the login form):
    the double-submit cookie's value."""
    session = request.cookies.get(SESSION_COOKIE)
    return security.csrf_for(session) if session else request.cookies.get(CSRF_COOKIE)


async def csrf_protect(request: Request) -> None:
    """Every write carries the page's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf_token")
    if not security.same(sent, expected_csrf(request)):
        raise CsrfFailed


class BodyLimit:
    """Refuses a request body over ``max_bytes`` before the app reads any of it (413): by its
    Content-Length, or, sent in chunks without one, once the bytes buffered pass the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int = security.MAX_BODY) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                return await self._refuse(send)
            return await self.app(scope, receive, send)
        # No length given: buffer the chunks (at most the limit), then hand them on as one.
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                return await self._refuse(send)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = f'{{"detail": "request body over {self.max_bytes} bytes"}}'.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def create_app(corpus: Corpus, media_dir: Path, secure_cookies: bool = False) -> FastAPI:
    """The web app over one corpus. ``secure_cookies`` when served over HTTPS (behind a proxy)."""
    app = FastAPI(title="signkit annotate", dependencies=[Depends(csrf_protect)],
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.corpus = corpus
    app.state.media = Path(media_dir).resolve()
    app.state.secure = secure_cookies
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def csrf_cookie_and_headers(request: Request, call_next):
        expected = expected_csrf(request)
        request.state.csrf = expected or security.new_token()
        response = await call_next(request)
        if expected is None:  # neither a session nor a login-form token yet
            set_cookie(request, response, CSRF_COOKIE, request.state.csrf, "strict")
        response.headers.update(SECURITY_HEADERS)
        return response

    app.add_middleware(BodyLimit)  # outermost: before the CSRF middleware and any body parsing

    @app.exception_handler(NeedLogin)
    async def _login(request: Request, _exc):
        if wants_html(request):
            return RedirectResponse("/login", status_code=303)
        return JSONResponse({"detail": "log in first"}, status_code=401)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc):
        return _error(request, 403, "the form expired or came from another site (CSRF check); "
                                    "reload the page and try again")

    for exc, status in ((NotFound, 404), (Forbidden, 403), (Conflict, 409),
                        (security.InvalidInput, 422)):
        app.add_exception_handler(exc, lambda request, e, status=status: _error(request, status, str(e)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        # The message names the field and the rule, never echoes the input (which may not even
        # encode: a lone surrogate).
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                             for e in exc.errors()[:5])
        return _error(request, 422, f"invalid request ({problems})")

    _annotator_routes(app)
    app.include_router(admin_router)
    return app


def _error(request: Request, status: int, message: str) -> Response:
    if wants_html(request):
        return render(request, "error.html", status_code=status, message=message, status=status)
    return JSONResponse({"detail": message}, status_code=status)


def set_cookie(request: Request, response: Response, name: str, value: str, samesite: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, httponly=True, samesite=samesite, secure=request.app.state.secure,
                        max_age=max_age, path="/")


# -- JSON bodies ---------------------------------------------------------------------------


class SessionBody(BaseModel):
    session: int = Field(ge=1, le=security.MAX_ID)


class EditBody(BaseModel):
    annotation: int = Field(ge=1, le=security.MAX_ID)


class SubmitBody(SessionBody):
    glosses: str = Field(max_length=security.MAX_GLOSS_TEXT)


class SkipBody(SessionBody):
    reason: str = Field(max_length=32)
    note: str = Field(default="", max_length=200)


def clip_json(request: Request, clip: Clip) -> dict:
    video = clip.video
    return {"id": clip.id, "url": f"/media/{quote(clip.file)}", "fps": video.fps, "start": clip.start,
            "end": clip.end, "index": clip.index, "source": Path(video.source).name,
            "subject": video.subject, "grade": video.grade, "transcript": clip.transcript}


# Module level: FastAPI resolves the (postponed) annotations of the routes in this module's globals.
User_ = Annotated[User, Depends(current_user)]


def _annotator_routes(app: FastAPI) -> None:
    @app.get("/")
    def home(user: User_):
        return RedirectResponse("/annotate", status_code=303)

    @app.get("/login")
    def login_page(request: Request):
        return render(request, "login.html")

    @app.post("/login")
    def login(request: Request, name: Annotated[str, Form(max_length=64)],
              password: Annotated[str, Form(max_length=256)]):
        corpus = corpus_of(request)
        address = request.client.host if request.client else "unknown"
        try:
            user, token = corpus.login(name, password, address)
        except RateLimited as e:
            response = render(request, "login.html", status_code=429, error=str(e), name=name)
            response.headers["Retry-After"] = str(e.retry_after)
            return response
        if user is None:
            return render(request, "login.html", status_code=401, name=name,
                          error="wrong user name or password (or the account is deactivated)")
        response = RedirectResponse("/admin" if user.role == "admin" else "/annotate", status_code=303)
        set_cookie(request, response, SESSION_COOKIE, token, "lax",
                   max_age=int(corpus.config.session_hours * 3600))
        # A new CSRF token with the new login (no fixation of a token seen before logging in).
        set_cookie(request, response, CSRF_COOKIE, security.new_token(), "strict")
        return response

    @app.post("/logout")
    def logout(request: Request):
        corpus_of(request).logout(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/annotate")
    def annotate_page(request: Request, user: User_):
        corpus = corpus_of(request)
        return render(request, "annotate.html", hours=corpus.hours(user), reasons=SKIP_REASONS)

    @app.post("/api/next")
    def next_clip(request: Request, user: User_):
        corpus = corpus_of(request)
        got = corpus.next_clip(user)
        if got is None:
            return {"clip": None, "message": "No clip needs annotation right now. Thank you!"}
        shown = corpus.suggestion(got.clip.id)
        return {"clip": clip_json(request, got.clip), "session": got.work_session.id,
                "active_seconds": got.work_session.active_seconds,
                "suggestion": None if shown is None else {"glosses": shown.glosses, "model": shown.model}}

    @app.post("/api/heartbeat")
    def heartbeat(request: Request, body: SessionBody, user: User_):
        return {"active_seconds": corpus_of(request).heartbeat(user, body.session)}

    @app.post("/api/submit")
    def submit(request: Request, body: SubmitBody, user: User_):
        ann = corpus_of(request).submit(user, body.session, body.glosses)
        # Reached only after the commit: an acknowledged submission is in the database.
        return {"annotation_id": ann.id, "glosses": ann.glosses}

    @app.post("/api/skip")
    def skip(request: Request, body: SkipBody, user: User_):
        ann = corpus_of(request).skip(user, body.session, body.reason, body.note)
        return {"annotation_id": ann.id, "skip_reason": ann.skip_reason}

    @app.get("/api/vocabulary")
    def vocabulary(request: Request, user: User_):
        """For completion: the annotator's own glosses and those of the shared vocabulary (typed
        by several annotators), never one other person's glosses alone."""
        return {"glosses": corpus_of(request).completion_vocabulary(user)[:20000]}

    @app.get("/api/hours")
    def hours(request: Request, user: User_):
        return {"hours": corpus_of(request).hours(user)}

    @app.get("/mine")
    def mine(request: Request, user: User_, q: Annotated[str, Query(max_length=200)] = ""):
        security.check_text(q, "the search")
        corpus = corpus_of(request)
        return render(request, "mine.html", annotations=corpus.my_annotations(user, q), q=q,
                      hours=corpus.hours(user))

    def _edit_page(request: Request, user: User, annotation_id: int, status_code: int = 200,
                   session: int | None = None, **context):
        # A GET writes nothing: the page's script opens the edit's work session (POST below).
        ann = corpus_of(request).annotation(user, annotation_id)
        return render(request, "edit.html", status_code=status_code, ann=ann,
                      clip=clip_json(request, ann.clip), session=session or "", **context)

    @app.get("/mine/{annotation_id}")
    def edit_page(request: Request, annotation_id: Id, user: User_, saved: bool = False):
        return _edit_page(request, user, annotation_id, saved=saved)

    @app.post("/api/edit")
    def start_edit(request: Request, body: EditBody, user: User_):
        ws = corpus_of(request).start_edit(user, body.annotation)
        return {"session": ws.id, "active_seconds": ws.active_seconds}

    @app.post("/mine/{annotation_id}")
    def edit(request: Request, annotation_id: Id, user: User_,
             glosses: Annotated[str, Form(max_length=security.MAX_GLOSS_TEXT)],
             session: Annotated[int | None, Form(ge=1, le=security.MAX_ID)] = None):
        try:
            corpus_of(request).edit(user, annotation_id, glosses, session)
        except security.InvalidInput as e:
            typed = glosses if not any(0xD800 <= ord(c) <= 0xDFFF for c in glosses) else ""
            return _edit_page(request, user, annotation_id, 422, session, error=str(e), typed=typed)
        return RedirectResponse(f"/mine/{annotation_id}?saved=1", status_code=303)

    @app.get("/media/{path:path}")
    def media(request: Request, path: str, user: User_):
        """Files of the media folder only; Starlette answers Range requests (206) for seeking."""
        root: Path = request.app.state.media
        asked = Path(path)
        hidden = any(p.startswith(".") for p in asked.parts)
        if "\x00" in path or hidden or asked.suffix not in MEDIA_SUFFIXES:
            raise NotFound("no such media file")
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise NotFound("no such media file")
        return FileResponse(target, media_type="video/mp4" if target.suffix == ".mp4" else None)
