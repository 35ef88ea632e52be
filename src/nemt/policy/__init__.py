"""Program policies as data: one TOML file per state program (``programs/co.toml``, ``programs/ct.toml`` in this
package, installed with it; ``NEMT_POLICY_DIR`` names another folder). ``NEMT_PROGRAMS_DIR`` names a folder of more
programs: every ``<code>.toml`` there is a program of the platform (:func:`program_codes`), read and validated as
these are (docs/programs.md says what a program file holds).

Rules read every threshold, code and date from a :class:`Policy`; none is written as a literal in rule code.
A bad policy file fails at load with :class:`PolicyError`, naming the file, the key and the problem.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nemt.settings import get_settings

__all__ = ["Policy", "PolicyError", "load_policy", "load_programs", "policy_dir", "program_codes", "programs_dir",
           "PROGRAMS"]

PROGRAMS = ("CO", "CT")  # the programs installed with the package; program_codes() gives every program of the platform


class PolicyError(ValueError):
    """A policy file that cannot be used: names the file, the key and the problem."""

    def __init__(self, file: str | Path, key: str, problem: str):
        self.file, self.key, self.problem = str(file), key, problem
        super().__init__(f"{file}: {key}: {problem}")


# Keys every program file must have, with their types. Tables not listed here are free-form, but each table
# (and each mode) must carry a `cite` string: the section of the seed document the values come from.
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "program.code": str,
    "program.name": str,
    "program.state": str,
    "program.time_zone": str,
    "program.document": str,
    "identifiers.medicaid_id_pattern": str,
    "eligibility.covering_plans": list,
    "eligibility.excluded_plans": list,
    "notice.required_hours": int,
    "urgent.reasons": list,
    "claims.diagnosis": str,
    "claims.places_of_service.land": str,
    "claims.places_of_service.air": str,
    "claims.repeat_same_provider_modifier": str,
    "claims.repeat_other_provider_modifier": str,
    "claims.cms1500_lines_per_form": int,
    "timely_filing.days": int,
    "operations.pickup_window_minutes": int,
    "operations.max_ride_minutes": int,
    "operations.service_minutes": int,
    "operations.dispatch_lead_minutes": int,
    "operations.replan_margin_minutes": int,
    "operations.will_call_pickup_minutes": int,
    "trip_log.days_before_service_date": int,
    "trip_log.future_tolerance_minutes": int,
    "trip_log.max_loaded_miles": int,
    "trip_log.max_wait_minutes": int,
    "plausibility.refuse": list,
    "plausibility.early_pickup_minutes": (int, float),
    "plausibility.min_loaded_share": (int, float),
    "plausibility.miles_tolerance_share": (int, float),
    "plausibility.miles_tolerance_miles": (int, float),
    "plausibility.odometer_tolerance_miles": (int, float),
    "plausibility.gps_circuity_max": (int, float),
    "plausibility.gps_place_miles": (int, float),
    "plausibility.pin_attempts": int,
    "plausibility.signature_max_kb": int,
    "modes": dict,
    "decision.rules": list,
}
_MODE_REQUIRED: dict[str, type | tuple[type, ...]] = {"rank": int, "needs": list, "cite": str}
_DIAGNOSIS = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_PROGRAM_CODE = re.compile(r"^[A-Z]{2}$")  # stored in two-letter columns (members, trips, organizations, claims)


PACKAGED_POLICIES = Path(__file__).resolve().parent / "programs"


def policy_dir() -> Path:
    """Where the program files live: the settings' ``policy_dir`` (``NEMT_POLICY_DIR``), else the files installed
    with this package (``nemt/policy/programs/``), so an installed package finds them as a checkout does."""
    return get_settings().policy_dir or PACKAGED_POLICIES


def programs_dir() -> Path | None:
    """The folder of more programs (the settings' ``programs_dir``, ``NEMT_PROGRAMS_DIR``), or None."""
    return get_settings().programs_dir


def program_codes() -> tuple[str, ...]:
    """Every program of the platform: one per ``<code>.toml`` in :func:`policy_dir`, then in :func:`programs_dir`
    (codes in file order; the packaged ``CO`` and ``CT`` first)."""
    return tuple(_program_files(policy_dir(), programs_dir()))


@cache
def _program_files(first: Path, more: Path | None) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in (first, more):
        if folder is None:
            continue
        if not folder.is_dir():
            raise PolicyError(folder, "(folder)", "is not a folder of program files")
        for path in sorted(folder.glob("*.toml")):
            code = path.stem.upper()
            if code in files:
                raise PolicyError(path, "program.code", f"{code!r} is already the program of {files[code]}")
            files[code] = path
    return files


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


@dataclass(frozen=True)
class Policy:
    """One program's rules as data. ``get("distance.radius_miles")`` reads a value by its dotted key."""

    code: str
    path: Path
    data: Mapping[str, Any] = field(repr=False)

    # -- generic access ------------------------------------------------------------------------------------
    def get(self, dotted: str, default: Any = ...) -> Any:
        try:
            return _lookup(self.data, dotted)
        except KeyError:
            if default is not ...:
                return default
            raise PolicyError(self.path, dotted, "missing") from None

    def has(self, dotted: str) -> bool:
        try:
            _lookup(self.data, dotted)
            return True
        except KeyError:
            return False

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.get(name)
        if not isinstance(value, Mapping):
            raise PolicyError(self.path, name, "is not a table")
        return value

    # -- citations -----------------------------------------------------------------------------------------
    @property
    def document(self) -> str:
        return str(self.data["program"]["document"])

    def cite(self, section_or_key: str) -> str:
        """Full citation for a policy table (``"distance"``) or a section heading of the seed document."""
        if self.has(section_or_key) and isinstance(self.get(section_or_key), Mapping):
            heading = self.get(section_or_key).get("cite", section_or_key)
        else:
            heading = section_or_key
        return f"{self.document} — {heading}"

    # -- frequently used values ----------------------------------------------------------------------------
    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(self.data["program"]["time_zone"])

    @property
    def state(self) -> str:
        return str(self.data["program"]["state"])

    @property
    def modes(self) -> Mapping[str, Mapping[str, Any]]:
        # `_validate` checked at load that `modes` is a table of tables.
        return cast("Mapping[str, Mapping[str, Any]]", self.data["modes"])

    def mode(self, name: str) -> Mapping[str, Any]:
        if name not in self.modes:
            raise PolicyError(self.path, f"modes.{name}", "unknown mode")
        return self.modes[name]

    @property
    def medicaid_id_pattern(self) -> re.Pattern[str]:
        return re.compile(self.data["identifiers"]["medicaid_id_pattern"])

    def valid_medicaid_id(self, value: str) -> bool:
        return bool(self.medicaid_id_pattern.fullmatch(value or ""))


def _validate(path: Path, data: Mapping[str, Any], expected_code: str | None) -> None:
    """Every check of a program file, in order; the first problem raises :class:`PolicyError`."""
    _check_required(path, data)
    _check_program(path, data, expected_code)
    _check_cites(path, data)
    _check_modes(path, data)
    _check_brokers(path, data)
    _check_named_values(path, data)


def _check_required(path: Path, data: Mapping[str, Any]) -> None:
    for key, kind in _REQUIRED.items():
        try:
            value = _lookup(data, key)
        except KeyError:
            raise PolicyError(path, key, "missing") from None
        if not isinstance(value, kind) or isinstance(value, bool):
            raise PolicyError(path, key, f"must be {_kind_name(kind)}, got {type(value).__name__} {value!r}")


def _check_program(path: Path, data: Mapping[str, Any], expected_code: str | None) -> None:
    code = data["program"]["code"]
    if not _PROGRAM_CODE.fullmatch(code):
        raise PolicyError(path, "program.code", f"must be two capital letters, got {code!r}")
    if expected_code and code != expected_code:
        raise PolicyError(path, "program.code", f"is {code!r} but the file is for {expected_code!r}")
    try:
        ZoneInfo(data["program"]["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(path, "program.time_zone", f"unknown time zone {data['program']['time_zone']!r}") from None
    try:
        re.compile(data["identifiers"]["medicaid_id_pattern"])
    except re.error as exc:
        raise PolicyError(path, "identifiers.medicaid_id_pattern", f"not a regular expression ({exc})") from None
    if not _DIAGNOSIS.fullmatch(data["claims"]["diagnosis"]):
        raise PolicyError(path, "claims.diagnosis", "must be an ICD-10 code without the decimal point")


def _check_cites(path: Path, data: Mapping[str, Any]) -> None:
    for name, table in data.items():
        if isinstance(table, Mapping) and name != "modes" and "cite" not in table:
            raise PolicyError(path, f"{name}.cite", "missing: every table names the section it comes from")
        if isinstance(table, list):
            for i, entry in enumerate(table):
                if isinstance(entry, Mapping) and "cite" not in entry:
                    raise PolicyError(path, f"{name}[{i}].cite", "missing: every entry names its section")


def _check_modes(path: Path, data: Mapping[str, Any]) -> None:
    if not data["modes"]:
        raise PolicyError(path, "modes", "no modes defined")
    for mode, table in data["modes"].items():
        for key, kind in _MODE_REQUIRED.items():
            if key not in table:
                raise PolicyError(path, f"modes.{mode}.{key}", "missing")
            if not isinstance(table[key], kind):
                raise PolicyError(path, f"modes.{mode}.{key}", f"must be {_kind_name(kind)}")
        target = table.get("downgrade_to")
        if target is not None and target not in data["modes"]:
            raise PolicyError(path, f"modes.{mode}.downgrade_to", f"names unknown mode {target!r}")


def _check_brokers(path: Path, data: Mapping[str, Any]) -> None:
    for i, broker in enumerate(data.get("brokers", [])):
        for key in ("name", "from", "through"):
            if key not in broker:
                raise PolicyError(path, f"brokers[{i}].{key}", "missing")
        for key in ("from", "through"):
            if not isinstance(broker[key], dt.date):
                raise PolicyError(path, f"brokers[{i}].{key}", "must be a date (YYYY-MM-DD)")


def _check_named_values(path: Path, data: Mapping[str, Any]) -> None:
    """Values that name something the code defines: a typo must fail here, not on the first trip or payment. The
    names live with the code that reads them (imported here, at load, as the rules import this module)."""
    from nemt.billing.x12_837p import Address
    from nemt.domain.decisions.engine import RULES_BY_NAME
    from nemt.domain.plausibility import RULES

    for i, name in enumerate(data["plausibility"]["refuse"]):
        if name not in RULES:
            raise PolicyError(path, f"plausibility.refuse[{i}]",
                              f"unknown rule {name!r}; the rules are {', '.join(RULES)}")
    _check_integrity(path, data.get("integrity"))
    for i, name in enumerate(data["decision"]["rules"]):
        if not isinstance(name, str) or name not in RULES_BY_NAME:
            raise PolicyError(path, f"decision.rules[{i}]",
                              f"unknown rule {name!r}; the rules are {', '.join(RULES_BY_NAME)}")
    _check_sections(path, data["decision"].get("sections", {}))
    _check_notice(path, data)
    address = data.get("payers", {}).get("broker_address")
    if address is not None and Address.parse(str(address)) is None:
        raise PolicyError(path, "payers.broker_address", "must be a street, city, state and ZIP")


def _check_integrity(path: Path, table: Any) -> None:
    """The integrity edits a program enables and holds on (issue 15) are rules ``nemt.domain.integrity`` defines."""
    if table is None:
        return
    from nemt.domain.integrity.edits import RULES as INTEGRITY_RULES

    for key in ("enabled", "hold"):
        for i, name in enumerate(table.get(key, [])):
            if name not in INTEGRITY_RULES:
                raise PolicyError(path, f"integrity.{key}[{i}]",
                                  f"unknown rule {name!r}; the rules are {', '.join(INTEGRITY_RULES)}")


def _check_sections(path: Path, sections: Any) -> None:
    """``decision.sections``: reason code -> the sections of the program's document its reasons cite."""
    from nemt.domain.decisions.reasons import REASONS

    if not isinstance(sections, Mapping):
        raise PolicyError(path, "decision.sections", "must be a table: reason code = [sections]")
    for code, cited in sections.items():
        if code not in REASONS:
            raise PolicyError(path, f"decision.sections.{code}", "is not a reason code of the decision rules")
        if not isinstance(cited, list) or not cited or not all(isinstance(c, str) for c in cited):
            raise PolicyError(path, f"decision.sections.{code}", "must be a list of section headings")


def _check_notice(path: Path, data: Mapping[str, Any]) -> None:
    """The notice rule's calendar: a known calendar of the ``holidays`` package, and dates as dates."""
    from nemt.domain.notice import holiday_calendar

    notice = data["notice"]
    if "holiday_calendar" in notice:
        try:
            holiday_calendar(str(notice["holiday_calendar"]), [2026])
        except ModuleNotFoundError:  # the `holidays` package is not there (a bare install): the notice rule says so
            pass
        except (NotImplementedError, KeyError, ValueError):
            raise PolicyError(path, "notice.holiday_calendar",
                              f"unknown calendar {notice['holiday_calendar']!r} (COUNTRY or COUNTRY-SUBDIVISION, "
                              "as the holidays package names them, like US-CT)") from None
    dates = notice.get("holiday_dates", [])
    if not isinstance(dates, list):
        raise PolicyError(path, "notice.holiday_dates", "must be a list of dates (YYYY-MM-DD)")
    for i, day in enumerate(dates):
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise PolicyError(path, f"notice.holiday_dates[{i}]", "must be a date (YYYY-MM-DD)")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", list: "a list", dict: "a table", float: "a number"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def load_policy_file(path: str | Path, expected_code: str | None = None) -> Policy:
    """Read and validate one program file. Raises :class:`PolicyError` naming file, key and problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(path, "(file)", f"cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(path, "(file)", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(path, "(syntax)", f"not valid TOML: {exc}") from None
    _validate(path, data, expected_code)
    return Policy(code=data["program"]["code"], path=path, data=data)


def load_policy(code: str) -> Policy:
    """The policy of program ``code`` (one of :func:`program_codes`), read once per process."""
    code = code.upper()
    files = _program_files(policy_dir(), programs_dir())
    if code not in files:
        known = ", ".join(files)
        raise PolicyError(programs_dir() or policy_dir(), "program", f"unknown program {code!r}; known: {known}")
    return _load_cached(files[code], code)


@cache
def _load_cached(path: Path, code: str) -> Policy:
    return load_policy_file(path, expected_code=code)


def load_programs() -> dict[str, Policy]:
    """Every program's policy, each validated (the first bad file raises :class:`PolicyError`)."""
    return {code: load_policy(code) for code in program_codes()}

