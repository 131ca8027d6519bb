"""What the annotation tool's pages share: the templates, who is asking (session user, admin)
and the rendering of a page; ``web`` (the annotators' pages) and ``admin`` (the admins') both
build on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from signkit.annotate import security
from signkit.annotate.models import User
from signkit.annotate.services import Corpus, Forbidden

HERE = Path(__file__).parent
SESSION_COOKIE = "signkit_session"
CSRF_COOKIE = "signkit_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What ``import`` writes into the media folder; nothing else there (a manifest, a .git) is served.
MEDIA_SUFFIXES = frozenset({".mp4"})
# No inline script or style anywhere: the policy refuses them, which blunts injected markup.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                               "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

templates = Jinja2Templates(directory=HERE / "templates")  # autoescape is on for .html


class NeedLogin(Exception):
    pass


class CsrfFailed(Exception):
    pass


def corpus_of(request: Request) -> Corpus:
    return request.app.state.corpus


def current_user(request: Request) -> User:
    user = corpus_of(request).user_for_token(request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise NeedLogin
    request.state.user = user
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != "admin":
        raise Forbidden("this page is for admins")
    return user


def render(request: Request, template: str, status_code: int = 200, **context) -> Response:
    context.setdefault("user", getattr(request.state, "user", None))
    context["csrf"] = request.state.csrf
    return templates.TemplateResponse(request, template, context, status_code=status_code)


Id = Annotated[int, PathParam(ge=1, le=security.MAX_ID)]
