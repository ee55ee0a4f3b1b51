"""The WSGI application that gunicorn (``backcare.wsgi``) and ``backcare runserver`` serve.

Before a process serves its first request it prepares what that request would otherwise pay for
(:func:`warm_up`): the statistics libraries of the clinic analytics (a few seconds to import),
every page's module (Django imports them all when it first reads the URLs) and the templates
(compiled once and kept). A request never waits for them; a command or the worker, which do
not import this module, never pays for them.
"""

import contextlib
import logging
import os
import time
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import get_template
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import formats
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
application = get_wsgi_application()

logger = logging.getLogger(__name__)


def _read_urls(resolver: URLResolver, namespace: str = "") -> None:
    """Read every URL conf (importing every page) and index each namespace's names, as the
    first ``reverse`` into each would (Django keeps an index per namespace, built then)."""
    resolver.reverse_dict  # noqa: B018 - reading it builds it
    for name, (_prefix, inner) in resolver.namespace_dict.items():
        within = f"{namespace}{name}:"
        first = next((key for key in inner.reverse_dict if isinstance(key, str)), None)
        if first is not None:
            with contextlib.suppress(NoReverseMatch):  # built even when arguments are missing
                reverse(within + first)
        _read_urls(inner, within)


def _compile_templates() -> None:
    """Compile every template (kept by the cached loader) and import the context processors."""
    backend = cast(DjangoTemplates, engines["django"])
    backend.engine.template_context_processors  # noqa: B018 - reading it imports them
    for folder in backend.template_dirs:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in (".html", ".txt") and path.is_file():
                try:
                    get_template(str(path.relative_to(folder)))
                except (TemplateSyntaxError, TemplateDoesNotExist) as error:
                    logger.warning("Template %s did not compile at start-up: %s", path, error)


def warm_up() -> float:
    """Prepare, in this process, what a first request would otherwise pay for; the seconds it
    took. A template that does not compile is logged and left for its page to report."""
    started = time.perf_counter()
    for name in settings.WARM_UP_AT_STARTUP:
        import_string(name)()
    _read_urls(get_resolver())
    _compile_templates()
    import_string(settings.MESSAGE_STORAGE)
    formats.get_format("DATE_FORMAT")  # reads the locale's formats
    return time.perf_counter() - started


warm_up()
