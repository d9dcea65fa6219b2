"""`once_per_event`: an event listener with a visible effect acts once per Slack event id.

Slack redelivers an event (``X-Slack-Retry-Num``; Socket Mode's ``retry_attempt``) when it saw no
2xx within 3 seconds, to any replica; each delivery keeps the envelope's ``event_id``. The first
delivery to claim the id acts, later ones are dropped (``bot.services.event_claims``). When acting
fails with anything but a final answer (a ServiceError the member was told), the claim is given
back so a redelivery can try again.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable

from bot.services import event_claims
from bot.services.errors import ServiceError
from bot.slack.deps import Deps

log = logging.getLogger("bot.slack.once")

_NEEDED = ("body", "context")


def once_per_event(deps: Deps, func: Callable[..., None]) -> Callable[..., None]:
    """Wrap an event listener (plain or lazy) so it runs once per (workspace, event id)."""
    own = inspect.signature(func)
    wanted = set(own.parameters)
    extra = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in _NEEDED if name not in wanted]

    def wrapper(**kwargs) -> None:
        body, context = kwargs.get("body") or {}, kwargs.get("context") or {}
        # The workspace Bolt authorized the request for (not a field of the body we trust on its own).
        team_id, event_id = context.get("team_id"), body.get("event_id")
        call = {name: value for name, value in kwargs.items() if name in wanted}
        if not team_id or not event_id:  # nothing to de-duplicate on (not an Events API envelope)
            func(**call)
            return
        if not event_claims.claim(deps.db, team_id=team_id, event_id=event_id, now=deps.clock.now()):
            log.info("event %s (team %s) already handled: a redelivery, dropped", event_id, team_id)
            return
        try:
            func(**call)
        except ServiceError:
            event_claims.finish(deps.db, team_id=team_id, event_id=event_id)
            raise  # a final answer (the member was told): a redelivery would say the same
        except Exception:
            _release(deps, team_id, event_id)
            raise
        event_claims.finish(deps.db, team_id=team_id, event_id=event_id)

    # Bolt passes a listener the arguments its signature names (read through __wrapped__, so
    # there is none here): the listener's own, plus the two this wrapper needs.
    wrapper.__signature__ = own.replace(parameters=[*own.parameters.values(), *extra])  # type: ignore[attr-defined]
    wrapper.__name__ = getattr(func, "__name__", "listener")
    wrapper.__qualname__ = getattr(func, "__qualname__", wrapper.__name__)
    wrapper.__doc__ = func.__doc__
    return wrapper


def _release(deps: Deps, team_id: str, event_id: str) -> None:
    try:
        event_claims.release(deps.db, team_id=team_id, event_id=event_id)
    except Exception:  # noqa: BLE001 - the claim then stays; the error being raised matters more
        log.warning("could not release the claim of event %s", event_id, exc_info=True)
