"""``nemt claims …``: build claims from the trip logs on the database, export them (837P, CMS-1500), replace or void
a claim, post an 835, list denials. Thin: parse arguments, call :mod:`nemt.services.claims`, print JSON.

The database is ``NEMT_DATABASE_URL`` (else the SQLite file ``nemt.db``). The commands act as the system (the
operator at the console); every change is in the audit trail. Exit status 2 on an error the user can fix (the
error line names the field and the rule, :mod:`nemt.cli.errors`), with nothing changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from nemt.cli.errors import date_option, read_input, reported
from nemt.cli.programs import program_help

if TYPE_CHECKING:  # the commands import the services when run, so `nemt --help` stays quick
    from nemt.domain.actors import Actor
    from nemt.store.uow import UnitOfWork

T = TypeVar("T")

claims_app = typer.Typer(no_args_is_help=True,
                         help="Claims from the trip logs: build, export, replace, void, remit, acknowledgments.")


def _run(action: Callable[[UnitOfWork, Actor], T]) -> T:
    from nemt.domain.actors import Actor
    from nemt.store.uow import UnitOfWork

    with reported(), UnitOfWork() as uow:
        return action(uow, Actor.system("claims-cli"))


def _print(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


@claims_app.command("build")
def build(provider: str = typer.Option(..., "--provider", help="the billing provider's NPI"),
          first: str = typer.Option(..., "--from", help="first date of service (YYYY-MM-DD)"),
          last: str = typer.Option(..., "--to", help="last date of service (YYYY-MM-DD)")) -> None:
    """Build claims from the completed, not yet billed legs of the dates. Each leg is billed once, even with two
    builds at the same time."""
    from nemt.services.claims import build_claims_for_provider

    dates = (date_option(first, "--from"), date_option(last, "--to"))
    result = _run(lambda uow, actor: build_claims_for_provider(uow, actor, provider, dates))
    _print(result.as_dict())


@claims_app.command("export")
def export(fmt: str = typer.Option("837p", "--format", help="837p or cms1500"),
           out: Path = typer.Option(..., "--out", help="the file to write"),
           provider: str | None = typer.Option(None, "--provider", help="NPI (needed when several have claims)"),
           payer: str | None = typer.Option(None, "--payer",
                                            help="department or broker (needed when the claims have both)"),
           ) -> None:
    """Export the ready claims as one 837P interchange (validated by pyx12 before it is written) or one CMS-1500 PDF;
    the claims become exported with their batch."""
    from nemt.services.claims import export_claims

    result = _run(lambda uow, actor: export_claims(uow, actor, fmt=fmt, provider=provider, out=out,
                                                       payer=payer))
    _print(result.as_dict())


@claims_app.command("replace")
def replace(claim_number: str = typer.Argument(..., help="the claim to replace")) -> None:
    """Make a replacement claim (frequency 7, REF*F8 = the original) from the legs' corrected trip logs."""
    from nemt.services.claims import replace_claim

    _print(_run(lambda uow, actor: replace_claim(uow, actor, claim_number)))


@claims_app.command("void")
def void(claim_number: str = typer.Argument(..., help="the claim to void")) -> None:
    """Make a void claim (frequency 8, REF*F8 = the original)."""
    from nemt.services.claims import void_claim

    _print(_run(lambda uow, actor: void_claim(uow, actor, claim_number)))


@claims_app.command("remit")
def remit(file: Path = typer.Argument(..., help="an X12 835 remittance file")) -> None:
    """Post an 835's payments, adjustments and denials by claim number. A malformed file is rejected whole, naming
    the segment; posting the same file twice changes nothing."""
    from nemt.services.claims import post_remittance

    content = read_input(file)
    result = _run(lambda uow, actor: post_remittance(uow, actor, content))
    _print(result.as_dict())


@claims_app.command("ack")
def ack(file: Path = typer.Argument(..., help="an X12 999, TA1 or 277CA file")) -> None:
    """Read an acknowledgment: a 999 or TA1 marks its batch accepted or rejected (with the segment in error), a 277CA
    marks each claim accepted or rejected at the payer's front end. Checked by pyx12 first; a malformed file is
    refused naming the segment and changes nothing; the same file twice changes nothing."""
    from nemt.services.claims import read_acknowledgment

    content = read_input(file)
    _print(_run(lambda uow, actor: read_acknowledgment(uow, actor, content)).as_dict())


@claims_app.command("sample-acks")
def sample_acks(batch: int = typer.Option(..., "--batch", help="the exported 837P batch"),
                out_dir: Path = typer.Option(..., "--out-dir", help="where to write the 999 and 277CA"),
                reject: list[str] = typer.Option([], "--reject", help="a claim number the 277CA rejects (repeat)"),
                reject_batch: bool = typer.Option(False, "--reject-batch", help="the 999 rejects the batch")) -> None:
    """Write the 999 and 277CA a payer would send for one of our batches (our own writers, checked by pyx12): sample
    files for a demo or a test, read back with `nemt claims ack`."""
    from nemt.services.claims import sample_acknowledgments

    result = _run(lambda uow, actor: sample_acknowledgments(uow, actor, batch, reject=reject,
                                                            reject_batch=reject_batch))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"999": out_dir / f"batch-{batch}.999"}
    paths["999"].write_text(result.ack_999, encoding="ascii")
    if result.ack_277ca:
        paths["277CA"] = out_dir / f"batch-{batch}.277"
        paths["277CA"].write_text(result.ack_277ca, encoding="ascii")
    _print({kind: str(path) for kind, path in paths.items()})


@claims_app.command("worklist")
def worklist(kind: str | None = typer.Option(None, help="denied or rejected"),
             payer: str | None = typer.Option(None, help="department or broker"),
             reason: str | None = typer.Option(None, help="a reason code: CO-16 or 16"),
             first: str | None = typer.Option(None, "--from", help="first date of service (YYYY-MM-DD)"),
             last: str | None = typer.Option(None, "--to", help="last date of service (YYYY-MM-DD)"),
             csv_out: Path | None = typer.Option(None, "--csv", help="write the worklist as CSV to this file")) -> None:
    """The denied-claims worklist (835 denials, 277CA rejections) with reasons in words and totals."""
    from nemt.services.claims import denied_worklist, worklist_csv

    dates = (date_option(first, "--from") if first else None, date_option(last, "--to") if last else None)
    result = _run(lambda uow, actor: denied_worklist(uow, actor, kind=kind, payer=payer, reason=reason,
                                                     first=dates[0], last=dates[1]))
    if csv_out is not None:
        csv_out.write_text(worklist_csv(result), encoding="utf-8")
    _print(result.as_dict())


@claims_app.command("denied")
def denied() -> None:
    """Denied claims with the payer's reason codes, for rework."""
    from nemt.services.claims import denied_claims

    _print(_run(lambda uow, actor: denied_claims(uow, actor)))


@claims_app.command("list")
def list_(status: str | None = typer.Option(None, help="ready, review, exported, paid, denied, replaced, voided"),
          ) -> None:
    """Claims, newest first."""
    from nemt.services.claims import list_claims

    _print(_run(lambda uow, actor: list_claims(uow, actor, status=status)))


@claims_app.command("profile")
def profile(provider: str = typer.Option(..., "--provider", help="NPI"),
            address_line: str = typer.Option(..., "--address"), city: str = typer.Option(...),
            state: str = typer.Option(...), zip: str = typer.Option(..., "--zip"),
            tax_id: str = typer.Option(..., "--tax-id"), submitter_id: str = typer.Option(..., "--submitter-id"),
            submitter_name: str = typer.Option(..., "--submitter-name"),
            contact_name: str = typer.Option(..., "--contact"), phone: str = typer.Option(""),
            taxonomy: str = typer.Option("343900000X")) -> None:
    """Set a provider's billing profile: address and tax ID (837P loop 2010AA), submitter (loop 1000A)."""
    from nemt.services.claims import set_billing_profile

    _run(lambda uow, actor: set_billing_profile(
        uow, actor, provider, address_line=address_line, city=city, state=state, zip=zip, tax_id=tax_id,
        submitter_id=submitter_id, submitter_name=submitter_name, contact_name=contact_name, phone=phone,
        taxonomy=taxonomy))
    typer.echo(f"billing profile of {provider} saved")


@claims_app.command("broker-pay")
def broker_pay(provider: str = typer.Option(..., "--provider", help="the provider's NPI"),
               out: Path = typer.Option(..., "--out", help="the 835 file to write")) -> None:
    """As the State Contracted Broker: adjudicate the claims the provider sent the broker, write its 835 (checked by
    pyx12) and post it onto the claims (Payment for Covered Services)."""
    from nemt.services.claims import pay_provider

    result = _run(lambda uow, actor: pay_provider(uow, actor, provider))
    out.write_bytes(result.content)
    _print({**result.as_dict(), "path": str(out)})


@claims_app.command("encounters")
def encounters(provider: str = typer.Option(..., "--provider", help="the provider's NPI"),
               first: str = typer.Option(..., "--from", help="first date of service (YYYY-MM-DD)"),
               last: str = typer.Option(..., "--to", help="last date of service (YYYY-MM-DD)"),
               out: Path = typer.Option(..., "--out", help="the 837P encounter file to write")) -> None:
    """As the State Contracted Broker: the trips it paid the provider for, as the 837P encounter file to the
    Department (BHT06 = RP, checked by pyx12)."""
    from nemt.services.claims import encounter_file

    dates = (date_option(first, "--from"), date_option(last, "--to"))
    result = _run(lambda uow, actor: encounter_file(uow, actor, provider, *dates))
    out.write_bytes(result.content)
    _print({"provider_npi": result.provider_npi, "claims": result.claim_numbers, "path": str(out),
            "interchange_control_number": result.interchange_control_number})


@claims_app.command("review")
def in_review(program: str | None = typer.Option(None, "--program", help=program_help(" (default: all)"))) -> None:
    """The claims suspended for review (the 52-unit review, the integrity edits the program holds), each with the
    edits that hold it."""
    from nemt.services.claims.review import claims_in_review

    _print([c.as_dict() for c in _run(lambda uow, actor: claims_in_review(uow, actor, program))])


@claims_app.command("release")
def release(claim_number: str = typer.Argument(..., help="the claim in review"),
            reason: str = typer.Option(..., "--reason", help="why it is released (with who and when)")) -> None:
    """Release a claim in review: it becomes ready (exportable)."""
    from nemt.services.claims.review import release_claim

    _print(_run(lambda uow, actor: release_claim(uow, actor, claim_number, reason)).as_dict())


@claims_app.command("deny-on-review")
def deny_on_review(claim_number: str = typer.Argument(..., help="the claim in review"),
                   reason: str = typer.Option(..., "--reason", help="why it is denied (recorded with who and when)")
                   ) -> None:
    """Deny a claim in review: it becomes denied with the edit denied-on-review."""
    from nemt.services.claims.review import deny_claim

    _print(_run(lambda uow, actor: deny_claim(uow, actor, claim_number, reason)).as_dict())


def register(app: typer.Typer) -> None:
    app.add_typer(claims_app, name="claims")
