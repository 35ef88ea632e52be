"""The one error printer of the ``nemt`` command.

An error the user can fix — a :class:`ServiceError` of a service, a :class:`ContractError` of an input document,
a :class:`GeoError`, a :class:`PolicyError` — is printed on stderr as one line ``error: field: message (rule)``
and the command exits with status 2, with nothing on stdout and nothing changed. A rejected file
(:class:`ImportRejected`) lists its first 50 bad rows, one ``line N: field: reason`` each. Messages name fields and
rules, never member data. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from nemt.domain.dates import DateInputError, parse_date

if TYPE_CHECKING:
    from nemt.domain.actors import Actor
    from nemt.services.platform.errors import ImportRejected

T = TypeVar("T")

EXIT_ERROR = 2
SHOWN_ROWS = 50


def line(field: str | None, message: str, rule: str | None = None) -> str:
    """``error: field: message (rule)``; the field and the rule are left out when there is none."""
    where = f"{field}: " if field else ""
    because = f" ({rule})" if rule else ""
    return f"error: {where}{message}{because}"


def fail(field: str | None, message: str, rule: str | None = None) -> NoReturn:
    """Print the error line on stderr and exit with status 2."""
    typer.echo(line(field, message, rule), err=True)
    raise typer.Exit(EXIT_ERROR)


def describe(error: Exception) -> str | None:
    """The error line of an error the user can fix, or None for any other exception."""
    from nemt.contracts import ContractError
    from nemt.geo.errors import GeoError
    from nemt.policy import PolicyError
    from nemt.services.platform.errors import ImportRejected, ServiceError, refused
    from nemt.store.limits import FieldRefused

    if isinstance(error, FieldRefused):
        error = refused(error)
    if isinstance(error, ImportRejected):
        return _rejected_file(error)
    if isinstance(error, ServiceError):
        return line(error.field, error.message, error.rule)
    if isinstance(error, ContractError):
        return line(error.path, error.message, "input contract")
    if isinstance(error, GeoError):
        return line(error.field, error.reason)
    if isinstance(error, PolicyError):
        return line(f"{error.file}: {error.key}", error.problem, "program policy")
    return None


def _rejected_file(error: ImportRejected) -> str:
    rows = [f"error: {error.file}: rejected, nothing was imported ({len(error.errors)} error(s))"]
    rows += [f"  line {e.line}: {e.field}: {e.reason}" for e in error.errors[:SHOWN_ROWS]]
    if len(error.errors) > SHOWN_ROWS:
        rows.append(f"  … and {len(error.errors) - SHOWN_ROWS} more")
    return "\n".join(rows)


@contextmanager
def reported() -> Iterator[None]:
    """Run a command's body: an error the user can fix becomes its error line on stderr and exit status 2."""
    try:
        yield
    except Exception as error:
        text = describe(error)
        if text is None:
            raise
        typer.echo(text, err=True)
        raise typer.Exit(EXIT_ERROR) from None


def run(action: Callable[[Any, Actor], T]) -> T:
    """Run ``action(uow, actor)`` as the platform itself (``Actor.system("cli")``: every command's audit rows name
    that actor, and the command in their endpoint) in a unit of work on the settings' database; an error the user can
    fix becomes its error line (:func:`reported`). The action commits what it changes."""
    from nemt.domain.actors import Actor
    from nemt.store.uow import UnitOfWork

    with reported(), UnitOfWork() as uow:
        return action(uow, Actor.system("cli"))


def read_input(path: Path, field: str = "FILE") -> bytes:
    """The bytes of an input file, or the error line naming ``field`` when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(field, f"{path} cannot be read ({exc.strerror})")


def existing_file(path: Path, field: str = "FILE") -> Path:
    """``path`` when it is a file, else the error line ``field: PATH: no such file``."""
    if not path.is_file():
        fail(field, f"{path}: no such file")
    return path


def date_option(value: str, option: str) -> dt.date:
    """The date an option gives (YYYY-MM-DD), or the error line ``option: must be a date YYYY-MM-DD``."""
    try:
        return parse_date(value, option)
    except DateInputError as error:
        fail(error.field, error.reason)
